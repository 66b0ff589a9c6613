//! What the endpoints answer, independent of HTTP machinery: the RFC 6749 §5.1 token response, and [`Refusal`], an
//! error with its status, JSON body (§5.2) and `WWW-Authenticate` challenge.

use std::borrow::Cow;

use serde::Serialize;

use super::scope::{self, Scopes};
use crate::principal::Principal;
use crate::reason::{OAuthError, OAuthReason, Reason};

/// The headers every token, introspection and error response carries (RFC 6749 §5.1, RFC 7662 §2.2 by analogy):
/// tokens must never sit in a cache.
pub const NO_STORE_HEADERS: [(&str, &str); 2] = [("Cache-Control", "no-store"), ("Pragma", "no-cache")];

/// An access token that was issued.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The signed JWT.
    pub access_token: String,
    /// Its `jti`.
    pub jti: String,
    /// Seconds from issuance to `exp`.
    pub expires_in: i64,
    /// `exp`, seconds since the epoch.
    pub expires_at: i64,
    /// Granted scopes.
    pub scope: Scopes,
    /// `aud` values.
    pub audience: Vec<String>,
    /// `client_id`.
    pub client_id: String,
    /// The `kid` of the key that signed it.
    pub kid: String,
    /// Whom it was issued for.
    pub principal: Principal,
}

impl IssuedToken {
    /// The RFC 6749 §5.1 JSON body: `access_token`, `token_type: Bearer`, `expires_in`, and `scope` (always sent when
    /// not empty, so the client never has to guess what was granted). No `refresh_token`, ever.
    pub fn response_json(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            access_token: &'a str,
            token_type: &'static str,
            expires_in: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            scope: Option<String>,
        }
        let scope = (!self.scope.is_empty()).then(|| scope::join(&self.scope));
        let body = Body {
            access_token: &self.access_token,
            token_type: "Bearer",
            expires_in: self.expires_in,
            scope,
        };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// A refused request: the reason (fine, for audit), what caused it when another module decided (e.g. the SAML reason
/// behind a refused SAML client assertion), and whether the client tried HTTP Basic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    reason: Reason,
    cause: Option<Reason>,
    basic_attempted: bool,
}

impl Refusal {
    /// A refusal for `reason`.
    pub fn new(reason: impl Into<Reason>) -> Self {
        Refusal { reason: reason.into(), cause: None, basic_attempted: false }
    }

    /// The same refusal, caused by `cause`.
    pub fn caused_by(mut self, cause: Reason) -> Self {
        self.cause = Some(cause);
        self
    }

    /// The same refusal, noting that the client authenticated (or tried to) with HTTP Basic.
    pub fn with_basic(mut self, attempted: bool) -> Self {
        self.basic_attempted = attempted;
        self
    }

    /// The fine reason.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The reason from another module behind it, if any.
    pub fn cause(&self) -> Option<Reason> {
        self.cause
    }

    /// The OAuth error.
    pub fn error(&self) -> OAuthError {
        self.reason.oauth_error()
    }

    /// The HTTP status (RFC 6749 §5.2: 400, 401 for `invalid_client`; 500 for `server_error`).
    pub fn status(&self) -> u16 {
        self.error().status()
    }

    /// The `error_description`.
    pub fn description(&self) -> Cow<'static, str> {
        match self.reason {
            Reason::OAuth(r) => r.description(),
            Reason::Internal(_) => Cow::Borrowed("internal error"),
            other => Cow::Owned(format!("the assertion is not acceptable ({})", other.code())),
        }
    }

    /// The `WWW-Authenticate` header value for a 401: `Basic realm="…"`. RFC 6749 §5.2 requires the challenge when the
    /// client used Basic; RFC 9110 §15.5.2 requires one on every 401, and Basic is the scheme sluis offers.
    pub fn www_authenticate(&self, realm: &str) -> Option<String> {
        (self.status() == 401).then(|| format!("Basic realm=\"{realm}\""))
    }

    /// Whether the client tried HTTP Basic.
    pub fn basic_attempted(&self) -> bool {
        self.basic_attempted
    }

    /// The JSON body: `{"error": …, "error_description": …}`.
    pub fn body_json(&self) -> String {
        serde_json::json!({"error": self.error().code(), "error_description": self.description()}).to_string()
    }
}

impl From<OAuthReason> for Refusal {
    fn from(r: OAuthReason) -> Self {
        Refusal::new(r)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error(), self.reason)?;
        if let Some(c) = self.cause {
            write!(f, " (caused by {c})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}
