//! The tables of the configuration file, as serde structs. Every table refuses unknown keys; every field that has a
//! default says why it is that value.

pub use crate::audit::{FsyncPolicy, OnAuditFull};
use crate::policy::RoutePolicy;
use serde::Deserialize;

/// `[server]`: the listener, connection and request limits, logs.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// The address to listen on. Default `127.0.0.1:8080`.
    pub listen: String,
    /// The URL clients use to reach sluis (scheme, host, port, optional path prefix), used in WSDL service addresses.
    /// Default: `http://` or `https://` plus `listen`.
    pub public_url: Option<String>,
    /// TLS for the listener. Without it the listener speaks plain HTTP, which is allowed only on a loopback address
    /// unless [`ServerConfig::allow_plain_http`] is set.
    pub tls: Option<TlsConfig>,
    /// Allow plain HTTP on a non-loopback address (for a deployment behind a TLS-terminating proxy on the same host or
    /// network segment). Off by default.
    pub allow_plain_http: bool,
    /// Worker threads. Default: the number of CPUs.
    pub workers: Option<usize>,
    /// Concurrent connections per worker (actix `max_connections`). Default 1,024: each idle connection costs a few
    /// kilobytes; more than this per core means the server is overloaded anyway.
    pub max_connections: usize,
    /// New TLS handshakes in progress per worker (actix `max_connection_rate`). Default 256: handshakes are the
    /// expensive part of a connection, and this bounds the CPU an attacker can claim with them.
    pub max_connection_rate: usize,
    /// Seconds a client has to send the request head, and then the body. Default 30 (slowloris bound).
    pub request_timeout_secs: u64,
    /// Seconds an idle keep-alive connection stays open. Default 5; 0 disables keep-alive.
    pub keep_alive_secs: u64,
    /// Seconds in-flight requests (including their upstream calls) get to finish after SIGTERM/SIGINT. Default 30.
    pub shutdown_timeout_secs: u64,
    /// The request body limit of a route that does not set its own. Default 1 MiB, the XML parser's SOAP limit.
    pub max_body_bytes: usize,
    /// Peers (IP addresses or CIDR ranges) whose `X-Forwarded-For` is believed for the client address. Default none:
    /// the client address is the TCP peer.
    pub trusted_proxies: Vec<String>,
    /// Log format: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// Log filter (`tracing_subscriber::EnvFilter` syntax; `RUST_LOG` overrides it). Default `info`.
    pub log_level: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".to_owned(),
            public_url: None,
            tls: None,
            allow_plain_http: false,
            workers: None,
            max_connections: 1024,
            max_connection_rate: 256,
            request_timeout_secs: 30,
            keep_alive_secs: 5,
            shutdown_timeout_secs: 30,
            max_body_bytes: crate::xml::Limits::soap().max_bytes,
            trusted_proxies: Vec::new(),
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
        }
    }
}

/// `[server.tls]`: the listener's certificate chain and key (PEM files).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate chain, leaf first (PEM).
    pub cert: String,
    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: String,
}

/// The log format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// `[[routes]]`: one SOAP service behind sluis.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// The path clients POST to (`/services/Patient`): starts with `/`, no query, no `..`, no trailing `/`.
    pub path: String,
    /// The upstream SOAP endpoint (`http(s)://…`). Without one the route answers with the built-in validation
    /// response (the principal and the verdict).
    #[serde(default)]
    pub upstream: Option<String>,
    /// Allow a plain `http://` upstream on a non-loopback host. Off by default.
    #[serde(default)]
    pub allow_plain_upstream: bool,
    /// CA certificates (PEM) for the upstream's TLS certificate, instead of the system roots.
    #[serde(default)]
    pub upstream_ca: Option<String>,
    /// Seconds for the whole upstream exchange (connect, send, response head and body). Default 30.
    #[serde(default = "default_upstream_timeout")]
    pub upstream_timeout_secs: u64,
    /// Seconds to establish the upstream connection. Default 5.
    #[serde(default = "default_connect_timeout")]
    pub upstream_connect_timeout_secs: u64,
    /// The request body limit; default `server.max_body_bytes`.
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// The largest upstream response relayed. Default 8 MiB: responses are not parsed, only relayed, but are buffered
    /// whole so that a failed read never leaves a client with half an answer.
    #[serde(default = "default_max_response")]
    pub max_response_bytes: usize,
    /// The WSDL served at `GET <path>?wsdl` (a file; its `soap:address`/`soap12:address` locations are rewritten to
    /// `public_url + path`). Default for a route without upstream: the built-in validation service's WSDL.
    #[serde(default)]
    pub wsdl: Option<String>,
    /// A per-client rate limit for this route, on top of the global one.
    #[serde(default)]
    pub rate_limit: Option<BucketConfig>,
    /// The bridge (issue 4): mint a JWT access token for the authenticated principal (audience = the upstream URL)
    /// and forward the call with `Authorization: Bearer <jwt>`. Needs an upstream and `[oauth]`.
    #[serde(default)]
    pub exchange: bool,
    /// Scopes requested for the bridge's token (intersected with the issuer's mapping for SAML principals).
    #[serde(default)]
    pub exchange_scopes: Vec<String>,
    /// The `client_id` claim of the bridge's tokens. Default `sluis-gateway`.
    #[serde(default = "default_exchange_client_id")]
    pub exchange_client_id: String,
    /// The route's WS-Security policy.
    #[serde(default)]
    pub policy: RoutePolicy,
}

