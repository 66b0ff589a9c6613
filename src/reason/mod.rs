//! Why sluis refused something: one type, [`Reason`], for every refusal in the pipeline.
//!
//! Each stage of the data flow has its own `Copy` sub-enum ([`XmlReason`], [`C14nReason`], [`TrustReason`],
//! [`DsigReason`]) and every variant has a stable snake_case [`code`](Reason::code) that tests, audit records and the
//! CLI's JSON output use. The codes are an interface: never rename one, only add. Mapping a reason to what a client is
//! told (a WS-Security fault code, an OAuth error) happens in exactly one table per audience, so adding a variant forces
//! a decision there (the tables match without a `_` arm).
//!
//! Context is a `&'static str` naming the structure involved, never a `String` carrying input: reasons are cheap to copy,
//! and attacker-controlled text cannot reach a log line through them.

mod c14n;
mod dsig;
mod trust;
mod xml;

pub use c14n::C14nReason;
pub use dsig::DsigReason;
pub use trust::TrustReason;
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
    /// A state the code believes impossible; reported instead of panicking. The text names the place.
    Internal(&'static str),
}

impl Reason {
    /// The stable machine-readable code, e.g. `dtd_forbidden` or `digest_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Xml(r) => r.code(),
            Reason::C14n(r) => r.code(),
            Reason::Trust(r) => r.code(),
            Reason::Dsig(r) => r.code(),
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
        let all: Vec<&str> =
            [XmlReason::ALL_CODES, C14nReason::ALL_CODES, TrustReason::ALL_CODES, DsigReason::ALL_CODES]
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
