//! XML Signature verification (XML-DSig 1.1 core validation), narrowed to what a SOAP/SAML gateway needs and
//! hardened against what broke other implementations.
//!
//! | file | holds |
//! |---|---|
//! | `algorithms` | the allowlist of digest and signature methods, and the namespaces |
//! | `ids` | [`IdPolicy`] and [`IdIndex`]: strict same-document ID resolution, duplicates refused |
//! | `signature` | reading a `Signature` element into a checked model, before any cryptography |
//! | `keyinfo` | `KeyInfo` against a [`crate::trust::TrustStore`]: embedded keys never trusted on their own |
//! | `verify` | [`verify`]: key, `SignatureValue`, then every Reference digest |
//! | `view` | [`VerifiedView`]: the covered nodes and the key, the only output |
//! | `sign` | [`sign`]: making signatures for fixtures and tests (never on the request path) |
//!
//! What is accepted: same-document References (`URI=""`, `#id`) with the transforms `enveloped-signature` and one
//! canonicalization (Exclusive C14N 1.0 or C14N 1.0, with or without comments, `InclusiveNamespaces PrefixList`);
//! RSA PKCS#1 v1.5 and RSA-PSS with SHA-256/384/512, ECDSA P-256/P-384, Ed25519; digests SHA-256/384/512; SHA-1
//! only when [`crate::trust::KeyPolicy::allow_sha1`] is set.
//!
//! What is refused, each with its own [`DsigReason`](crate::reason::DsigReason): XPath, XPath Filter 2, XPointer, XSLT, Base64 and unknown
//! transforms; external and XPointer URIs (never fetched); `Manifest`s; HMAC (and `HMACOutputLength`), DSA, MD5;
//! more than 30 References or 5 Transforms per Reference (Apache Santuario's secure-validation limits); `RetrievalMethod`
//! and `KeyInfoReference`; a second `SignedInfo`; an ID value declared twice.

mod algorithms;
mod ids;
mod keyinfo;
mod sign;
mod signature;
mod verify;
mod view;

pub use algorithms::{DSIG_NS, DSIG11_NS, DigestMethod, ENVELOPED_SIGNATURE, EXC_C14N_NS, SignatureMethod};
pub use ids::{IdAttribute, IdIndex, IdPolicy, SAML1_NS, SAML1P_NS, SAML2_NS, SAML2P_NS, WSU_NS, XENC_NS};
pub use sign::{KeyInfoSpec, Placement, ReferenceSpec, SignSpec, sign};
pub use signature::{
    MAX_REFERENCES, MAX_TRANSFORMS, Reference, ReferenceUri, Signature, read as read_signature,
};
pub use verify::{KeySource, VerifyOptions, verify};
pub use view::{SignedNode, SignedReference, VerifiedView};

#[cfg(test)]
mod tests;
