//! Configuration for the gateway's security context: plain serde structs the server's configuration embeds, and the
//! builders that turn them into a [`SecurityContext`].
//!
//! ```toml
//! [wss]                                   # the section name is the embedding configuration's choice
//! actor = "urn:example:sluis"             # optional: an actor/role URI sluis also plays
//! clock_skew_seconds = 300
//! username_token_window_seconds = 300
//! nonce_cache_capacity = 100000
//! max_message_bytes = 1048576
//! digest_secrets_file = "secrets/digest-users.toml"   # optional, PasswordDigest users (clear secrets!)
//! reject_replayed_messages = true         # an identical signed message within its Timestamp's lifetime is refused
//!
//! [wss.trust]
//! pinned = ["pki/partner.cert.pem"]       # certificates or public keys, trusted as they are
//! ca = ["pki/root-ca.cert.pem"]           # certificates chaining to these are trusted
//! intermediates = ["pki/intermediate-ca.cert.pem"]
//! crl = ["pki/intermediate-ca.crl.pem"]
//! known_certificates = []                 # findable by KeyIdentifier/IssuerSerial, trusted only via the rules above
//! require_crl = false
//! allow_sha1 = false
//! min_rsa_bits = 2048
//!
//! [[wss.users]]                           # PasswordText users
//! name = "alice"
//! password_hash = "$argon2id$v=19$m=19456,t=2,p=1$...$..."
//! auth_level = 2                          # optional, 0-2 (default 2)
//! ```
//!
//! The digest secrets file holds the clear secrets `PasswordDigest` needs (UsernameToken Profile 1.1 §3.1 cannot work
//! with a hash). Keep it apart from the main configuration, readable by the sluis user only:
//!
//! ```toml
//! [[users]]
//! name = "legacy-client"
//! secret = "correct horse battery staple"
//! auth_level = 2                          # optional
//! ```
//!
//! Relative paths are resolved against the directory of the file that names them (`base_dir`).

use super::context::{
    DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_NONCE_CACHE_CAPACITY, DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS,
    SecurityContext,
};
use crate::principal::AuthLevel;
use crate::trust::{KeyPolicy, TrustStore, pem};
use crate::xml::Limits;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The `[wss]` section: everything the SOAP gateway's [`SecurityContext`] is built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WssConfig {
    /// An actor (SOAP 1.1) / role (SOAP 1.2) URI sluis plays, besides "next" and the ultimate receiver's delegate.
    pub actor: Option<String>,
    /// Clock skew tolerated on Timestamps and UsernameToken `Created`.
    pub clock_skew_seconds: u32,
    /// How old a UsernameToken `Created` may be.
    pub username_token_window_seconds: u32,
    /// Capacity of the nonce replay cache.
    pub nonce_cache_capacity: usize,
    /// The largest SOAP message parsed, in bytes.
    pub max_message_bytes: usize,
    /// Keys and certificates that may sign messages.
    pub trust: TrustConfig,
    /// `PasswordText` users (argon2id hashes).
    pub users: Vec<UserConfig>,
    /// A TOML file of `PasswordDigest` users ([`DigestSecretsFile`]).
    pub digest_secrets_file: Option<PathBuf>,
    /// Refuse a signed message seen before within its Timestamp's lifetime (default true).
    pub reject_replayed_messages: bool,
}

impl Default for WssConfig {
    fn default() -> Self {
        WssConfig {
            actor: None,
            clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            username_token_window_seconds: DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS,
            nonce_cache_capacity: DEFAULT_NONCE_CACHE_CAPACITY,
            max_message_bytes: Limits::soap().max_bytes,
            trust: TrustConfig::default(),
            users: Vec::new(),
            digest_secrets_file: None,
            reject_replayed_messages: true,
        }
    }
}

/// Trust material for message signatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustConfig {
    /// Certificates or public keys (PEM or DER) trusted as they are.
    pub pinned: Vec<PathBuf>,
    /// CA certificates: a certificate with a valid path to one of them is trusted.
    pub ca: Vec<PathBuf>,
    /// Intermediate CA certificates for path building.
    pub intermediates: Vec<PathBuf>,
    /// CRLs (PEM or DER).
    pub crl: Vec<PathBuf>,
    /// Certificates clients refer to by KeyIdentifier or IssuerSerial without sending them.
    pub known_certificates: Vec<PathBuf>,
    /// Refuse certificates whose issuer has no CRL (when CRLs are configured).
    pub require_crl: bool,
    /// Accept SHA-1 signatures and digests (legacy peers only).
    pub allow_sha1: bool,
    /// The smallest RSA key accepted, in bits.
    pub min_rsa_bits: u32,
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig {
            pinned: Vec::new(),
            ca: Vec::new(),
            intermediates: Vec::new(),
            crl: Vec::new(),
            known_certificates: Vec::new(),
            require_crl: false,
            allow_sha1: false,
            min_rsa_bits: KeyPolicy::default().min_rsa_bits,
        }
    }
}

