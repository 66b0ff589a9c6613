//! The OAuth 2.0 authorization server through its library API: every grant and client authentication method, the
//! refusals RFC 7523 §3 / RFC 6749 §5.2 require (alg none, HS256 with the public key as secret, wrong aud, expired,
//! replayed jti, unknown kid, key confusion), scope narrowing, the lifetime cap, JWKS verification across a key
//! rotation, introspection after revocation and after disabling a client, metadata, and the bridge.
//!
//! Issued tokens are verified with `jsonwebtoken` against the published JWK Set, as a resource server would.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use sluis::clock::{Clock, DateTime, SystemClock};
use sluis::oauth::config::OAuthConfig;
use sluis::oauth::{AuthorizationServer, BridgeRequest, HttpInput, IssuedToken, Refusal};
use sluis::reason::{OAuthError, OAuthReason, Reason};

pub(crate) mod fixture {
    //! A configured authorization server in a fresh directory: keys written as PEM files, a TOML configuration.

    use super::*;
    use sluis::oauth::keys::pem_encode;
    use sluis::oauth::secret::SecretHash;
    use sluis::trust::{KeyKind, SigningKey};
    use std::path::PathBuf;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The secret of every confidential test client.
    pub(crate) const SECRET: &str = "s3cret-Zm9vYmFyYmF6cXV4LXRlc3Qtc2VjcmV0";
    /// The authorization server's issuer identifier.
    pub(crate) const ISSUER: &str = "https://as.example.nl";
    /// Its token endpoint.
    pub(crate) const TOKEN_ENDPOINT: &str = "https://as.example.nl/oauth2/token";
    /// The JWT-bearer issuer.
    pub(crate) const IDP: &str = "https://idp.example.nl";
    /// The default audience.
    pub(crate) const API: &str = "https://api.example.nl";

    /// Keys made once per test process (RSA generation is slow in debug builds).
    pub(crate) struct Keys {
        /// RS256, active at first.
        pub(crate) rs: SigningKey,
        /// ES256, next at first.
        pub(crate) es: SigningKey,
        /// The JWT-bearer issuer's Ed25519 key.
        pub(crate) idp: SigningKey,
        /// The `private_key_jwt` client's P-256 key.
        pub(crate) client: SigningKey,
        /// A key nobody registered.
        pub(crate) stranger: SigningKey,
        /// The argon2id hash of [`SECRET`].
        pub(crate) secret_hash: String,
    }

