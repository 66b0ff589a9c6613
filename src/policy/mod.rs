//! Per-route security policy for the SOAP gateway, and the decision it makes about an authenticated caller.
//!
//! A [`RoutePolicy`] is plain configuration (serde, `deny_unknown_fields`, a sensible default for every field) that
//! the server's route table embeds. [`crate::wss::process`] applies the parts that need the message (timestamp
//! rules, which parts must be signed and by what, whether clear-text passwords are allowed, stripping the header);
//! [`decide`] applies the parts that need only the [`Principal`]: accepted token types and the minimum
//! authentication level (the NHS Wales 0–4 scheme documented on [`AuthLevel`]).
//!
//! In TOML (every key optional; shown with the defaults):
//!
//! ```toml
//! accepted_tokens = ["username-token", "x509", "saml11", "saml20"]
//! signed_parts = ["body", "timestamp"]          # also "{namespace}local" for header blocks
//! signed_by = ["x509", "saml11", "saml20"]      # which token kinds may make the covering signature
//! min_auth_level = 2
//! allow_password_text = false                   # and even then only over TLS or loopback
//! require_timestamp = true
//! max_timestamp_ttl_seconds = 3600
//! strip_security_header = true
//! ```

use crate::principal::{AuthLevel, Principal, TokenType};
use crate::reason::PolicyReason;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A part of the message that must be covered by a verified signature of sluis's `wsse:Security` header
/// (the WS-SecurityPolicy 1.3 §4.1.1 `SignedParts` idea, with the parts found by structural position).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum SignedPart {
    /// *The* Body child of *the* Envelope (`"body"`).
    Body,
    /// *The* `wsu:Timestamp` child of sluis's Security header (`"timestamp"`); it must then be present.
    Timestamp,
    /// Every header block with this expanded name (`"{namespace}local"`, Clark notation), when present.
    Header {
        /// The namespace URI.
        namespace: String,
        /// The local name.
        local: String,
    },
}

impl TryFrom<String> for SignedPart {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "body" => Ok(SignedPart::Body),
            "timestamp" => Ok(SignedPart::Timestamp),
            _ => {
                let bad = || {
                    format!("signed part {s:?}: expected \"body\", \"timestamp\" or \"{{namespace}}local\"")
                };
                let rest = s.strip_prefix('{').ok_or_else(bad)?;
                let (ns, local) = rest.split_once('}').ok_or_else(bad)?;
                if ns.is_empty() || !crate::xml::is_ncname(local) {
                    return Err(bad());
                }
                Ok(SignedPart::Header { namespace: ns.to_owned(), local: local.to_owned() })
            }
        }
    }
}

impl From<SignedPart> for String {
    fn from(p: SignedPart) -> String {
        p.to_string()
    }
}

impl fmt::Display for SignedPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignedPart::Body => f.write_str("body"),
            SignedPart::Timestamp => f.write_str("timestamp"),
            SignedPart::Header { namespace, local } => write!(f, "{{{namespace}}}{local}"),
        }
    }
}

/// The security policy of one SOAP route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutePolicy {
    /// The token types a caller may authenticate with (the [`Principal`]'s token type).
    pub accepted_tokens: Vec<TokenType>,
    /// The parts that must be covered by a verified signature.
    pub signed_parts: Vec<SignedPart>,
    /// Which token kinds may make that signature: `x509` (a BinarySecurityToken, an `X509Data` certificate, a
    /// configured key) or `saml11`/`saml20` (a holder-of-key assertion's confirmation key).
    pub signed_by: Vec<TokenType>,
    /// The lowest authentication level accepted.
    pub min_auth_level: AuthLevel,
    /// Accept UsernameToken `PasswordText` (only ever over TLS or from loopback).
    pub allow_password_text: bool,
    /// Require a `wsu:Timestamp` in the Security header.
    pub require_timestamp: bool,
    /// The longest `Expires − Created` accepted, and the age after which a Timestamp without `Expires` is stale.
    pub max_timestamp_ttl_seconds: u64,
    /// Remove sluis's `wsse:Security` header from the forwarded message (spliced out by byte range).
    pub strip_security_header: bool,
}

