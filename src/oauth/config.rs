//! The `[oauth]` configuration: serde structs with `deny_unknown_fields`, exactly as an operator writes them, and
//! [`ConfigError`]. Turning them into checked runtime objects (keys loaded, hashes parsed, references resolved) is
//! [`super::registry`]'s job; nothing here touches the file system.
//!
//! Durations are whole seconds. Paths are relative to the directory the configuration was read from.
//! `config/oauth.example.toml` shows every field.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use super::alg::JwsAlgorithm;

/// Default access token lifetime: 5 minutes (short-lived bearer tokens; RFC 9068 §5 leaves it to the AS).
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: u64 = 300;
/// The longest access token lifetime sluis accepts in configuration: 1 hour. Tokens are bearer tokens without refresh;
/// revocation reaches only introspecting resource servers, so a leaked token must die soon by itself.
pub const MAX_ACCESS_TOKEN_LIFETIME: u64 = 3600;
/// Default clock skew tolerated on assertion times (`exp`, `nbf`, `iat`, SAML `NotOnOrAfter`): 60 seconds.
pub const DEFAULT_CLOCK_SKEW: u64 = 60;
/// The largest skew accepted in configuration: 5 minutes (SAML deployments commonly allow up to that).
pub const MAX_CLOCK_SKEW: u64 = 300;
/// Default maximum assertion lifetime (`exp - iat`, or `exp - now` without `iat`; SAML `NotOnOrAfter - IssueInstant`):
/// 10 minutes. Longer-lived assertions widen the replay window and the replay cache.
pub const DEFAULT_MAX_ASSERTION_LIFETIME: u64 = 600;
/// The largest maximum assertion lifetime accepted in configuration: 24 hours.
pub const MAX_MAX_ASSERTION_LIFETIME: u64 = 86_400;
/// Default bound on a token endpoint request body: 256 KiB, the same bound as `xml::Limits::token_request()` (a SAML
/// assertion base64url-encoded is the largest legitimate parameter).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 256 * 1024;
/// Default capacity of the replay cache for assertion `jti`s and IDs.
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;
/// Default capacity of the revocation list (revoked `jti`s are kept until the token's `exp`).
pub const DEFAULT_REVOCATION_CAPACITY: usize = 100_000;

/// The `[oauth]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// The issuer identifier (RFC 8414 §2): an `https` URL without query or fragment (`http` only for a loopback
    /// host). It is the `iss` of every access token and an accepted audience of incoming assertions.
    pub issuer: String,
    /// The token endpoint URL as clients see it; default `{issuer}/oauth2/token`. Also an accepted audience of
    /// incoming assertions and the expected SAML `Recipient`.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// The JWKS URL; default `{issuer}/oauth2/jwks`.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// The introspection endpoint URL; default `{issuer}/oauth2/introspect`.
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// The revocation endpoint URL; default `{issuer}/oauth2/revoke`.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// Access token lifetime in seconds; default 300, at most 3600.
    #[serde(default = "default_access_token_lifetime")]
    pub access_token_lifetime: u64,
    /// The audience (`aud`) of a token requested without a `resource` parameter (RFC 8707).
    pub default_audience: String,
    /// Further audiences (resource servers) clients may request with `resource`; the default audience is always one.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Further values accepted as *this server's* identity in the `aud` of incoming assertions (JWT `aud`, SAML
    /// `Audience`), besides the issuer identifier and the token endpoint URL.
    #[serde(default)]
    pub audience_aliases: Vec<String>,
    /// Further values accepted as a SAML bearer `Recipient`, besides the token endpoint URL.
    #[serde(default)]
    pub recipient_aliases: Vec<String>,
    /// Accept only the issuer identifier, as a single string, as the `aud` of `private_key_jwt` client assertions
    /// (draft-ietf-oauth-rfc7523bis: closes the audience-injection attack). Off by default because RFC 7523 clients
    /// commonly send the token endpoint URL.
    #[serde(default)]
    pub strict_client_assertion_audience: bool,
    /// Accept SAML assertions whose bearer confirmation (or Response) carries `InResponseTo` — assertions from the
    /// client's own SP-initiated logins, which sluis cannot match to a request. Off by default: such an assertion was
    /// bound to someone's request, not to this token request.
    #[serde(default)]
    pub saml_accept_in_response_to: bool,
    /// Clock skew tolerated on assertion times, in seconds; default 60, at most 300.
    #[serde(default = "default_clock_skew")]
    pub clock_skew: u64,
    /// Maximum assertion lifetime in seconds; default 600, at most 86400.
    #[serde(default = "default_max_assertion_lifetime")]
    pub max_assertion_lifetime: u64,
    /// Bound on a request body in bytes; default 262144 (256 KiB).
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: usize,
    /// Replay cache capacity (assertion `jti`s and IDs); default 100000.
    #[serde(default = "default_replay_capacity")]
    pub replay_capacity: usize,
    /// Revocation list capacity; default 100000.
    #[serde(default = "default_revocation_capacity")]
    pub revocation_capacity: usize,
    /// The realm of `WWW-Authenticate: Basic` on `invalid_client`; default `sluis`.
    #[serde(default = "default_realm")]
    pub realm: String,
    /// Signing keys for access tokens; exactly one `active`.
    pub signing_keys: Vec<SigningKeyConfig>,
    /// Registered clients.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    /// Trusted assertion issuers (JWT-bearer and SAML 2.0 bearer).
    #[serde(default)]
    pub issuers: Vec<IssuerConfig>,
}