    pub(crate) fn keys() -> &'static Keys {
        static KEYS: OnceLock<Keys> = OnceLock::new();
        KEYS.get_or_init(|| Keys {
            rs: SigningKey::generate(KeyKind::Rsa { bits: 2048 }).unwrap(),
            es: SigningKey::generate(KeyKind::EcP256).unwrap(),
            idp: SigningKey::generate(KeyKind::Ed25519).unwrap(),
            client: SigningKey::generate(KeyKind::EcP256).unwrap(),
            stranger: SigningKey::generate(KeyKind::EcP256).unwrap(),
            secret_hash: SecretHash::hash(SECRET.as_bytes()).unwrap(),
        })
    }

    /// A PKCS#8 PEM private key.
    pub(crate) fn private_pem(key: &SigningKey) -> String {
        pem_encode("PRIVATE KEY", &key.to_pkcs8_der().unwrap())
    }

    /// A SubjectPublicKeyInfo PEM.
    pub(crate) fn public_pem(key: &SigningKey) -> String {
        pem_encode("PUBLIC KEY", key.public_key().spki_der())
    }

    /// The signing-key section: `(kid, alg, file, state)`.
    pub(crate) fn signing_keys(entries: &[(&str, &str, &str, &str)]) -> String {
        entries
            .iter()
            .map(|(kid, alg, file, state)| {
                format!("[[signing_keys]]\nkid = \"{kid}\"\nalg = \"{alg}\"\nprivate_key = \"{file}\"\nstate = \"{state}\"\n\n")
            })
            .collect()
    }

    /// The standard configuration with `keys_section` for the signing keys and `extra` appended to `[oauth]`'s top.
    pub(crate) fn config_text(keys_section: &str, top: &str) -> String {
        let hash = &keys().secret_hash;
        format!(
            r#"issuer = "{ISSUER}"
default_audience = "{API}"
audiences = ["https://api2.example.nl", "urn:example:records"]
audience_aliases = ["urn:sluis:as"]
{top}

{keys_section}
[[clients]]
client_id = "svc"
auth_methods = ["client_secret_basic", "client_secret_post"]
secret_hash = "{hash}"
grant_types = ["client_credentials"]
scopes = ["read", "write", "admin"]
default_scopes = ["read"]

[[clients]]
client_id = "pk"
auth_methods = ["private_key_jwt"]
keys = [{{ pem = "client.pub.pem", kid = "pk-1" }}]
grant_types = ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
scopes = ["read"]

[[clients]]
client_id = "portal"
auth_methods = ["client_secret_basic"]
secret_hash = "{hash}"
grant_types = ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
scopes = ["read", "write", "records"]
allowed_issuers = ["{IDP}"]
allowed_subjects = ["alice", "bob"]
audiences = ["{API}", "https://api2.example.nl"]

[[clients]]
client_id = "public-app"
auth_methods = ["none"]
grant_types = ["jwt-bearer"]
scopes = ["read"]

[[clients]]
client_id = "rs"
auth_methods = ["client_secret_basic"]
secret_hash = "{hash}"
grant_types = []
introspect_any = true

[[issuers]]
issuer = "{IDP}"
format = "jwt"
keys = [{{ pem = "idp.pub.pem", kid = "idp-1", alg = "EdDSA" }}]
base_scopes = ["read"]
claims = {{ email = "email" }}

[[issuers.mappings]]
attribute = "role"
value = "doctor"
scopes = ["write", "records"]
roles = ["clinician"]
"#
        )
    }

    /// The default signing keys: RS256 active, ES256 next.
    pub(crate) fn default_keys() -> String {
        signing_keys(&[("rs-1", "RS256", "rs.pem", "active"), ("es-2", "ES256", "es.pem", "next")])
    }

    pub(crate) struct Fixture {
        pub(crate) dir: PathBuf,
        pub(crate) server: Arc<AuthorizationServer>,
    }

    impl Fixture {
        pub(crate) fn new() -> Fixture {
            Self::with(&default_keys(), "")
        }

        pub(crate) fn with(keys_section: &str, top: &str) -> Fixture {
            Self::with_tail(keys_section, top, "")
        }

        /// With `tail` (more clients and issuers) appended to the configuration.
        pub(crate) fn with_tail(keys_section: &str, top: &str, tail: &str) -> Fixture {
            let dir = fresh_dir();
            let config = parse(&format!("{}\n{tail}", config_text(keys_section, top)));
            let server = Arc::new(AuthorizationServer::new(&config, &dir, Arc::new(SystemClock)).unwrap());
            Fixture { dir, server }
        }

        pub(crate) fn now(&self) -> DateTime {
            SystemClock.now()
        }

        pub(crate) fn reload(&self, keys_section: &str, top: &str) -> Result<(), sluis::oauth::ConfigError> {
            self.server.reload(&parse(&config_text(keys_section, top)))
        }

        /// `POST /oauth2/token` with a form body and an optional Basic client.
        pub(crate) fn token(&self, body: &str, basic: Option<(&str, &str)>) -> Result<IssuedToken, Refusal> {
            let auth = basic.map(|(id, s)| basic_header(id, s));
            self.server.token(&HttpInput {
                content_type: Some("application/x-www-form-urlencoded"),
                authorization: auth.as_deref(),
                body: body.as_bytes(),
                origin: None,
            })
        }

        /// `POST /oauth2/introspect` as `client` (Basic).
        pub(crate) fn introspect(&self, token: &str, client: &str) -> Result<Value, Refusal> {
            let auth = basic_header(client, SECRET);
            let body = form(&[("token", token)]);
            self.server
                .introspect_at(
                    &HttpInput {
                        content_type: Some("application/x-www-form-urlencoded"),
                        authorization: Some(&auth),
                        body: body.as_bytes(),
                        origin: None,
                    },
                    self.now(),
                )
                .map(|i| i.response)
        }

        /// `POST /oauth2/revoke` as `client` (Basic).
        pub(crate) fn revoke(&self, token: &str, client: &str) -> Result<(), Refusal> {
            let auth = basic_header(client, SECRET);
            let body = form(&[("token", token), ("token_type_hint", "access_token")]);
            self.server.revoke_at(
                &HttpInput {
                    content_type: Some("application/x-www-form-urlencoded"),
                    authorization: Some(&auth),
                    body: body.as_bytes(),
                    origin: None,
                },
                self.now(),
            )
        }

        /// Verifies `token` against the published JWK Set as a resource server would: signature by the key its `kid`
        /// names, `typ: at+jwt`, `iss`, `aud`, `exp`.
        pub(crate) fn verify(&self, token: &str, audience: &str) -> Value {
            verify_with_jwks(&self.server.jwks_json(), token, audience)
        }
    }

    pub(crate) fn verify_with_jwks(jwks: &str, token: &str, audience: &str) -> Value {
        let set: JwkSet = serde_json::from_str(jwks).unwrap();
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        let jwk = set.find(header.kid.as_deref().unwrap()).expect("kid published in the JWKS");
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let mut v = Validation::new(header.alg);
        v.set_audience(&[audience]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        jsonwebtoken::decode::<Value>(token, &key, &v).unwrap().claims
    }

    pub(crate) fn parse(text: &str) -> OAuthConfig {
        toml::from_str(text).unwrap()
    }

    fn fresh_dir() -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sluis-oauth-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let k = keys();
        for (name, text) in [
            ("rs.pem", private_pem(&k.rs)),
            ("es.pem", private_pem(&k.es)),
            ("idp.pub.pem", public_pem(&k.idp)),
            ("client.pub.pem", public_pem(&k.client)),
        ] {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    /// A form body from pairs (values percent-encoded).
    pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
        pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
    }

    fn encode(v: &str) -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    pub(crate) fn basic_header(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{}:{}", encode(id), encode(secret))))
    }

    /// Signs `claims` with `key` as a JWS with `alg` and an optional `kid`, using `jsonwebtoken`.
    pub(crate) fn jwt(key: &SigningKey, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let pem = private_pem(key);
        let enc = match alg {
            Algorithm::RS256 | Algorithm::PS256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem.as_bytes()),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
            _ => panic!("use hmac_jwt"),
        }
        .unwrap();
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &enc).unwrap()
    }

    /// An HS256 JWS keyed with `secret` (the key-confusion attack uses the public key PEM as the secret).
    pub(crate) fn hmac_jwt(secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    /// An unsigned JWS (`alg: none`, empty signature and a one-byte one).
    pub(crate) fn none_jwts(claims: &Value) -> [String; 2] {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let c = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
        [format!("{h}.{c}."), format!("{h}.{c}.AA")]
    }

    /// Fresh assertion claims: `iss`, `sub`, `aud`, `iat`, `exp` (+60 s), a random `jti`.
    pub(crate) fn claims(iss: &str, sub: &str, aud: &str, now: DateTime) -> Value {
        static N: AtomicUsize = AtomicUsize::new(0);
        let t = now.unix_seconds();
        json!({"iss": iss, "sub": sub, "aud": aud, "iat": t, "exp": t + 60,
               "jti": format!("jti-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))})
    }
}

use fixture::*;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const JWT_CLIENT: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn reason(r: &Refusal) -> Reason {
    r.reason()
}

fn assert_refused(r: Result<IssuedToken, Refusal>, expected: OAuthReason, error: OAuthError) {
    match r {
        Ok(t) => panic!("expected {expected}, got a token for {}", t.principal.subject()),
        Err(e) => {
            assert_eq!(reason(&e), Reason::OAuth(expected), "{e}");
            assert_eq!(e.error(), error, "{e}");
            let body: Value = serde_json::from_str(&e.body_json()).unwrap();
            assert_eq!(body["error"], error.code());
            assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }
}

// --- client_credentials and secret authentication -----------------------------------------------------------------

#[test]
fn client_credentials_with_basic_and_post() {
    let fx = Fixture::new();
    let t = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap();
    let c = fx.verify(&t.access_token, API);
    assert_eq!(c["sub"], "svc");
    assert_eq!(c["client_id"], "svc");
    assert_eq!(c["scope"], "read", "default_scopes when scope is absent");
    assert_eq!(c["aud"], API);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 300);
    assert!(c["jti"].as_str().is_some_and(|j| j.len() >= 22));
    let header = jsonwebtoken::decode_header(&t.access_token).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::RS256, Some("rs-1")));
    let body: Value = serde_json::from_str(&t.response_json()).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "read");
    assert!(body.get("refresh_token").is_none(), "never a refresh token");

    let post = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "svc"),
        ("client_secret", SECRET),
        ("scope", "read write"),
    ]);
    let t2 = fx.token(&post, None).unwrap();
    assert_eq!(fx.verify(&t2.access_token, API)["scope"], "read write");
    assert_ne!(t.jti, t2.jti);
}

