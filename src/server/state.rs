//! What the server holds while it runs: the checked configuration turned into objects, built once before listening.

use super::rate_limit::RateLimiter;
use super::wsdl;
use crate::audit::Auditor;
use crate::clock::Clock;
use crate::config::{BucketConfig, Config, ConfigError, CorsConfig, IpRange};
use crate::metrics::Metrics;
use crate::oauth::AuthorizationServer;
use crate::policy::RoutePolicy;
use crate::wss::SecurityContext;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A route's upstream.
#[derive(Clone, Debug)]
pub(crate) struct Upstream {
    /// Where to POST.
    pub url: reqwest::Url,
    /// The whole exchange's time budget.
    pub timeout: Duration,
    /// The connection's time budget.
    pub connect_timeout: Duration,
    /// The largest answer relayed.
    pub max_response: usize,
    /// CA certificates for the upstream's TLS certificate, instead of the system roots.
    pub ca: Option<Vec<reqwest::Certificate>>,
}

/// One SOAP route, ready to serve.
#[derive(Debug)]
pub(crate) struct Route {
    /// Its index in the configuration (and its rate-limit scope).
    pub index: u16,
    /// The path.
    pub path: String,
    /// Where accepted messages go; `None` answers with the validation response.
    pub upstream: Option<Upstream>,
    /// The request body limit.
    pub max_body: usize,
    /// The WSDL served at `GET path?wsdl`, with locations already rewritten.
    pub wsdl: Option<Vec<u8>>,
    /// The WS-Security policy.
    pub policy: RoutePolicy,
    /// A per-client bucket for this route.
    pub bucket: Option<BucketConfig>,
    /// The SOAP-to-OAuth bridge: mint a token for the principal and forward it as `Authorization: Bearer`.
    pub exchange: Option<Exchange>,
}

/// A route's bridge settings.
#[derive(Clone, Debug)]
pub(crate) struct Exchange {
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// The `client_id` claim.
    pub client_id: String,
}

/// Everything the handlers share.
pub(crate) struct Shared {
    /// The configuration's label (file name or `<demo>`).
    pub label: String,
    /// Whether the demo configuration is running.
    pub demo: bool,
    /// The routes.
    pub routes: Vec<Route>,
    /// The WS-Security processor's context.
    pub security: SecurityContext,
    /// The audit trail.
    pub auditor: Auditor,
    /// Rate limits (`None` when disabled).
    pub limiter: Option<RateLimiter>,
    /// The global per-client bucket.
    pub bucket: BucketConfig,
    /// Where "now" comes from for verification and audit.
    pub clock: Arc<dyn Clock>,
    /// Trusted proxies.
    pub proxies: Vec<IpRange>,
    /// Whether the listener speaks TLS.
    pub listener_tls: bool,
    /// The public URL without trailing slash.
    pub public_url: String,
    /// The public URL's origin (`scheme://host[:port]`), for same-origin requests.
    pub public_origin: String,
    /// CORS.
    pub cors: CorsConfig,
    /// Time to receive a request body.
    pub request_timeout: Duration,
    /// Set once shutdown has begun: `/readyz` turns 503 so load balancers stop sending.
    pub draining: AtomicBool,
    /// The OAuth 2.0 authorization server, when `[oauth]` is configured.
    pub oauth: Option<Arc<AuthorizationServer>>,
    /// The counters behind `GET /metrics`, when `[metrics]` is enabled.
    pub metrics: Option<Arc<Metrics>>,
    /// Who may read `/metrics`.
    pub metrics_allow: Vec<IpRange>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("label", &self.label).field("routes", &self.routes).finish()
    }
}

impl Shared {
    /// The route with exactly this path.
    pub(crate) fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.path == path)
    }
}

