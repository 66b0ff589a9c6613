//! The HTTP server: actix-web 4 on tokio, wiring the library's verdicts to HTTP. No rule lives here.
//!
//! | path | answers |
//! |---|---|
//! | `POST <route>` | [`crate::wss::process`], then forward the spliced bytes to the upstream (or the validation response) |
//! | `GET <route>?wsdl` | the route's WSDL with its service address rewritten to sluis (`server::wsdl`) |
//! | `GET /healthz` | alive |
//! | `GET /readyz` | configuration, keys, replay cache and audit trail in order, not draining |
//! | `GET /metrics` | with `[metrics] enabled = true`, to the addresses of `[metrics] allow`: [`crate::metrics`] |
//! | anything else | 404 `application/problem+json` |
//!
//! **Bounds.** Connections per worker (`max_connections`), TLS handshakes in flight (`max_connection_rate`), the time to
//! send the request head and body (`request_timeout_secs`), keep-alive, the body size per route (checked against
//! `Content-Length` first, then while reading), the upstream's time and answer size per route, the rate-limit map, the
//! audit queue. actix-web's own parser bounds the request head (header count and size). HTTP/2 is not compiled in.
//!
//! **Shutdown.** SIGTERM or SIGINT: `/readyz` turns 503, the listener closes, in-flight requests — including their
//! upstream exchanges — get `shutdown_timeout_secs` to finish, then the audit trail is flushed and the process exits. A
//! second signal stops at once.
//!
//! **Plain HTTP** is served only on a loopback address unless the configuration says `allow_plain_http = true` (for a
//! TLS-terminating proxy in front); configuration loading enforces this.

mod edge;
mod forward;
mod health;
mod metrics;
mod oauth_audit;
mod problem;
mod rate_limit;
mod request;
mod soap_route;
mod state;
mod tls;
mod validation;
mod wsdl;

pub use forward::{UpstreamError, UpstreamResponse};
pub use rate_limit::{RateLimiter, Scope, Verdict as RateVerdict};
pub use request::{RequestInfo, header_safe, request_id};
pub use tls::good_provider;
pub use validation::{VALIDATION_NS, ValidationFacts};
pub use wsdl::{VALIDATION_WSDL, WsdlError, rewrite_locations};

use crate::audit::{Auditor, Event, EventKind, FileSink, Sink, StdoutSink, Verdict};
use crate::clock::{Clock, SystemClock};
use crate::config::{AuditSinkKind, Config, ConfigError, LogFormat, MaterialSource};
use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long the audit trail gets to flush at exit.
const AUDIT_FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the server did not start.
#[derive(Debug)]
pub enum StartError {
    /// The configuration (or a file it names) is not usable.
    Config(ConfigError),
    /// The listen address could not be bound.
    Bind(String, std::io::Error),
    /// The audit trail could not be opened or continued.
    Audit(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Config(e) => write!(f, "{e}"),
            StartError::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            StartError::Audit(e) => write!(f, "audit: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

impl From<ConfigError> for StartError {
    fn from(e: ConfigError) -> Self {
        StartError::Config(e)
    }
}

/// Knobs that are not configuration: for the CLI and for tests.
pub struct Options {
    /// The clock for verification and audit (the system clock in production).
    pub clock: Arc<dyn Clock>,
    /// Stop gracefully on SIGTERM/SIGINT (the CLI); tests stop through [`Server::handle`].
    pub handle_signals: bool,
    /// Write audit records here instead of the configured sink (tests).
    pub audit_sink: Option<Box<dyn Sink>>,
}

impl Default for Options {
    fn default() -> Self {
        Options { clock: Arc::new(SystemClock), handle_signals: true, audit_sink: None }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options").field("handle_signals", &self.handle_signals).finish()
    }
}

/// A bound, configured server. [`Server::start`] must run inside an actix system (`actix_web::rt::System`, or
/// `#[actix_web::main]` / `#[actix_web::test]`).
pub struct Server {
    shared: web::Data<state::Shared>,
    server: actix_web::dev::Server,
    addrs: Vec<SocketAddr>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").field("addrs", &self.addrs).finish()
    }
}

impl Server {
    /// Loads everything the configuration names, opens the audit trail, binds the listener and starts the workers.
    pub fn start(config: &Config, options: Options) -> Result<Server, StartError> {
        let s = &config.server;
        let listen: SocketAddr = s
            .listen
            .parse()
            .map_err(|_| ConfigError::new(&config.label(), "server.listen", "not an address and port"))?;
        let tls = match &s.tls {
            Some(t) => Some(tls::server_config(
                &config.material("server.tls.cert", &t.cert)?,
                &config.material("server.tls.key", &t.key)?,
            )?),
            None => None,
        };
        let sink = match options.audit_sink {
            Some(sink) => sink,
            None => audit_sink(config)?,
        };
        let auditor =
            Auditor::start(sink, config.audit.queue_capacity, config.audit.on_full, options.clock.clone())
                .map_err(StartError::Audit)?;
        let listener = TcpListener::bind(listen).map_err(|e| StartError::Bind(s.listen.clone(), e))?;
        let bound = listener.local_addr().map_err(|e| StartError::Bind(s.listen.clone(), e))?;
        let shared = web::Data::new(state::build(config, bound, auditor.clone(), options.clock.clone())?);

        let keep_alive = match s.keep_alive_secs {
            0 => actix_web::http::KeepAlive::Disabled,
            n => actix_web::http::KeepAlive::Timeout(Duration::from_secs(n)),
        };
        let data = shared.clone();
        let http = HttpServer::new(move || app(data.clone()))
            .workers(s.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())))
            .max_connections(s.max_connections)
            .max_connection_rate(s.max_connection_rate)
            .client_request_timeout(Duration::from_secs(s.request_timeout_secs))
            .client_disconnect_timeout(Duration::from_secs(1))
            .keep_alive(keep_alive)
            .shutdown_timeout(s.shutdown_timeout_secs)
            .backlog(1024)
            .disable_signals();
        let http = match tls {
            Some(t) => http.listen_rustls_0_23(listener, t),
            None => http.listen(listener),
        }
        .map_err(|e| StartError::Bind(s.listen.clone(), e))?;
        let addrs = http.addrs();
        let server = http.run();

        let mut start = Event::new(EventKind::ServerStart, options.clock.now(), Verdict::Info);
        start.what.endpoint = Some(shared.public_url.clone());
        start.what.action = Some(if shared.demo { "demo configuration".into() } else { config.label() });
        if auditor.record(start).is_err() {
            return Err(StartError::Audit("cannot write the start record".into()));
        }
        if options.handle_signals {
            spawn_signal_handler(server.handle(), shared.clone());
            if let (Some(oauth), Some(path)) = (&shared.oauth, config.path()) {
                spawn_oauth_reload(oauth.clone(), path.to_path_buf());
            }
        }
        tracing::info!(target: "sluis::server", addrs = ?addrs, public_url = %shared.public_url, config = %shared.label,
            routes = shared.routes.len(), tls = shared.listener_tls, "listening");
        Ok(Server { shared, server, addrs })
    }

