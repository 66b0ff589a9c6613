//! The gateway's long-lived state: [`SecurityContext`] (trust, users, replay caches, tolerances), its builder, and
//! the [`Transport`] facts the HTTP layer passes per request. Built once, shared by every request (`Send + Sync`).

use super::username::{DigestUsers, Users};
use crate::principal::AuthLevel;
use crate::saml::Saml;
use crate::store::ReplayCache;
use crate::trust::{Certificate, TrustStore};
use crate::xml::Limits;

/// Default clock skew tolerated on `wsu:Timestamp` and UsernameToken `Created`, in seconds (WSS4J's default).
pub const DEFAULT_CLOCK_SKEW_SECONDS: u32 = 300;
/// Default UsernameToken freshness window, in seconds: how old `Created` may be (UsernameToken Profile 1.1 §3.1
/// leaves it to the receiver; WSS4J uses 300).
pub const DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS: u32 = 300;
/// Default nonce cache size: nonces live a few minutes, so this covers several hundred authenticated requests per
/// second; beyond it sluis refuses rather than forgets.
pub const DEFAULT_NONCE_CACHE_CAPACITY: usize = 100_000;

/// How the request reached sluis, as the HTTP layer knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transport {
    /// The connection is TLS.
    pub tls: bool,
    /// The peer is a loopback address.
    pub loopback: bool,
}

/// Everything the gateway needs that outlives one request: trust, users, replay caches and clock tolerances.
/// `Send + Sync`; build once and share (e.g. in an `Arc`). Build it with [`SecurityContext::builder`] or from
/// configuration with [`SecurityContext::from_config`].
pub struct SecurityContext {
    pub(super) trust: TrustStore,
    pub(super) known_certificates: Vec<Certificate>,
    pub(super) users: Users,
    pub(super) digest_users: DigestUsers,
    pub(super) saml: Option<Saml>,
    pub(super) nonces: ReplayCache,
    pub(super) limits: Limits,
    pub(super) clock_skew_seconds: i64,
    pub(super) username_token_window_seconds: i64,
    pub(super) actor: Option<String>,
    pub(super) reject_replayed_messages: bool,
}

impl std::fmt::Debug for SecurityContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityContext")
            .field("trust", &self.trust)
            .field("known_certificates", &self.known_certificates.len())
            .field("users", &self.users.len())
            .field("digest_users", &self.digest_users.len())
            .field("saml", &self.saml.is_some())
            .field("actor", &self.actor)
            .finish()
    }
}

/// Builds a [`SecurityContext`].
pub struct SecurityContextBuilder {
    ctx: SecurityContext,
    nonce_capacity: usize,
}

impl SecurityContext {
    /// Starts a context whose signatures are trusted through `trust`.
    pub fn builder(trust: TrustStore) -> SecurityContextBuilder {
        SecurityContextBuilder {
            ctx: SecurityContext {
                trust,
                known_certificates: Vec::new(),
                users: Users::default(),
                digest_users: DigestUsers::default(),
                saml: None,
                nonces: ReplayCache::new(1),
                limits: Limits::soap(),
                clock_skew_seconds: i64::from(DEFAULT_CLOCK_SKEW_SECONDS),
                username_token_window_seconds: i64::from(DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS),
                actor: None,
                reject_replayed_messages: true,
            },
            nonce_capacity: DEFAULT_NONCE_CACHE_CAPACITY,
        }
    }

    /// This context validating SAML assertion tokens with `saml` (for callers that get a built context, e.g. from
    /// configuration, and add SAML afterwards; see [`SecurityContextBuilder::saml`]).
    pub fn with_saml(mut self, saml: Saml) -> Self {
        self.saml = Some(saml);
        self
    }

    /// This context recording UsernameToken nonces and accepted signed messages in `cache` (e.g. a
    /// [`ReplayCache::shared`] store all instances of a deployment use) instead of its own memory.
    pub fn with_replay_cache(mut self, cache: ReplayCache) -> Self {
        self.nonces = cache;
        self
    }

