//! The OAuth authorization server's decisions, written to the audit trail: an [`oauth::Observer`] that turns each
//! issued, refused or revoked token into an [`Event`].
//!
//! The observer is told what was decided, not by which HTTP request, so these records carry no client address or
//! request id; the access log line of the same request (same time, same endpoint) has them.

use crate::audit::{Auditor, Event, EventKind, Outcome, Verdict, Who};
use crate::clock::Clock;
use crate::oauth::config::{AuthMethod, GrantType};
use crate::oauth::{IssuedToken, Observer, Origin, Refusal};
use std::sync::Arc;

pub(crate) struct AuditObserver {
    pub(crate) auditor: Auditor,
    pub(crate) clock: Arc<dyn Clock>,
}

impl AuditObserver {
    fn record(&self, mut event: Event, origin: Option<&Origin>) {
        if let Some(o) = origin {
            event.from.client_ip = o.client_ip;
            event.from.request_id.clone_from(&o.request_id);
        }
        if let Err(e) = self.auditor.record(event) {
            tracing::error!(target: "sluis::audit", error = %e, "OAuth audit record lost");
        }
    }
}

impl Observer for AuditObserver {
    fn token_issued(
        &self,
        token: &IssuedToken,
        grant: GrantType,
        method: AuthMethod,
        origin: Option<&Origin>,
    ) {
        let mut ev = Event::new(EventKind::OAuthToken, self.clock.now(), Verdict::Accepted);
        ev.who = Who { client_id: Some(token.client_id.clone()), ..Who::from_principal(&token.principal) };
        ev.what.endpoint = Some(crate::oauth::http::TOKEN_PATH.into());
        ev.what.action = Some(format!("{} ({})", grant.as_str(), method.as_str()));
        ev.what.message_id = Some(token.jti.clone());
        ev.what.upstream = Some(token.audience.join(" "));
        ev.outcome.http_status = Some(200);
        self.record(ev, origin);
    }

    fn refused(&self, endpoint: &'static str, refusal: &Refusal, origin: Option<&Origin>) {
        let kind = match endpoint {
            e if e.contains("introspect") => EventKind::OAuthIntrospect,
            e if e.contains("revoke") => EventKind::OAuthRevoke,
            _ => EventKind::OAuthToken,
        };
        let mut ev = Event::new(kind, self.clock.now(), Verdict::Refused);
        ev.what.endpoint = Some(endpoint.to_owned());
        let reason = refusal.cause().unwrap_or(refusal.reason());
        ev.outcome = Outcome {
            reason: Some(reason.code().to_owned()),
            oauth_error: Some(refusal.error().code().to_owned()),
            http_status: Some(refusal.status()),
            ..Outcome::new(Verdict::Refused)
        };
        self.record(ev, origin);
    }

    fn token_revoked(&self, jti: &str, client_id: &str, origin: Option<&Origin>) {
        let mut ev = Event::new(EventKind::OAuthRevoke, self.clock.now(), Verdict::Accepted);
        ev.who.client_id = Some(client_id.to_owned());
        ev.what.endpoint = Some(crate::oauth::http::REVOKE_PATH.into());
        ev.what.message_id = Some(jti.to_owned());
        ev.outcome.http_status = Some(200);
        self.record(ev, origin);
    }
}