    /// The addresses the server listens on.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// A handle to stop the server (`stop(true)` drains in-flight requests).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// The audit trail (to flush it in tests).
    pub fn auditor(&self) -> &Auditor {
        &self.shared.auditor
    }

    /// Runs until stopped, then records the stop and flushes the audit trail.
    pub async fn run(self) -> std::io::Result<()> {
        let Server { shared, server, .. } = self;
        let result = server.await;
        shared.draining.store(true, Ordering::Relaxed);
        let stop = Event::new(EventKind::ServerStop, shared.clock.now(), Verdict::Info);
        let _ = shared.auditor.record(stop);
        let auditor = shared.auditor.clone();
        // Flushing blocks until the writer thread confirms; keep it off the async executor.
        let flushed = web::block(move || auditor.shutdown(AUDIT_FLUSH_TIMEOUT)).await.unwrap_or(false);
        if !flushed {
            tracing::error!(target: "sluis::audit", "audit trail not fully flushed at exit");
        }
        tracing::info!(target: "sluis::server", "stopped");
        result
    }
}

/// Loads and checks everything [`Server::start`] would — trust material, users, TLS certificate and key, WSDLs,
/// upstream CA files — without opening the audit trail or binding the listener (`sluis serve --check`).
pub fn check(config: &Config) -> Result<(), StartError> {
    let s = &config.server;
    let listen: SocketAddr = s
        .listen
        .parse()
        .map_err(|_| ConfigError::new(&config.label(), "server.listen", "not an address and port"))?;
    if let Some(t) = &s.tls {
        tls::server_config(
            &config.material("server.tls.cert", &t.cert)?,
            &config.material("server.tls.key", &t.key)?,
        )?;
    }
    if config.audit.sink == AuditSinkKind::File {
        config.material("audit.path", config.audit.path.as_deref().unwrap_or_default())?;
    }
    let auditor = Auditor::start(Box::new(NullSink), 1, config.audit.on_full, Arc::new(SystemClock))
        .map_err(StartError::Audit)?;
    let built = state::build(config, listen, auditor.clone(), Arc::new(SystemClock));
    auditor.shutdown(Duration::from_secs(1));
    built.map(|_| ()).map_err(StartError::Config)
}

/// A sink that keeps nothing (for [`check`]).
struct NullSink;

impl Sink for NullSink {
    fn write_line(&mut self, _line: &str) -> std::io::Result<()> {
        Ok(())
    }