    /// The cache UsernameToken nonces and accepted signed messages are recorded in.
    pub fn replay_cache(&self) -> &ReplayCache {
        &self.nonces
    }

    /// The trust store signatures are checked against.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The SAML validator for assertion tokens, when one is configured.
    pub fn saml(&self) -> Option<&Saml> {
        self.saml.as_ref()
    }
}

impl SecurityContextBuilder {
    /// Makes `cert` findable by `KeyIdentifier` (SubjectKeyIdentifier, ThumbprintSHA1) and `X509IssuerSerial`
    /// references when the message does not carry it. Listing it does not trust it: the trust store decides.
    pub fn known_certificate(&mut self, cert: Certificate) -> &mut Self {
        if !self.ctx.known_certificates.contains(&cert) {
            self.ctx.known_certificates.push(cert);
        }
        self
    }

    /// Adds a `PasswordText` user with an argon2id PHC hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). `level` is at most
    /// 2: a password cannot authenticate above "credentials".
    pub fn user(
        &mut self,
        name: &str,
        argon2id_phc: &str,
        level: AuthLevel,
    ) -> Result<&mut Self, &'static str> {
        if level > AuthLevel::CREDENTIALS {
            return Err("a password authenticates at level 2 at most");
        }
        self.ctx.users.add(name, argon2id_phc, level)?;
        Ok(self)
    }

    /// Adds a `PasswordDigest` user with its clear secret (keep these in a separate secrets file). `level` ≤ 2.
    pub fn digest_user(
        &mut self,
        name: &str,
        secret: &str,
        level: AuthLevel,
    ) -> Result<&mut Self, &'static str> {
        if level > AuthLevel::CREDENTIALS {
            return Err("a password authenticates at level 2 at most");
        }
        self.ctx.digest_users.add(name, secret, level)?;
        Ok(self)
    }

    /// The actor (SOAP 1.1) / role (SOAP 1.2) URI sluis plays besides "next" and the ultimate receiver's delegate.
    pub fn actor(&mut self, uri: impl Into<String>) -> &mut Self {
        self.ctx.actor = Some(uri.into());
        self
    }

    /// Clock skew tolerated on Timestamps and UsernameToken `Created` (default [`DEFAULT_CLOCK_SKEW_SECONDS`]).
    pub fn clock_skew_seconds(&mut self, seconds: u32) -> &mut Self {
        self.ctx.clock_skew_seconds = i64::from(seconds);
        self
    }

    /// How old a UsernameToken `Created` may be (default [`DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS`]).
    pub fn username_token_window_seconds(&mut self, seconds: u32) -> &mut Self {
        self.ctx.username_token_window_seconds = i64::from(seconds);
        self
    }

    /// Capacity of the UsernameToken nonce cache (default [`DEFAULT_NONCE_CACHE_CAPACITY`]).
    pub fn nonce_cache_capacity(&mut self, entries: usize) -> &mut Self {
        self.nonce_capacity = entries;
        self
    }

    /// Refuse a signed message seen before within its Timestamp's lifetime (default on; see [`super::process`]). Turn it off
    /// only for clients that legitimately resend byte-identical signed messages.
    pub fn reject_replayed_messages(&mut self, on: bool) -> &mut Self {
        self.ctx.reject_replayed_messages = on;
        self
    }

    /// Validates SAML assertion tokens with `saml` (its issuers, audiences and recipients, replay cache). Without it,
    /// a Security header carrying an assertion is refused ([`crate::reason::WssReason::SamlNotAvailable`]).
    pub fn saml(&mut self, saml: Saml) -> &mut Self {
        self.ctx.saml = Some(saml);
        self
    }

    /// Parser limits for messages (default [`Limits::soap`]).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.ctx.limits = limits;
        self
    }

    /// The finished context.
    pub fn build(self) -> SecurityContext {
        let mut ctx = self.ctx;
        ctx.nonces = ReplayCache::new(self.nonce_capacity);
        ctx
    }
}
