//! Parser limits: every dimension of a document an attacker controls has a finite bound, checked while tokenizing,
//! so memory and time are proportional to the bytes accepted and a refusal costs no more than reading up to it.

/// Bounds on one parse. Exceeding any of them is a specific [`crate::reason::XmlReason`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Total input size in bytes. 1 MiB by default: the largest SOAP messages seen in front of Dutch and NHS services
    /// carry a few hundred KiB of payload; anything bigger is better streamed than signed as one DOM.
    pub max_bytes: usize,
    /// Element nesting depth. 64 by default: a SOAP envelope with a SAML assertion inside WS-Security inside a Header
    /// rarely exceeds 15; libxml2's default cap is 256, and depth feeds every tree walk, so keep it small.
    pub max_depth: usize,
    /// Nodes in the tree: elements, attributes (including namespace declarations), text, comments and PIs. Bounds
    /// memory at about 64 bytes per node; 250,000 leaves room for a 1 MiB envelope of small elements.
    pub max_nodes: usize,
    /// Attributes (including namespace declarations) on one element. 256 by default: real SOAP/SAML elements carry
    /// fewer than 20, and the duplicate-attribute check must stay cheap.
    pub max_attributes: usize,
    /// Namespace bindings in scope at any element (declarations on it and all its ancestors). 256 by default; bounds
    /// prefix lookup and the namespace axis that canonicalization walks.
    pub max_namespaces_in_scope: usize,
    /// Length of any element, attribute or PI target name in bytes. 1,000 by default (XML has no limit; no standard
    /// vocabulary uses names longer than ~60).
    pub max_name_len: usize,
}

impl Limits {
    /// The limits for a SOAP message (1 MiB).
    pub const fn soap() -> Self {
        Limits {
            max_bytes: 1024 * 1024,
            max_depth: 64,
            max_nodes: 250_000,
            max_attributes: 256,
            max_namespaces_in_scope: 256,
            max_name_len: 1000,
        }
    }

    /// The limits for a SAML assertion carried in an OAuth token request (256 KiB).
    pub const fn token_request() -> Self {
        Limits { max_bytes: 256 * 1024, max_nodes: 60_000, ..Self::soap() }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::soap()
    }
}
