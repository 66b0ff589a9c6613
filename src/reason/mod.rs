//! Why sluis refused something: one type, [`Reason`], for every refusal in the pipeline.
//!
//! Each stage of the data flow has its own `Copy` sub-enum ([`XmlReason`], [`C14nReason`], [`TrustReason`],
//! [`DsigReason`], [`SamlReason`], [`SoapReason`], [`WssReason`], [`PolicyReason`], [`OAuthReason`]) and every
//! variant has a stable snake_case [`code`](Reason::code) that tests, audit records and the CLI's JSON output use. The
//! codes are an interface: never rename one, only add. What a client is told — a WS-Security fault code
//! ([`Reason::wsse_fault`]) or an OAuth error ([`Reason::oauth_error`]) — is decided by one exhaustive table per
//! sub-enum, next to its codes, so adding a variant forces a decision (the tables match without a `_` arm).
//!
//! Context is a `&'static str` naming the structure involved, never a `String` carrying input: reasons are cheap to copy,
//! and attacker-controlled text cannot reach a log line through them.

mod c14n;
mod dsig;
mod oauth;
mod outward;
mod policy;
mod saml;
mod soap;
mod trust;
mod wss;
mod xml;

pub use c14n::C14nReason;
pub use dsig::DsigReason;
pub use oauth::OAuthReason;
pub use outward::{OAuthError, WsseFault};
pub use policy::PolicyReason;
pub use saml::SamlReason;
pub use soap::SoapReason;
pub use trust::TrustReason;
pub use wss::WssReason;
pub use xml::XmlReason;

use std::fmt;

/// Every refusal sluis can make, by stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The bytes are not a well-formed, acceptable XML document.
    Xml(XmlReason),
    /// A node-set could not be canonicalized.
    C14n(C14nReason),
    /// A key or certificate is not trusted for this use.
    Trust(TrustReason),
    /// An XML Signature is malformed, not allowed by policy, or does not verify.
    Dsig(DsigReason),
    /// A SAML assertion is not acceptable.
    Saml(SamlReason),
    /// The message is not an acceptable SOAP envelope.
    Soap(SoapReason),
    /// The `wsse:Security` header is not acceptable.
    Wss(WssReason),
    /// The route's policy refuses an authenticated message.
    Policy(PolicyReason),
    /// An OAuth request is not acceptable.
    OAuth(OAuthReason),
    /// A state the code believes impossible; reported instead of panicking. The text names the place.
    Internal(&'static str),
}

impl Reason {
    /// The WS-Security fault a SOAP client is told; None for [`Reason::Internal`], which is a server fault
    /// (`soap:Server` / `env:Receiver`), not the client's.
    pub fn wsse_fault(&self) -> Option<WsseFault> {
        match self {
            Reason::Xml(r) => Some(r.wsse_fault()),
            Reason::C14n(r) => Some(r.wsse_fault()),
            Reason::Trust(r) => Some(r.wsse_fault()),
            Reason::Dsig(r) => Some(r.wsse_fault()),
            Reason::Saml(r) => Some(r.wsse_fault()),
            Reason::Soap(r) => Some(r.wsse_fault()),
            Reason::Wss(r) => Some(r.wsse_fault()),
            Reason::Policy(r) => Some(r.wsse_fault()),
            Reason::OAuth(r) => Some(r.wsse_fault()),
            Reason::Internal(_) => None,
        }
    }

