//! One audit event, as plain data. Field names are the JSON keys; absent values are omitted from the record.

use crate::clock::DateTime;
use crate::principal::Principal;
use serde::Serialize;
use std::net::IpAddr;

/// The longest string kept in a record field: longer values (a hostile `SOAPAction`, an odd subject) are cut at a
/// character boundary and marked with `…`, so one record stays a few kilobytes at most.
pub const MAX_FIELD_CHARS: usize = 512;

/// What kind of access this was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EventKind {
    /// A SOAP call through the gateway.
    #[serde(rename = "soap.request")]
    SoapRequest,
    /// A call of the built-in validation operation (a route without upstream).
    #[serde(rename = "soap.validate")]
    SoapValidate,
    /// An OAuth token request.
    #[serde(rename = "oauth.token")]
    OAuthToken,
    /// An OAuth token introspection.
    #[serde(rename = "oauth.introspect")]
    OAuthIntrospect,
    /// An OAuth token revocation.
    #[serde(rename = "oauth.revoke")]
    OAuthRevoke,
    /// The server started (with the configuration it runs).
    #[serde(rename = "server.start")]
    ServerStart,
    /// The server stopped.
    #[serde(rename = "server.stop")]
    ServerStop,
    /// Records were lost because the queue was full (only with `on_full = "drop"`); written by the writer itself.
    #[serde(rename = "audit.records_dropped")]
    RecordsDropped,
}

/// Who: the authenticated caller, as far as it is known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Who {
    /// The authenticated subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Who vouched for the subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The OAuth client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The token type that authenticated the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    /// The authentication level (0–4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_level: Option<u8>,
}

impl Who {
    /// The caller described by a principal.
    pub fn from_principal(p: &Principal) -> Who {
        Who {
            subject: Some(p.subject().to_owned()),
            issuer: p.issuer().map(str::to_owned),
            client_id: None,
            token_type: Some(p.token_type().as_str()),
            auth_level: Some(p.auth_level().value()),
        }
    }
}

/// What: the action and its object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct What {
    /// The route path or endpoint (`/services/Patient`, `/oauth2/token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The SOAP action or OAuth grant type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The message identifier (WS-Addressing `MessageID`, assertion ID, `jti`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The upstream the call was forwarded to (its URL), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// The `jti` of an access token issued for this call (the SOAP-to-OAuth bridge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
}

/// From where.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Where {
    /// The client address (the TCP peer, or the address a trusted proxy reported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<IpAddr>,
    /// The TCP peer, when it is a trusted proxy and differs from `client_ip`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_ip: Option<IpAddr>,
    /// The `X-Forwarded-For` value a trusted proxy sent (shortened to [`MAX_FIELD_CHARS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_for: Option<String>,
    /// The request id (also returned to the client as `X-Request-Id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Authenticated and allowed (and, for a forwarded call, answered by the upstream).
    Accepted,
    /// Refused by sluis (authentication, policy, limits).
    Refused,
    /// Accepted by sluis but not completed (upstream unreachable or slow, internal error).
    Failed,
    /// Not an access decision (server start/stop, audit bookkeeping).
    Info,
}

/// The outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Accepted, refused or failed.
    pub verdict: Verdict,
    /// The fine reason code (`digest_mismatch`, `upstream_timeout`, …); never shown to the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The SOAP fault code the client got (`wsse:FailedCheck`, `soap:Server`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// The OAuth error the client got (`invalid_grant`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_error: Option<String>,
    /// The HTTP status sluis answered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The upstream's HTTP status, for a forwarded call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// A count (dropped records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl Outcome {
    /// An outcome with only a verdict.
    pub fn new(verdict: Verdict) -> Outcome {
        Outcome {
            verdict,
            reason: None,
            fault: None,
            oauth_error: None,
            http_status: None,
            upstream_status: None,
            count: None,
        }
    }
}

/// One audit event. The writer adds the sequence number and the chain hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When, from the caller's clock.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime,
    /// What kind of access.
    pub kind: EventKind,
    /// Who.
    pub who: Who,
    /// What.
    pub what: What,
    /// From where.
    #[serde(rename = "where")]
    pub from: Where,
    /// The outcome.
    pub outcome: Outcome,
}

impl Event {
    /// An event of `kind` at `at` with the given verdict and nothing else known yet.
    pub fn new(kind: EventKind, at: DateTime, verdict: Verdict) -> Event {
        Event {
            at,
            kind,
            who: Who::default(),
            what: What::default(),
            from: Where::default(),
            outcome: Outcome::new(verdict),
        }
    }

    /// Cuts every free-text field to [`MAX_FIELD_CHARS`] characters (the writer calls this; a record stays small
    /// whatever a client sent).
    pub(crate) fn bound(&mut self) {
        for f in [
            &mut self.who.subject,
            &mut self.who.issuer,
            &mut self.who.client_id,
            &mut self.what.endpoint,
            &mut self.what.action,
            &mut self.what.message_id,
            &mut self.what.upstream,
            &mut self.what.token_id,
            &mut self.from.forwarded_for,
            &mut self.from.request_id,
            &mut self.outcome.reason,
            &mut self.outcome.fault,
            &mut self.outcome.oauth_error,
        ]
        .into_iter()
        .flatten()
        {
            if let Some((cut, _)) = f.char_indices().nth(MAX_FIELD_CHARS) {
                f.truncate(cut);
                f.push('…');
            }
        }
    }
}

fn rfc3339<S: serde::Serializer>(t: &DateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}
