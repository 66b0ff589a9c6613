//! RFC 9457 problem details for the HTTP-level refusals that are not SOAP faults (rate limits, CORS, unknown paths).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

/// An `application/problem+json` response: `type` is `about:blank`, so `title` is the status's reason phrase
/// (RFC 9457 §4.2.1); `detail` says what to do about it. Details are fixed texts, never request content.
pub(crate) fn problem(status: StatusCode, detail: &str) -> HttpResponse {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    HttpResponse::build(status).content_type("application/problem+json").body(body.to_string())
}
