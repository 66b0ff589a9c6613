//! The actix-web endpoints of the authorization server — a few lines of wiring each around [`AuthorizationServer`]:
//!
//! | route | does |
//! |---|---|
//! | `POST /oauth2/token` | [`AuthorizationServer::token_at`] |
//! | `GET /oauth2/jwks` | the JWK Set |
//! | `GET /.well-known/oauth-authorization-server` | RFC 8414 metadata |
//! | `GET /.well-known/openid-configuration` | the same document |
//! | `POST /oauth2/introspect` | RFC 7662 |
//! | `POST /oauth2/revoke` | RFC 7009 |
//!
//! Other methods on these paths get 405. Bodies are read up to the configured bound and no further (an oversized body
//! is refused without buffering it). Request handling — argon2 verification can take tens of milliseconds — runs on
//! actix's blocking pool, never on the event loop. Token, introspection and error responses carry
//! `Cache-Control: no-store` and `Pragma: no-cache`; a 401 carries `WWW-Authenticate: Basic realm="…"`.
//!
//! [`spawn_reload_on_sighup`] is the SIGHUP hook: the server calls it with a function that re-reads the configuration.

use std::sync::Arc;

use actix_web::HttpMessage as _;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt as _;

use super::response::{NO_STORE_HEADERS, Refusal};
use super::{AuthorizationServer, ConfigError, HttpInput, OAuthConfig};
use crate::reason::OAuthReason;

/// The token endpoint (RFC 6749 §3.2).
pub const TOKEN_PATH: &str = "/oauth2/token";
/// The JWK Set (RFC 7517).
pub const JWKS_PATH: &str = "/oauth2/jwks";
/// Authorization server metadata (RFC 8414).
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
/// The same metadata where OpenID clients look for it.
pub const OPENID_METADATA_PATH: &str = "/.well-known/openid-configuration";
/// Token introspection (RFC 7662).
pub const INTROSPECT_PATH: &str = "/oauth2/introspect";
/// Token revocation (RFC 7009).
pub const REVOKE_PATH: &str = "/oauth2/revoke";
/// Every path [`configure`] mounts.
pub const PATHS: [&str; 6] =
    [TOKEN_PATH, JWKS_PATH, METADATA_PATH, OPENID_METADATA_PATH, INTROSPECT_PATH, REVOKE_PATH];

/// Mounts the endpoints on `cfg`.
pub fn configure(cfg: &mut web::ServiceConfig, server: Arc<AuthorizationServer>) {
    cfg.app_data(web::Data::from(server))
        .service(web::resource(TOKEN_PATH).route(web::post().to(token)).default_service(web::to(post_only)))
        .service(web::resource(JWKS_PATH).route(web::get().to(jwks)).default_service(web::to(get_only)))
        .service(
            web::resource(METADATA_PATH).route(web::get().to(metadata)).default_service(web::to(get_only)),
        )
        .service(
            web::resource(OPENID_METADATA_PATH)
                .route(web::get().to(metadata))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource(INTROSPECT_PATH)
                .route(web::post().to(introspect))
                .default_service(web::to(post_only)),
        )
        .service(
            web::resource(REVOKE_PATH).route(web::post().to(revoke)).default_service(web::to(post_only)),
        );
}

/// 405 with `Allow` and an RFC 9457 problem, for any other method.
fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": format!("Use {allow}."),
    });
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .content_type("application/problem+json")
        .body(body.to_string())
}

async fn post_only() -> HttpResponse {
    method_not_allowed("POST")
}

async fn get_only() -> HttpResponse {
    method_not_allowed("GET")
}

/// Reads the body up to `limit` bytes; `Err` as soon as it grows beyond.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Bytes, OAuthReason> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| OAuthReason::RequestMalformed)?;
        if body.len() + chunk.len() > limit {
            return Err(OAuthReason::RequestTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn json(status: StatusCode, body: String) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.content_type("application/json");
    for (k, v) in NO_STORE_HEADERS {
        resp.insert_header((k, v));
    }
    resp.body(body)
}

fn refused(server: &AuthorizationServer, refusal: &Refusal) -> HttpResponse {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = json(status, refusal.body_json());
    if let Some(challenge) = refusal.www_authenticate(&server.registry().settings.realm)
        && let Ok(v) = HeaderValue::from_str(&challenge)
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// Runs `f` on the blocking pool with the request's parts.
async fn handle<T: Send + 'static>(
    server: web::Data<AuthorizationServer>,
    req: HttpRequest,
    payload: web::Payload,
    f: fn(&AuthorizationServer, &HttpInput<'_>) -> Result<T, Refusal>,
) -> Result<T, HttpResponse> {
    let limit = server.registry().settings.max_request_bytes;
    let body = match read_body(payload, limit).await {
        Ok(b) => b,
        Err(r) => return Err(refused(&server, &Refusal::new(r))),
    };
    let content_type = header_str(&req, header::CONTENT_TYPE).map(str::to_owned);
    let authorization = header_str(&req, header::AUTHORIZATION).map(str::to_owned);
    let origin = req.extensions().get::<super::Origin>().cloned();
    let srv = server.clone().into_inner();
    let out = web::block(move || {
        let input = HttpInput {
            content_type: content_type.as_deref(),
            authorization: authorization.as_deref(),
            body: &body,
            origin: origin.as_ref(),
        };
        f(&srv, &input)
    })
    .await;
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(refusal)) => Err(refused(&server, &refusal)),
        Err(_) => {
            Err(refused(&server, &Refusal::new(crate::reason::Reason::Internal("oauth blocking pool"))))
        }
    }
}

async fn token(
    server: web::Data<AuthorizationServer>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match handle(server, req, payload, |s, i| s.token_at(i, s.clock().now())).await {
        Ok(issued) => json(StatusCode::OK, issued.response_json()),
        Err(resp) => resp,
    }
}

async fn introspect(
    server: web::Data<AuthorizationServer>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match handle(server, req, payload, |s, i| s.introspect_at(i, s.clock().now())).await {
        Ok(out) => json(StatusCode::OK, out.response.to_string()),
        Err(resp) => resp,
    }
}

async fn revoke(
    server: web::Data<AuthorizationServer>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match handle(server, req, payload, |s, i| s.revoke_at(i, s.clock().now())).await {
        Ok(()) => json(StatusCode::OK, String::new()),
        Err(resp) => resp,
    }
}

async fn jwks(server: web::Data<AuthorizationServer>) -> HttpResponse {
    // Cacheable for a short while: keys are published as `next` before they sign, so a cached set stays sufficient.
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(server.jwks_json())
}

async fn metadata(server: web::Data<AuthorizationServer>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(server.metadata_json())
}

/// Reloads the OAuth configuration on every SIGHUP, with `load` re-reading it; a failed load or a refused
/// configuration leaves the running one in place and is reported to `report`. Call it from within the actix system
/// (it spawns a task on the current runtime).
pub fn spawn_reload_on_sighup<L, R>(
    server: Arc<AuthorizationServer>,
    load: L,
    report: R,
) -> std::io::Result<()>
where
    L: Fn() -> Result<OAuthConfig, ConfigError> + Send + 'static,
    R: Fn(Result<(), ConfigError>) + Send + 'static,
{
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup())?;
    actix_web::rt::spawn(async move {
        while hangup.recv().await.is_some() {
            report(load().and_then(|config| server.reload(&config)));
        }
    });
    Ok(())
}
