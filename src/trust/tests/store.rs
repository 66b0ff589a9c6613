//! Certificates and the trust store: pinning, CA paths, validity, CRLs, key usage, EKU, policy and the cache.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, ExtendedKeyUsagePurpose,
    IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber,
    date_time_ymd,
};

use super::*;
use crate::clock::DateTime;

fn at(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

/// 2026-11-25T12:00:00Z, the reference time of the project's test PKI.
fn now() -> DateTime {
    at("2026-11-25T12:00:00Z")
}

struct Ca {
    cert: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

fn ca(cn: &str, parent: Option<&Ca>, years: (i32, i32)) -> Ca {
    let mut p = CertificateParams::default();
    p.distinguished_name.remove(DnType::CommonName);
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(years.0, 1, 1);
    p.not_after = date_time_ymd(years.1, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = match parent {
        Some(parent) => p.signed_by(&key, &parent.issuer).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    Ca { cert: Certificate::from_der(cert.der()).unwrap(), issuer: Issuer::new(p, key) }
}

struct Leaf {
    cert: Certificate,
    key: SigningKey,
}

struct LeafSpec {
    cn: &'static str,
    serial: u64,
    years: (i32, i32),
    ku: Vec<KeyUsagePurpose>,
    eku: Vec<ExtendedKeyUsagePurpose>,
    is_ca: IsCa,
}

impl Default for LeafSpec {
    fn default() -> Self {
        LeafSpec {
            cn: "leaf",
            serial: 0x1001,
            years: (2025, 2030),
            ku: vec![KeyUsagePurpose::DigitalSignature],
            eku: vec![],
            is_ca: IsCa::ExplicitNoCa,
        }
    }
}

fn leaf(issuer: Option<&Ca>, spec: LeafSpec) -> Leaf {
    let mut p = CertificateParams::default();
    p.distinguished_name.remove(DnType::CommonName);
    p.distinguished_name.push(DnType::OrganizationName, "Example, Inc.");
    p.distinguished_name.push(DnType::CommonName, spec.cn);
    p.serial_number = Some(SerialNumber::from(spec.serial));
    p.not_before = date_time_ymd(spec.years.0, 1, 1);
    p.not_after = date_time_ymd(spec.years.1, 1, 1);
    p.key_usages = spec.ku;
    p.extended_key_usages = spec.eku;
    p.is_ca = spec.is_ca;
    let key = KeyPair::generate().unwrap();
    let cert = match issuer {
        Some(ca) => p.signed_by(&key, &ca.issuer).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    Leaf {
        cert: Certificate::from_der(cert.der()).unwrap(),
        key: SigningKey::from_pkcs8_der(&key.serialize_der()).unwrap(),
    }
}

fn store_with(f: impl FnOnce(&mut TrustStoreBuilder)) -> TrustStore {
    let mut b = TrustStore::builder(KeyPolicy::default());
    f(&mut b);
    b.build()
}

fn pki_cert(name: &str) -> Certificate {
    Certificate::from_der(&pki(&format!("{name}.cert.der"))).unwrap()
}

#[test]
fn certificate_fields() {
    let cert = pki_cert("leaf-rsa2048");
    assert_eq!(
        cert.subject(),
        "CN=leaf-rsa2048,OU=Signing,O=Sluis Test PKI (public test keys - do not trust),C=NL"
    );
    assert_eq!(
        cert.issuer(),
        "CN=Sluis Test Intermediate CA,O=Sluis Test PKI (public test keys - do not trust),C=NL"
    );
    assert_eq!((cert.serial(), cert.serial_decimal()), (&[0x10u8, 0x01][..], "4097"));
    assert_eq!(cert.not_before(), at("2025-01-01T00:00:00Z"));
    assert_eq!(cert.not_after(), at("2045-01-01T00:00:00Z"));
    assert_eq!(cert.public_key().unwrap().rsa_bits(), Some(2048));
    assert_eq!(der::hex(&cert.sha1_thumbprint()), "09b5486a87be1c214060c06663ff54f2c7f08ac4"); // openssl -fingerprint
    assert_eq!(cert.sha256_fingerprint(), super::super::key::sha256(cert.der()));
    assert_eq!(cert.subject_key_id().map(<[u8]>::len), Some(20));
    assert!(!cert.is_ca() && cert.allows_signing());
    let ku = cert.key_usage().unwrap();
    assert!(ku.digital_signature() && ku.non_repudiation() && !ku.key_encipherment());
    // Validity is inclusive at both ends, to the second.
    assert_eq!(cert.check_validity(at("2045-01-01T00:00:00.999Z")), Ok(()));
    assert_eq!(cert.check_validity(at("2045-01-01T00:00:01Z")), Err(TrustReason::CertificateExpired));
    assert_eq!(cert.check_validity(at("2025-01-01T00:00:00Z")), Ok(()));
    assert_eq!(cert.check_validity(at("2024-12-31T23:59:59Z")), Err(TrustReason::CertificateNotYetValid));
    // PEM and DER agree; a bundle gives every certificate in order.
    assert_eq!(Certificate::from_pem(&pki("leaf-rsa2048.cert.pem")).unwrap(), cert);
    let chain = Certificate::all_from_pem(&pki("ca-chain.pem")).unwrap();
    assert_eq!(chain.len(), 2);
    assert!(chain[0].subject().contains("Intermediate") && chain[1].is_ca());
    assert!(!pki_cert("leaf-ku-keyencipherment").allows_signing());
    assert_eq!(Certificate::from_der(b"\x30\x03\x02\x01\x00"), Err(TrustReason::MalformedCertificate));
    let mut trailing = cert.der().to_vec();
    trailing.push(0);
    assert_eq!(Certificate::from_der(&trailing), Err(TrustReason::MalformedCertificate));
}

#[test]
fn openssl_test_pki() {
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.add_ca(&pki_cert("root-ca")).unwrap();
    b.add_crl_pem(&pki("intermediate-ca.crl.pem")).unwrap();
    b.add_crl_der(&pki("root-ca.crl.der")).unwrap();
    b.require_crl(true);
    let store = b.build();
    let inter = [pki_cert("intermediate-ca")];
    for (name, want) in [
        ("leaf-rsa2048", Ok(())),
        ("leaf-rsa3072", Ok(())),
        ("leaf-ec-p256", Ok(())),
        ("leaf-ec-p384", Ok(())),
        ("leaf-expired", Err(TrustReason::CertificateExpired)),
        ("leaf-not-yet-valid", Err(TrustReason::CertificateNotYetValid)),
        ("leaf-ku-keyencipherment", Err(TrustReason::KeyUsageNotAllowed)),
        ("leaf-rsa1024", Err(TrustReason::KeyTooSmall)),
        ("leaf-revoked", Err(TrustReason::CertificateRevoked)),
        ("untrusted-self-signed", Err(TrustReason::UntrustedKey)),
        ("leaf-other-ca", Err(TrustReason::UntrustedKey)),
    ] {
        let got = store.trust_certificate(&pki_cert(name), &inter, now());
        assert_eq!(got.as_ref().map(|_| ()), want.as_ref().map(|_| ()), "{name}");
        if let Ok(t) = got {
            assert_eq!(t.trust_path(), TrustPath::CaChain);
            assert!(t.subject().contains(name), "{}", t.subject());
        }
    }
    // Revoked on 2026-06-01, but a CRL lists a certificate as revoked whatever the verification time.
    assert_eq!(
        store.trust_certificate(&pki_cert("leaf-revoked"), &inter, at("2026-01-01T00:00:00Z")).map(|_| ()),
        Err(TrustReason::CertificateRevoked)
    );
    // Without the intermediate there is no path, unless the leaf's path is already cached.
    assert!(store.trust_certificate(&pki_cert("leaf-rsa2048"), &[], now()).is_ok());
    let uncached = store_with(|b| {
        b.add_ca(&pki_cert("root-ca")).unwrap();
    });
    assert_eq!(
        uncached.trust_certificate(&pki_cert("leaf-rsa2048"), &[], now()).map(|_| ()),
        Err(TrustReason::UntrustedKey)
    );
}

#[test]
fn chains_to_root_directly_and_via_intermediate() {
    let root = ca("Root", None, (2020, 2040));
    let inter = ca("Intermediate", Some(&root), (2020, 2040));
    let direct = leaf(Some(&root), LeafSpec::default());
    let via = leaf(Some(&inter), LeafSpec { cn: "via", ..LeafSpec::default() });
    let store = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
    });
    let t = store.trust_certificate(&direct.cert, &[], now()).unwrap();
    assert_eq!((t.trust_path(), t.subject().as_ref()), (TrustPath::CaChain, "CN=leaf,O=Example\\, Inc."));
    assert_eq!(t.certificate().map(|c| c.der()), Some(direct.cert.der()));
    // The trusted key verifies what the leaf's private key signed.
    let alg = direct.key.default_algorithm();
    let sig = direct.key.sign(alg, b"msg").unwrap();
    assert_eq!(t.public_key().verify(alg, b"msg", &sig, store.policy()), Ok(()));

    assert_eq!(store.trust_certificate(&via.cert, &[], now()).map(|_| ()), Err(TrustReason::UntrustedKey));
    assert!(store.trust_certificate(&via.cert, std::slice::from_ref(&inter.cert), now()).is_ok());
    let configured = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
        b.add_intermediate(inter.cert.clone());
    });
    assert!(configured.trust_certificate(&via.cert, &[], now()).is_ok());
    // A presented chain is bounded.
    let many = vec![inter.cert.clone(); MAX_PRESENTED_INTERMEDIATES + 1];
    assert_eq!(
        store.trust_certificate(&via.cert, &many, now()).map(|_| ()),
        Err(TrustReason::ChainInvalid("too many intermediate certificates"))
    );
    // A CA certificate is not a signing certificate.
    assert!(matches!(
        store.trust_certificate(&inter.cert, &[], now()).map(|_| ()),
        Err(TrustReason::ChainInvalid(_))
    ));
}

#[test]
fn validity_at_the_verification_time() {
    let root = ca("Root", None, (2020, 2040));
    let short_inter = ca("Short Intermediate", Some(&root), (2020, 2027));
    let l = leaf(Some(&root), LeafSpec::default()); // 2025 .. 2030
    let l2 = leaf(Some(&short_inter), LeafSpec { serial: 7, ..LeafSpec::default() });
    let store = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
    });
    let inter = [short_inter.cert.clone()];
    assert_eq!(
        store.trust_certificate(&l.cert, &[], at("2030-01-02T00:00:00Z")).map(|_| ()),
        Err(TrustReason::CertificateExpired)
    );
    assert_eq!(
        store.trust_certificate(&l.cert, &[], at("2024-06-01T00:00:00Z")).map(|_| ()),
        Err(TrustReason::CertificateNotYetValid)
    );
    assert!(store.trust_certificate(&l2.cert, &inter, at("2026-06-01T00:00:00Z")).is_ok());
    // The leaf is still valid in 2028, its intermediate is not.
    assert_eq!(
        store.trust_certificate(&l2.cert, &inter, at("2028-06-01T00:00:00Z")).map(|_| ()),
        Err(TrustReason::CertificateExpired)
    );
}