#[test]
fn client_authentication_failures() {
    let fx = Fixture::new();
    let cc = "grant_type=client_credentials";
    let wrong = fx.token(cc, Some(("svc", "wrong"))).unwrap_err();
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.www_authenticate("sluis").as_deref(), Some("Basic realm=\"sluis\""));
    assert!(wrong.basic_attempted());
    let unknown = fx.token(cc, Some(("nobody", SECRET))).unwrap_err();
    assert_eq!(reason(&unknown), Reason::OAuth(OAuthReason::ClientUnknown));
    assert_eq!(unknown.body_json(), wrong.body_json(), "unknown client and wrong secret look alike");
    // pk is registered for private_key_jwt only.
    let method = fx.token(cc, Some(("pk", SECRET))).unwrap_err();
    assert_eq!(reason(&method), Reason::OAuth(OAuthReason::ClientAuthMethodNotAllowed));
    assert_eq!(method.body_json(), wrong.body_json());
    // Two methods at once.
    let both = form(&[("grant_type", "client_credentials"), ("client_secret", SECRET)]);
    assert_refused(
        fx.token(&both, Some(("svc", SECRET))),
        OAuthReason::ClientAuthMultiple,
        OAuthError::InvalidRequest,
    );
    // No authentication.
    assert_refused(fx.token(cc, None), OAuthReason::ClientAuthMissing, OAuthError::InvalidClient);
    // client_id disagreeing with Basic.
    assert_refused(
        fx.token("grant_type=client_credentials&client_id=portal", Some(("svc", SECRET))),
        OAuthReason::ClientIdMismatch,
        OAuthError::InvalidClient,
    );
    // Malformed Basic.
    let bad = fx.server.token(&HttpInput {
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: Some("Basic !!!"),
        body: cc.as_bytes(),
        origin: None,
    });
    assert_refused(bad, OAuthReason::ClientBasicMalformed, OAuthError::InvalidClient);
}

#[test]
fn request_format_refusals() {
    let fx = Fixture::new();
    let svc = Some(("svc", SECRET));
    assert_refused(
        fx.token("grant_type=client_credentials&grant_type=client_credentials", svc),
        OAuthReason::ParameterDuplicated("grant_type"),
        OAuthError::InvalidRequest,
    );
    assert_refused(
        fx.token("grant_type=client_credentials&scope=read&scope=write", svc),
        OAuthReason::ParameterDuplicated("scope"),
        OAuthError::InvalidRequest,
    );
    assert_refused(
        fx.token("scope=read", svc),
        OAuthReason::ParameterMissing("grant_type"),
        OAuthError::InvalidRequest,
    );
    assert_refused(
        fx.token("grant_type=password", svc),
        OAuthReason::UnsupportedGrantType,
        OAuthError::UnsupportedGrantType,
    );
    assert_refused(
        fx.token("grant_type=refresh_token", svc),
        OAuthReason::UnsupportedGrantType,
        OAuthError::UnsupportedGrantType,
    );
    assert_refused(
        fx.token("grant_type=client_credentials&scope=%ZZ", svc),
        OAuthReason::RequestMalformed,
        OAuthError::InvalidRequest,
    );
    let json = fx.server.token(&HttpInput {
        content_type: Some("application/json"),
        authorization: None,
        body: b"{}",
        origin: None,
    });
    assert_refused(json, OAuthReason::RequestContentType, OAuthError::InvalidRequest);
    let big = format!("grant_type=client_credentials&x={}", "a".repeat(300 * 1024));
    assert_refused(fx.token(&big, svc), OAuthReason::RequestTooLarge, OAuthError::InvalidRequest);
    // Unknown parameters are ignored, even repeated.
    assert!(fx.token("grant_type=client_credentials&foo=1&foo=2", svc).is_ok());
    // The description never echoes the secret.
    let e = fx.token("grant_type=client_credentials", Some(("svc", "hunter2-very-secret"))).unwrap_err();
    assert!(!e.body_json().contains("hunter2"));
}

