//! The checked, loaded form of [`OAuthConfig`]: settings, clients, issuers and signing keys. A [`Registry`] is built
//! completely — every file read, every key parsed, every hash checked, every reference resolved — before anything uses
//! it, so [`super::AuthorizationServer::reload`] can swap one in atomically or refuse it whole.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::config::{
    AuthMethod, ClientConfig, ConfigError, GrantType, IssuerConfig, IssuerFormat, MAX_ACCESS_TOKEN_LIFETIME,
    MAX_CLOCK_SKEW, MAX_MAX_ASSERTION_LIFETIME, OAuthConfig,
};
use super::jwk::KeySet;
use super::keys::SigningKeys;
use super::saml_bearer;
use super::scope::{self, Mapping, Scopes};
use super::secret::{SecretHash, SecretVerifier};
use crate::clock::DateTime;
use crate::principal::AuthLevel;
use crate::saml::metadata::{MetadataOptions, issuers_from_metadata};
use crate::saml::{IssuerRegistry, IssuerTrust, Saml};
use crate::store::ReplayCache;
use crate::trust::KeyPolicy;
use crate::trust::pem::{TrustItem, load_trust_items, read_file};

/// Bounds on request bodies accepted in configuration: at least 4 KiB (a private_key_jwt request), at most 1 MiB.
const REQUEST_BYTES_RANGE: std::ops::RangeInclusive<usize> = 4096..=1024 * 1024;

/// Server-wide settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The issuer identifier.
    pub issuer: String,
    /// The token endpoint URL.
    pub token_endpoint: String,
    /// The JWKS URL.
    pub jwks_uri: String,
    /// The introspection endpoint URL.
    pub introspection_endpoint: String,
    /// The revocation endpoint URL.
    pub revocation_endpoint: String,
    /// Access token lifetime, seconds.
    pub access_token_lifetime: i64,
    /// The default `aud`.
    pub default_audience: String,
    /// Every audience a token may be issued for.
    pub audiences: BTreeSet<String>,
    /// Values that identify this server as an assertion audience: issuer, token endpoint, aliases.
    pub own_identities: Vec<String>,
    /// Accepted SAML bearer `Recipient`s: token endpoint, aliases.
    pub recipients: Vec<String>,
    /// draft-ietf-oauth-rfc7523bis client assertion audience rule.
    pub strict_client_assertion_audience: bool,
    /// Clock skew, seconds.
    pub clock_skew: i64,
    /// Maximum assertion lifetime, seconds.
    pub max_assertion_lifetime: i64,
    /// Request body bound, bytes.
    pub max_request_bytes: usize,
    /// `WWW-Authenticate` realm.
    pub realm: String,
}

/// A registered client.
#[derive(Debug)]
pub struct Client {
    /// The client id.
    pub id: String,
    /// Enabled.
    pub enabled: bool,
    /// Allowed authentication methods.
    pub methods: Vec<AuthMethod>,
    /// The secret hash, for the `client_secret_*` methods.
    pub secret: Option<SecretHash>,
    /// Keys for `private_key_jwt`.
    pub keys: KeySet,
    /// Allowed grants.
    pub grants: Vec<GrantType>,
    /// Allowed scopes.
    pub scopes: Scopes,
    /// Scopes requested when `scope` is absent.
    pub default_scopes: Scopes,
    /// Audiences this client may request (`None`: every configured audience).
    pub audiences: Option<BTreeSet<String>>,
    /// Issuers whose assertions it may present (`None`: any).
    pub allowed_issuers: Option<BTreeSet<String>>,
    /// Subjects it may present (`None`: any).
    pub allowed_subjects: Option<BTreeSet<String>>,
    /// May introspect every token.
    pub introspect_any: bool,
    /// Access token lifetime for this client, seconds.
    pub access_token_lifetime: i64,
    /// SAML issuer for `saml_assertion` client authentication.
    pub saml_issuer: Option<String>,
}

impl Client {
    /// Whether the client may use `method`.
    pub fn allows_method(&self, method: AuthMethod) -> bool {
        self.methods.contains(&method)
    }

    /// Whether the client may use `grant`.
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grants.contains(&grant)
    }

    /// Whether the client may request a token for `audience`.
    pub fn allows_audience(&self, audience: &str) -> bool {
        self.audiences.as_ref().is_none_or(|a| a.contains(audience))
    }
}

