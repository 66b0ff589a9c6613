//! The OAuth 2.0 authorization server: grants, client authentication, JWT access tokens, JWKS, metadata,
//! introspection and revocation. A library first — pure functions over a loaded [`registry::Registry`] and a few
//! bounded state objects — with a thin actix-web layer in [`http`].
//!
//! | file | implements |
//! |---|---|
//! | [`config`] | the `[oauth]` TOML shape (serde, `deny_unknown_fields`) |
//! | [`registry`] | the checked, loaded configuration; swapped whole on [`AuthorizationServer::reload`] |
//! | [`form`] | RFC 6749 §3.2 form bodies (bounded, strict, duplicates refused) and §2.3.1 Basic credentials |
//! | [`client_auth`] | RFC 6749 §2.3, RFC 7523 §2.2 `private_key_jwt`, RFC 7522 §2.2 SAML client assertions |
//! | [`secret`] | argon2id client secrets, constant-time, no timing oracle, bounded cost |
//! | [`alg`], [`jwk`], [`jws`] | asymmetric JWS only; registered keys; RFC 7523 §3 JWT verification without key confusion |
//! | [`grants`] | the token endpoint: `client_credentials` (RFC 6749 §4.4), `jwt-bearer` (RFC 7523 §2.1), `saml2-bearer` (RFC 7522 §2.1) |
//! | [`saml_bearer`] | RFC 7522 specifics around [`crate::saml`] validation |
//! | [`scope`] | RFC 6749 §3.3 scopes; per-issuer attribute → scope/role/claim mapping |
//! | [`mint`], [`keys`] | RFC 9068 JWT access tokens; signing keys in rotation; the JWK Set |
//! | [`introspect`], [`revocation`] | RFC 7662 and RFC 7009 |
//! | [`metadata`] | RFC 8414 |
//! | [`response`] | RFC 6749 §5.1 responses and §5.2 errors ([`Refusal`]) |
//! | [`http`] | the actix-web endpoints and the SIGHUP reload hook |
//!
//! What is refused, each with its own [`crate::reason::OAuthReason`]: non-form bodies, oversized bodies, repeated
//! parameters; more than one client authentication method; `alg: none`, every HMAC, ES512 and unknown algorithms; a
//! header `alg` that does not fit the key selected for the signer; `crit`; assertions without `exp` or `jti`, with a
//! too-long lifetime, for another audience, replayed; scopes beyond the client's registration; refresh tokens (never
//! issued). The rules never read the clock: the server holds a [`Clock`] and passes `now` in.
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use sluis::clock::SystemClock;
//! use sluis::oauth::{AuthorizationServer, HttpInput, Origin, config::OAuthConfig};
//!
//! # fn load() -> OAuthConfig { unimplemented!() }
//! let server = AuthorizationServer::new(&load(), "/etc/sluis", Arc::new(SystemClock))?;
//! let body = b"grant_type=client_credentials&scope=read";
//! // Where the request came from, for the audit record (the HTTP edge fills this in).
//! let origin = Origin { client_ip: Some("192.0.2.7".parse()?), request_id: Some("req-1".into()) };
//! let input = HttpInput {
//!     content_type: Some("application/x-www-form-urlencoded"),
//!     authorization: Some("Basic c2VydmljZTpzM2NyZXQ="),
//!     body,
//!     origin: Some(&origin),
//! };
//! match server.token(&input) {
//!     Ok(issued) => println!("{}", issued.response_json()),
//!     Err(refused) => println!("{} {}", refused.status(), refused.body_json()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod alg;
pub mod client_auth;
pub mod config;
pub mod form;
pub mod grants;
pub mod http;
pub mod introspect;
pub mod jwk;
pub mod jws;
pub mod keys;
pub mod metadata;
pub mod mint;
pub mod registry;
pub mod response;
pub mod revocation;
pub mod saml_bearer;
pub mod scope;
pub mod secret;

use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::{ArcSwap, ArcSwapOption};

pub use config::{ConfigError, GrantType, OAuthConfig};
pub use response::{IssuedToken, Refusal};

use crate::clock::{Clock, DateTime};
use crate::principal::Principal;
use crate::reason::OAuthReason;
use crate::store::ReplayCache;
use config::AuthMethod;
use introspect::Introspection;
use registry::Registry;
use revocation::RevocationList;
use secret::Argon2Gate;

