//! Refusals of canonicalization ([`crate::c14n`]).

use super::outward::WsseFault;
use super::reason_codes;

/// Why a node-set could not be canonicalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum C14nReason {
    /// A namespace declaration with a relative URI: C14N 1.0 §2 leaves these undefined and libxml2 and Santuario
    /// refuse them, so sluis does too (a signer and a verifier could otherwise disagree on the bytes).
    RelativeNamespaceUri,
    /// An `InclusiveNamespaces PrefixList` that is not a list of NCNames and `#default`, or a PrefixList given to
    /// inclusive C14N (which has no parameters).
    InvalidPrefixList,
    /// A node-set that is not a subtree of the document node or of an element (minus a subtree), or a node id that is
    /// out of range for the document.
    InvalidNodeSet,
}

reason_codes!(C14nReason {
    RelativeNamespaceUri => "relative_namespace_uri",
    InvalidPrefixList => "invalid_prefix_list",
    InvalidNodeSet => "invalid_node_set",
});

impl C14nReason {
    /// The WS-Security fault for this reason.
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            C14nReason::RelativeNamespaceUri | C14nReason::InvalidPrefixList | C14nReason::InvalidNodeSet => {
                WsseFault::InvalidSecurity
            }
        }
    }
}