#[test]
fn self_signed_and_unknown_ca_are_untrusted_unless_pinned() {
    let self_signed = leaf(None, LeafSpec::default());
    let other_root = ca("Other", None, (2020, 2040));
    for store in [
        store_with(|_| {}),
        store_with(|b| {
            b.add_ca(&other_root.cert).unwrap();
        }),
    ] {
        assert_eq!(
            store.trust_certificate(&self_signed.cert, &[], now()).map(|_| ()),
            Err(TrustReason::UntrustedKey)
        );
        assert_eq!(
            store.trust_key(self_signed.cert.public_key().unwrap(), now()).map(|_| ()),
            Err(TrustReason::UntrustedKey)
        );
    }
    let pinned = store_with(|b| {
        b.pin_certificate(self_signed.cert.clone()).unwrap();
    });
    let t = pinned.trust_certificate(&self_signed.cert, &[], now()).unwrap();
    assert_eq!(t.trust_path(), TrustPath::PinnedCertificate);
    // A CA certificate that says it is not a CA cannot be a trust anchor.
    let mut b = TrustStore::builder(KeyPolicy::default());
    assert_eq!(
        b.add_ca(&self_signed.cert).map(|_| ()),
        Err(TrustReason::ChainInvalid("trust anchor is not a CA"))
    );
}

