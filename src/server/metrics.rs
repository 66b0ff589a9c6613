//! `GET /metrics` ([`crate::metrics`]): only for the addresses `[metrics] allow` lists (loopback by default), and only
//! mounted when `[metrics] enabled = true`.

use super::problem::problem;
use super::request::RequestInfo;
use super::state::Shared;
use crate::metrics::Sample;
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

/// The server's own fixed endpoints; with the OAuth ones ([`crate::oauth::http::PATHS`]) they are the known labels,
/// and every other unrouted path counts as `other`.
const OWN: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The `route` label of a request: the configured route, a known endpoint, or `other` (never the raw path a client
/// chose, which would let it mint series).
pub(crate) fn route_label<'a>(route: Option<&'a str>, path: &'a str) -> &'a str {
    match route {
        Some(r) => r,
        None if OWN.contains(&path) || crate::oauth::http::PATHS.contains(&path) => path,
        None => "other",
    }
}

/// `GET /metrics`.
pub(crate) async fn metrics(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let Some(metrics) = &shared.metrics else {
        return problem(StatusCode::NOT_FOUND, "No such endpoint.");
    };
    let client = req.extensions().get::<RequestInfo>().map(|i| i.client_ip);
    if !client.is_some_and(|ip| shared.metrics_allow.iter().any(|r| r.contains(ip))) {
        return problem(StatusCode::FORBIDDEN, "Metrics are not available to this address.");
    }
    let audit = shared.auditor.stats();
    let cache = shared.security.trust().cache_stats();
    let as_f64 = |n: u64| n as f64;
    let samples = [
        Sample {
            name: "sluis_audit_records_written_total",
            kind: "counter",
            help: "Audit records written to the trail.",
            value: as_f64(audit.written),
        },
        Sample {
            name: "sluis_audit_records_dropped_total",
            kind: "counter",
            help: "Audit records dropped (only with audit.on_full = \"drop\").",
            value: as_f64(audit.dropped),
        },
        Sample {
            name: "sluis_audit_queue_depth",
            kind: "gauge",
            help: "Audit records waiting for the writer.",
            value: audit.queued as f64,
        },
        Sample {
            name: "sluis_audit_queue_capacity",
            kind: "gauge",
            help: "The audit queue's capacity.",
            value: audit.capacity as f64,
        },
        Sample {
            name: "sluis_audit_sink_failed",
            kind: "gauge",
            help: "1 while the audit sink's last write failed.",
            value: if audit.sink_failed { 1.0 } else { 0.0 },
        },
        Sample {
            name: "sluis_trust_path_cache_hits_total",
            kind: "counter",
            help: "Certificate path validations answered from the cache.",
            value: as_f64(cache.hits),
        },
        Sample {
            name: "sluis_trust_path_cache_misses_total",
            kind: "counter",
            help: "Certificate path validations run.",
            value: as_f64(cache.misses),
        },
        Sample {
            name: "sluis_trust_path_cache_entries",
            kind: "gauge",
            help: "Validated certificate paths cached.",
            value: cache.entries as f64,
        },
        Sample {
            name: "sluis_draining",
            kind: "gauge",
            help: "1 once shutdown has begun.",
            value: if shared.draining.load(std::sync::atomic::Ordering::Relaxed) { 1.0 } else { 0.0 },
        },
    ];
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics.render(&samples))
}
