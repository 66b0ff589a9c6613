//! The checks serde cannot express. Each failure names its field; the first one found is reported.

use super::{BucketConfig, Config, ConfigError, RouteConfig};
use std::net::{IpAddr, SocketAddr};

/// Paths the server answers itself; a route may not take them.
const RESERVED_PATHS: &[&str] = &["/healthz", "/readyz", "/metrics"];
/// Path prefixes the OAuth endpoints use.
const RESERVED_PREFIXES: &[&str] = &["/oauth2", "/.well-known"];
/// The largest request body a route may accept (64 MiB): well past any SOAP message a DOM-based gateway should hold.
const MAX_BODY_LIMIT: usize = 64 * 1024 * 1024;
/// The largest upstream response a route may relay (256 MiB).
const MAX_RESPONSE_LIMIT: usize = 256 * 1024 * 1024;
/// The longest route path.
const MAX_PATH_LEN: usize = 256;

pub(super) fn check(c: &Config, file: &str) -> Result<(), ConfigError> {
    let err = |field: &str, msg: String| ConfigError::new(file, field, msg);
    let s = &c.server;

    let listen: SocketAddr = s
        .listen
        .parse()
        .map_err(|_| err("server.listen", format!("{:?} is not an IP address and port", s.listen)))?;
    if s.tls.is_none() && !listen.ip().is_loopback() && !s.allow_plain_http {
        return Err(err(
            "server.listen",
            format!(
                "{listen} is not a loopback address and [server.tls] is not set; plain HTTP is served only on \
                 loopback unless server.allow_plain_http = true (e.g. behind a TLS-terminating proxy)"
            ),
        ));
    }
    if let Some(tls) = &s.tls {
        if tls.cert.is_empty() {
            return Err(err("server.tls.cert", "empty path".into()));
        }
        if tls.key.is_empty() {
            return Err(err("server.tls.key", "empty path".into()));
        }
    }
    if let Some(url) = &s.public_url {
        let u = http_url(url).map_err(|m| err("server.public_url", m))?;
        if u.query().is_some() {
            return Err(err("server.public_url", "must not have a query".into()));
        }
    }
    range(file, "server.workers", s.workers.unwrap_or(1), 1, 256)?;
    range(file, "server.max_connections", s.max_connections, 1, 1_000_000)?;
    range(file, "server.max_connection_rate", s.max_connection_rate, 1, 100_000)?;
    range(file, "server.request_timeout_secs", s.request_timeout_secs, 1, 600)?;
    range(file, "server.keep_alive_secs", s.keep_alive_secs, 0, 3600)?;
    range(file, "server.shutdown_timeout_secs", s.shutdown_timeout_secs, 0, 3600)?;
    range(file, "server.max_body_bytes", s.max_body_bytes, 1, MAX_BODY_LIMIT)?;
    for (i, p) in s.trusted_proxies.iter().enumerate() {
        super::IpRange::parse(p).ok_or_else(|| {
            err(&format!("server.trusted_proxies[{i}]"), format!("{p:?} is not an IP address or CIDR"))
        })?;
    }
    tracing_subscriber::EnvFilter::try_new(&s.log_level)
        .map_err(|e| err("server.log_level", format!("{:?}: {e}", s.log_level)))?;

    let w = &c.wss;
    range(file, "wss.trust.min_rsa_bits", w.trust.min_rsa_bits, 1024, 16_384)?;
    range(file, "wss.max_message_bytes", w.max_message_bytes, 1, MAX_BODY_LIMIT)?;
    range(file, "wss.nonce_cache_capacity", w.nonce_cache_capacity, 1, 10_000_000)?;
    range(file, "wss.clock_skew_seconds", w.clock_skew_seconds, 0, 3600)?;

    if c.routes.is_empty() && c.oauth.is_none() {
        return Err(err(
            "routes",
            "no [[routes]] (and no [oauth]): the server would have nothing to do".into(),
        ));
    }
    for (i, r) in c.routes.iter().enumerate() {
        route(file, i, r)?;
        if r.exchange && c.oauth.is_none() {
            return Err(err(
                &format!("routes[{i}].exchange"),
                "needs an [oauth] table to mint tokens with".into(),
            ));
        }
        if let Some(j) = c.routes.get(..i).and_then(|before| before.iter().position(|o| o.path == r.path)) {
            return Err(err(
                &format!("routes[{i}].path"),
                format!("{:?} is already used by routes[{j}]", r.path),
            ));
        }
    }

    let a = &c.audit;
    if a.sink == super::AuditSinkKind::File && a.path.as_deref().is_none_or(str::is_empty) {
        return Err(err("audit.path", "sink = \"file\" needs a path".into()));
    }
    range(file, "audit.queue_capacity", a.queue_capacity, 1, 1_000_000)?;

    let rl = &c.rate_limit;
    bucket(file, "rate_limit", &rl.bucket())?;
    range(file, "rate_limit.max_clients", rl.max_clients, 1, 10_000_000)?;
    range(file, "rate_limit.idle_secs", rl.idle_secs, 1, 86_400)?;

    if let Some(r) = &c.replay_store {
        match (&r.url, &r.url_env) {
            (Some(url), None) => {
                if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                    return Err(err("replay_store.url", "must be a redis:// or rediss:// URL".into()));
                }
            }
            (None, Some(var)) if !var.is_empty() => {}
            (None, Some(_)) => return Err(err("replay_store.url_env", "empty variable name".into())),
            _ => return Err(err("replay_store", "give url or url_env (one of them)".into())),
        }
        if r.ca_file.is_some() && r.url.as_deref().is_some_and(|u| !u.starts_with("rediss://")) {
            return Err(err("replay_store.ca_file", "only for a rediss:// URL".into()));
        }
        range(file, "replay_store.timeout_ms", r.timeout_ms, 10, 10_000)?;
        range(file, "replay_store.pool_size", r.pool_size, 1, 1024)?;
        if r.key_prefix.len() > 128 || !r.key_prefix.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(err("replay_store.key_prefix", "at most 128 printable characters, no spaces".into()));
        }
    }
    for (i, a) in c.metrics.allow.iter().enumerate() {
        super::IpRange::parse(a).ok_or_else(|| {
            err(&format!("metrics.allow[{i}]"), format!("{a:?} is not an IP address or CIDR"))
        })?;
    }

    let cors = &c.cors;
    for (i, o) in cors.allowed_origins.iter().enumerate() {
        origin(o).map_err(|m| err(&format!("cors.allowed_origins[{i}]"), m))?;
    }
    for (i, h) in cors.allowed_headers.iter().enumerate() {
        if h.is_empty() || !h.bytes().all(is_tchar) {
            return Err(err(&format!("cors.allowed_headers[{i}]"), format!("{h:?} is not a header name")));
        }
    }
    range(file, "cors.max_age_secs", cors.max_age_secs, 0, 86_400)?;
    Ok(())
}

