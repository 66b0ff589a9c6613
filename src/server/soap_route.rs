//! The SOAP route handlers: `POST <path>` (verify, then forward or answer the validation response) and
//! `GET <path>?wsdl`.
//!
//! Order of work for a POST, each step bounded:
//! 1. reserve an audit slot — if the trail cannot take a record, refuse (503) before reading anything;
//! 2. read the body within the route's size limit and the request timeout (413 / 408 with a SOAP fault);
//! 3. [`wss::process`] — the whole verdict; a refusal is answered with its SOAP fault and audited;
//! 4. accepted: no upstream → the validation response; upstream → forward the spliced bytes and relay the answer,
//!    or a `soap:Server`/`env:Receiver` fault with 502/504. The upstream exchange runs as its own task, so a client
//!    that hangs up cannot cut a forwarded request in half; it is audited either way.

use super::forward::{self, ForwardHeaders, UpstreamError};
use super::problem::problem;
use super::request::RequestInfo;
use super::state::{Route, Shared};
use super::validation::{self, ValidationFacts};
use crate::audit::{Event, EventKind, Outcome, Permit, Verdict, What, Where, Who};
use crate::oauth::BridgeRequest;
use crate::reason::{Reason, XmlReason};
use crate::soap::{self, FaultResponse, SoapVersion};
use crate::wss::{self, Accepted, Rejected, Transport};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

/// The upstream clients of one worker thread, by route index.
#[derive(Debug)]
pub(crate) struct Forwarders {
    clients: Vec<Option<Result<reqwest::Client, String>>>,
}

impl Forwarders {
    /// Builds one client per route with an upstream.
    pub(crate) fn new(shared: &Shared) -> Forwarders {
        Forwarders {
            clients: shared.routes.iter().map(|r| r.upstream.as_ref().map(forward::client)).collect(),
        }
    }

    fn get(&self, route: &Route) -> Option<&Result<reqwest::Client, String>> {
        self.clients.get(usize::from(route.index)).and_then(Option::as_ref)
    }
}