/// A trusted assertion issuer.
#[derive(Debug)]
pub struct Issuer {
    /// The issuer string.
    pub issuer: String,
    /// JWT or SAML.
    pub format: IssuerFormat,
    /// Its keys.
    pub keys: KeySet,
    /// Attribute mapping.
    pub mapping: Mapping,
    /// Authentication level of its principals.
    pub auth_level: AuthLevel,
}

/// Everything loaded from one configuration.
#[derive(Debug)]
pub struct Registry {
    /// Settings.
    pub settings: Settings,
    /// Clients by id.
    pub clients: HashMap<String, Client>,
    /// Issuers by issuer string.
    pub issuers: HashMap<String, Issuer>,
    /// Signing keys.
    pub signing: SigningKeys,
    /// Secret verification for this configuration (dummy hash, success cache).
    pub secrets: SecretVerifier,
    /// The SAML relying party for the `saml2-bearer` grant and SAML client assertions; `None` without SAML issuers.
    pub saml: Option<Saml>,
}

impl Registry {
    /// Loads and checks `config`, resolving paths against `base`; SAML assertions are recorded in `replay`.
    /// SAML metadata is read as of `now` (a `validUntil` already past refuses the configuration).
    pub fn load(
        config: &OAuthConfig,
        base: &Path,
        replay: &Arc<ReplayCache>,
        now: DateTime,
    ) -> Result<Registry, ConfigError> {
        let settings = settings(config)?;
        let signing = SigningKeys::load(&config.signing_keys, base)?;
        let mut issuers = HashMap::new();
        let mut saml_issuers = IssuerRegistry::new();
        for (i, c) in config.issuers.iter().enumerate() {
            let at = format!("oauth.issuers[{i}]");
            let issuer = load_issuer(c, base, &at)?;
            if c.format == IssuerFormat::Saml {
                let trust = saml_trust(c, base, &at, now)?;
                saml_issuers
                    .add(trust)
                    .map_err(|r| ConfigError::new(format!("{at}.issuer"), r.to_string()))?;
            }
            if issuers.insert(issuer.issuer.clone(), issuer).is_some() {
                return Err(ConfigError::new(format!("{at}.issuer"), "issuer appears twice"));
            }
        }
        let saml = (!saml_issuers.is_empty()).then(|| {
            saml_bearer::relying_party(
                saml_issuers,
                &settings,
                config.saml_accept_in_response_to,
                Arc::clone(replay),
            )
        });
        let mut clients = HashMap::new();
        for (i, c) in config.clients.iter().enumerate() {
            let client = load_client(c, base, &settings, &issuers, &format!("oauth.clients[{i}]"))?;
            if clients.insert(client.id.clone(), client).is_some() {
                return Err(ConfigError::new(
                    format!("oauth.clients[{i}].client_id"),
                    "client_id appears twice",
                ));
            }
        }
        let secrets = SecretVerifier::new().map_err(|m| ConfigError::new("oauth", m))?;
        Ok(Registry { settings, clients, issuers, signing, secrets, saml })
    }
}