fn route(file: &str, i: usize, r: &RouteConfig) -> Result<(), ConfigError> {
    let field = |name: &str| format!("routes[{i}].{name}");
    let err = |name: &str, msg: String| ConfigError::new(file, field(name), msg);
    route_path(&r.path).map_err(|m| err("path", m))?;
    if let Some(up) = &r.upstream {
        let u = http_url(up).map_err(|m| err("upstream", m))?;
        if u.scheme() == "http" && !r.allow_plain_upstream && !host_is_loopback(&u) {
            return Err(err(
                "upstream",
                format!(
                    "{up:?} is plain HTTP to a non-loopback host; use https or set routes[{i}].allow_plain_upstream = \
                     true"
                ),
            ));
        }
        if r.upstream_ca.is_some() && u.scheme() != "https" {
            return Err(err("upstream_ca", "only meaningful for an https upstream".into()));
        }
    } else if r.upstream_ca.is_some() {
        return Err(err("upstream_ca", "set without an upstream".into()));
    }
    range(file, &field("upstream_timeout_secs"), r.upstream_timeout_secs, 1, 600)?;
    range(
        file,
        &field("upstream_connect_timeout_secs"),
        r.upstream_connect_timeout_secs,
        1,
        r.upstream_timeout_secs,
    )?;
    if let Some(max) = r.max_body_bytes {
        range(file, &field("max_body_bytes"), max, 1, MAX_BODY_LIMIT)?;
    }
    range(file, &field("max_response_bytes"), r.max_response_bytes, 1, MAX_RESPONSE_LIMIT)?;
    if let Some(b) = &r.rate_limit {
        bucket(file, &field("rate_limit"), b)?;
    }
    if r.exchange && r.upstream.is_none() {
        return Err(err("exchange", "needs an upstream to send the token to".into()));
    }
    if r.exchange_client_id.is_empty() || r.exchange_client_id.chars().any(char::is_control) {
        return Err(err(
            "exchange_client_id",
            "must be a non-empty string without control characters".into(),
        ));
    }
    if r.policy.accepted_tokens.is_empty() {
        return Err(err("policy.accepted_tokens", "empty: no caller could ever be accepted".into()));
    }
    Ok(())
}

