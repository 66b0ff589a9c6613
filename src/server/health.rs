//! `GET /healthz` (the process is alive and serving) and `GET /readyz` (it should get traffic: configuration and keys
//! loaded, the replay cache in place, the audit trail writable, not draining).

use super::state::Shared;
use actix_web::{HttpResponse, web};
use std::sync::atomic::Ordering;

/// `GET /healthz`.
pub(crate) async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /readyz`: 200 when every check passes, 503 otherwise, with the checks in the body.
pub(crate) async fn ready(shared: web::Data<Shared>) -> HttpResponse {
    let audit = shared.auditor.is_healthy();
    let draining = shared.draining.load(Ordering::Relaxed);
    // Configuration, keys and users were loaded before the listener opened (a failure there stops startup), and the
    // replay cache is in memory: they are reported for completeness and cannot be false while serving.
    let checks = serde_json::json!({
        "config": "ok",
        "keys": if shared.security.trust().is_empty() { "none configured" } else { "ok" },
        "replay_cache": "ok",
        "oauth": if shared.oauth.is_some() { "ok" } else { "not configured" },
        "audit": if audit { "ok" } else { "failing" },
        "draining": draining,
    });
    let ok = audit && !draining;
    let body = serde_json::json!({"status": if ok { "ready" } else { "not ready" }, "checks": checks});
    if ok { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}