fn settings(c: &OAuthConfig) -> Result<Settings, ConfigError> {
    check_issuer_url(&c.issuer).map_err(|m| ConfigError::new("oauth.issuer", m))?;
    let base = c.issuer.trim_end_matches('/');
    let endpoint = |v: &Option<String>, path: &str, field: &str| -> Result<String, ConfigError> {
        let url = v.clone().unwrap_or_else(|| format!("{base}{path}"));
        check_http_url(&url).map_err(|m| ConfigError::new(format!("oauth.{field}"), m))?;
        Ok(url)
    };
    let token_endpoint = endpoint(&c.token_endpoint, super::http::TOKEN_PATH, "token_endpoint")?;
    let jwks_uri = endpoint(&c.jwks_uri, super::http::JWKS_PATH, "jwks_uri")?;
    let introspection_endpoint =
        endpoint(&c.introspection_endpoint, super::http::INTROSPECT_PATH, "introspection_endpoint")?;
    let revocation_endpoint =
        endpoint(&c.revocation_endpoint, super::http::REVOKE_PATH, "revocation_endpoint")?;
    if c.access_token_lifetime == 0 || c.access_token_lifetime > MAX_ACCESS_TOKEN_LIFETIME {
        return Err(ConfigError::new(
            "oauth.access_token_lifetime",
            format!(
                "{} s is not in 1..={MAX_ACCESS_TOKEN_LIFETIME} (access tokens live at most one hour)",
                c.access_token_lifetime
            ),
        ));
    }
    if c.clock_skew > MAX_CLOCK_SKEW {
        return Err(ConfigError::new("oauth.clock_skew", format!("at most {MAX_CLOCK_SKEW} s")));
    }
    if c.max_assertion_lifetime == 0 || c.max_assertion_lifetime > MAX_MAX_ASSERTION_LIFETIME {
        return Err(ConfigError::new(
            "oauth.max_assertion_lifetime",
            format!("not in 1..={MAX_MAX_ASSERTION_LIFETIME}"),
        ));
    }
    if !REQUEST_BYTES_RANGE.contains(&c.max_request_bytes) {
        return Err(ConfigError::new("oauth.max_request_bytes", format!("not in {REQUEST_BYTES_RANGE:?}")));
    }
    if c.replay_capacity == 0 || c.revocation_capacity == 0 {
        return Err(ConfigError::new("oauth", "replay_capacity and revocation_capacity must be positive"));
    }
    if c.realm.is_empty() || c.realm.bytes().any(|b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b)) {
        return Err(ConfigError::new(
            "oauth.realm",
            "must be non-empty printable ASCII without quotes or backslashes",
        ));
    }
    check_audience(&c.default_audience).map_err(|m| ConfigError::new("oauth.default_audience", m))?;
    let mut audiences: BTreeSet<String> = BTreeSet::new();
    audiences.insert(c.default_audience.clone());
    for (i, a) in c.audiences.iter().enumerate() {
        check_audience(a).map_err(|m| ConfigError::new(format!("oauth.audiences[{i}]"), m))?;
        audiences.insert(a.clone());
    }
    let mut own_identities = vec![c.issuer.clone(), token_endpoint.clone()];
    own_identities.extend(c.audience_aliases.iter().filter(|a| !a.is_empty()).cloned());
    let mut recipients = vec![token_endpoint.clone()];
    recipients.extend(c.recipient_aliases.iter().filter(|a| !a.is_empty()).cloned());
    Ok(Settings {
        issuer: c.issuer.clone(),
        token_endpoint,
        jwks_uri,
        introspection_endpoint,
        revocation_endpoint,
        access_token_lifetime: c.access_token_lifetime as i64,
        default_audience: c.default_audience.clone(),
        audiences,
        own_identities,
        recipients,
        strict_client_assertion_audience: c.strict_client_assertion_audience,
        clock_skew: c.clock_skew as i64,
        max_assertion_lifetime: c.max_assertion_lifetime as i64,
        max_request_bytes: c.max_request_bytes,
        realm: c.realm.clone(),
    })
}

fn load_issuer(c: &IssuerConfig, base: &Path, at: &str) -> Result<Issuer, ConfigError> {
    if c.issuer.is_empty() {
        return Err(ConfigError::new(format!("{at}.issuer"), "empty"));
    }
    let keys = match c.format {
        IssuerFormat::Jwt => {
            let keys = KeySet::load(c.jwks.as_deref(), &c.keys, base, at)?;
            if keys.is_empty() {
                return Err(ConfigError::new(at, "a JWT issuer needs at least one key (jwks or keys)"));
            }
            keys
        }
        // SAML issuers' keys live in their trust store (saml_trust); none is used for JWS.
        IssuerFormat::Saml => KeySet::default(),
    };
    let mapping = Mapping::from_config(c, at)?;
    let auth_level = AuthLevel::try_from(c.auth_level.unwrap_or(3))
        .map_err(|m| ConfigError::new(format!("{at}.auth_level"), m))?;
    Ok(Issuer { issuer: c.issuer.clone(), format: c.format, keys, mapping, auth_level })
}

