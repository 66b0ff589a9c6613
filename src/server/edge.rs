//! The edge middleware every request passes: request id, client address, CORS, rate limits, security headers, the
//! access log line. It runs before routing, so it knows a SOAP route only by its exact path.

use super::problem::problem;
use super::rate_limit::{Scope, Verdict};
use super::request::{RequestInfo, client_ip, request_id};
use super::state::Shared;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use std::time::Instant;

/// Paths that are never rate limited or counted: orchestrator probes.
const PROBES: &[&str] = &["/healthz", "/readyz"];
/// Methods a browser may use cross-origin.
const CORS_METHODS: &str = "POST, GET, OPTIONS";
/// Response headers a browser script may read.
const CORS_EXPOSE: &str =
    "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After";

/// The middleware (use with [`actix_web::middleware::from_fn`]).
pub(crate) async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let started = Instant::now();
    let Some(shared) = req.app_data::<web::Data<Shared>>().cloned() else {
        // Only reachable if the app is built without its state; answer rather than panic.
        let res = HttpResponse::InternalServerError().finish();
        return Ok(req.into_response(res).map_into_right_body());
    };
    let info = request_info(&req, &shared);
    req.extensions_mut().insert(info.clone());
    req.extensions_mut()
        .insert(crate::oauth::Origin { client_ip: Some(info.client_ip), request_id: Some(info.id.clone()) });
    let path = req.path().to_owned();
    let route = shared.route(&path);
    let route_label = route.map_or("-", |r| r.path.as_str()).to_owned();
    let method = req.method().clone();
    let done = Done { shared: &shared, info: &info, route: &route_label, method: &method, started };

    // CORS: an Origin that is neither configured nor our own is refused outright (this also stops cross-site form
    // posts); a configured one gets the CORS headers; preflights are answered here.
    let cors_origin = match req.headers().get(header::ORIGIN) {
        None => None,
        Some(o) if shared.cors.allowed_origins.iter().any(|a| a.as_bytes() == o.as_bytes()) => {
            Some(o.clone())
        }
        Some(o) if o.as_bytes() == shared.public_origin.as_bytes() => None,
        Some(_) => {
            let res = problem(StatusCode::FORBIDDEN, "The request's Origin is not allowed.");
            return Ok(done.finish(req.into_response(res), None, None).map_into_right_body());
        }
    };
    if method == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        let res = match &cors_origin {
            Some(_) => preflight(&shared),
            None => problem(StatusCode::FORBIDDEN, "Cross-origin requests are not allowed from this origin."),
        };
        return Ok(done.finish(req.into_response(res), None, cors_origin.as_ref()).map_into_right_body());
    }

    // The OAuth endpoints record their decisions through an observer after the fact; in fail-closed mode a token is
    // not even attempted while the audit trail cannot take a record.
    if method == Method::POST
        && path.starts_with("/oauth2/")
        && shared.oauth.is_some()
        && let Err(e) = shared.auditor.reserve()
    {
        tracing::error!(target: "sluis::audit", request_id = %info.id, error = %e, "request refused: cannot audit");
        let res = problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service cannot record this request; try again later.",
        );
        return Ok(done.finish(req.into_response(res), None, cors_origin.as_ref()).map_into_right_body());
    }

    let verdict = match (&shared.limiter, PROBES.contains(&path.as_str())) {
        (Some(limiter), false) => {
            let now = Instant::now();
            let mut v = limiter.check(info.client_ip, Scope::Global, shared.bucket, now);
            if let Some(r) = route
                && let Some(b) = r.bucket
            {
                v = v.stricter(limiter.check(info.client_ip, Scope::Route(r.index), b, now));
            }
            Some(v)
        }
        _ => None,
    };
    if let Some(v) = verdict.filter(|v| !v.allowed) {
        let mut res = problem(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Rate limit exceeded; retry in {} seconds.", v.retry_after_secs),
        );
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(v.retry_after_secs));
        return Ok(done.finish(req.into_response(res), verdict, cors_origin.as_ref()).map_into_right_body());
    }

    // Handlers answer with responses, never errors; an error here (a missing extractor) is left to actix to render.
    // (Holding a clone of the request across `next.call` is not possible: routing needs it uniquely owned.)
    let res = next.call(req).await?.map_into_left_body();
    Ok(done.finish(res, verdict, cors_origin.as_ref()))
}

fn request_info(req: &ServiceRequest, shared: &Shared) -> RequestInfo {
    let id = request_id(req.headers().get("x-request-id").map(HeaderValue::as_bytes));
    let xff: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    let (client, peer, forwarded_for) = client_ip(req.peer_addr().map(|a| a.ip()), &xff, &shared.proxies);
    let behind_tls_proxy = forwarded_for.is_some()
        && req
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    RequestInfo {
        id,
        client_ip: client,
        peer_ip: peer,
        forwarded_for,
        tls: shared.listener_tls || behind_tls_proxy,
    }
}

fn preflight(shared: &Shared) -> HttpResponse {
    let mut res = HttpResponse::NoContent().finish();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(CORS_METHODS));
    if let Ok(v) = HeaderValue::from_str(&shared.cors.allowed_headers.join(", ")) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(shared.cors.max_age_secs));
    res
}

/// What every response of one request is finished with.
struct Done<'a> {
    shared: &'a Shared,
    info: &'a RequestInfo,
    route: &'a str,
    method: &'a Method,
    started: Instant,
}

impl Done<'_> {
    /// Adds the headers every response carries, counts it ([`crate::metrics`]) and writes the access log line.
    fn finish<B>(
        &self,
        mut res: ServiceResponse<B>,
        verdict: Option<Verdict>,
        cors_origin: Option<&HeaderValue>,
    ) -> ServiceResponse<B> {
        let (shared, info, route) = (self.shared, self.info, self.route);
        let status = res.status();
        security_headers(res.headers_mut(), shared, info, verdict, cors_origin);
        if let Some(m) = &shared.metrics {
            let label = super::metrics::route_label((route != "-").then_some(route), res.request().path());
            m.observe_http(label, status.as_u16(), self.started.elapsed());
        }
        tracing::info!(
            target: "sluis::access",
            request_id = %info.id,
            method = %self.method,
            route,
            status = status.as_u16(),
            client_ip = %info.client_ip,
            elapsed_ms = self.started.elapsed().as_millis() as u64,
            "request"
        );
        res
    }
}

fn security_headers(
    h: &mut HeaderMap,
    shared: &Shared,
    info: &RequestInfo,
    verdict: Option<Verdict>,
    cors_origin: Option<&HeaderValue>,
) {
    if let Ok(id) = HeaderValue::from_str(&info.id) {
        h.insert(HeaderName::from_static("x-request-id"), id);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Faults, validation responses and relayed answers carry identities and health data: never cache them. A handler
    // that serves something cacheable (the WSDL) sets its own Cache-Control.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if shared.listener_tls {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if let Some(v) = verdict {
        h.insert(HeaderName::from_static("x-ratelimit-limit"), HeaderValue::from(v.limit));
        h.insert(HeaderName::from_static("x-ratelimit-remaining"), HeaderValue::from(v.remaining));
        h.insert(HeaderName::from_static("x-ratelimit-reset"), HeaderValue::from(v.reset_secs));
    }
    if !shared.cors.allowed_origins.is_empty() {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    if let Some(origin) = cors_origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(CORS_EXPOSE));
    }
}