#[test]
fn pinned_keys_and_certificates() {
    let a = leaf(None, LeafSpec { cn: "pinned cert", ..LeafSpec::default() }); // valid 2025 .. 2030
    let bare = SigningKey::generate(KeyKind::Ed25519).unwrap();
    let store = store_with(|b| {
        b.pin_key(bare.public_key().clone()).unwrap();
        b.pin_certificate(a.cert.clone()).unwrap();
    });
    let t = store.trust_key(bare.public_key(), now()).unwrap();
    assert_eq!(t.trust_path(), TrustPath::PinnedKey);
    assert!(t.certificate().is_none());
    assert!(t.subject().starts_with("pinned key sha256:"), "{}", t.subject());
    assert_eq!(t.subject().len(), "pinned key sha256:".len() + 16);

    // A message's certificate wrapping a pinned bare key is trusted as the key; its own subject is ignored.
    let wrapper = leaf(None, LeafSpec { cn: "anything the sender likes", ..LeafSpec::default() });
    let wrapped_key_store = store_with(|b| {
        b.pin_key(wrapper.cert.public_key().unwrap().as_ref().clone()).unwrap();
    });
    let t = wrapped_key_store.trust_certificate(&wrapper.cert, &[], now()).unwrap();
    assert_eq!((t.trust_path(), t.certificate().is_none()), (TrustPath::PinnedKey, true));

    // The key of a pinned certificate, bare or in another certificate, is trusted as the pinned certificate.
    let t = store.trust_key(a.cert.public_key().unwrap(), now()).unwrap();
    assert_eq!(t.trust_path(), TrustPath::PinnedCertificate);
    assert_eq!(t.subject(), "CN=pinned cert,O=Example\\, Inc.");
    // ... but only while the pinned certificate is valid, unless that check is off.
    let later = at("2031-01-01T00:00:00Z");
    assert_eq!(
        store.trust_key(a.cert.public_key().unwrap(), later).map(|_| ()),
        Err(TrustReason::CertificateExpired)
    );
    assert_eq!(
        store.trust_certificate(&a.cert, &[], later).map(|_| ()),
        Err(TrustReason::CertificateExpired)
    );
    assert_eq!(store.pinned(now()).count(), 2);
    assert_eq!(store.pinned(later).count(), 1);
    let lenient = store_with(|b| {
        b.pin_certificate(a.cert.clone()).unwrap();
        b.check_pinned_validity(false);
    });
    assert!(lenient.trust_certificate(&a.cert, &[], later).is_ok());
    assert_eq!(lenient.pinned(later).count(), 1);

    // Unpinned keys are not trusted; pinned material must satisfy the policy when it is added.
    let stranger = SigningKey::generate(KeyKind::EcP256).unwrap();
    assert_eq!(store.trust_key(stranger.public_key(), now()).map(|_| ()), Err(TrustReason::UntrustedKey));
    let mut b = TrustStore::builder(KeyPolicy::default());
    let small = PublicKey::from_pem(&fixture("rsa1024.pub.pem")).unwrap();
    assert_eq!(b.pin_key(small.clone()).map(|_| ()), Err(TrustReason::KeyTooSmall));
    assert_eq!(b.pin_certificate(pki_cert("leaf-rsa1024")).map(|_| ()), Err(TrustReason::KeyTooSmall));
    let mut lowered = TrustStore::builder(KeyPolicy { min_rsa_bits: 1024, allow_sha1: false });
    assert!(lowered.pin_key(small).is_ok());
}