/// The parts of an HTTP request the endpoints read; no HTTP framework types.
#[derive(Clone, Copy, Debug)]
pub struct HttpInput<'a> {
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The body (the HTTP layer bounds it before reading it whole).
    pub body: &'a [u8],
    /// Where the request came from, when an HTTP edge determined it (for the audit record's "from where").
    pub origin: Option<&'a Origin>,
}

/// Where a request came from, as the HTTP edge determined it (client address after trusted proxies, request id), for
/// the audit record (NEN 7513: "from where"). The server puts one in each request's extensions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The client address.
    pub client_ip: Option<std::net::IpAddr>,
    /// The request id (also returned as `X-Request-Id`).
    pub request_id: Option<String>,
}

/// State that outlives a configuration: survives [`AuthorizationServer::reload`].
#[derive(Debug)]
pub struct Shared {
    /// One-time use of assertions (`jti`, SAML `ID`), namespaced by issuer or client.
    pub replay: Arc<ReplayCache>,
    /// Revoked access tokens.
    pub revoked: RevocationList,
    /// Bounds concurrent argon2 verifications.
    pub argon2: Argon2Gate,
}

/// Notified of what the endpoints decided, for audit (the server wires it to [`crate::audit`]).
pub trait Observer: Send + Sync {
    /// A token was issued.
    fn token_issued(
        &self,
        _token: &IssuedToken,
        _grant: GrantType,
        _method: AuthMethod,
        _origin: Option<&Origin>,
    ) {
    }
    /// A token, introspection or revocation request was refused.
    fn refused(&self, _endpoint: &'static str, _refusal: &Refusal, _origin: Option<&Origin>) {}
    /// A token was revoked.
    fn token_revoked(&self, _jti: &str, _client_id: &str, _origin: Option<&Origin>) {}
}

/// What the gateway asks for when a route with `exchange = true` forwards an authenticated SOAP call (issue 4, "the
/// bridge").
#[derive(Clone, Debug)]
pub struct BridgeRequest<'a> {
    /// The `aud`: the route's upstream.
    pub audience: &'a str,
    /// The `client_id` claim: the route (or the gateway's own client id) on whose behalf the token is minted.
    pub client_id: &'a str,
    /// Scopes the route asks for.
    pub scopes: &'a [String],
}

/// The authorization server: a registry that can be swapped at run time, and the state that survives swaps.
pub struct AuthorizationServer {
    registry: ArcSwap<Registry>,
    shared: Shared,
    clock: Arc<dyn Clock>,
    base_dir: PathBuf,
    observer: ArcSwapOption<Box<dyn Observer>>,
}

impl std::fmt::Debug for AuthorizationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("issuer", &self.registry.load().settings.issuer)
            .finish_non_exhaustive()
    }
}