/// Where a signing key is in its rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Signs new tokens. Exactly one key is active.
    Active,
    /// Published in the JWKS ahead of becoming active, so verifiers already have it when it starts signing.
    Next,
    /// No longer signs, still published until every token it signed has expired (at most one token lifetime).
    Retiring,
}

/// One `[[oauth.signing_keys]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningKeyConfig {
    /// The JWK `kid`, unique among the signing keys.
    pub kid: String,
    /// The JWS algorithm; must fit the key (RS256/PS256 and friends for RSA, ES256 for P-256, ES384 for P-384, EdDSA
    /// for Ed25519). Default RS256.
    #[serde(default = "default_signing_alg")]
    pub alg: JwsAlgorithm,
    /// Path of the unencrypted PKCS#8 (or PKCS#1 / SEC 1) PEM private key, as `sluis keys generate` writes it.
    pub private_key: PathBuf,
    /// The rotation state.
    pub state: KeyState,
}

/// How a client authenticates at the token, introspection and revocation endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A JWT signed with the client's registered key (RFC 7523 §2.2).
    PrivateKeyJwt,
    /// A SAML 2.0 assertion whose subject is the client (RFC 7522 §2.2).
    SamlAssertion,
    /// A public client: identified by `client_id` only. Allowed only for the assertion grants.
    None,
}

impl AuthMethod {
    /// The RFC 8414 / RFC 7591 name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::SamlAssertion => "saml_assertion",
            AuthMethod::None => "none",
        }
    }
}

/// A grant type a client may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
pub enum GrantType {
    /// `client_credentials` (RFC 6749 §4.4).
    #[serde(rename = "client_credentials")]
    ClientCredentials,
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1); also written `jwt-bearer`.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:jwt-bearer", alias = "jwt-bearer")]
    JwtBearer,
    /// `urn:ietf:params:oauth:grant-type:saml2-bearer` (RFC 7522 §2.1); also written `saml2-bearer`.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:saml2-bearer", alias = "saml2-bearer")]
    Saml2Bearer,
}

impl GrantType {
    /// The `grant_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "client_credentials",
            GrantType::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
            GrantType::Saml2Bearer => "urn:ietf:params:oauth:grant-type:saml2-bearer",
        }
    }

    /// Parses a `grant_type` value.
    pub fn parse(s: &str) -> Option<GrantType> {
        [GrantType::ClientCredentials, GrantType::JwtBearer, GrantType::Saml2Bearer]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

/// A public key registered for a client (`private_key_jwt`) or a JWT issuer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// Path of a PEM public key (`PUBLIC KEY`, `RSA PUBLIC KEY`) or certificate (only its key is used).
    pub pem: PathBuf,
    /// The `kid` the signer puts in its JWS header, if it does.
    #[serde(default)]
    pub kid: Option<String>,
    /// The one algorithm this key may verify; default: every accepted algorithm of the key's type.
    #[serde(default)]
    pub alg: Option<JwsAlgorithm>,
}