#[test]
fn revocation_with_crls() {
    let root = ca("Root", None, (2020, 2040));
    let inter = ca("Intermediate", Some(&root), (2020, 2040));
    let good = leaf(Some(&root), LeafSpec { serial: 10, ..LeafSpec::default() });
    let bad = leaf(Some(&root), LeafSpec { serial: 11, ..LeafSpec::default() });
    let under_inter = leaf(Some(&inter), LeafSpec { serial: 12, ..LeafSpec::default() });
    let crl = CertificateRevocationListParams {
        this_update: date_time_ymd(2026, 1, 1),
        next_update: date_time_ymd(2026, 2, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(11u64),
            revocation_time: date_time_ymd(2026, 1, 1),
            reason_code: Some(RevocationReason::KeyCompromise),
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&root.issuer)
    .unwrap();
    let build = |require: bool, enforce: bool| {
        store_with(|b| {
            b.add_ca(&root.cert).unwrap();
            b.add_crl_der(crl.der()).unwrap();
            b.require_crl(require);
            b.enforce_crl_next_update(enforce);
        })
    };
    let store = build(false, false);
    let inters = [inter.cert.clone()];
    assert!(store.trust_certificate(&good.cert, &[], now()).is_ok());
    assert_eq!(
        store.trust_certificate(&bad.cert, &[], now()).map(|_| ()),
        Err(TrustReason::CertificateRevoked)
    );
    // No CRL for the intermediate's certificates: unknown status is allowed unless CRLs are required.
    assert!(store.trust_certificate(&under_inter.cert, &inters, now()).is_ok());
    let strict = build(true, false);
    assert_eq!(
        strict.trust_certificate(&under_inter.cert, &inters, now()).map(|_| ()),
        Err(TrustReason::RevocationStatusUnknown)
    );
    assert!(strict.trust_certificate(&good.cert, &[], now()).is_ok());
    // The CRL's nextUpdate (2026-02-01) has passed at `now`: only refused when that is enforced.
    let enforcing = build(false, true);
    assert_eq!(
        enforcing.trust_certificate(&good.cert, &[], now()).map(|_| ()),
        Err(TrustReason::RevocationStatusUnknown)
    );
    assert!(enforcing.trust_certificate(&good.cert, &[], at("2026-01-15T00:00:00Z")).is_ok());
    // ... and a cached result does not outlive the CRL.
    assert_eq!(
        enforcing.trust_certificate(&good.cert, &[], at("2026-02-01T00:00:00Z")).map(|_| ()),
        Err(TrustReason::RevocationStatusUnknown)
    );
    let mut b = TrustStore::builder(KeyPolicy::default());
    assert_eq!(b.add_crl_der(b"\x30\x00").map(|_| ()), Err(TrustReason::MalformedCrl));
    assert_eq!(b.add_crl_pem(b"no crl").map(|_| ()), Err(TrustReason::MalformedCrl));
}

#[test]
fn key_usage_and_extended_key_usage() {
    let root = ca("Root", None, (2020, 2040));
    let store = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
    });
    let check = |ku: Vec<KeyUsagePurpose>, eku: Vec<ExtendedKeyUsagePurpose>| {
        let l = leaf(Some(&root), LeafSpec { ku, eku, ..LeafSpec::default() });
        store.trust_certificate(&l.cert, &[], now()).map(|_| ())
    };
    use ExtendedKeyUsagePurpose as E;
    use KeyUsagePurpose as K;
    assert_eq!(check(vec![K::KeyEncipherment], vec![]), Err(TrustReason::KeyUsageNotAllowed));
    assert_eq!(check(vec![K::ContentCommitment], vec![]), Ok(()));
    assert_eq!(check(vec![], vec![]), Ok(())); // no keyUsage extension at all
    for ok in [
        E::ClientAuth,
        E::EmailProtection,
        E::CodeSigning,
        E::Any,
        E::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 36]),
    ] {
        assert_eq!(check(vec![K::DigitalSignature], vec![ok.clone()]), Ok(()), "{ok:?}");
    }
    for bad in [E::ServerAuth, E::TimeStamping, E::OcspSigning] {
        assert_eq!(
            check(vec![K::DigitalSignature], vec![bad.clone()]),
            Err(TrustReason::ExtendedKeyUsageNotAllowed),
            "{bad:?}"
        );
    }
    assert_eq!(check(vec![K::DigitalSignature], vec![E::ServerAuth, E::ClientAuth]), Ok(()));
}

