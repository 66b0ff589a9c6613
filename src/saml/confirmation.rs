//! `SubjectConfirmation` (SAML 2.0 Core §2.4.1, SAML 1.1 Core §2.4) and the three methods sluis validates.
//!
//! | method | URI (2.0 / 1.1) | validated when |
//! |---|---|---|
//! | bearer | `urn:oasis:names:tc:SAML:2.0:cm:bearer` / `…:1.0:cm:bearer` | the issuer signed the assertion, and (2.0, SAML Profiles §4.1.4.2) `SubjectConfirmationData` has a `Recipient` that is ours, a `NotOnOrAfter` still ahead (checked even when `Conditions` has one), no `NotBefore`, an `InResponseTo` the policy accepts, and an `Address` that matches when that check is on |
//! | holder-of-key | `…:2.0:cm:holder-of-key` / `…:1.0:cm:holder-of-key` | the issuer signed the assertion and at least one `ds:KeyInfo` (X.509 certificate or key value) names the key; the keys are returned so the WS-Security layer can check that the message signature was made with one of them |
//! | sender-vouches | `…:2.0:cm:sender-vouches` / `…:1.0:cm:sender-vouches` | a signature the *caller* trusts (the WS-Security message signature) covers the assertion ([`super::AssertionSignature::AttestedBy`]) |
//!
//! For holder-of-key and sender-vouches, the optional `SubjectConfirmationData` times, `Recipient`, `InResponseTo` and
//! `Address` are checked when present. An assertion that only the attesting entity signed yields sender-vouches
//! confirmations only: bearer and holder-of-key claims need the issuer's own signature. Unknown methods are ignored; if
//! nothing validates, the most specific failure is the refusal.

use super::conditions::TimeCheck;
use super::policy::{InResponseToPolicy, SamlPolicy};
use crate::clock::DateTime;
use crate::dsig::{DSIG_NS, SignedNode, VerifiedView};
use crate::reason::{Reason, SamlReason, TrustReason};
use crate::trust::{Certificate, KeyPolicy, PublicKey, TrustStore, TrustedKey};
use crate::xml::decode_base64_binary;
use std::sync::Arc;

const BEARER_2: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const HOK_2: &str = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key";
const SV_2: &str = "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches";
const BEARER_1: &str = "urn:oasis:names:tc:SAML:1.0:cm:bearer";
const HOK_1: &str = "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key";
const SV_1: &str = "urn:oasis:names:tc:SAML:1.0:cm:sender-vouches";

/// The most keys read from one confirmation (several `KeyInfo`s or certificates are legal; a handful is plenty).
const MAX_CONFIRMATION_KEYS: usize = 8;

/// How the presenter of an assertion proves it is the subject (or acts for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfirmationMethod {
    /// Whoever presents the assertion (SAML 2.0 Profiles §3.3, 1.1 `cm:bearer`).
    Bearer,
    /// Whoever proves possession of the key in the confirmation.
    HolderOfKey,
    /// An attesting entity that signs the message carrying the assertion vouches for the subject.
    SenderVouches,
}

impl ConfirmationMethod {
    /// The method a SAML 2.0 or 1.1 method URI names.
    pub fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            BEARER_2 | BEARER_1 => Some(ConfirmationMethod::Bearer),
            HOK_2 | HOK_1 => Some(ConfirmationMethod::HolderOfKey),
            SV_2 | SV_1 => Some(ConfirmationMethod::SenderVouches),
            _ => None,
        }
    }

    /// A stable name for audit and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmationMethod::Bearer => "bearer",
            ConfirmationMethod::HolderOfKey => "holder-of-key",
            ConfirmationMethod::SenderVouches => "sender-vouches",
        }
    }
}

/// A key named by a holder-of-key confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationKey {
    key: Arc<PublicKey>,
    certificate: Option<Certificate>,
}

impl ConfirmationKey {
    /// The public key the presenter must prove possession of.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The certificate it came in, if it came in one (its validity and issuer are *not* checked: the issuer's
    /// signature on the assertion is what binds the key to the subject).
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    /// Whether `key` (e.g. the key that verified the WS-Security message signature) is this key.
    pub fn matches(&self, key: &PublicKey) -> bool {
        *self.key == *key
    }

    /// The key as a [`TrustedKey`], for a [`crate::dsig::KeySource`] that verifies the message signature the
    /// presenter makes with it. Its trust comes from the issuer's signature over the assertion that names it, so it
    /// is represented as a pinned key ([`crate::trust::TrustPath::PinnedKey`]); `policy` still applies (an RSA key
    /// below its minimum is [`TrustReason::KeyTooSmall`]).
    pub fn trusted(&self, policy: KeyPolicy) -> Result<TrustedKey, TrustReason> {
        let mut store = TrustStore::builder(policy);
        store.pin_key((*self.key).clone())?;
        // A pinned bare key has no validity period: the instant is not consulted.
        store.build().trust_key(&self.key, DateTime::from_unix_seconds(0))
    }
}

