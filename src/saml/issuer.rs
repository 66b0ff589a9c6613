//! Issuer trust: per issuer entity ID, the keys that may sign its assertions.
//!
//! Each issuer has its own [`TrustStore`], so a key configured for issuer A never verifies an assertion whose `Issuer`
//! is B: the signature is checked against the keys of the issuer the assertion names, and the name is then re-read
//! from the signed node. Keys come from configuration (pinned certificates or public keys, several per issuer for
//! rollover, or CA anchors the issuer's certificates chain to) or from SAML metadata ([`super::metadata`]).
//!
//! An [`IssuerTrust`] is a [`KeySource`], so [`crate::dsig::verify`] is used unchanged. With pinned keys only, the
//! candidates are all the issuer's pinned keys whatever the signature's `KeyInfo` says (`KeyInfo` is a hint an attacker
//! writes; real IdPs put the same certificate, a different encoding of the same key, or a stale certificate there).
//! With CA anchors, a certificate in `KeyInfo` may also be path-validated to one of *this issuer's* anchors.

use crate::clock::DateTime;
use crate::dsig::KeySource;
use crate::reason::{Reason, SamlReason, TrustReason};
use crate::trust::{Certificate, KeyPolicy, PublicKey, TrustStore, TrustStoreBuilder, TrustedKey};
use crate::xml::{Document, NodeId};
use std::collections::HashMap;
use std::sync::Arc;

/// The keys one issuer signs with. An issuer built without any key is still known: its assertions are accepted only
/// as sender-vouches assertions under a caller-verified attesting signature
/// ([`super::AssertionSignature::AttestedBy`]); anything needing its own signature fails with `untrusted_key`.
pub struct IssuerTrust {
    entity_id: String,
    store: TrustStore,
    /// The pinned certificates, kept to name the refusal when none is valid.
    certificates: Vec<Certificate>,
    has_anchors: bool,
    valid_until: Option<DateTime>,
}

impl std::fmt::Debug for IssuerTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerTrust")
            .field("entity_id", &self.entity_id)
            .field("store", &self.store)
            .field("valid_until", &self.valid_until)
            .finish()
    }
}

/// Builds an [`IssuerTrust`].
pub struct IssuerTrustBuilder {
    entity_id: String,
    store: TrustStoreBuilder,
    certificates: Vec<Certificate>,
    has_anchors: bool,
    valid_until: Option<DateTime>,
}

impl IssuerTrust {
    /// Starts an issuer with entity ID `entity_id`; `policy` applies to its keys and to the signature algorithms it may
    /// use (SHA-1 only if that issuer's policy allows it).
    pub fn builder(entity_id: impl Into<String>, policy: KeyPolicy) -> IssuerTrustBuilder {
        IssuerTrustBuilder {
            entity_id: entity_id.into(),
            store: TrustStore::builder(policy),
            certificates: Vec::new(),
            has_anchors: false,
            valid_until: None,
        }
    }

    /// The issuer's entity ID (the exact `Issuer` value its assertions carry).
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The issuer's keys.
    pub fn store(&self) -> &TrustStore {
        &self.store
    }

    /// When the configuration (metadata `validUntil`) stops vouching for these keys, if ever.
    pub fn valid_until(&self) -> Option<DateTime> {
        self.valid_until
    }

    /// Whether the issuer may be relied on at `at`.
    pub(crate) fn check_valid(&self, at: DateTime) -> Result<(), SamlReason> {
        match self.valid_until {
            Some(until) if at >= until => Err(SamlReason::MetadataExpired),
            _ => Ok(()),
        }
    }
}

impl IssuerTrustBuilder {
    /// Pins a certificate (its key may sign). [`TrustReason::KeyTooSmall`] etc. if the policy refuses the key.
    pub fn pin_certificate(&mut self, cert: Certificate) -> Result<&mut Self, TrustReason> {
        self.store.pin_certificate(cert.clone())?;
        self.certificates.push(cert);
        Ok(self)
    }

    /// Pins a bare public key.
    pub fn pin_key(&mut self, key: PublicKey) -> Result<&mut Self, TrustReason> {
        self.store.pin_key(key)?;
        Ok(self)
    }

    /// Adds a CA: a certificate in the signature's `KeyInfo` that chains to it (at the verification time) may sign for
    /// this issuer, and only this issuer.
    pub fn add_ca(&mut self, cert: &Certificate) -> Result<&mut Self, TrustReason> {
        self.store.add_ca(cert)?;
        self.has_anchors = true;
        Ok(self)
    }