/// A route path: `/` then segments of unreserved URL characters, no empty, `.` or `..` segment, no trailing `/`.
fn route_path(p: &str) -> Result<(), String> {
    if !p.starts_with('/') {
        return Err(format!("{p:?} must start with '/'"));
    }
    if p.len() > MAX_PATH_LEN {
        return Err(format!("longer than {MAX_PATH_LEN} bytes"));
    }
    if p.len() > 1 && p.ends_with('/') {
        return Err(format!("{p:?} must not end with '/'"));
    }
    if let Some(c) =
        p.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_' | '~')))
    {
        return Err(format!("{p:?} contains {c:?}; use letters, digits and - . _ ~ only"));
    }
    if p == "/" || p.split('/').skip(1).any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return Err(format!("{p:?} has an empty, '.' or '..' segment"));
    }
    if RESERVED_PATHS.contains(&p)
        || RESERVED_PREFIXES.iter().any(|r| p == *r || p.starts_with(&format!("{r}/")))
    {
        return Err(format!("{p:?} is reserved for sluis's own endpoints"));
    }
    Ok(())
}

/// An absolute `http`/`https` URL with a host, no credentials and no fragment.
fn http_url(s: &str) -> Result<reqwest::Url, String> {
    let u = reqwest::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("{s:?}: scheme must be http or https"));
    }
    if u.host().is_none() {
        return Err(format!("{s:?} has no host"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(format!("{s:?}: credentials in URLs end up in logs; not accepted"));
    }
    if u.fragment().is_some() {
        return Err(format!("{s:?} must not have a fragment"));
    }
    Ok(u)
}

fn host_is_loopback(u: &reqwest::Url) -> bool {
    let host = u.host_str().unwrap_or_default();
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(is_loopback)
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing else. `*` and `null` are refused.
fn origin(o: &str) -> Result<(), String> {
    if o.contains('*') {
        return Err(format!("{o:?}: wildcards are not allowed; list each origin"));
    }
    if o == "null" {
        return Err("\"null\" is not allowed (sandboxed and file: pages share it)".into());
    }
    let u = http_url(o)?;
    if u.path() != "/" || o.ends_with('/') || u.query().is_some() {
        return Err(format!("{o:?}: an origin is scheme://host[:port] without a path"));
    }
    if u.origin().ascii_serialization() != o {
        return Err(format!("{o:?}: write it as {}", u.origin().ascii_serialization()));
    }
    Ok(())
}

fn bucket(file: &str, field: &str, b: &BucketConfig) -> Result<(), ConfigError> {
    range(file, &format!("{field}.burst"), b.burst, 1, 1_000_000)?;
    if !(b.per_second.is_finite() && b.per_second > 0.0 && b.per_second <= 1_000_000.0) {
        return Err(ConfigError::new(file, format!("{field}.per_second"), "must be > 0 and at most 1000000"));
    }
    Ok(())
}

fn range<T: PartialOrd + std::fmt::Display + Copy>(
    file: &str,
    field: &str,
    v: T,
    min: T,
    max: T,
) -> Result<(), ConfigError> {
    if v < min || v > max {
        return Err(ConfigError::new(file, field, format!("{v} is out of range {min}..={max}")));
    }
    Ok(())
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether an address is loopback (used by the server for its plain-HTTP rule too).
pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_loopback(),
        IpAddr::V6(a) => a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}