/// A `PasswordText` user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The user name (`wsse:Username`).
    pub name: String,
    /// An argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
    pub password_hash: String,
    /// The authentication level, 0–2 (default 2).
    #[serde(default)]
    pub auth_level: Option<AuthLevel>,
}

impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig").field("name", &self.name).field("auth_level", &self.auth_level).finish()
    }
}

/// The digest secrets file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestSecretsFile {
    /// The `PasswordDigest` users.
    pub users: Vec<DigestUserConfig>,
}

/// A `PasswordDigest` user with its clear secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestUserConfig {
    /// The user name.
    pub name: String,
    /// The clear secret.
    pub secret: String,
    /// The authentication level, 0–2 (default 2).
    #[serde(default)]
    pub auth_level: Option<AuthLevel>,
}

impl fmt::Debug for DigestUserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestUserConfig")
            .field("name", &self.name)
            .field("auth_level", &self.auth_level)
            .finish()
    }
}

/// Why a configuration could not be turned into a [`SecurityContext`]. Configuration errors name files and users
/// (they are for the operator at startup, never for a client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// What was being configured (a path, or `users[alice]`).
    pub context: String,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn err(context: impl fmt::Display, message: impl fmt::Display) -> ConfigError {
    ConfigError { context: context.to_string(), message: message.to_string() }
}

impl TrustConfig {
    /// Builds the trust store; also returns every certificate the configuration names (pinned and known), for
    /// reference resolution.
    pub fn build(
        &self,
        base_dir: &Path,
    ) -> Result<(TrustStore, Vec<crate::trust::Certificate>), ConfigError> {
        let policy = KeyPolicy { min_rsa_bits: self.min_rsa_bits, allow_sha1: self.allow_sha1 };
        let mut b = TrustStore::builder(policy);
        let mut known = Vec::new();
        for p in &self.pinned {
            let path = base_dir.join(p);
            for item in pem::load_trust_items(&path).map_err(|e| err(path.display(), e))? {
                match item {
                    pem::TrustItem::Key(k) => b.pin_key(k).map(|_| ()),
                    pem::TrustItem::Certificate(c) => {
                        known.push(c.clone());
                        b.pin_certificate(c).map(|_| ())
                    }
                }
                .map_err(|e| err(path.display(), e))?;
            }
        }
        for p in &self.ca {
            let path = base_dir.join(p);
            for c in pem::load_certificates(&path).map_err(|e| err(path.display(), e))? {
                b.add_ca(&c).map_err(|e| err(path.display(), e))?;
            }
        }
        for p in &self.intermediates {
            let path = base_dir.join(p);
            for c in pem::load_certificates(&path).map_err(|e| err(path.display(), e))? {
                b.add_intermediate(c);
            }
        }
        for p in &self.crl {
            let path = base_dir.join(p);
            for der in pem::load_crls(&path).map_err(|e| err(path.display(), e))? {
                b.add_crl_der(&der).map_err(|e| err(path.display(), e))?;
            }
        }
        for p in &self.known_certificates {
            let path = base_dir.join(p);
            known.extend(pem::load_certificates(&path).map_err(|e| err(path.display(), e))?);
        }
        b.require_crl(self.require_crl);
        Ok((b.build(), known))
    }
}

impl SecurityContext {
    /// Builds a context from configuration; relative paths are resolved against `base_dir`.
    pub fn from_config(cfg: &WssConfig, base_dir: &Path) -> Result<SecurityContext, ConfigError> {
        let (store, known) = cfg.trust.build(base_dir)?;
        let mut b = SecurityContext::builder(store);
        for c in known {
            b.known_certificate(c);
        }
        for u in &cfg.users {
            b.user(&u.name, &u.password_hash, u.auth_level.unwrap_or(AuthLevel::CREDENTIALS))
                .map_err(|e| err(format_args!("users[{}]", u.name), e))?;
        }
        if let Some(file) = &cfg.digest_secrets_file {
            let path = base_dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| err(path.display(), e))?;
            let secrets: DigestSecretsFile =
                toml::from_str(&text).map_err(|e| err(path.display(), e.message()))?;
            for u in &secrets.users {
                b.digest_user(&u.name, &u.secret, u.auth_level.unwrap_or(AuthLevel::CREDENTIALS))
                    .map_err(|e| err(format_args!("{}: users[{}]", path.display(), u.name), e))?;
            }
        }
        if let Some(actor) = &cfg.actor {
            b.actor(actor.clone());
        }
        b.clock_skew_seconds(cfg.clock_skew_seconds)
            .username_token_window_seconds(cfg.username_token_window_seconds)
            .nonce_cache_capacity(cfg.nonce_cache_capacity)
            .reject_replayed_messages(cfg.reject_replayed_messages)
            .limits(Limits { max_bytes: cfg.max_message_bytes, ..Limits::soap() });
        Ok(b.build())
    }
}
