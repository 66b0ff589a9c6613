//! `GET /healthz` (the process is alive and serving) and `GET /readyz` (it should get traffic: configuration and keys
//! loaded, the replay cache in place (a shared store answering), the audit trail writable, not draining).

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
    let replay = shared.security.replay_cache().is_reachable();
    let draining = shared.draining.load(Ordering::Relaxed);
    // Configuration, keys and users were loaded before the listener opened (a failure there stops startup): they are
    // reported for completeness. A shared replay store is asked (one PING); a memory cache is always there.
    let checks = serde_json::json!({
        "config": "ok",
        "keys": if shared.security.trust().is_empty() { "none configured" } else { "ok" },
        "replay_cache": match (replay, shared.security.replay_cache().is_shared()) {
            (true, false) => "ok",
            (true, true) => "ok (shared)",
            (false, _) => "unreachable",
        },
        "oauth": if shared.oauth.is_some() { "ok" } else { "not configured" },
        "audit": if audit { "ok" } else { "failing" },
        "draining": draining,
    });
    let ok = audit && replay && !draining;
    let body = serde_json::json!({"status": if ok { "ready" } else { "not ready" }, "checks": checks});
    if ok { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}