fn default_exchange_client_id() -> String {
    "sluis-gateway".to_owned()
}

fn default_upstream_timeout() -> u64 {
    30
}
fn default_connect_timeout() -> u64 {
    5
}
fn default_max_response() -> usize {
    8 * 1024 * 1024
}

/// `[audit]`: the NEN 7513 audit trail ([`crate::audit`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Where records go: `file` (JSON lines, hash-chained) or `stdout`. Default `stdout`.
    pub sink: AuditSinkKind,
    /// The file, for `sink = "file"`.
    pub path: Option<String>,
    /// When the file is fsynced: `always` (after every record), `batch` (after each batch the writer drains, the
    /// default) or `never` (left to the OS).
    pub fsync: FsyncPolicy,
    /// Records waiting for the writer. Default 10,000 (a few MiB at most).
    pub queue_capacity: usize,
    /// What happens when the queue is full or the sink fails: `refuse` (default: requests are refused with 503 until
    /// the trail can be written — for a healthcare gateway, unaudited access is worse than no access) or `drop`
    /// (records are dropped and counted; the count is written to the trail when it recovers).
    pub on_full: OnAuditFull,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            sink: AuditSinkKind::Stdout,
            path: None,
            fsync: FsyncPolicy::Batch,
            queue_capacity: 10_000,
            on_full: OnAuditFull::Refuse,
        }
    }
}

/// Where audit records go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditSinkKind {
    /// A JSON-lines file, appended to.
    File,
    /// Standard output, one JSON object per line.
    Stdout,
}

/// `[replay_store]`: keep replay protection (UsernameToken nonces, accepted signed messages, one-time SAML
/// assertions, JWT `jti`s) in a Redis every instance of a deployment shares ([`crate::store::SharedStore`]), instead of
/// each process's memory. Without it, several instances behind one load balancer each accept a replay once.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplayStoreConfig {
    /// `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS with the system's roots).
    pub url: Option<String>,
    /// The name of an environment variable holding the URL instead (keeps the password out of the file).
    pub url_env: Option<String>,
    /// Put in front of every key. Default `sluis:replay:`.
    pub key_prefix: String,
    /// Connect and per-command time limit in milliseconds. Default 250.
    pub timeout_ms: u64,
    /// Idle connections kept. Default 16.
    pub pool_size: usize,
    /// For `rediss://`: a PEM file with the CA certificates the server's certificate must chain to (default: the
    /// system's roots).
    pub ca_file: Option<String>,
}

impl Default for ReplayStoreConfig {
    fn default() -> Self {
        ReplayStoreConfig {
            url: None,
            url_env: None,
            key_prefix: "sluis:replay:".into(),
            timeout_ms: 250,
            pool_size: 16,
            ca_file: None,
        }
    }
}

/// `[metrics]`: `GET /metrics` in the Prometheus text format ([`crate::metrics`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Serve `/metrics`. Default off.
    pub enabled: bool,
    /// Client addresses (IP or CIDR, after trusted proxies) that may read it; everyone else gets 403. Default
    /// loopback only: put the scraper's address here, never the internet.
    pub allow: Vec<String>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { enabled: false, allow: vec!["127.0.0.0/8".into(), "::1/128".into()] }
    }
}

/// `[rate_limit]`: token buckets per client IP address.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Apply rate limits. Default on.
    pub enabled: bool,
    /// Bucket size of every client across all routes: requests accepted at once. Default 100.
    pub burst: u32,
    /// Refill rate of that bucket, in requests per second. Default 50.
    pub per_second: f64,
    /// Clients tracked at once; beyond this the idlest are evicted. Default 100,000 (about 10 MiB).
    pub max_clients: usize,
    /// Seconds after which an unused bucket is forgotten. Default 600.
    pub idle_secs: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        let b = BucketConfig::default();
        RateLimitConfig {
            enabled: true,
            burst: b.burst,
            per_second: b.per_second,
            max_clients: 100_000,
            idle_secs: 600,
        }
    }
}

impl RateLimitConfig {
    /// The global per-client bucket.
    pub fn bucket(&self) -> BucketConfig {
        BucketConfig { burst: self.burst, per_second: self.per_second }
    }
}

/// A token bucket: `burst` requests at once, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketConfig {
    /// Bucket size. Default 100.
    pub burst: u32,
    /// Refill rate in requests per second. Default 50.
    pub per_second: f64,
}

impl Default for BucketConfig {
    fn default() -> Self {
        BucketConfig { burst: 100, per_second: 50.0 }
    }
}

/// `[cors]`: which browser origins may call sluis. Empty by default: no cross-origin access.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Exact origins (`https://app.example.nl`, scheme + host + optional port). `*` is refused.
    pub allowed_origins: Vec<String>,
    /// Request headers a browser may send. Default: `content-type`, `soapaction`, `authorization`, `x-request-id`.
    pub allowed_headers: Vec<String>,
    /// Seconds a browser may cache a preflight answer. Default 600.
    pub max_age_secs: u64,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            allowed_origins: Vec::new(),
            allowed_headers: ["content-type", "soapaction", "authorization", "x-request-id"]
                .map(str::to_owned)
                .to_vec(),
            max_age_secs: 600,
        }
    }
}