    /// The OAuth error an OAuth client is told. Everything wrong with an assertion or its signature is
    /// `invalid_grant` (RFC 7521 §4.1.1, RFC 7522 §3.1); internal errors are `server_error`.
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            Reason::Xml(_) | Reason::C14n(_) | Reason::Trust(_) | Reason::Dsig(_) => OAuthError::InvalidGrant,
            Reason::Saml(r) => r.oauth_error(),
            Reason::Soap(r) => r.oauth_error(),
            Reason::Wss(r) => r.oauth_error(),
            Reason::Policy(r) => r.oauth_error(),
            Reason::OAuth(r) => r.oauth_error(),
            Reason::Internal(_) => OAuthError::ServerError,
        }
    }

    /// The stable machine-readable code, e.g. `dtd_forbidden` or `digest_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Xml(r) => r.code(),
            Reason::C14n(r) => r.code(),
            Reason::Trust(r) => r.code(),
            Reason::Dsig(r) => r.code(),
            Reason::Saml(r) => r.code(),
            Reason::Soap(r) => r.code(),
            Reason::Wss(r) => r.code(),
            Reason::Policy(r) => r.code(),
            Reason::OAuth(r) => r.code(),
            Reason::Internal(_) => "internal_error",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Xml(r) => fmt::Display::fmt(r, f),
            Reason::C14n(r) => fmt::Display::fmt(r, f),
            Reason::Trust(r) => fmt::Display::fmt(r, f),
            Reason::Dsig(r) => fmt::Display::fmt(r, f),
            Reason::Saml(r) => fmt::Display::fmt(r, f),
            Reason::Soap(r) => fmt::Display::fmt(r, f),
            Reason::Wss(r) => fmt::Display::fmt(r, f),
            Reason::Policy(r) => fmt::Display::fmt(r, f),
            Reason::OAuth(r) => fmt::Display::fmt(r, f),
            Reason::Internal(at) => write!(f, "internal_error ({at})"),
        }
    }
}

impl std::error::Error for Reason {}

impl From<XmlReason> for Reason {
    fn from(r: XmlReason) -> Self {
        Reason::Xml(r)
    }
}

impl From<C14nReason> for Reason {
    fn from(r: C14nReason) -> Self {
        Reason::C14n(r)
    }
}

impl From<TrustReason> for Reason {
    fn from(r: TrustReason) -> Self {
        Reason::Trust(r)
    }
}

impl From<DsigReason> for Reason {
    fn from(r: DsigReason) -> Self {
        Reason::Dsig(r)
    }
}

impl From<SamlReason> for Reason {
    fn from(r: SamlReason) -> Self {
        Reason::Saml(r)
    }
}

impl From<SoapReason> for Reason {
    fn from(r: SoapReason) -> Self {
        Reason::Soap(r)
    }
}

impl From<WssReason> for Reason {
    fn from(r: WssReason) -> Self {
        Reason::Wss(r)
    }
}

impl From<PolicyReason> for Reason {
    fn from(r: PolicyReason) -> Self {
        Reason::Policy(r)
    }
}

impl From<OAuthReason> for Reason {
    fn from(r: OAuthReason) -> Self {
        Reason::OAuth(r)
    }
}

/// Implements `code()` and `Display` (the code, then the context where a variant has one) for a reason sub-enum from a
/// table of `Variant => "code"` rows, so the code table is the enum's single source of truth.
macro_rules! reason_codes {
    ($ty:ident { $($variant:ident $(($ctx:ident))? => $code:literal,)* }) => {
        impl $ty {
            /// The stable snake_case code of this reason.
            pub fn code(&self) -> &'static str {
                match self {
                    $($ty::$variant $(($crate::reason::reason_codes!(@ignore $ctx)))? => $code,)*
                }
            }

            /// Every code of this enum, in declaration order (for the tests that pin the table).
            #[cfg(test)]
            pub(crate) const ALL_CODES: &'static [&'static str] = &[$($code),*];
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $($ty::$variant $(($ctx))? => {
                        f.write_str($code)?;
                        $(write!(f, " ({})", $ctx)?;)?
                        Ok(())
                    })*
                }
            }
        }
    };
    (@ignore $ctx:ident) => { _ };
}
pub(crate) use reason_codes;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn reasons_stay_small_and_copy() {
        // A reason travels through every layer and into audit records: keep it a few words (a `&'static str`
        // context plus two tags).
        assert!(std::mem::size_of::<Reason>() <= 32, "{}", std::mem::size_of::<Reason>());
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let all: Vec<&str> = [
            XmlReason::ALL_CODES,
            C14nReason::ALL_CODES,
            TrustReason::ALL_CODES,
            DsigReason::ALL_CODES,
            SamlReason::ALL_CODES,
            SoapReason::ALL_CODES,
            WssReason::ALL_CODES,
            PolicyReason::ALL_CODES,
            OAuthReason::ALL_CODES,
        ]
        .concat();
        let mut seen = HashSet::new();
        for code in all {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
            assert!(seen.insert(code), "duplicate reason code {code}");
        }
    }
}