/// A SAML issuer's pinned signing keys and certificates (several for rollover), in a trust store of its own.
fn saml_trust(c: &IssuerConfig, base: &Path, at: &str, now: DateTime) -> Result<IssuerTrust, ConfigError> {
    if c.jwks.is_some() {
        return Err(ConfigError::new(
            format!("{at}.jwks"),
            "a SAML issuer's keys are PEM certificates or public keys",
        ));
    }
    if let Some(file) = &c.metadata {
        let field = format!("{at}.metadata");
        if !c.keys.is_empty() {
            return Err(ConfigError::new(field, "give keys or metadata, not both"));
        }
        let path = base.join(file);
        let bytes =
            read_file(&path).map_err(|e| ConfigError::new(&field, format!("{}: {e}", path.display())))?;
        let issuers = issuers_from_metadata(&bytes, &MetadataOptions::new(now))
            .map_err(|r| ConfigError::new(&field, format!("{}: {r}", path.display())))?;
        return issuers.into_iter().find(|t| t.entity_id() == c.issuer).ok_or_else(|| {
            ConfigError::new(
                &field,
                format!("{}: no EntityDescriptor with entityID {:?}", path.display(), c.issuer),
            )
        });
    }
    if c.keys.is_empty() {
        return Err(ConfigError::new(
            format!("{at}.keys"),
            "a SAML issuer needs at least one pinned key or certificate, or metadata",
        ));
    }
    let mut builder = IssuerTrust::builder(c.issuer.clone(), KeyPolicy::default());
    for (i, k) in c.keys.iter().enumerate() {
        let where_ = format!("{at}.keys[{i}]");
        if k.kid.is_some() || k.alg.is_some() {
            return Err(ConfigError::new(&where_, "kid and alg are for JWT issuers"));
        }
        let path = base.join(&k.pem);
        let items = load_trust_items(&path)
            .map_err(|e| ConfigError::new(&where_, format!("{}: {e}", path.display())))?;
        for item in items {
            let pinned = match item {
                TrustItem::Certificate(cert) => builder.pin_certificate(cert).map(|_| ()),
                TrustItem::Key(key) => builder.pin_key(key).map(|_| ()),
            };
            pinned.map_err(|r| ConfigError::new(&where_, format!("{}: {r}", path.display())))?;
        }
    }
    Ok(builder.build())
}

fn load_client(
    c: &ClientConfig,
    base: &Path,
    settings: &Settings,
    issuers: &HashMap<String, Issuer>,
    at: &str,
) -> Result<Client, ConfigError> {
    let err = |field: &str, m: String| ConfigError::new(format!("{at}.{field}"), m);
    if c.client_id.is_empty() || c.client_id.chars().any(char::is_control) {
        return Err(err("client_id", "empty or has control characters".into()));
    }
    if c.auth_methods.is_empty() {
        return Err(err("auth_methods", "at least one method".into()));
    }
    let has = |m: AuthMethod| c.auth_methods.contains(&m);
    if has(AuthMethod::None) && c.auth_methods.len() > 1 {
        return Err(err(
            "auth_methods",
            "\"none\" (a public client) cannot be combined with other methods".into(),
        ));
    }
    if has(AuthMethod::None) && c.grant_types.contains(&GrantType::ClientCredentials) {
        return Err(err(
            "grant_types",
            "a public client cannot use client_credentials (RFC 6749 §4.4)".into(),
        ));
    }
    let wants_secret = has(AuthMethod::ClientSecretBasic) || has(AuthMethod::ClientSecretPost);
    let secret = match (&c.secret_hash, wants_secret) {
        (Some(h), true) => Some(SecretHash::parse(h).map_err(|m| err("secret_hash", m))?),
        (None, true) => {
            return Err(err("secret_hash", "required for client_secret_basic/client_secret_post".into()));
        }
        (Some(_), false) => {
            return Err(err("secret_hash", "set, but no client_secret_* method is allowed".into()));
        }
        (None, false) => None,
    };
    let keys = KeySet::load(c.jwks.as_deref(), &c.keys, base, at)?;
    if has(AuthMethod::PrivateKeyJwt) && keys.is_empty() {
        return Err(err("keys", "private_key_jwt needs at least one key (jwks or keys)".into()));
    }
    if !has(AuthMethod::PrivateKeyJwt) && !keys.is_empty() {
        return Err(err("keys", "keys are set, but private_key_jwt is not allowed".into()));
    }
    match (&c.saml_issuer, has(AuthMethod::SamlAssertion)) {
        (Some(i), true) => match issuers.get(i) {
            Some(issuer) if issuer.format == IssuerFormat::Saml => {}
            _ => return Err(err("saml_issuer", format!("{i:?} is not a configured SAML issuer"))),
        },
        (None, true) => return Err(err("saml_issuer", "required for saml_assertion".into())),
        (Some(_), false) => return Err(err("saml_issuer", "set, but saml_assertion is not allowed".into())),
        (None, false) => {}
    }
    let mut scopes = Scopes::new();
    for s in &c.scopes {
        if !scope::is_scope_token(s) {
            return Err(err("scopes", format!("{s:?} is not a scope token")));
        }
        scopes.insert(s.clone());
    }
    let default_scopes: Scopes = match &c.default_scopes {
        Some(d) => d.iter().cloned().collect(),
        None => scopes.clone(),
    };
    if !default_scopes.is_subset(&scopes) {
        return Err(err("default_scopes", "must be a subset of scopes".into()));
    }
    let audiences = match &c.audiences {
        None => None,
        Some(list) => {
            if let Some(a) = list.iter().find(|a| !settings.audiences.contains(*a)) {
                return Err(err(
                    "audiences",
                    format!("{a:?} is not in oauth.audiences or oauth.default_audience"),
                ));
            }
            Some(list.iter().cloned().collect())
        }
    };
    let allowed_issuers = match &c.allowed_issuers {
        None => None,
        Some(list) => {
            if let Some(i) = list.iter().find(|i| !issuers.contains_key(*i)) {
                return Err(err("allowed_issuers", format!("{i:?} is not a configured issuer")));
            }
            Some(list.iter().cloned().collect())
        }
    };
    let lifetime = match c.access_token_lifetime {
        None => settings.access_token_lifetime,
        Some(l) if (1..=MAX_ACCESS_TOKEN_LIFETIME).contains(&l) => l as i64,
        Some(l) => {
            return Err(err(
                "access_token_lifetime",
                format!("{l} s is not in 1..={MAX_ACCESS_TOKEN_LIFETIME}"),
            ));
        }
    };
    Ok(Client {
        id: c.client_id.clone(),
        enabled: c.enabled,
        methods: c.auth_methods.clone(),
        secret,
        keys,
        grants: c.grant_types.clone(),
        scopes,
        default_scopes,
        audiences,
        allowed_issuers,
        allowed_subjects: c.allowed_subjects.as_ref().map(|l| l.iter().cloned().collect()),
        introspect_any: c.introspect_any,
        access_token_lifetime: lifetime,
        saml_issuer: c.saml_issuer.clone(),
    })
}

