//! Forwarding an accepted message to the route's upstream, and relaying its answer.
//!
//! - The body sent is exactly [`crate::wss::Accepted::forward_body`]: the client's bytes, spliced, never
//!   re-serialized. The headers sent are the client's `Content-Type` and `SOAPAction` as received, the identity headers
//!   `X-Sluis-Subject`, `X-Sluis-Issuer`, `X-Sluis-Auth-Level` (made header-safe by [`header_safe`]) and
//!   `X-Request-Id`, and on a bridge route (`exchange = true`) `Authorization: Bearer <jwt>` minted for the principal.
//!   Nothing else of the client's request is passed on, so a client cannot smuggle its own `X-Sluis-*` or
//!   `Authorization` headers.
//! - reqwest 0.13 over rustls with aws-lc-rs (TLS 1.2+), HTTP/1.1 only, no proxies from the environment, no
//!   redirects (following one would re-send the body somewhere the configuration did not name).
//! - The answer is relayed with its status, content type and body — buffered, up to the route's
//!   `max_response_bytes`, so a client never gets half an answer. Connection failures and oversized answers are
//!   [`UpstreamError::Unreachable`] (502); running out of the route's time budget is [`UpstreamError::Timeout`] (504).

use super::request::header_safe;
use super::state::Upstream;
use std::time::Duration;

/// The longest identity header value sent upstream.
const MAX_IDENTITY_HEADER: usize = 1024;

/// What the upstream answered.
#[derive(Clone, Debug)]
pub struct UpstreamResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`, if it sent a valid one.
    pub content_type: Option<Vec<u8>>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why there is no answer to relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpstreamError {
    /// Connection refused or reset, TLS failure, malformed or oversized response (502).
    Unreachable(&'static str),
    /// The route's upstream timeout passed (504).
    Timeout,
}

impl UpstreamError {
    /// The HTTP status sluis answers with.
    pub fn status(self) -> u16 {
        match self {
            UpstreamError::Unreachable(_) => 502,
            UpstreamError::Timeout => 504,
        }
    }

    /// The reason code for audit and logs.
    pub fn code(self) -> &'static str {
        match self {
            UpstreamError::Unreachable(code) => code,
            UpstreamError::Timeout => "upstream_timeout",
        }
    }
}

/// The identity and request facts sent with a forwarded message.
#[derive(Clone, Debug)]
pub(crate) struct ForwardHeaders<'a> {
    /// The client's `Content-Type`, as received.
    pub content_type: Option<&'a [u8]>,
    /// The client's `SOAPAction`, as received.
    pub soap_action: Option<&'a [u8]>,
    /// The principal's subject.
    pub subject: &'a str,
    /// The principal's issuer.
    pub issuer: Option<&'a str>,
    /// The authentication level.
    pub auth_level: u8,
    /// The request id.
    pub request_id: &'a str,
    /// An access token minted for the principal (the bridge), sent as `Authorization: Bearer`.
    pub bearer: Option<&'a str>,
}

/// Builds the HTTP client for one upstream (one per worker thread and route: a client's connection pool lives on the
/// runtime that created it, and actix workers each have their own).
pub(crate) fn client(up: &Upstream) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .http1_only()
        .connect_timeout(up.connect_timeout)
        .timeout(up.timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .tls_version_min(reqwest::tls::Version::TLS_1_2)
        .https_only(up.url.scheme() == "https");
    if let Some(ca) = &up.ca {
        b = b.tls_certs_only(ca.iter().cloned());
    }
    b.build().map_err(|e| format!("upstream client for {}: {e}", up.url))
}

/// Sends `body` to the upstream and reads the whole answer within the route's timeout.
pub(crate) async fn send(
    client: &reqwest::Client,
    up: &Upstream,
    headers: &ForwardHeaders<'_>,
    body: Vec<u8>,
) -> Result<UpstreamResponse, UpstreamError> {
    match tokio::time::timeout(up.timeout, exchange(client, up, headers, body)).await {
        Ok(r) => r,
        Err(_) => Err(UpstreamError::Timeout),
    }
}

async fn exchange(
    client: &reqwest::Client,
    up: &Upstream,
    h: &ForwardHeaders<'_>,
    body: Vec<u8>,
) -> Result<UpstreamResponse, UpstreamError> {
    use reqwest::header::{HeaderName, HeaderValue};
    let mut req = client.post(up.url.clone()).body(body);
    if let Some(ct) = h.content_type.and_then(|v| HeaderValue::from_bytes(v).ok()) {
        req = req.header(reqwest::header::CONTENT_TYPE, ct);
    }
    if let Some(sa) = h.soap_action.and_then(|v| HeaderValue::from_bytes(v).ok()) {
        req = req.header(HeaderName::from_static("soapaction"), sa);
    }
    let safe = |v: &str| HeaderValue::from_str(&header_safe(v, MAX_IDENTITY_HEADER)).ok();
    if let Some(v) = safe(h.subject) {
        req = req.header(HeaderName::from_static("x-sluis-subject"), v);
    }
    if let Some(v) = h.issuer.and_then(safe) {
        req = req.header(HeaderName::from_static("x-sluis-issuer"), v);
    }
    req =
        req.header(HeaderName::from_static("x-sluis-auth-level"), HeaderValue::from(u16::from(h.auth_level)));
    if let Some(v) = safe(h.request_id) {
        req = req.header(HeaderName::from_static("x-request-id"), v);
    }
    if let Some(v) = h.bearer.and_then(|t| HeaderValue::from_str(&format!("Bearer {t}")).ok()) {
        req = req.header(reqwest::header::AUTHORIZATION, v);
    }
    let mut resp = req.send().await.map_err(classify)?;
    if resp.content_length().is_some_and(|n| n > up.max_response as u64) {
        return Err(UpstreamError::Unreachable("upstream_response_too_large"));
    }
    let status = resp.status().as_u16();
    let content_type = resp.headers().get(reqwest::header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec());
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > up.max_response {
            return Err(UpstreamError::Unreachable("upstream_response_too_large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(UpstreamResponse { status, content_type, body })
}

fn classify(e: reqwest::Error) -> UpstreamError {
    if e.is_timeout() {
        UpstreamError::Timeout
    } else if e.is_connect() {
        UpstreamError::Unreachable("upstream_unreachable")
    } else {
        UpstreamError::Unreachable("upstream_failed")
    }
}