    /// Adds an intermediate CA certificate for path building.
    pub fn add_intermediate(&mut self, cert: Certificate) -> &mut Self {
        self.store.add_intermediate(cert);
        self
    }

    /// Whether a pinned certificate must be within its validity period at the verification time. On by default for
    /// configured certificates; metadata-sourced issuers switch it off (see [`super::metadata`]).
    pub fn check_certificate_validity(&mut self, on: bool) -> &mut Self {
        self.store.check_pinned_validity(on);
        self
    }

    /// The instant after which the issuer is no longer trusted (metadata `validUntil`).
    pub fn valid_until(&mut self, until: DateTime) -> &mut Self {
        self.valid_until = Some(self.valid_until.map_or(until, |u| u.min(until)));
        self
    }

    /// Finishes the issuer.
    pub fn build(self) -> IssuerTrust {
        IssuerTrust {
            entity_id: self.entity_id,
            store: self.store.build(),
            certificates: self.certificates,
            has_anchors: self.has_anchors,
            valid_until: self.valid_until,
        }
    }
}

impl KeySource for IssuerTrust {
    fn candidates(
        &self,
        doc: &Document<'_>,
        key_info: Option<NodeId>,
        at: DateTime,
    ) -> Result<Vec<TrustedKey>, Reason> {
        let mut keys: Vec<TrustedKey> = self.store.pinned(at).collect();
        if self.has_anchors && key_info.is_some() {
            match self.store.candidates(doc, key_info, at) {
                Ok(more) => {
                    for k in more {
                        if !keys.contains(&k) {
                            keys.push(k);
                        }
                    }
                }
                Err(e) if keys.is_empty() => return Err(e),
                Err(_) => {}
            }
        }
        if keys.is_empty() {
            // Every pinned certificate is outside its validity (or nothing is configured): say which.
            let reason = self.certificates.iter().find_map(|c| c.check_validity(at).err());
            return Err(reason.unwrap_or(TrustReason::UntrustedKey).into());
        }
        Ok(keys)
    }
}

/// Every issuer sluis accepts assertions from, by entity ID.
#[derive(Debug, Default)]
pub struct IssuerRegistry {
    issuers: HashMap<String, Arc<IssuerTrust>>,
}

impl IssuerRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        IssuerRegistry::default()
    }

    /// Adds an issuer. Configuring one entity ID twice is a configuration error
    /// ([`SamlReason::MalformedMetadata`]): two sources of keys for one issuer would silently widen its trust.
    pub fn add(&mut self, issuer: IssuerTrust) -> Result<&mut Self, SamlReason> {
        if issuer.entity_id.is_empty() {
            return Err(SamlReason::MalformedMetadata("empty issuer entity ID"));
        }
        if self.issuers.contains_key(&issuer.entity_id) {
            return Err(SamlReason::MalformedMetadata("issuer configured twice"));
        }
        self.issuers.insert(issuer.entity_id.clone(), Arc::new(issuer));
        Ok(self)
    }

    /// Adds every identity provider / attribute authority of a SAML metadata document (see [`super::metadata`]),
    /// returning their entity IDs.
    pub fn add_metadata(
        &mut self,
        xml: &[u8],
        options: &super::metadata::MetadataOptions<'_>,
    ) -> Result<Vec<String>, Reason> {
        let issuers = super::metadata::issuers_from_metadata(xml, options)?;
        let mut ids = Vec::with_capacity(issuers.len());
        for issuer in issuers {
            ids.push(issuer.entity_id.clone());
            self.add(issuer)?;
        }
        Ok(ids)
    }

    /// The issuer with this entity ID.
    pub fn get(&self, entity_id: &str) -> Option<&IssuerTrust> {
        self.issuers.get(entity_id).map(|a| a.as_ref())
    }

    /// The issuer with this entity ID, trusted at `at`: [`SamlReason::IssuerUnknown`] or
    /// [`SamlReason::MetadataExpired`] otherwise.
    pub fn trusted(&self, entity_id: &str, at: DateTime) -> Result<&IssuerTrust, SamlReason> {
        let issuer = self.get(entity_id).ok_or(SamlReason::IssuerUnknown)?;
        issuer.check_valid(at)?;
        Ok(issuer)
    }

    /// Number of issuers.
    pub fn len(&self) -> usize {
        self.issuers.len()
    }

    /// Whether no issuer is configured.
    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty()
    }
}