#[test]
fn scopes_are_bounded_by_the_client() {
    let fx = Fixture::new();
    let svc = Some(("svc", SECRET));
    let t = fx.token("grant_type=client_credentials&scope=admin+write", svc).unwrap();
    assert_eq!(fx.verify(&t.access_token, API)["scope"], "admin write");
    assert_refused(
        fx.token("grant_type=client_credentials&scope=read+delete", svc),
        OAuthReason::ScopeNotAllowed,
        OAuthError::InvalidScope,
    );
    assert_refused(
        fx.token("grant_type=client_credentials&scope=read%20%20write", svc),
        OAuthReason::ScopeMalformed,
        OAuthError::InvalidScope,
    );
    // A client may not use a grant it is not registered for.
    assert_refused(
        fx.token(&form(&[("grant_type", JWT_BEARER), ("assertion", "x")]), svc),
        OAuthReason::GrantNotAllowed,
        OAuthError::UnauthorizedClient,
    );
}

#[test]
fn resource_parameter_sets_the_audience() {
    let fx = Fixture::new();
    let svc = Some(("svc", SECRET));
    let t = fx.token("grant_type=client_credentials&resource=urn%3Aexample%3Arecords", svc).unwrap();
    fx.verify(&t.access_token, "urn:example:records");
    let two = fx
        .token("grant_type=client_credentials&resource=https%3A%2F%2Fapi2.example.nl&resource=urn%3Aexample%3Arecords", svc)
        .unwrap();
    assert_eq!(two.audience, ["https://api2.example.nl", "urn:example:records"]);
    assert_refused(
        fx.token("grant_type=client_credentials&resource=https%3A%2F%2Fevil.example", svc),
        OAuthReason::ResourceNotAllowed,
        OAuthError::InvalidRequest,
    );
    assert_refused(
        fx.token("grant_type=client_credentials&resource=relative", svc),
        OAuthReason::ResourceInvalid,
        OAuthError::InvalidRequest,
    );
    // portal may not ask for urn:example:records.
    let fx_claims = claims(IDP, "alice", ISSUER, fx.now());
    let a = jwt(&keys().idp, Algorithm::EdDSA, Some("idp-1"), &fx_claims);
    let body = form(&[("grant_type", JWT_BEARER), ("assertion", &a), ("resource", "urn:example:records")]);
    assert_refused(
        fx.token(&body, Some(("portal", SECRET))),
        OAuthReason::ResourceNotAllowed,
        OAuthError::InvalidRequest,
    );
}

// --- private_key_jwt (RFC 7523 §2.2) ---------------------------------------------------------------------------------

fn pk_form(assertion: &str) -> String {
    form(&[
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_CLIENT),
        ("client_assertion", assertion),
    ])
}

