//! The TOML configuration of `sluis serve`: one file, read once, checked completely before anything listens.
//!
//! [`Config::load`] reads a file; [`Config::demo`] returns the embedded demo configuration (`config/demo.toml`,
//! compiled into the binary together with the test PKI it trusts, so the binary works from any directory). Both go
//! through the same two steps:
//!
//! 1. **Shape**: serde with `deny_unknown_fields` on every table, so a misspelt key is an error (with its line and
//!    column), never a silently ignored setting.
//! 2. **Meaning**: validation checks that serde cannot express — listen address versus TLS, URLs,
//!    route paths, limits within bounds, CORS origins (`*` is refused) — each reported as a [`ConfigError`] naming the
//!    file, the field (`routes[1].upstream`) and what is wrong.
//!
//! Trust material, users and secrets are loaded by [`Config::security_context`], also before the server starts, so
//! "keys loaded" in `/readyz` means what it says.
//!
//! The shape (every table but `[[routes]]` optional; see `config/example.toml` for every field with its default):
//!
//! ```toml
//! [server]                     # listener, limits, logs: ServerConfig
//! [[routes]]                   # one per SOAP service: RouteConfig, with [routes.policy] = policy::RoutePolicy
//! [wss]                        # WS-Security processing: wss::WssConfig (skew, nonce cache, users, secrets file)
//! [wss.trust]                  #   CAs, pinned certificates and keys, CRLs that may sign messages
//! [audit]                      # NEN 7513 audit trail: AuditConfig
//! [rate_limit]                 # per-client token buckets: RateLimitConfig
//! [cors]                       # browser origins allowed (never "*"): CorsConfig
//! [oauth]                      # the OAuth 2.0 authorization server: oauth::OAuthConfig (config/oauth.example.toml)
//! [saml]                       # SAML token issuers and relying-party rules of the gateway: saml::SamlConfig
//! ```

mod ip_range;
mod material;
mod sections;
mod validate;

pub use ip_range::IpRange;
pub(crate) use ip_range::canonical as canonical_ip;
pub use material::{Material, MaterialSource};
pub use sections::{
    AuditConfig, AuditSinkKind, BucketConfig, CorsConfig, FsyncPolicy, LogFormat, MetricsConfig, OnAuditFull,
    RateLimitConfig, ReplayStoreConfig, RouteConfig, ServerConfig, TlsConfig,
};

use crate::oauth::OAuthConfig;
use crate::saml::SamlConfig;
use crate::wss::WssConfig;

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The text of the embedded demo configuration.
pub const DEMO_TOML: &str = include_str!("../../config/demo.toml");

/// The largest configuration file read (1 MiB): a configuration is a few kilobytes; anything larger is a mistake.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A configuration error: where (file and field) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<demo>` for the embedded demo configuration).
    pub file: String,
    /// The field, as a TOML path (`server.listen`, `routes[0].path`), or `line L, column C` for syntax errors.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(file: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { file: file.to_owned(), field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The parsed and checked configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The listener.
    #[serde(default)]
    pub server: ServerConfig,
    /// The SOAP routes.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    /// The audit trail.
    #[serde(default)]
    pub audit: AuditConfig,
    /// Rate limits.
    #[serde(default)]
    pub rate_limit: RateLimitConfig,
    /// CORS.
    #[serde(default)]
    pub cors: CorsConfig,
    /// `GET /metrics`.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// A replay store shared between instances; absent: each process's memory.
    #[serde(default)]
    pub replay_store: Option<ReplayStoreConfig>,
    /// The WS-Security processor: trust material, users, secrets file, clock skew, replay cache
    /// ([`crate::wss::WssConfig`]).
    #[serde(default)]
    pub wss: WssConfig,
    /// The OAuth 2.0 authorization server ([`crate::oauth::OAuthConfig`]); its endpoints are mounted when present.
    #[serde(default)]
    pub oauth: Option<OAuthConfig>,
    /// SAML issuers whose assertions the gateway accepts as WS-Security tokens ([`crate::saml::SamlConfig`]).
    #[serde(default)]
    pub saml: Option<SamlConfig>,
    /// Where this configuration came from; relative paths resolve against it.
    #[serde(skip)]
    source: Source,
}

/// Where a configuration came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Source {
    /// A file; relative paths are relative to its directory.
    File { path: PathBuf, dir: PathBuf },
    /// The embedded demo configuration; `embedded:` paths name files compiled into the binary.
    #[default]
    Demo,
}

impl Config {
    /// Reads, parses and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let label = path.display().to_string();
        let bytes = read_bounded(path).map_err(|e| ConfigError::new(&label, "(file)", e))?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::new(&label, "(file)", "not UTF-8"))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        Self::parse_with(&text, Source::File { path: path.to_path_buf(), dir })
    }

    /// Parses and checks configuration text as if read from a file in `dir` (relative paths resolve against `dir`).
    pub fn from_toml(text: &str, dir: &Path) -> Result<Config, ConfigError> {
        Self::parse_with(text, Source::File { path: dir.join("<inline>"), dir: dir.to_path_buf() })
    }

    /// The embedded demo configuration: 127.0.0.1:8080, one route `/demo` without upstream that answers with the
    /// built-in validation response, trusting only the bundled test PKI (public test keys).
    pub fn demo() -> Result<Config, ConfigError> {
        Self::parse_with(DEMO_TOML, Source::Demo)
    }

    /// Whether this is the embedded demo configuration (the server says so loudly at startup).
    pub fn is_demo(&self) -> bool {
        self.source == Source::Demo
    }

    /// A label for messages: the file name, or `<demo>`.
    pub fn label(&self) -> String {
        match &self.source {
            Source::File { path, .. } => path.display().to_string(),
            Source::Demo => "<demo>".to_owned(),
        }
    }

    fn parse_with(text: &str, source: Source) -> Result<Config, ConfigError> {
        let label = match &source {
            Source::File { path, .. } => path.display().to_string(),
            Source::Demo => "<demo>".to_owned(),
        };
        let mut config: Config = toml::from_str(text).map_err(|e| syntax_error(&label, text, &e))?;
        config.source = source;
        validate::check(&config, &label)?;
        Ok(config)
    }

    /// Resolves a path from the configuration: relative to the configuration file's directory, or, in the demo
    /// configuration only, an `embedded:` name of a file compiled into the binary.
    pub fn material(&self, field: &str, spec: &str) -> Result<Material, ConfigError> {
        material::resolve(self, field, spec)
    }

    /// The configuration file (`None` for the demo configuration).
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File { path, .. } => Some(path),
            Source::Demo => None,
        }
    }

    /// The directory relative paths resolve against (`None` for the demo configuration).
    pub fn base_dir(&self) -> Option<&Path> {
        self.dir()
    }

    fn dir(&self) -> Option<&Path> {
        match &self.source {
            Source::File { dir, .. } => Some(dir),
            Source::Demo => None,
        }
    }
}

/// Reads at most [`MAX_CONFIG_BYTES`].
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!("larger than {MAX_CONFIG_BYTES} bytes"));
    }
    Ok(bytes)
}

/// A TOML syntax or shape error, located by line and column (serde's message names the unknown or missing key).
fn syntax_error(label: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let field = match e.span() {
        Some(span) => {
            let upto = text.get(..span.start.min(text.len())).unwrap_or_default();
            let line = upto.matches('\n').count() + 1;
            let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {col}")
        }
        None => "(document)".to_owned(),
    };
    ConfigError::new(label, field, e.message().trim_end())
}

#[cfg(test)]
mod tests;