impl Default for RoutePolicy {
    fn default() -> Self {
        RoutePolicy {
            accepted_tokens: vec![
                TokenType::UsernameToken,
                TokenType::X509,
                TokenType::Saml11,
                TokenType::Saml20,
            ],
            signed_parts: vec![SignedPart::Body, SignedPart::Timestamp],
            signed_by: vec![TokenType::X509, TokenType::Saml11, TokenType::Saml20],
            min_auth_level: AuthLevel::CREDENTIALS,
            allow_password_text: false,
            require_timestamp: true,
            // One hour: clients commonly send five minutes; anything much longer widens the replay window.
            max_timestamp_ttl_seconds: 3600,
            strip_security_header: true,
        }
    }
}

/// What the policy allowed: the facts the rest of the request (forwarding, audit) acts on. Only [`decide`] makes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    token_type: TokenType,
    auth_level: AuthLevel,
    strip_security_header: bool,
}

impl Decision {
    /// The token type that authenticated the caller.
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }

    /// The caller's authentication level.
    pub fn auth_level(&self) -> AuthLevel {
        self.auth_level
    }

    /// Whether the Security header is removed before forwarding.
    pub fn strip_security_header(&self) -> bool {
        self.strip_security_header
    }
}

/// Decides whether `principal` may use a route with `policy`: its token type must be accepted
/// ([`PolicyReason::TokenTypeNotAccepted`]) and its level at least the minimum ([`PolicyReason::AuthLevelTooLow`]).
///
/// ```
/// use sluis::policy::RoutePolicy;
/// let policy: RoutePolicy = toml::from_str("min_auth_level = 4\naccepted_tokens = [\"x509\"]").unwrap();
/// assert_eq!(policy.signed_parts.len(), 2);
/// ```
pub fn decide(principal: &Principal, policy: &RoutePolicy) -> Result<Decision, PolicyReason> {
    if !policy.accepted_tokens.contains(&principal.token_type()) {
        return Err(PolicyReason::TokenTypeNotAccepted);
    }
    if principal.auth_level() < policy.min_auth_level {
        return Err(PolicyReason::AuthLevelTooLow);
    }
    Ok(Decision {
        token_type: principal.token_type(),
        auth_level: principal.auth_level(),
        strip_security_header: policy.strip_security_header,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(t: TokenType, level: AuthLevel) -> Principal {
        Principal::assertion("alice".into(), None, t, level, Vec::new())
    }

    #[test]
    fn decides_on_token_type_and_level() {
        let p = RoutePolicy::default();
        assert!(decide(&principal(TokenType::UsernameToken, AuthLevel::CREDENTIALS), &p).is_ok());
        assert_eq!(
            decide(&principal(TokenType::UsernameToken, AuthLevel::API_KEY), &p),
            Err(PolicyReason::AuthLevelTooLow)
        );
        assert_eq!(
            decide(&principal(TokenType::Jwt, AuthLevel::PUBLIC_KEY), &p),
            Err(PolicyReason::TokenTypeNotAccepted)
        );
    }

    #[test]
    fn deserializes_strictly() {
        let p: RoutePolicy = toml::from_str(
            r#"signed_parts = ["body", "{http://www.w3.org/2005/08/addressing}Action"]
               min_auth_level = 4"#,
        )
        .unwrap();
        assert_eq!(p.min_auth_level, AuthLevel::PUBLIC_KEY);
        assert_eq!(
            p.signed_parts[1],
            SignedPart::Header {
                namespace: "http://www.w3.org/2005/08/addressing".into(),
                local: "Action".into()
            }
        );
        assert!(toml::from_str::<RoutePolicy>("unknown = 1").is_err());
        assert!(toml::from_str::<RoutePolicy>("signed_parts = [\"{}x\"]").is_err());
        assert!(toml::from_str::<RoutePolicy>("min_auth_level = 5").is_err());
    }
}
