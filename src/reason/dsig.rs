//! Refusals of XML Signature processing ([`crate::dsig`]).

use super::outward::WsseFault;
use super::reason_codes;

/// Why an XML Signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DsigReason {
    /// No `ds:Signature` where one was required.
    SignatureMissing,
    /// The `Signature` element does not have the structure XML-DSig §4 requires; the context names the element.
    MalformedSignature(&'static str),
    /// Not exactly one `SignedInfo`.
    SignedInfoCount,
    /// An algorithm URI that sluis never accepts, or that policy disallows (SHA-1, HMAC in a public-key context,
    /// MD5, DSA, ...). The context names which slot (digest, signature, canonicalization).
    AlgorithmNotAllowed(&'static str),
    /// A transform other than enveloped-signature, exclusive C14N or C14N 1.0 (XPath, XSLT, XPointer, Base64, ...).
    TransformNotAllowed,
    /// More References or Transforms than the secure-validation limits allow.
    TooManyReferences,
    /// More Transforms on one Reference than the secure-validation limits allow.
    TooManyTransforms,
    /// A Reference URI that is not same-document (`""` or `#id`).
    ExternalReference,
    /// A Reference `#id` that no element declares with an allowed ID attribute.
    ReferenceNotFound,
    /// An ID value declared on more than one element.
    DuplicateId,
    /// A Reference's digest does not match the canonical bytes of what it points to.
    DigestMismatch,
    /// The `SignatureValue` does not verify over the canonical `SignedInfo` with the key.
    SignatureInvalid,
    /// A `DigestValue` or `SignatureValue` that is not valid base64 or has the wrong length.
    MalformedValue,
    /// KeyInfo content sluis refuses to follow (`RetrievalMethod`, `KeyInfoReference`).
    KeyInfoNotAllowed,
    /// An `HMACOutputLength` (truncated HMAC) or any HMAC where a public-key signature is required.
    HmacNotAllowed,
    /// A `Manifest` or `Object`-based indirection sluis does not process as signed content.
    ManifestNotAllowed,
}

reason_codes!(DsigReason {
    SignatureMissing => "signature_missing",
    MalformedSignature(ctx) => "malformed_signature",
    SignedInfoCount => "signed_info_count",
    AlgorithmNotAllowed(ctx) => "algorithm_not_allowed",
    TransformNotAllowed => "transform_not_allowed",
    TooManyReferences => "too_many_references",
    TooManyTransforms => "too_many_transforms",
    ExternalReference => "external_reference",
    ReferenceNotFound => "reference_not_found",
    DuplicateId => "duplicate_id",
    DigestMismatch => "digest_mismatch",
    SignatureInvalid => "signature_invalid",
    MalformedValue => "malformed_value",
    KeyInfoNotAllowed => "key_info_not_allowed",
    HmacNotAllowed => "hmac_not_allowed",
    ManifestNotAllowed => "manifest_not_allowed",
});

impl DsigReason {
    /// The WS-Security fault for this reason: a signature that does not verify is `FailedCheck`; an algorithm or
    /// transform outside the allowlist is `UnsupportedAlgorithm`; structural problems are `InvalidSecurity`.
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            DsigReason::DigestMismatch | DsigReason::SignatureInvalid => WsseFault::FailedCheck,
            DsigReason::AlgorithmNotAllowed(_)
            | DsigReason::TransformNotAllowed
            | DsigReason::HmacNotAllowed => WsseFault::UnsupportedAlgorithm,
            DsigReason::SignatureMissing
            | DsigReason::MalformedSignature(_)
            | DsigReason::SignedInfoCount
            | DsigReason::TooManyReferences
            | DsigReason::TooManyTransforms
            | DsigReason::ExternalReference
            | DsigReason::ReferenceNotFound
            | DsigReason::DuplicateId
            | DsigReason::MalformedValue
            | DsigReason::KeyInfoNotAllowed
            | DsigReason::ManifestNotAllowed => WsseFault::InvalidSecurity,
        }
    }
}