/// Builds the shared state: loads trust material and users, WSDLs, upstream CA files.
pub(crate) fn build(
    config: &Config,
    bound: std::net::SocketAddr,
    auditor: Auditor,
    clock: Arc<dyn Clock>,
) -> Result<Shared, ConfigError> {
    let label = config.label();
    let security = config.security_context()?;
    let s = &config.server;
    let listener_tls = s.tls.is_some();
    let public_url = public_url(config, bound);
    let public_origin = reqwest::Url::parse(&public_url)
        .map(|u| u.origin().ascii_serialization())
        .map_err(|e| ConfigError::new(&label, "server.public_url", e.to_string()))?;
    let mut routes = Vec::with_capacity(config.routes.len());
    for (i, r) in config.routes.iter().enumerate() {
        let field = |name: &str| format!("routes[{i}].{name}");
        let index =
            u16::try_from(i).map_err(|_| ConfigError::new(&label, "routes", "more than 65535 routes"))?;
        let upstream = match &r.upstream {
            None => None,
            Some(u) => {
                let url = reqwest::Url::parse(u)
                    .map_err(|e| ConfigError::new(&label, field("upstream"), e.to_string()))?;
                let ca = match &r.upstream_ca {
                    None => None,
                    Some(spec) => {
                        let m = config.material(&field("upstream_ca"), spec)?;
                        let certs = reqwest::Certificate::from_pem_bundle(&m.read()?).map_err(|e| {
                            ConfigError::new(&label, field("upstream_ca"), format!("{}: {e}", m.display()))
                        })?;
                        if certs.is_empty() {
                            return Err(ConfigError::new(
                                &label,
                                field("upstream_ca"),
                                "no certificate in file",
                            ));
                        }
                        Some(certs)
                    }
                };
                let up = Upstream {
                    url,
                    timeout: Duration::from_secs(r.upstream_timeout_secs),
                    connect_timeout: Duration::from_secs(r.upstream_connect_timeout_secs),
                    max_response: r.max_response_bytes,
                    ca,
                };
                // Build one client now so a bad TLS setting fails at startup, not at the first request.
                super::forward::client(&up).map_err(|e| ConfigError::new(&label, field("upstream"), e))?;
                Some(up)
            }
        };
        let location = format!("{public_url}{}", r.path);
        let wsdl = match (&r.wsdl, &upstream) {
            (Some(spec), _) => {
                let m = config.material(&field("wsdl"), spec)?;
                let bytes = m.read()?;
                Some(
                    wsdl::rewrite_locations(&bytes, &location).map_err(|e| {
                        ConfigError::new(&label, field("wsdl"), format!("{}: {e}", m.display()))
                    })?,
                )
            }
            (None, None) => Some(
                wsdl::rewrite_locations(wsdl::VALIDATION_WSDL.as_bytes(), &location)
                    .map_err(|e| ConfigError::new(&label, field("wsdl"), format!("built-in WSDL: {e}")))?,
            ),
            (None, Some(_)) => None,
        };
        routes.push(Route {
            index,
            path: r.path.clone(),
            upstream,
            max_body: r.max_body_bytes.unwrap_or(s.max_body_bytes),
            wsdl,
            policy: r.policy.clone(),
            bucket: r.rate_limit,
            exchange: r.exchange.then(|| Exchange {
                scopes: r.exchange_scopes.clone(),
                client_id: r.exchange_client_id.clone(),
            }),
        });
    }
    let rl = &config.rate_limit;
    let limiter = rl.enabled.then(|| RateLimiter::new(rl.max_clients, Duration::from_secs(rl.idle_secs)));
    let proxies = s.trusted_proxies.iter().filter_map(|p| IpRange::parse(p)).collect();
    let oauth = match &config.oauth {
        None => None,
        Some(o) => {
            let dir = config.base_dir().ok_or_else(|| {
                ConfigError::new(&label, "oauth", "not available in the demo configuration")
            })?;
            // With a shared replay store, the token endpoint records `jti`s and assertion IDs there too.
            let server = match security.replay_cache() {
                shared if shared.is_shared() => {
                    let cache = Arc::new(shared.clone());
                    AuthorizationServer::with_replay_cache(o, dir, clock.clone(), cache)
                }
                _ => AuthorizationServer::new(o, dir, clock.clone()),
            }
            .map_err(|e| ConfigError::new(&label, e.at.clone(), e.message.clone()))?;
            server.set_observer(Box::new(super::oauth_audit::AuditObserver {
                auditor: auditor.clone(),
                clock: clock.clone(),
            }));
            Some(Arc::new(server))
        }
    };
    let metrics = config.metrics.enabled.then(|| {
        let m = Arc::new(Metrics::new());
        auditor.set_tap(m.clone());
        m
    });
    let metrics_allow = config.metrics.allow.iter().filter_map(|a| IpRange::parse(a)).collect();
    Ok(Shared {
        label,
        demo: config.is_demo(),
        routes,
        security,
        auditor,
        limiter,
        bucket: rl.bucket(),
        clock,
        proxies,
        listener_tls,
        public_url,
        public_origin,
        cors: config.cors.clone(),
        request_timeout: Duration::from_secs(s.request_timeout_secs),
        draining: AtomicBool::new(false),
        oauth,
        metrics,
        metrics_allow,
    })
}

/// `server.public_url` without trailing slash, or `http(s)://` plus the address actually bound.
pub(crate) fn public_url(config: &Config, bound: std::net::SocketAddr) -> String {
    let s = &config.server;
    match &s.public_url {
        Some(u) => u.trim_end_matches('/').to_owned(),
        None => format!("{}://{bound}", if s.tls.is_some() { "https" } else { "http" }),
    }
}