#[test]
fn private_key_jwt_client_authentication() {
    let fx = Fixture::new();
    let k = keys();
    let now = fx.now();
    let good = jwt(&k.client, Algorithm::ES256, Some("pk-1"), &claims("pk", "pk", TOKEN_ENDPOINT, now));
    let t = fx.token(&pk_form(&good), None).unwrap();
    assert_eq!(fx.verify(&t.access_token, API)["client_id"], "pk");
    // The issuer identifier is an accepted audience too (draft-ietf-oauth-rfc7523bis), as is an array containing it.
    let by_issuer = jwt(&k.client, Algorithm::ES256, None, &claims("pk", "pk", ISSUER, now));
    assert!(fx.token(&pk_form(&by_issuer), None).is_ok());
    let mut arr = claims("pk", "pk", ISSUER, now);
    arr["aud"] = json!(["https://other", ISSUER]);
    assert!(fx.token(&pk_form(&jwt(&k.client, Algorithm::ES256, None, &arr)), None).is_ok());

    let refused = |assertion: String, r: OAuthReason| {
        assert_refused(fx.token(&pk_form(&assertion), None), r, OAuthError::InvalidClient)
    };
    refused(good.clone(), OAuthReason::ClientAssertionReplayed);
    let mut c = claims("pk", "pk", "https://elsewhere", now);
    refused(jwt(&k.client, Algorithm::ES256, None, &c), OAuthReason::ClientAssertionAudience);
    c = claims("pk", "pk", TOKEN_ENDPOINT, now);
    c["iss"] = json!("someone");
    refused(jwt(&k.client, Algorithm::ES256, None, &c), OAuthReason::ClientAssertionClaim("iss"));
    c = claims("pk", "pk", TOKEN_ENDPOINT, now);
    c["exp"] = json!(now.unix_seconds() - 120);
    refused(jwt(&k.client, Algorithm::ES256, None, &c), OAuthReason::ClientAssertionExpired);
    c = claims("pk", "pk", TOKEN_ENDPOINT, now);
    c.as_object_mut().unwrap().remove("jti");
    refused(jwt(&k.client, Algorithm::ES256, None, &c), OAuthReason::ClientAssertionClaim("jti"));
    c = claims("pk", "pk", TOKEN_ENDPOINT, now);
    c["exp"] = json!(now.unix_seconds() + 3 * 3600);
    refused(jwt(&k.client, Algorithm::ES256, None, &c), OAuthReason::ClientAssertionLifetime);
    let c = claims("pk", "pk", TOKEN_ENDPOINT, now);
    refused(jwt(&k.stranger, Algorithm::ES256, Some("pk-1"), &c), OAuthReason::ClientAssertionSignature);
    refused(jwt(&k.client, Algorithm::ES256, Some("pk-9"), &c), OAuthReason::ClientAssertionKeyUnknown);
    for none in none_jwts(&c) {
        let r = fx.token(&pk_form(&none), None).unwrap_err();
        assert_eq!(r.error(), OAuthError::InvalidClient, "{r}");
    }
    refused(
        hmac_jwt(public_pem(&k.client).as_bytes(), Some("pk-1"), &c),
        OAuthReason::ClientAssertionAlgorithm,
    );
    refused(jwt(&k.idp, Algorithm::EdDSA, Some("pk-1"), &c), OAuthReason::ClientAssertionAlgorithm);
    // client_id naming another client than the assertion.
    let other = jwt(&k.client, Algorithm::ES256, None, &claims("pk", "pk", TOKEN_ENDPOINT, now));
    let body = format!("{}&client_id=svc", pk_form(&other));
    assert_refused(fx.token(&body, None), OAuthReason::ClientIdMismatch, OAuthError::InvalidClient);
    // An unsupported assertion type.
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_assertion_type", "urn:x"),
        ("client_assertion", &other),
    ]);
    assert_refused(
        fx.token(&body, None),
        OAuthReason::ClientAssertionTypeUnsupported,
        OAuthError::InvalidClient,
    );
}

#[test]
fn strict_client_assertion_audience() {
    let fx = Fixture::with(&default_keys(), "strict_client_assertion_audience = true");
    let k = keys();
    let now = fx.now();
    let endpoint = jwt(&k.client, Algorithm::ES256, None, &claims("pk", "pk", TOKEN_ENDPOINT, now));
    assert_refused(
        fx.token(&pk_form(&endpoint), None),
        OAuthReason::ClientAssertionAudience,
        OAuthError::InvalidClient,
    );
    let mut arr = claims("pk", "pk", ISSUER, now);
    arr["aud"] = json!([ISSUER]);
    let arr = jwt(&k.client, Algorithm::ES256, None, &arr);
    assert_refused(
        fx.token(&pk_form(&arr), None),
        OAuthReason::ClientAssertionAudience,
        OAuthError::InvalidClient,
    );
    let issuer = jwt(&k.client, Algorithm::ES256, None, &claims("pk", "pk", ISSUER, now));
    assert!(fx.token(&pk_form(&issuer), None).is_ok());
}

// --- JWT bearer grant (RFC 7523 §2.1, §3) ----------------------------------------------------------------------------

fn bearer(assertion: &str, scope: Option<&str>) -> String {
    let mut pairs = vec![("grant_type", JWT_BEARER), ("assertion", assertion)];
    if let Some(s) = scope {
        pairs.push(("scope", s));
    }
    form(&pairs)
}

fn idp_assertion(sub: &str, aud: &str, extra: Value, now: DateTime) -> String {
    let mut c = claims(IDP, sub, aud, now);
    c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    jwt(&keys().idp, Algorithm::EdDSA, Some("idp-1"), &c)
}

#[test]
fn jwt_bearer_grant_maps_scopes_roles_and_claims() {
    let fx = Fixture::new();
    let now = fx.now();
    let portal = Some(("portal", SECRET));
    let a = idp_assertion(
        "alice",
        ISSUER,
        json!({"role": ["nurse", "doctor"], "email": "alice@example.nl", "auth_time": now.unix_seconds() - 30}),
        now,
    );
    let t = fx.token(&bearer(&a, Some("read write records")), portal).unwrap();
    let c = fx.verify(&t.access_token, API);
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["client_id"], "portal");
    assert_eq!(c["scope"], "read records write");
    assert_eq!(c["roles"], json!(["clinician"]));
    assert_eq!(c["email"], "alice@example.nl");
    assert_eq!(c["auth_time"], now.unix_seconds() - 30);
    assert_eq!(t.principal.issuer(), Some(IDP));

    // Not a doctor: write is narrowed away; asking only for it is invalid_scope.
    let b = idp_assertion("bob", TOKEN_ENDPOINT, json!({"role": "nurse"}), now);
    let t = fx.token(&bearer(&b, Some("read write")), portal).unwrap();
    assert_eq!(fx.verify(&t.access_token, API)["scope"], "read");
    assert!(fx.verify(&t.access_token, API).get("roles").is_none());
    let b = idp_assertion("bob", "urn:sluis:as", json!({"role": "nurse"}), now);
    assert_refused(
        fx.token(&bearer(&b, Some("write")), portal),
        OAuthReason::ScopeNotGranted,
        OAuthError::InvalidScope,
    );
    // Default scopes (all of the client's) narrowed by the mapping, without error.
    let b = idp_assertion("bob", ISSUER, json!({}), now);
    let t = fx.token(&bearer(&b, None), portal).unwrap();
    assert_eq!(t.scope.iter().collect::<Vec<_>>(), ["read"]);
}

