//! The actix-web layer of the authorization server (`sluis::oauth::http::configure`): routes, methods, status codes,
//! the no-store and `WWW-Authenticate` headers, the streamed body bound.

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{App, test};
use serde_json::Value;
use sluis::oauth::http;

use crate::oauth::fixture::*;

macro_rules! service {
    ($fx:expr) => {{
        let server = Arc::clone(&$fx.server);
        test::init_service(App::new().configure(move |cfg| http::configure(cfg, server))).await
    }};
}

fn form_post(uri: &str, body: &str, basic: Option<(&str, &str)>) -> test::TestRequest {
    let mut req = test::TestRequest::post()
        .uri(uri)
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload(body.to_owned());
    if let Some((id, secret)) = basic {
        req = req.insert_header((header::AUTHORIZATION, basic_header(id, secret)));
    }
    req
}

fn header_of(resp: &actix_web::dev::ServiceResponse, name: header::HeaderName) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

#[actix_web::test]
async fn token_endpoint_success_and_errors() {
    let fx = Fixture::new();
    let app = service!(fx);

    let resp = test::call_service(
        &app,
        form_post("/oauth2/token", "grant_type=client_credentials", Some(("svc", SECRET))).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header_of(&resp, header::CACHE_CONTROL).as_deref(), Some("no-store"));
    assert_eq!(header_of(&resp, header::PRAGMA).as_deref(), Some("no-cache"));
    assert!(header_of(&resp, header::CONTENT_TYPE).unwrap().starts_with("application/json"));
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["token_type"], "Bearer");
    fx.verify(body["access_token"].as_str().unwrap(), API);

    let resp = test::call_service(
        &app,
        form_post("/oauth2/token", "grant_type=client_credentials", Some(("svc", "nope"))).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header_of(&resp, header::WWW_AUTHENTICATE).as_deref(), Some("Basic realm=\"sluis\""));
    assert_eq!(header_of(&resp, header::CACHE_CONTROL).as_deref(), Some("no-store"));
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_description"], "client authentication failed");

    let resp = test::call_service(
        &app,
        form_post("/oauth2/token", "grant_type=urn%3Ax", Some(("svc", SECRET))).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["error"], "unsupported_grant_type");

    // Larger than the bound: refused while streaming, without reading the rest.
    let big = format!("grant_type=client_credentials&pad={}", "x".repeat(600 * 1024));
    let resp =
        test::call_service(&app, form_post("/oauth2/token", &big, Some(("svc", SECRET))).to_request()).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["error"], "invalid_request");

    // Only POST.
    let resp = test::call_service(&app, test::TestRequest::get().uri("/oauth2/token").to_request()).await;
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn jwks_and_metadata() {
    let fx = Fixture::new();
    let app = service!(fx);
    let resp = test::call_service(&app, test::TestRequest::get().uri("/oauth2/jwks").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header_of(&resp, header::CONTENT_TYPE).as_deref(), Some("application/jwk-set+json"));
    let jwks: Value = test::read_body_json(resp).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let a: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get().uri("/.well-known/oauth-authorization-server").to_request(),
    )
    .await;
    let b: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get().uri("/.well-known/openid-configuration").to_request(),
    )
    .await;
    assert_eq!(a, b);
    assert_eq!(a["issuer"], ISSUER);
    let resp = test::call_service(&app, test::TestRequest::post().uri("/oauth2/jwks").to_request()).await;
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn introspection_and_revocation_over_http() {
    let fx = Fixture::new();
    let app = service!(fx);
    let token: Value = test::call_and_read_body_json(
        &app,
        form_post("/oauth2/token", "grant_type=client_credentials", Some(("svc", SECRET))).to_request(),
    )
    .await;
    let token = token["access_token"].as_str().unwrap().to_owned();
    let body = form(&[("token", &token)]);
    let resp =
        test::call_service(&app, form_post("/oauth2/introspect", &body, Some(("rs", SECRET))).to_request())
            .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header_of(&resp, header::CACHE_CONTROL).as_deref(), Some("no-store"));
    let info: Value = test::read_body_json(resp).await;
    assert_eq!(info["active"], true);
    let resp = test::call_service(&app, form_post("/oauth2/introspect", &body, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp =
        test::call_service(&app, form_post("/oauth2/revoke", &body, Some(("svc", SECRET))).to_request())
            .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let info: Value = test::call_and_read_body_json(
        &app,
        form_post("/oauth2/introspect", &body, Some(("rs", SECRET))).to_request(),
    )
    .await;
    assert_eq!(info, serde_json::json!({"active": false}));
}