    fn end_batch(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The application every worker runs.
fn app(
    data: web::Data<state::Shared>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let forwarders = web::Data::new(soap_route::Forwarders::new(&data));
    let mut app = App::new()
        .app_data(data.clone())
        .app_data(forwarders)
        .wrap(from_fn(edge::edge))
        .service(
            web::resource("/healthz").route(web::get().to(health::live)).default_service(web::to(get_only)),
        )
        .service(
            web::resource("/readyz").route(web::get().to(health::ready)).default_service(web::to(get_only)),
        );
    if data.metrics.is_some() {
        app = app.service(
            web::resource("/metrics")
                .route(web::get().to(metrics::metrics))
                .default_service(web::to(get_only)),
        );
    }
    // The OAuth 2.0 authorization server (crate::oauth): /oauth2/token, /oauth2/jwks, /oauth2/introspect,
    // /oauth2/revoke, /.well-known/oauth-authorization-server and /.well-known/openid-configuration. Route paths under
    // /oauth2 and /.well-known are reserved for it.
    if let Some(oauth) = &data.oauth {
        let oauth = oauth.clone();
        app = app.configure(move |cfg| crate::oauth::http::configure(cfg, oauth));
    }
    for r in &data.routes {
        app = app.service(
            web::resource(r.path.as_str())
                .route(web::post().to(soap_route::call))
                .route(web::get().to(soap_route::wsdl))
                .default_service(web::to(soap_route::method_not_allowed)),
        );
    }
    app.default_service(web::to(not_found))
}

/// 405 for the GET-only endpoints (probes, metrics).
async fn get_only() -> HttpResponse {
    let mut res = problem::problem(actix_web::http::StatusCode::METHOD_NOT_ALLOWED, "Use GET.");
    res.headers_mut()
        .insert(actix_web::http::header::ALLOW, actix_web::http::header::HeaderValue::from_static("GET"));
    res
}

async fn not_found() -> HttpResponse {
    problem::problem(actix_web::http::StatusCode::NOT_FOUND, "No such endpoint.")
}

fn audit_sink(config: &Config) -> Result<Box<dyn Sink>, StartError> {
    let a = &config.audit;
    match a.sink {
        AuditSinkKind::Stdout => Ok(Box::new(StdoutSink)),
        AuditSinkKind::File => {
            let spec = a.path.as_deref().unwrap_or_default();
            let m = config.material("audit.path", spec)?;
            let MaterialSource::File(path) = &m.source else {
                return Err(ConfigError::new(&config.label(), "audit.path", "must be a file").into());
            };
            let sink = FileSink::open(path, a.fsync)
                .map_err(|e| StartError::Audit(format!("{}: {e}", path.display())))?;
            Ok(Box::new(sink))
        }
    }
}

/// SIGHUP re-reads the configuration file's `[oauth]` table and swaps it in (clients and issuers added or disabled on
/// a running server); a file that does not load leaves the running configuration in place.
fn spawn_oauth_reload(oauth: Arc<crate::oauth::AuthorizationServer>, path: std::path::PathBuf) {
    let load = move || {
        let config = Config::load(&path)
            .map_err(|e| crate::oauth::ConfigError { at: e.field.clone(), message: e.to_string() })?;
        config.oauth.ok_or_else(|| crate::oauth::ConfigError {
            at: "oauth".into(),
            message: "the [oauth] table was removed; restart to turn the authorization server off".into(),
        })
    };
    let report = |outcome: Result<(), crate::oauth::ConfigError>| match outcome {
        Ok(()) => tracing::info!(target: "sluis::server", "SIGHUP: OAuth configuration reloaded"),
        Err(e) => {
            tracing::error!(target: "sluis::server", error = %e, "SIGHUP: OAuth configuration not reloaded")
        }
    };
    if let Err(e) = crate::oauth::http::spawn_reload_on_sighup(oauth, load, report) {
        tracing::error!(target: "sluis::server", error = %e, "cannot listen for SIGHUP");
    }
}

fn spawn_signal_handler(handle: ServerHandle, shared: web::Data<state::Shared>) {
    actix_web::rt::spawn(async move {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(target: "sluis::server", error = %e, "cannot listen for SIGTERM");
                return;
            }
        };
        let mut graceful = true;
        loop {
            let name = tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            };
            if graceful {
                tracing::info!(target: "sluis::server", signal = name, "draining: no new connections, finishing in-flight requests");
                shared.draining.store(true, Ordering::Relaxed);
                let h = handle.clone();
                actix_web::rt::spawn(async move { h.stop(true).await });
                graceful = false;
            } else {
                tracing::warn!(target: "sluis::server", signal = name, "second signal: stopping now");
                handle.stop(false).await;
                return;
            }
        }
    });
}

/// Installs the global log subscriber (stderr; text or JSON). `RUST_LOG` overrides `level`. Later calls are no-ops.
pub fn init_logging(format: LogFormat, level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[cfg(test)]
mod tests;