#[test]
fn jwt_bearer_grant_refusals() {
    let fx = Fixture::new();
    let k = keys();
    let now = fx.now();
    let portal = Some(("portal", SECRET));
    let grant = |a: &str| fx.token(&bearer(a, None), portal);
    let refused = |a: String, r: OAuthReason| assert_refused(grant(&a), r, OAuthError::InvalidGrant);

    let good = idp_assertion("alice", ISSUER, json!({}), now);
    assert!(grant(&good).is_ok());
    refused(good, OAuthReason::JwtReplayed);
    refused(
        idp_assertion("alice", "https://other-as.example", json!({}), now),
        OAuthReason::JwtAudienceMismatch,
    );
    refused(
        idp_assertion("alice", ISSUER, json!({"exp": now.unix_seconds() - 61}), now),
        OAuthReason::JwtExpired,
    );
    refused(
        idp_assertion("alice", ISSUER, json!({"nbf": now.unix_seconds() + 600}), now),
        OAuthReason::JwtNotYetValid,
    );
    refused(
        idp_assertion("alice", ISSUER, json!({"exp": now.unix_seconds() + 7200}), now),
        OAuthReason::JwtLifetimeTooLong,
    );
    refused(
        idp_assertion("alice", ISSUER, json!({"iat": now.unix_seconds() - 3600}), now),
        OAuthReason::JwtLifetimeTooLong,
    );
    let mut c = claims(IDP, "alice", ISSUER, now);
    c.as_object_mut().unwrap().remove("exp");
    refused(jwt(&k.idp, Algorithm::EdDSA, Some("idp-1"), &c), OAuthReason::JwtClaimInvalid("exp"));
    let c = claims(IDP, "alice", ISSUER, now);
    // alg none, with and without a signature part.
    for none in none_jwts(&c) {
        let r = grant(&none).unwrap_err();
        assert_eq!(r.error(), OAuthError::InvalidGrant, "{r}");
    }
    assert_eq!(
        reason(&grant(&none_jwts(&c)[1]).unwrap_err()),
        Reason::OAuth(OAuthReason::JwtAlgorithmNotAllowed)
    );
    // HS256 keyed with the issuer's public key PEM (and DER): the classic key-confusion attack.
    refused(hmac_jwt(public_pem(&k.idp).as_bytes(), Some("idp-1"), &c), OAuthReason::JwtAlgorithmNotAllowed);
    refused(hmac_jwt(k.idp.public_key().spki_der(), None, &c), OAuthReason::JwtAlgorithmNotAllowed);
    // An ES256 signature under the issuer's kid: the registered key is Ed25519 (pinned EdDSA), so no verification is even tried.
    refused(jwt(&k.stranger, Algorithm::ES256, Some("idp-1"), &c), OAuthReason::JwtAlgorithmKeyMismatch);
    refused(jwt(&k.idp, Algorithm::EdDSA, Some("idp-2"), &c), OAuthReason::JwtKeyUnknown);
    refused(
        jwt(&k.stranger, Algorithm::ES256, None, &claims("https://evil.example", "alice", ISSUER, now)),
        OAuthReason::JwtIssuerUnknown,
    );
    // Signed by someone else's Ed25519 key under the right kid.
    let other = sluis::trust::SigningKey::generate(sluis::trust::KeyKind::Ed25519).unwrap();
    refused(jwt(&other, Algorithm::EdDSA, Some("idp-1"), &c), OAuthReason::JwtSignatureInvalid);
    // Claims tampered after signing.
    let signed = jwt(&k.idp, Algorithm::EdDSA, Some("idp-1"), &claims(IDP, "alice", ISSUER, now));
    let parts: Vec<&str> = signed.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(IDP, "bob", ISSUER, now)).unwrap());
    refused(format!("{}.{forged}.{}", parts[0], parts[2]), OAuthReason::JwtSignatureInvalid);
    // crit, and an access token presented as an assertion.
    refused("eyJhbGciOiJFZERTQSIsImNyaXQiOlsiZXhwIl19.e30.AA".into(), OAuthReason::JwtCritical);
    let access = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap().access_token;
    refused(access, OAuthReason::JwtClaimInvalid("typ"));
    refused("not-a-jwt".into(), OAuthReason::JwtMalformed);
    // Binding: portal may present alice and bob from the IdP only.
    refused(idp_assertion("mallory", ISSUER, json!({}), now), OAuthReason::AssertionSubjectNotAllowed);
    assert_refused(
        fx.token(&form(&[("grant_type", JWT_BEARER)]), portal),
        OAuthReason::ParameterMissing("assertion"),
        OAuthError::InvalidRequest,
    );
}