/// `POST <route>`.
pub(crate) async fn call(
    req: HttpRequest,
    payload: web::Payload,
    shared: web::Data<Shared>,
    forwarders: web::Data<Forwarders>,
) -> HttpResponse {
    let Some(route) = shared.route(req.path()) else {
        return problem(StatusCode::NOT_FOUND, "No such route.");
    };
    let info = request_info(&req);
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let soap_action = req.headers().get("soapaction").and_then(|v| v.to_str().ok());
    let hint = soap::binding::media_type_version(content_type).ok();

    let permit = match shared.auditor.reserve() {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(target: "sluis::audit", request_id = %info.id, error = %e, "request refused: cannot audit");
            return fault_response(soap::render_server_fault(hint.unwrap_or(SoapVersion::Soap11), 503));
        }
    };
    let mut record = Record::new(&shared, route, &info, soap_action);

    let body = match read_body(payload, &req, route.max_body, &shared).await {
        Ok(b) => b,
        Err((reason, status)) => {
            let rej = Rejected::new(reason, hint);
            let mut fault = rej.fault();
            fault.status = status;
            return record.refused(permit, &rej, fault);
        }
    };

    let at = shared.clock.now();
    record.at = at;
    let transport = Transport { tls: info.tls, loopback: info.peer_ip.is_loopback() };
    let accepted = match wss::process(
        &shared.security,
        &route.policy,
        content_type,
        soap_action,
        &body,
        transport,
        at,
    ) {
        Ok(a) => a,
        Err(rej) => {
            let fault = rej.fault();
            return record.refused(permit, &rej, fault);
        }
    };
    record.accepted(&accepted);

    let Some(upstream) = route.upstream.clone() else {
        let facts = ValidationFacts {
            request_id: &info.id,
            route: &route.path,
            at,
            version: accepted.version(),
            action: accepted.action(),
            signed_parts: &accepted.facts().signed_parts,
        };
        let (xml, content_type) = validation::render(accepted.principal(), &facts);
        record.kind = EventKind::SoapValidate;
        record.finish(permit, Verdict::Accepted, None, None, 200, None);
        return HttpResponse::Ok().content_type(content_type).body(xml);
    };

    let client = match forwarders.get(route) {
        Some(Ok(c)) => c.clone(),
        _ => {
            let fault = soap::render_server_fault(accepted.version(), 500);
            record.finish(
                permit,
                Verdict::Failed,
                Some("upstream_client_unavailable"),
                Some(fault_code(None, accepted.version())),
                500,
                None,
            );
            return fault_response(fault);
        }
    };
    // The bridge: a JWT for this principal, audience = the upstream, from the authorization server's active key.
    let bearer = match (&route.exchange, &shared.oauth) {
        (Some(ex), Some(oauth)) => {
            let request = BridgeRequest {
                audience: upstream.url.as_str(),
                client_id: &ex.client_id,
                scopes: &ex.scopes,
            };
            match oauth.mint_for_principal(accepted.principal(), &request, at) {
                Ok(token) => {
                    record.event.what.token_id = Some(token.jti.clone());
                    Some(token.access_token)
                }
                Err(refusal) => {
                    let code = refusal.cause().unwrap_or(refusal.reason()).code();
                    tracing::error!(target: "sluis::upstream", request_id = %info.id, reason = code, "bridge token not minted");
                    let fault = soap::render_server_fault(accepted.version(), 500);
                    record.finish(
                        permit,
                        Verdict::Failed,
                        Some(code),
                        Some(fault_code(None, accepted.version())),
                        500,
                        None,
                    );
                    return fault_response(fault);
                }
            }
        }
        (Some(_), None) => {
            // Configuration loading refuses `exchange` without [oauth]; answer rather than forward unauthenticated.
            let fault = soap::render_server_fault(accepted.version(), 500);
            record.finish(
                permit,
                Verdict::Failed,
                Some("bridge_unavailable"),
                Some(fault_code(None, accepted.version())),
                500,
                None,
            );
            return fault_response(fault);
        }
        (None, _) => None,
    };
    let raw_content_type = req.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec());
    let raw_soap_action = req.headers().get("soapaction").map(|v| v.as_bytes().to_vec());
    let version = accepted.version();
    let principal = accepted.principal().clone();
    let forward_body = accepted.into_forward_body();
    let request_id = info.id.clone();
    // The exchange and its audit record run as a task of their own: if the client disconnects, the handler future is
    // dropped, but the upstream request is completed (never cut in half) and recorded.
    let task = actix_web::rt::spawn(async move {
        let headers = ForwardHeaders {
            content_type: raw_content_type.as_deref(),
            soap_action: raw_soap_action.as_deref(),
            subject: principal.subject(),
            issuer: principal.issuer(),
            auth_level: principal.auth_level().value(),
            request_id: &request_id,
            bearer: bearer.as_deref(),
        };
        let result = forward::send(&client, &upstream, &headers, forward_body).await;
        match &result {
            Ok(r) => record.finish(permit, Verdict::Accepted, None, None, r.status, Some(r.status)),
            Err(e) => {
                tracing::warn!(target: "sluis::upstream", request_id = %request_id, error = e.code(), "upstream failed");
                record.finish(
                    permit,
                    Verdict::Failed,
                    Some(e.code()),
                    Some(fault_code(None, version)),
                    e.status(),
                    None,
                );
            }
        }
        result
    });
    match task.await {
        Ok(Ok(r)) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut res = HttpResponse::build(status);
            if let Some(ct) = r.content_type.and_then(|v| HeaderValue::from_bytes(&v).ok()) {
                res.insert_header((header::CONTENT_TYPE, ct));
            }
            res.body(r.body)
        }
        Ok(Err(e)) => fault_response(soap::render_server_fault(version, e.status())),
        Err(_) => fault_response(soap::render_server_fault(version, UpstreamError::Unreachable("").status())),
    }
}