/// A subject confirmation that validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    method: ConfirmationMethod,
    not_on_or_after: Option<DateTime>,
    recipient: Option<String>,
    in_response_to: Option<String>,
    address: Option<String>,
    keys: Vec<ConfirmationKey>,
    attester: Option<TrustedKey>,
}

impl Confirmation {
    /// The method.
    pub fn method(&self) -> ConfirmationMethod {
        self.method
    }

    /// `SubjectConfirmationData/@NotOnOrAfter`, if present.
    pub fn not_on_or_after(&self) -> Option<DateTime> {
        self.not_on_or_after
    }

    /// `SubjectConfirmationData/@Recipient` (checked to be one of ours), if present.
    pub fn recipient(&self) -> Option<&str> {
        self.recipient.as_deref()
    }

    /// `SubjectConfirmationData/@InResponseTo`, if present (checked per policy).
    pub fn in_response_to(&self) -> Option<&str> {
        self.in_response_to.as_deref()
    }

    /// `SubjectConfirmationData/@Address`, if present.
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// Holder-of-key: the keys, one of which must have signed the message. Empty for other methods.
    pub fn keys(&self) -> &[ConfirmationKey] {
        &self.keys
    }

    /// Sender-vouches: the key of the attesting signature (whose trust the caller decided).
    pub fn attester(&self) -> Option<&TrustedKey> {
        self.attester.as_ref()
    }
}

/// `SubjectConfirmationData` attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ConfirmationData {
    pub present: bool,
    pub not_before: Option<DateTime>,
    pub not_on_or_after: Option<DateTime>,
    pub recipient: Option<String>,
    pub in_response_to: Option<String>,
    pub address: Option<String>,
}

/// A confirmation as read, before any check.
#[derive(Clone, Debug)]
pub(crate) struct RawConfirmation {
    /// None: a method sluis does not know.
    pub method: Option<ConfirmationMethod>,
    pub data: ConfirmationData,
    /// The `KeyInfo` keys, or why they could not be read.
    pub keys: Result<Vec<ConfirmationKey>, Reason>,
}

/// Reads the keys of one `ds:KeyInfo`: every `X509Data/X509Certificate`, `KeyValue/RSAKeyValue` and
/// `dsig11:DEREncodedKeyValue`. Other children (names, hints) carry no key and are skipped.
pub(crate) fn read_key_info(
    view: &VerifiedView<'_, '_>,
    key_info: &SignedNode<'_, '_, '_>,
    out: &mut Vec<ConfirmationKey>,
) -> Result<(), Reason> {
    for child in super::read::element_children(view, key_info, "KeyInfo")? {
        let n = child.node();
        if n.is(DSIG_NS, "X509Data") {
            for c in super::read::element_children(view, &child, "X509Data")? {
                if c.node().is(DSIG_NS, "X509Certificate") {
                    let der = decode_base64_binary(&c.text()).ok_or(TrustReason::MalformedCertificate)?;
                    let cert = Certificate::from_der(&der)?;
                    let key = Arc::clone(cert.public_key()?);
                    push_key(out, ConfirmationKey { key, certificate: Some(cert) })?;
                }
            }
        } else if n.is(DSIG_NS, "KeyValue") {
            let rsa = child.child(DSIG_NS, "RSAKeyValue").ok_or(TrustReason::UnsupportedKeyType)?;
            let part = |name| -> Result<Vec<u8>, Reason> {
                let v = rsa.child(DSIG_NS, name).ok_or(SamlReason::MalformedAssertion("RSAKeyValue"))?;
                Ok(decode_base64_binary(&v.text()).ok_or(TrustReason::MalformedKey)?)
            };
            let key = PublicKey::from_rsa_components(&part("Modulus")?, &part("Exponent")?)?;
            push_key(out, ConfirmationKey { key: Arc::new(key), certificate: None })?;
        } else if n.is(crate::dsig::DSIG11_NS, "DEREncodedKeyValue") {
            let der = decode_base64_binary(&child.text()).ok_or(TrustReason::MalformedKey)?;
            push_key(
                out,
                ConfirmationKey { key: Arc::new(PublicKey::from_spki_der(&der)?), certificate: None },
            )?;
        }
    }
    Ok(())
}

fn push_key(out: &mut Vec<ConfirmationKey>, key: ConfirmationKey) -> Result<(), Reason> {
    if out.len() >= MAX_CONFIRMATION_KEYS {
        return Err(SamlReason::MalformedAssertion("too many confirmation keys").into());
    }
    out.push(key);
    Ok(())
}

/// Who signed the assertion, as far as confirmations care.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signers<'k> {
    /// The issuer's own signature (on the assertion or its Response) verified.
    pub issuer_signed: bool,
    /// The attesting entity's key, when a caller-verified signature covers the assertion.
    pub attester: Option<&'k TrustedKey>,
}