#[test]
fn jwt_bearer_with_private_key_jwt_and_public_clients() {
    let fx = Fixture::new();
    let k = keys();
    let now = fx.now();
    // Client authenticated by private_key_jwt, grant by the IdP's assertion.
    let client = jwt(&k.client, Algorithm::ES256, None, &claims("pk", "pk", ISSUER, now));
    let a = idp_assertion("carol", ISSUER, json!({}), now);
    let body = form(&[
        ("grant_type", JWT_BEARER),
        ("assertion", &a),
        ("client_assertion_type", JWT_CLIENT),
        ("client_assertion", &client),
    ]);
    let t = fx.token(&body, None).unwrap();
    assert_eq!((t.principal.subject(), t.client_id.as_str()), ("carol", "pk"));
    // A public client names itself.
    let a = idp_assertion("dave", ISSUER, json!({}), now);
    let t = fx
        .token(&form(&[("grant_type", JWT_BEARER), ("assertion", &a), ("client_id", "public-app")]), None)
        .unwrap();
    assert_eq!(fx.verify(&t.access_token, API)["client_id"], "public-app");
    // A confidential client cannot go without authentication.
    let a = idp_assertion("alice", ISSUER, json!({}), now);
    assert_refused(
        fx.token(&form(&[("grant_type", JWT_BEARER), ("assertion", &a), ("client_id", "portal")]), None),
        OAuthReason::ClientAuthMissing,
        OAuthError::InvalidClient,
    );
    // A public client cannot use client_credentials (it is not registered for it, and could not be).
    assert_refused(
        fx.token("grant_type=client_credentials&client_id=public-app", None),
        OAuthReason::GrantNotAllowed,
        OAuthError::UnauthorizedClient,
    );
}

// --- keys, rotation, lifetime ---------------------------------------------------------------------------------------

#[test]
fn jwks_and_rotation() {
    let fx = Fixture::new();
    let jwks: Value = serde_json::from_str(&fx.server.jwks_json()).unwrap();
    let kids: Vec<&str> =
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["rs-1", "es-2"], "the next key is published before it signs");
    for key in jwks["keys"].as_array().unwrap() {
        assert_eq!(key["use"], "sig");
        assert!(key.get("d").is_none() && key.get("p").is_none());
    }
    let before = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap().access_token;
    let jwks_before = fx.server.jwks_json();

    // Rotate: es-2 active, rs-1 retiring.
    fx.reload(
        &signing_keys(&[("rs-1", "RS256", "rs.pem", "retiring"), ("es-2", "ES256", "es.pem", "active")]),
        "",
    )
    .unwrap();
    let after = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap().access_token;
    let h = jsonwebtoken::decode_header(&after).unwrap();
    assert_eq!((h.alg, h.kid.as_deref()), (Algorithm::ES256, Some("es-2")));
    // A verifier holding the JWKS from before the rotation verifies the new token (es-2 was already published) …
    verify_with_jwks(&jwks_before, &after, API);
    // … and one fetching it now still verifies the old one.
    fx.verify(&before, API);
    assert_eq!(fx.introspect(&before, "svc").unwrap()["active"], true);

    // Once rs-1 is dropped from the configuration, its tokens stop introspecting as active.
    fx.reload(&signing_keys(&[("es-2", "ES256", "es.pem", "active")]), "").unwrap();
    assert_eq!(fx.introspect(&before, "svc").unwrap()["active"], false);
    assert_eq!(fx.introspect(&after, "svc").unwrap()["active"], true);
}

#[test]
fn lifetime_is_capped_at_one_hour() {
    let text = config_text(&default_keys(), "access_token_lifetime = 3601");
    let fx = Fixture::new();
    let err = AuthorizationServer::new(&parse(&text), &fx.dir, Arc::new(SystemClock)).unwrap_err();
    assert_eq!(err.at, "oauth.access_token_lifetime");
    assert!(fx.reload(&default_keys(), "access_token_lifetime = 7200").is_err(), "reload refuses it too");
    let fx = Fixture::with(&default_keys(), "access_token_lifetime = 3600");
    let t = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap();
    assert_eq!(t.expires_in, 3600);
}

#[test]
fn configuration_is_checked_whole() {
    let fx = Fixture::new();
    let two_active =
        signing_keys(&[("rs-1", "RS256", "rs.pem", "active"), ("es-2", "ES256", "es.pem", "active")]);
    assert!(fx.reload(&two_active, "").unwrap_err().message.contains("exactly one"));
    let mismatch = signing_keys(&[("rs-1", "ES256", "rs.pem", "active")]);
    assert!(fx.reload(&mismatch, "").unwrap_err().message.contains("does not fit"));
    let missing = signing_keys(&[("rs-1", "RS256", "nope.pem", "active")]);
    assert!(fx.reload(&missing, "").is_err());
    // HMAC algorithms and unknown fields do not even parse.
    assert!(
        toml::from_str::<OAuthConfig>(&config_text(&signing_keys(&[("h", "HS256", "rs.pem", "active")]), ""))
            .is_err()
    );
    assert!(toml::from_str::<OAuthConfig>(&config_text(&default_keys(), "colour = \"blue\"")).is_err());
    // The failed reloads changed nothing.
    assert!(fx.token("grant_type=client_credentials", Some(("svc", SECRET))).is_ok());
}

// --- introspection and revocation -----------------------------------------------------------------------------------