/// `GET <route>`: the WSDL for `?wsdl`, 405 otherwise.
pub(crate) async fn wsdl(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let Some(route) = shared.route(req.path()) else {
        return problem(StatusCode::NOT_FOUND, "No such route.");
    };
    if !req.query_string().eq_ignore_ascii_case("wsdl") {
        return method_not_allowed().await;
    }
    match &route.wsdl {
        Some(w) => HttpResponse::Ok()
            .content_type("text/xml; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .body(w.clone()),
        None => problem(StatusCode::NOT_FOUND, "This route publishes no WSDL."),
    }
}

/// Any other method on a route.
pub(crate) async fn method_not_allowed() -> HttpResponse {
    let mut res = problem(StatusCode::METHOD_NOT_ALLOWED, "Use POST for SOAP calls, or GET with ?wsdl.");
    res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST, GET"));
    res
}

fn request_info(req: &HttpRequest) -> RequestInfo {
    match req.extensions().get::<RequestInfo>() {
        Some(i) => i.clone(),
        // The edge middleware always sets it; without it, describe the peer as well as we can.
        None => {
            let peer = req.peer_addr().map_or(std::net::IpAddr::from([0, 0, 0, 0]), |a| a.ip());
            RequestInfo {
                id: super::request::request_id(None),
                client_ip: peer,
                peer_ip: peer,
                forwarded_for: None,
                tls: false,
            }
        }
    }
}

/// Reads the body within `max` bytes and the request timeout.
async fn read_body(
    payload: web::Payload,
    req: &HttpRequest,
    max: usize,
    shared: &Shared,
) -> Result<web::Bytes, (Reason, u16)> {
    let too_large = (XmlReason::TooLarge.into(), 413);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large);
    }
    match tokio::time::timeout(shared.request_timeout, payload.to_bytes_limited(max)).await {
        Err(_) => Err((XmlReason::UnexpectedEof.into(), 408)),
        Ok(Err(_)) => Err(too_large),
        Ok(Ok(Err(_))) => Err((XmlReason::UnexpectedEof.into(), 400)),
        Ok(Ok(Ok(b))) => Ok(b),
    }
}

fn fault_response(f: FaultResponse) -> HttpResponse {
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).content_type(f.content_type).body(f.body)
}

/// The fault code a client got, as audit writes it.
fn fault_code(rej: Option<&Rejected>, version: SoapVersion) -> String {
    match rej.and_then(Rejected::wsse_fault) {
        Some(f) => f.to_string(),
        None => match version {
            SoapVersion::Soap11 => "soap:Server".to_owned(),
            SoapVersion::Soap12 => "env:Receiver".to_owned(),
        },
    }
}

/// The audit record of one SOAP request, filled in as the request proceeds.
struct Record {
    event: Event,
    kind: EventKind,
    at: crate::clock::DateTime,
}

impl Record {
    fn new(shared: &Shared, route: &Route, info: &RequestInfo, soap_action: Option<&str>) -> Record {
        let at = shared.clock.now();
        let mut event = Event::new(EventKind::SoapRequest, at, Verdict::Refused);
        event.what = What {
            endpoint: Some(route.path.clone()),
            action: soap_action.map(|a| a.trim_matches('"').to_owned()).filter(|a| !a.is_empty()),
            message_id: None,
            upstream: route.upstream.as_ref().map(|u| u.url.to_string()),
            token_id: None,
        };
        event.from = Where {
            client_ip: Some(info.client_ip),
            proxy_ip: (info.peer_ip != info.client_ip).then_some(info.peer_ip),
            forwarded_for: info.forwarded_for.clone(),
            request_id: Some(info.id.clone()),
        };
        Record { event, kind: EventKind::SoapRequest, at }
    }

    fn accepted(&mut self, a: &Accepted) {
        self.event.who = Who::from_principal(a.principal());
        if let Some(action) = a.action() {
            self.event.what.action = Some(action.to_owned());
        }
    }

    fn refused(mut self, permit: Permit, rej: &Rejected, fault: FaultResponse) -> HttpResponse {
        let version = rej.version.unwrap_or(SoapVersion::Soap11);
        self.event.outcome = Outcome {
            reason: Some(rej.reason.code().to_owned()),
            fault: Some(fault_code(Some(rej), version)),
            http_status: Some(fault.status),
            ..Outcome::new(Verdict::Refused)
        };
        self.event.at = self.at;
        permit.record(self.event);
        fault_response(fault)
    }

    fn finish(
        mut self,
        permit: Permit,
        verdict: Verdict,
        reason: Option<&str>,
        fault: Option<String>,
        http_status: u16,
        upstream_status: Option<u16>,
    ) {
        self.event.kind = self.kind;
        self.event.at = self.at;
        self.event.outcome = Outcome {
            reason: reason.map(str::to_owned),
            fault,
            http_status: Some(http_status),
            upstream_status,
            ..Outcome::new(verdict)
        };
        permit.record(self.event);
    }
}