/// One `[[oauth.clients]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client identifier.
    pub client_id: String,
    /// A disabled client cannot authenticate, and the tokens it holds introspect as inactive at once.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The authentication methods the client may use (usually one).
    pub auth_methods: Vec<AuthMethod>,
    /// The argon2id PHC hash of the client secret (`sluis keys hash-secret`), for the `client_secret_*` methods.
    #[serde(default)]
    pub secret_hash: Option<String>,
    /// A JWKS file with the client's public keys, for `private_key_jwt`.
    #[serde(default)]
    pub jwks: Option<PathBuf>,
    /// PEM public keys, for `private_key_jwt`.
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    /// The grant types the client may use.
    pub grant_types: Vec<GrantType>,
    /// The scopes the client may request.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The scopes requested when the request has no `scope` (RFC 6749 §3.3); default: all of `scopes`.
    #[serde(default)]
    pub default_scopes: Option<Vec<String>>,
    /// The audiences (`resource` values) the client may request; default: all configured audiences.
    #[serde(default)]
    pub audiences: Option<Vec<String>>,
    /// The assertion issuers whose assertions the client may present; default: every configured issuer.
    #[serde(default)]
    pub allowed_issuers: Option<Vec<String>>,
    /// The assertion subjects the client may present; default: any.
    #[serde(default)]
    pub allowed_subjects: Option<Vec<String>>,
    /// May introspect every token this server issued (a resource server); otherwise only its own.
    #[serde(default)]
    pub introspect_any: bool,
    /// A shorter access token lifetime for this client, in seconds.
    #[serde(default)]
    pub access_token_lifetime: Option<u64>,
    /// For `saml_assertion` client authentication: the SAML issuer whose assertions authenticate this client.
    #[serde(default)]
    pub saml_issuer: Option<String>,
}

/// The assertion format an issuer produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerFormat {
    /// JWTs (RFC 7523).
    Jwt,
    /// SAML 2.0 assertions (RFC 7522).
    Saml,
}

/// One `[[oauth.issuers]]` entry: whose assertions the grants accept, with which keys, mapped to what.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The issuer: the JWT `iss` or the SAML `Issuer` (entity ID), compared as exact strings.
    pub issuer: String,
    /// JWT or SAML.
    pub format: IssuerFormat,
    /// A JWKS file with the issuer's public keys (JWT issuers).
    #[serde(default)]
    pub jwks: Option<PathBuf>,
    /// PEM public keys or certificates. For SAML issuers these are the pinned signing keys (rollover: several).
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    /// SAML issuers: a SAML 2.0 metadata file whose `EntityDescriptor` with this `entityID` lists the signing keys
    /// (`KeyDescriptor use="signing"` or without `use`; its `validUntil` is honoured), instead of `keys`.
    #[serde(default)]
    pub metadata: Option<PathBuf>,
    /// Scopes every subject of this issuer may receive.
    #[serde(default)]
    pub base_scopes: Vec<String>,
    /// Attribute / claim rules adding scopes and roles.
    #[serde(default)]
    pub mappings: Vec<MappingRule>,
    /// Attributes / claims copied into the access token: source name → claim name.
    #[serde(default)]
    pub claims: std::collections::BTreeMap<String, String>,
    /// The authentication level of principals from this issuer (0–4); default 3 (a token obtained with credentials).
    #[serde(default)]
    pub auth_level: Option<u8>,
}

/// `attribute = value → scopes, roles`: a subject whose attribute (SAML `Attribute` `Name`, JWT claim) has `value`
/// (or any value, if `value` is absent) receives `scopes` and `roles`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingRule {
    /// The SAML attribute name or JWT claim name.
    pub attribute: String,
    /// The value that must be present; absent = any value.
    #[serde(default)]
    pub value: Option<String>,
    /// Scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Roles granted (the RFC 9068 §2.2.3.1 `roles` claim).
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A configuration that cannot be used; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where: a dotted path such as `oauth.clients[2].secret_hash`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { at: at.into(), message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn default_access_token_lifetime() -> u64 {
    DEFAULT_ACCESS_TOKEN_LIFETIME
}
fn default_clock_skew() -> u64 {
    DEFAULT_CLOCK_SKEW
}
fn default_max_assertion_lifetime() -> u64 {
    DEFAULT_MAX_ASSERTION_LIFETIME
}
fn default_max_request_bytes() -> usize {
    DEFAULT_MAX_REQUEST_BYTES
}
fn default_replay_capacity() -> usize {
    DEFAULT_REPLAY_CAPACITY
}
fn default_revocation_capacity() -> usize {
    DEFAULT_REVOCATION_CAPACITY
}
fn default_realm() -> String {
    "sluis".to_owned()
}
fn default_signing_alg() -> JwsAlgorithm {
    JwsAlgorithm::RS256
}
fn yes() -> bool {
    true
}