/// What the confirmation checks need besides the confirmations.
pub(crate) struct ConfirmationCheck<'p> {
    pub policy: &'p SamlPolicy,
    pub time: TimeCheck,
    pub issue_instant: DateTime,
    pub request_id: Option<&'p str>,
    pub client_address: Option<&'p str>,
    /// SAML 1.1 bearer confirmations carry no data to check (the 1.1 profiles put `Recipient` on the Response).
    pub saml11: bool,
}

/// Validates each confirmation; returns those that hold, or the most specific failure if none does.
pub(crate) fn check_all(
    raw: &[RawConfirmation],
    signers: Signers<'_>,
    c: &ConfirmationCheck<'_>,
) -> Result<Vec<Confirmation>, Reason> {
    let mut ok: Vec<Confirmation> = Vec::new();
    let mut first_failure: Option<Reason> = None;
    for r in raw {
        match check_one(r, signers, c) {
            Ok(conf) => {
                if !ok.contains(&conf) {
                    ok.push(conf);
                }
            }
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    if ok.is_empty() {
        return Err(first_failure.unwrap_or(SamlReason::NoSubjectConfirmation.into()));
    }
    Ok(ok)
}

fn check_one(
    r: &RawConfirmation,
    signers: Signers<'_>,
    c: &ConfirmationCheck<'_>,
) -> Result<Confirmation, Reason> {
    let method = r.method.ok_or(SamlReason::NoSubjectConfirmation)?;
    let d = &r.data;
    let mut keys = Vec::new();
    let mut attester = None;
    match method {
        ConfirmationMethod::Bearer => {
            if !signers.issuer_signed {
                return Err(SamlReason::AssertionNotSigned.into());
            }
            if !c.saml11 {
                // SAML Profiles §4.1.4.2: Recipient and NotOnOrAfter required, NotBefore forbidden.
                if d.not_before.is_some() {
                    return Err(SamlReason::BearerNotBefore.into());
                }
                if d.recipient.is_none() {
                    return Err(SamlReason::RecipientMissing.into());
                }
                if d.not_on_or_after.is_none() {
                    return Err(SamlReason::ConfirmationExpiryMissing.into());
                }
            }
        }
        ConfirmationMethod::HolderOfKey => {
            if !signers.issuer_signed {
                return Err(SamlReason::AssertionNotSigned.into());
            }
            keys = r.keys.clone()?;
            if keys.is_empty() {
                return Err(SamlReason::ConfirmationKeyMissing.into());
            }
        }
        ConfirmationMethod::SenderVouches => {
            attester = Some(signers.attester.ok_or(SamlReason::ConfirmationMethodNotAccepted)?.clone());
        }
    }
    if let Some(nb) = d.not_before
        && !c.time.reached(nb)
    {
        return Err(SamlReason::ConfirmationNotYetValid.into());
    }
    if let Some(noa) = d.not_on_or_after {
        if !c.time.before(noa) {
            return Err(SamlReason::ConfirmationExpired.into());
        }
        if !c.time.lifetime_ok(c.issue_instant, noa) {
            return Err(SamlReason::LifetimeTooLong.into());
        }
    }
    if let Some(recipient) = &d.recipient
        && !c.policy.is_recipient(recipient)
    {
        return Err(SamlReason::RecipientMismatch.into());
    }
    check_in_response_to(c.policy.in_response_to, d.in_response_to.as_deref(), c.request_id)?;
    if c.policy.check_address
        && let (Some(expected), Some(client)) = (&d.address, c.client_address)
        && expected != client
    {
        return Err(SamlReason::AddressMismatch.into());
    }
    Ok(Confirmation {
        method,
        not_on_or_after: d.not_on_or_after,
        recipient: d.recipient.clone(),
        in_response_to: d.in_response_to.clone(),
        address: d.address.clone(),
        keys,
        attester,
    })
}

/// The `InResponseTo` rule for one value (of the Response or of a confirmation).
pub(crate) fn check_in_response_to(
    policy: InResponseToPolicy,
    value: Option<&str>,
    request_id: Option<&str>,
) -> Result<(), SamlReason> {
    match (policy, value) {
        (InResponseToPolicy::AcceptAny, _) => Ok(()),
        (InResponseToPolicy::Refuse, None) => Ok(()),
        (InResponseToPolicy::Refuse, Some(_)) => Err(SamlReason::InResponseToMismatch),
        (InResponseToPolicy::MatchRequest { allow_unsolicited }, None) => {
            if allow_unsolicited {
                Ok(())
            } else {
                Err(SamlReason::InResponseToMismatch)
            }
        }
        (InResponseToPolicy::MatchRequest { .. }, Some(v)) => {
            if request_id == Some(v) {
                Ok(())
            } else {
                Err(SamlReason::InResponseToMismatch)
            }
        }
    }
}