#[test]
fn introspection_rights_revocation_and_disabled_clients() {
    let fx = Fixture::new();
    let t = fx
        .token("grant_type=client_credentials&scope=read+write", Some(("svc", SECRET)))
        .unwrap()
        .access_token;
    let own = fx.introspect(&t, "svc").unwrap();
    assert_eq!(own["active"], true);
    assert_eq!(own["client_id"], "svc");
    assert_eq!(own["scope"], "read write");
    assert_eq!(own["token_type"], "Bearer");
    assert_eq!(own["iss"], ISSUER);
    // Another client learns nothing; a resource server may introspect everything.
    assert_eq!(fx.introspect(&t, "portal").unwrap(), json!({"active": false}));
    assert_eq!(fx.introspect(&t, "rs").unwrap()["active"], true);
    // Garbage and forged tokens are inactive, not errors.
    assert_eq!(fx.introspect("garbage", "svc").unwrap(), json!({"active": false}));
    let mut forged = t.clone();
    forged.pop();
    forged.push(if t.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(fx.introspect(&forged, "rs").unwrap()["active"], false);
    // Unauthenticated introspection is refused.
    let unauth = fx.server.introspect_at(
        &HttpInput {
            content_type: Some("application/x-www-form-urlencoded"),
            authorization: None,
            body: format!("token={t}").as_bytes(),
            origin: None,
        },
        fx.now(),
    );
    assert_eq!(unauth.unwrap_err().status(), 401);

    // Only the owner may revoke (RFC 7009 §2.1); revoking takes effect at once.
    let e = fx.revoke(&t, "portal").unwrap_err();
    assert_eq!(
        (e.reason(), e.error()),
        (Reason::OAuth(OAuthReason::TokenNotOwned), OAuthError::UnauthorizedClient)
    );
    assert_eq!(fx.introspect(&t, "svc").unwrap()["active"], true);
    fx.revoke(&t, "svc").unwrap();
    assert_eq!(fx.introspect(&t, "svc").unwrap()["active"], false);
    assert_eq!(fx.introspect(&t, "rs").unwrap()["active"], false);
    fx.revoke(&t, "svc").unwrap();
    fx.revoke("not-a-token", "svc").unwrap();

    // Disabling a client (by reload) makes its tokens inactive at once and stops it authenticating.
    let t2 = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap().access_token;
    assert_eq!(fx.introspect(&t2, "rs").unwrap()["active"], true);
    let text = config_text(&default_keys(), "").replacen(
        "client_id = \"svc\"\n",
        "client_id = \"svc\"\nenabled = false\n",
        1,
    );
    fx.server.reload(&parse(&text)).unwrap();
    assert_eq!(fx.introspect(&t2, "rs").unwrap()["active"], false);
    let r = fx.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap_err();
    assert_eq!(r.reason(), Reason::OAuth(OAuthReason::ClientDisabled));
    assert_eq!(r.status(), 401);
}

// --- metadata -------------------------------------------------------------------------------------------------------

#[test]
fn metadata_document() {
    let fx = Fixture::new();
    let m: Value = serde_json::from_str(&fx.server.metadata_json()).unwrap();
    assert_eq!(m["issuer"], ISSUER);
    assert_eq!(m["token_endpoint"], TOKEN_ENDPOINT);
    assert_eq!(m["jwks_uri"], "https://as.example.nl/oauth2/jwks");
    assert_eq!(m["introspection_endpoint"], "https://as.example.nl/oauth2/introspect");
    assert_eq!(m["revocation_endpoint"], "https://as.example.nl/oauth2/revoke");
    let grants = m["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("client_credentials")) && grants.contains(&json!(JWT_BEARER)));
    assert!(!grants.contains(&json!("authorization_code")) && !grants.contains(&json!("refresh_token")));
    let auth = m["token_endpoint_auth_methods_supported"].as_array().unwrap();
    for method in ["client_secret_basic", "client_secret_post", "private_key_jwt"] {
        assert!(auth.contains(&json!(method)));
    }
    let algs = m["token_endpoint_auth_signing_alg_values_supported"].as_array().unwrap();
    assert!(algs.contains(&json!("RS256")) && algs.contains(&json!("EdDSA")));
    assert!(!algs.iter().any(|a| a == "none" || a.as_str().unwrap().starts_with("HS")), "asymmetric only");
    assert_eq!(m["scopes_supported"], json!(["admin", "read", "records", "write"]));
    // RFC 8414 §3.2: zero-element members are omitted; there is no authorization endpoint.
    assert!(m.get("response_types_supported").is_none());
    assert!(m.get("authorization_endpoint").is_none());
}

// --- the bridge ------------------------------------------------------------------------------------------------------

#[test]
fn mint_for_principal_bridge() {
    let fx = Fixture::new();
    let now = fx.now();
    // A principal from a verified assertion (the gateway gets its own from WS-Security).
    let a = idp_assertion("alice", ISSUER, json!({"role": "doctor", "email": "a@x.nl"}), now);
    let principal = fx.token(&bearer(&a, None), Some(("portal", SECRET))).unwrap().principal;
    let scopes = vec!["read".to_owned(), "records".to_owned(), "admin".to_owned()];
    let req = BridgeRequest {
        audience: "https://legacy-upstream.example.nl/api",
        client_id: "route:patients",
        scopes: &scopes,
    };
    let t = fx.server.mint_for_principal(&principal, &req, now).unwrap();
    let c = fx.verify(&t.access_token, "https://legacy-upstream.example.nl/api");
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["client_id"], "route:patients");
    assert_eq!(c["scope"], "read records", "route scopes narrowed by the issuer mapping");
    assert_eq!(c["roles"], json!(["clinician"]));
    assert_eq!(c["email"], "a@x.nl");
    let bad = BridgeRequest { audience: "not a uri", client_id: "r", scopes: &[] };
    assert!(fx.server.mint_for_principal(&principal, &bad, now).is_err());
}

#[test]
fn example_configuration_parses() {
    #[derive(serde::Deserialize)]
    struct File {
        oauth: OAuthConfig,
    }
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/oauth.example.toml")).unwrap();
    let file: File = toml::from_str(&text).unwrap();
    assert_eq!(file.oauth.access_token_lifetime, 300);
    assert!(!file.oauth.clients.is_empty() && !file.oauth.issuers.is_empty());
}