#[test]
fn path_cache_reuse_and_expiry() {
    let root = ca("Root", None, (2020, 2040));
    let inter = ca("Intermediate", Some(&root), (2020, 2040));
    let l = leaf(Some(&inter), LeafSpec::default()); // 2025 .. 2030
    let store = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
    });
    let inters = [inter.cert.clone()];
    let stats = |h, m, e| CacheStats { hits: h, misses: m, entries: e };
    let first = store.trust_certificate(&l.cert, &inters, at("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(store.cache_stats(), stats(0, 1, 1));
    // Same certificate, inside the validated interval: served from the cache, even without the intermediate.
    let again = store.trust_certificate(&l.cert, &[], at("2027-01-01T00:00:00Z")).unwrap();
    assert_eq!(again, first);
    assert_eq!(store.cache_stats(), stats(1, 1, 1));
    // Outside the interval the cache does not answer, and the path is validated (and refused) again.
    assert_eq!(
        store.trust_certificate(&l.cert, &inters, at("2030-06-01T00:00:00Z")).map(|_| ()),
        Err(TrustReason::CertificateExpired)
    );
    assert_eq!(
        store.trust_certificate(&l.cert, &inters, at("2024-06-01T00:00:00Z")).map(|_| ()),
        Err(TrustReason::CertificateNotYetValid)
    );
    assert_eq!(store.cache_stats(), stats(1, 3, 1));
    assert!(store.trust_certificate(&l.cert, &[], at("2029-12-31T23:59:59Z")).is_ok());
    assert_eq!(store.cache_stats(), stats(2, 3, 1));
    // Failures are not cached.
    let self_signed = leaf(None, LeafSpec::default());
    let _ = store.trust_certificate(&self_signed.cert, &[], now());
    assert_eq!(store.cache_stats().entries, 1);

    // The cache stays bounded.
    let small = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
        b.cache_capacity(2);
    });
    for serial in 0..5 {
        let l = leaf(Some(&root), LeafSpec { serial: 100 + serial, ..LeafSpec::default() });
        assert!(small.trust_certificate(&l.cert, &[], now()).is_ok());
        assert!(small.cache_stats().entries <= 2);
    }
    let none = store_with(|b| {
        b.add_ca(&root.cert).unwrap();
        b.cache_capacity(0);
    });
    assert!(none.trust_certificate(&l.cert, &inters, now()).is_ok());
    assert!(none.trust_certificate(&l.cert, &inters, now()).is_ok());
    assert_eq!(none.cache_stats(), CacheStats::default());
}