impl AuthorizationServer {
    /// Loads `config` (paths relative to `base_dir`: private keys are read here, once) and builds the server.
    pub fn new(
        config: &OAuthConfig,
        base_dir: impl Into<PathBuf>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConfigError> {
        let replay = Arc::new(ReplayCache::new(config.replay_capacity));
        Self::with_replay_cache(config, base_dir, clock, replay)
    }

    /// [`Self::new`] recording one-time assertions (`jti`s, SAML bearer assertion IDs) in `replay` — pass the cache the
    /// WS-Security gateway's [`crate::saml::Saml`] uses, so a bearer assertion accepted at one endpoint is not accepted
    /// again at the other. `replay_capacity` is then the caller's decision.
    pub fn with_replay_cache(
        config: &OAuthConfig,
        base_dir: impl Into<PathBuf>,
        clock: Arc<dyn Clock>,
        replay: Arc<ReplayCache>,
    ) -> Result<Self, ConfigError> {
        let base_dir = base_dir.into();
        let registry = Registry::load(config, &base_dir, &replay, clock.now())?;
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(AuthorizationServer {
            registry: ArcSwap::from_pointee(registry),
            shared: Shared {
                revoked: RevocationList::with_store(config.revocation_capacity, &replay),
                replay,
                argon2: Argon2Gate::new(permits),
            },
            clock,
            base_dir,
            observer: ArcSwapOption::empty(),
        })
    }

    /// Replaces the configuration after checking the new one completely; on error nothing changes. Requests in flight
    /// finish with the configuration they started with. The replay cache and revocation list survive (their
    /// capacities take effect at the next start).
    pub fn reload(&self, config: &OAuthConfig) -> Result<(), ConfigError> {
        let registry = Registry::load(config, &self.base_dir, &self.shared.replay, self.clock.now())?;
        self.registry.store(Arc::new(registry));
        Ok(())
    }

    /// Sets the observer notified of issued, refused and revoked tokens.
    pub fn set_observer(&self, observer: Box<dyn Observer>) {
        self.observer.store(Some(Arc::new(observer)));
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The current registry (settings, clients, issuers, keys).
    pub fn registry(&self) -> Arc<Registry> {
        self.registry.load_full()
    }

    /// The state shared across configurations.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// `POST /oauth2/token` at the clock's now.
    pub fn token(&self, input: &HttpInput<'_>) -> Result<IssuedToken, Refusal> {
        self.token_at(input, self.clock.now())
    }

    /// `POST /oauth2/token` at `now`.
    pub fn token_at(&self, input: &HttpInput<'_>, now: DateTime) -> Result<IssuedToken, Refusal> {
        let reg = self.registry.load();
        let observer = self.observer.load();
        match grants::token(&reg, &self.shared, input, now) {
            Ok((issued, grant, method)) => {
                if let Some(o) = observer.as_ref() {
                    o.token_issued(&issued, grant, method, input.origin);
                }
                Ok(issued)
            }
            Err(refusal) => {
                if let Some(o) = observer.as_ref() {
                    o.refused("token", &refusal, input.origin);
                }
                Err(refusal)
            }
        }
    }

    /// `POST /oauth2/introspect` at `now`.
    pub fn introspect_at(&self, input: &HttpInput<'_>, now: DateTime) -> Result<Introspection, Refusal> {
        let reg = self.registry.load();
        let out = introspect::introspect(&reg, &self.shared, input, now);
        if let (Err(r), Some(o)) = (&out, self.observer.load().as_ref()) {
            o.refused("introspect", r, input.origin);
        }
        out
    }

    /// `POST /oauth2/revoke` at `now`.
    pub fn revoke_at(&self, input: &HttpInput<'_>, now: DateTime) -> Result<(), Refusal> {
        let reg = self.registry.load();
        let observer = self.observer.load();
        match introspect::revoke(&reg, &self.shared, input, now) {
            Ok(Some((jti, client_id))) => {
                if let Some(o) = observer.as_ref() {
                    o.token_revoked(&jti, &client_id, input.origin);
                }
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(r) => {
                if let Some(o) = observer.as_ref() {
                    o.refused("revoke", &r, input.origin);
                }
                Err(r)
            }
        }
    }

    /// The JWK Set document (`GET /oauth2/jwks`).
    pub fn jwks_json(&self) -> String {
        self.registry.load().signing.jwks_json().to_owned()
    }

    /// The RFC 8414 metadata document.
    pub fn metadata_json(&self) -> String {
        metadata::document(&self.registry.load()).to_string()
    }

    /// The bridge: mints an access token for a principal the SOAP gateway authenticated, for a route with
    /// `exchange = true` (`aud` = the route's upstream).
    ///
    /// Scopes: when the principal's issuer is a configured `[[oauth.issuers]]` entry, granted = `request.scopes` ∩ that
    /// issuer's mapping for the principal's attributes (roles and mapped claims included); otherwise (a UsernameToken
    /// or X.509 principal, or an issuer sluis only knows from WS-Security trust) the route's scopes as configured. The
    /// audience is the operator's route configuration, so it need not be among `[oauth] audiences`. Lifetime: the
    /// configured access token lifetime. `auth_time` is not known here and is omitted.
    pub fn mint_for_principal(
        &self,
        principal: &Principal,
        request: &BridgeRequest<'_>,
        now: DateTime,
    ) -> Result<IssuedToken, Refusal> {
        let reg = self.registry.load();
        registry::check_audience(request.audience).map_err(|_| OAuthReason::ResourceInvalid)?;
        let requested: scope::Scopes = request.scopes.iter().cloned().collect();
        if requested.iter().any(|s| !scope::is_scope_token(s)) {
            return Err(OAuthReason::ScopeMalformed.into());
        }
        let mapped = principal
            .issuer()
            .and_then(|i| reg.issuers.get(i))
            .map(|i| i.mapping.apply(principal.attributes()));
        let (scope, roles, claims) = match mapped {
            Some(m) => (requested.intersection(&m.scopes).cloned().collect(), m.roles, m.claims),
            None => (requested, Default::default(), Default::default()),
        };
        let req = mint::MintRequest {
            principal,
            client_id: request.client_id,
            audience: vec![request.audience.to_owned()],
            scope,
            roles,
            claims,
            auth_time: None,
            lifetime: reg.settings.access_token_lifetime,
        };
        Ok(mint::mint(&reg.signing, &reg.settings.issuer, req, now)?)
    }
}