/// RFC 8414 §2: `https`, no query, no fragment. `http` is accepted for loopback hosts only (tests, local runs).
fn check_issuer_url(url: &str) -> Result<(), String> {
    check_http_url(url)?;
    if url.contains('?') || url.contains('#') {
        return Err("the issuer identifier has no query or fragment (RFC 8414 §2)".into());
    }
    Ok(())
}

fn check_http_url(url: &str) -> Result<(), String> {
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        let host = host
            .rsplit_once(':')
            .map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Err(format!("{url:?}: http is allowed for loopback hosts only; use https"));
        }
        r
    } else {
        return Err(format!("{url:?} is not an https URL"));
    };
    if rest.is_empty() || rest.starts_with('/') || url.bytes().any(|b| b <= 0x20 || b >= 0x7f) {
        return Err(format!("{url:?} is not a valid URL"));
    }
    Ok(())
}

/// An audience is an absolute URI (RFC 8707 §2: `resource` values are absolute URIs) without a fragment.
pub fn check_audience(a: &str) -> Result<(), String> {
    let Some((scheme, rest)) = a.split_once(':') else { return Err(format!("{a:?} is not an absolute URI")) };
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok || rest.is_empty() || a.contains('#') || a.bytes().any(|b| b <= 0x20 || b >= 0x7f) {
        return Err(format!("{a:?} is not an absolute URI without a fragment"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_issuer_url("https://as.example.nl").is_ok());
        assert!(check_issuer_url("https://as.example.nl/tenant").is_ok());
        assert!(check_issuer_url("http://127.0.0.1:8080").is_ok());
        assert!(check_issuer_url("http://as.example.nl").is_err());
        assert!(check_issuer_url("http://localhost.evil.com").is_err());
        assert!(check_issuer_url("https://as.example.nl?x=1").is_err());
        assert!(check_issuer_url("ftp://x").is_err());
        assert!(check_audience("https://api.example.nl/v1").is_ok());
        assert!(check_audience("urn:example:api").is_ok());
        assert!(check_audience("api").is_err());
        assert!(check_audience("https://x#f").is_err());
    }
}