#[test]
fn file_loaders() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let items = pem::load_trust_items(&dir.join("testdata/pki/leaf-ec-p256.pubkey.pem")).unwrap();
    assert!(matches!(items.as_slice(), [pem::TrustItem::Key(k)] if k.kind() == KeyKind::EcP256));
    let items = pem::load_trust_items(&dir.join("testdata/pki/leaf-ec-p256.cert.der")).unwrap();
    assert!(matches!(items.as_slice(), [pem::TrustItem::Certificate(_)]));
    let pkcs1 = pem::load_trust_items(&dir.join("src/trust/testdata/rsa2048.pkcs1.pub.pem")).unwrap();
    assert!(matches!(pkcs1.as_slice(), [pem::TrustItem::Key(k)] if k.rsa_bits() == Some(2048)));
    assert_eq!(pem::load_certificates(&dir.join("testdata/pki/ca-chain.pem")).unwrap().len(), 2);
    assert_eq!(pem::load_crls(&dir.join("testdata/pki/intermediate-ca.crl.pem")).unwrap().len(), 1);
    assert_eq!(pem::load_crls(&dir.join("testdata/pki/intermediate-ca.crl.der")).unwrap().len(), 1);
    let key = pem::load_signing_key(&dir.join("testdata/pki/leaf-ec-p256.key.pem")).unwrap();
    let cert = pki_cert("leaf-ec-p256");
    assert_eq!(key.public_key(), cert.public_key().unwrap().as_ref());
    assert_eq!(
        pem::load_signing_key(&dir.join("testdata/pki/leaf-rsa1024.key.pem")).map(|_| ()),
        Err(pem::LoadError::Refused(TrustReason::MalformedKey)) // aws-lc-rs signs with 2048 bits and up only
    );
    assert_eq!(
        pem::load_certificates(&dir.join("src/trust/testdata/msg.txt")).map(|_| ()),
        Err(pem::LoadError::Nothing("certificate"))
    );
}
