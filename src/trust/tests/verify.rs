//! Public keys, signing and verification.

use super::super::der;
use super::*;

use HashAlgorithm::*;
use SignatureAlgorithm::*;

const MSG: &[u8] = b"<SignedInfo>the canonical bytes</SignedInfo>";

fn strict() -> KeyPolicy {
    KeyPolicy::default()
}

fn legacy() -> KeyPolicy {
    KeyPolicy { min_rsa_bits: 1024, allow_sha1: true }
}

/// What aws-lc-rs can sign, per key type.
fn signable(kind: KeyKind) -> Vec<SignatureAlgorithm> {
    match kind {
        KeyKind::Rsa { .. } => {
            vec![
                RsaPkcs1(Sha256),
                RsaPkcs1(Sha384),
                RsaPkcs1(Sha512),
                RsaPss(Sha256),
                RsaPss(Sha384),
                RsaPss(Sha512),
            ]
        }
        KeyKind::EcP256 => vec![EcdsaFixed(Sha256), EcdsaDer(Sha256)],
        KeyKind::EcP384 => vec![EcdsaFixed(Sha384), EcdsaDer(Sha384)],
        KeyKind::Ed25519 => vec![Ed25519],
    }
}

const KINDS: [KeyKind; 4] = [KeyKind::Rsa { bits: 2048 }, KeyKind::EcP256, KeyKind::EcP384, KeyKind::Ed25519];

#[test]
fn sign_verify_round_trip_every_algorithm() {
    for kind in KINDS {
        let key = SigningKey::generate(kind).unwrap();
        let other = SigningKey::generate(kind).unwrap();
        assert_eq!(key.public_key().kind(), kind);
        for alg in signable(kind) {
            let sig = key.sign(alg, MSG).unwrap();
            let public = key.public_key();
            assert_eq!(public.verify(alg, MSG, &sig, &strict()), Ok(()), "{kind} {alg:?}");
            let mut tampered = MSG.to_vec();
            tampered[1] ^= 1;
            assert_eq!(
                public.verify(alg, &tampered, &sig, &strict()),
                Err(VerifyError::BadSignature),
                "{alg:?}"
            );
            assert_eq!(
                other.public_key().verify(alg, MSG, &sig, &strict()),
                Err(VerifyError::BadSignature),
                "wrong key {alg:?}"
            );
            let mut flipped = sig.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 0x40;
            assert!(public.verify(alg, MSG, &flipped, &strict()).is_err(), "{alg:?}");
            assert_eq!(public.verify(alg, MSG, &[], &strict()), Err(VerifyError::BadSignature), "{alg:?}");
        }
        // The default algorithm is one of them.
        assert!(signable(kind).contains(&key.default_algorithm()));
    }
}

#[test]
fn fixed_and_der_ecdsa_are_the_same_signature() {
    let key = SigningKey::generate(KeyKind::EcP384).unwrap();
    let fixed = key.sign(EcdsaFixed(Sha384), MSG).unwrap();
    assert_eq!(fixed.len(), 96);
    let der_sig = der::ecdsa_fixed_to_der(&fixed, 48).unwrap();
    assert_eq!(key.public_key().verify(EcdsaDer(Sha384), MSG, &der_sig, &strict()), Ok(()));
    // A P-384-sized signature for a P-256 key, and a DER signature passed as fixed, are bad signatures, not panics.
    let p256 = SigningKey::generate(KeyKind::EcP256).unwrap();
    assert_eq!(
        p256.public_key().verify(EcdsaFixed(Sha256), MSG, &fixed, &strict()),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        key.public_key().verify(EcdsaFixed(Sha384), MSG, &der_sig, &strict()),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn algorithm_key_mismatch_is_an_error() {
    let rsa = SigningKey::generate(KeyKind::Rsa { bits: 2048 }).unwrap();
    let p256 = SigningKey::generate(KeyKind::EcP256).unwrap();
    let ed = SigningKey::generate(KeyKind::Ed25519).unwrap();
    let sig = rsa.sign(RsaPkcs1(Sha256), MSG).unwrap();
    for (key, alg) in [
        (rsa.public_key(), EcdsaFixed(Sha256)),
        (rsa.public_key(), Ed25519),
        (p256.public_key(), RsaPkcs1(Sha256)),
        (p256.public_key(), Ed25519),
        (ed.public_key(), EcdsaDer(Sha256)),
        (ed.public_key(), RsaPss(Sha256)),
    ] {
        assert_eq!(key.verify(alg, MSG, &sig, &legacy()), Err(VerifyError::KeyMismatch), "{key:?} {alg:?}");
    }
    assert_eq!(rsa.sign(EcdsaFixed(Sha256), MSG), Err(SignError::KeyMismatch));
    assert_eq!(ed.sign(RsaPkcs1(Sha256), MSG), Err(SignError::KeyMismatch));
    // Not produced by sluis: SHA-1, or an ECDSA hash other than the curve's.
    assert_eq!(rsa.sign(RsaPkcs1(Sha1), MSG), Err(SignError::Unsupported));
    assert_eq!(rsa.sign(RsaPss(Sha1), MSG), Err(SignError::Unsupported));
    assert_eq!(p256.sign(EcdsaFixed(Sha384), MSG), Err(SignError::Unsupported));
}

#[test]
fn rsa_1024_refused_by_default_accepted_when_policy_lowers_it() {
    let key = PublicKey::from_pem(&fixture("rsa1024.pub.pem")).unwrap();
    assert_eq!(key.rsa_bits(), Some(1024));
    let msg = fixture("msg.txt");
    let sig = fixture("rsa1024-pkcs1-sha256.sig");
    let alg = RsaPkcs1(Sha256);
    assert_eq!(key.verify(alg, &msg, &sig, &strict()), Err(VerifyError::Policy(TrustReason::KeyTooSmall)));
    let lowered = KeyPolicy { min_rsa_bits: 1024, ..KeyPolicy::default() };
    assert_eq!(key.verify(alg, &msg, &sig, &lowered), Ok(()));
    assert_eq!(key.verify(alg, b"other", &sig, &lowered), Err(VerifyError::BadSignature));
    // What aws-lc-rs cannot do with a 1024-bit key is Unsupported, never a weaker check.
    assert_eq!(key.verify(RsaPss(Sha256), &msg, &sig, &lowered), Err(VerifyError::Unsupported));
    assert_eq!(key.verify(RsaPkcs1(Sha384), &msg, &sig, &lowered), Err(VerifyError::Unsupported));
    assert_eq!(lowered.check_key(&key), Ok(()));
    assert_eq!(strict().check_key(&key), Err(TrustReason::KeyTooSmall));
}

#[test]
fn sha1_refused_by_default() {
    let msg = fixture("msg.txt");
    let rsa_private = SigningKey::from_pem(&fixture("rsa2048.pkcs1.key.pem")).unwrap();
    let rsa = rsa_private.public_key();
    let sig = fixture("rsa2048-pkcs1-sha1.sig");
    assert_eq!(rsa.verify(RsaPkcs1(Sha1), &msg, &sig, &strict()), Err(VerifyError::AlgorithmNotAllowed));
    assert_eq!(rsa.verify(RsaPkcs1(Sha1), &msg, &sig, &legacy()), Ok(()));

    let p256 = SigningKey::from_pem(&fixture("p256.sec1.key.pem")).unwrap();
    let der_sig = fixture("p256-sha1.der.sig");
    let fixed = der::ecdsa_der_to_fixed(&der_sig, 32).unwrap();
    for (alg, sig) in [(EcdsaDer(Sha1), &der_sig), (EcdsaFixed(Sha1), &fixed)] {
        assert_eq!(
            p256.public_key().verify(alg, &msg, sig, &strict()),
            Err(VerifyError::AlgorithmNotAllowed)
        );
        assert_eq!(p256.public_key().verify(alg, &msg, sig, &legacy()), Ok(()));
    }

    // RSA-PSS with SHA-1 and ECDSA P-384 with SHA-1 exist in XML-DSig but not in aws-lc-rs.
    let pss1 = fixture("rsa2048-pss-sha1.sig");
    assert_eq!(rsa.verify(RsaPss(Sha1), &msg, &pss1, &strict()), Err(VerifyError::AlgorithmNotAllowed));
    assert_eq!(rsa.verify(RsaPss(Sha1), &msg, &pss1, &legacy()), Err(VerifyError::Unsupported));
    let p384 = SigningKey::from_pem(&fixture("p384.sec1.key.pem")).unwrap();
    let p384_sha1 = fixture("p384-sha1.der.sig");
    assert_eq!(
        p384.public_key().verify(EcdsaDer(Sha1), &msg, &p384_sha1, &legacy()),
        Err(VerifyError::Unsupported)
    );
}

#[test]
fn openssl_signatures_verify() {
    let msg = fixture("msg.txt");
    let rsa = SigningKey::from_pem(&fixture("rsa2048.pkcs1.key.pem")).unwrap();
    // RFC 6931 PSS: salt length = hash length, as openssl's rsa_pss_saltlen:digest.
    assert_eq!(
        rsa.public_key().verify(RsaPss(Sha256), &msg, &fixture("rsa2048-pss-sha256.sig"), &strict()),
        Ok(())
    );

    let p256 = SigningKey::from_pem(&fixture("p256.sec1.key.pem")).unwrap();
    let p384 = SigningKey::from_pem(&fixture("p384.sec1.key.pem")).unwrap();
    for (key, scalar, hash, file) in [
        (&p256, 32, Sha384, "p256-sha384.der.sig"),
        (&p256, 32, Sha512, "p256-sha512.der.sig"),
        (&p384, 48, Sha256, "p384-sha256.der.sig"),
        (&p384, 48, Sha512, "p384-sha512.der.sig"),
    ] {
        let der_sig = fixture(file);
        let fixed = der::ecdsa_der_to_fixed(&der_sig, scalar).unwrap();
        assert_eq!(key.public_key().verify(EcdsaDer(hash), &msg, &der_sig, &strict()), Ok(()), "{file}");
        assert_eq!(key.public_key().verify(EcdsaFixed(hash), &msg, &fixed, &strict()), Ok(()), "{file}");
        let wrong_hash = if hash == Sha512 { Sha256 } else { Sha512 };
        assert_eq!(
            key.public_key().verify(EcdsaDer(wrong_hash), &msg, &der_sig, &strict()),
            Err(VerifyError::BadSignature),
            "{file}"
        );
    }

    let ed = SigningKey::from_pem(&fixture("ed25519.pkcs8.key.pem")).unwrap();
    assert_eq!(ed.public_key().verify(Ed25519, &msg, &fixture("ed25519.sig"), &strict()), Ok(()));
    assert_eq!(ed.sign(Ed25519, &msg).unwrap(), fixture("ed25519.sig")); // Ed25519 is deterministic
}

#[test]
fn key_formats_agree() {
    let private = SigningKey::from_pem(&fixture("rsa2048.pkcs1.key.pem")).unwrap();
    let pkcs1_pub = PublicKey::from_pem(&fixture("rsa2048.pkcs1.pub.pem")).unwrap();
    assert_eq!(*private.public_key(), pkcs1_pub);
    assert_eq!(pkcs1_pub.rsa_bits(), Some(2048));
    // SubjectPublicKeyInfo with and without the NULL parameters, and bare components: one canonical key.
    let spki = pkcs1_pub.spki_der().to_vec();
    assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), pkcs1_pub);
    let mut reader = der::Reader::new(&spki);
    let mut body = der::Reader::new(reader.expect(der::TAG_SEQUENCE).unwrap());
    body.any().unwrap();
    let bits = body.expect(der::TAG_BIT_STRING).unwrap();
    let no_null = der::spki(der::OID_RSA_ENCRYPTION, &[], &bits[1..]);
    assert_eq!(PublicKey::from_spki_der(&no_null).unwrap(), pkcs1_pub);
    assert_eq!(
        PublicKey::from_spki_der(&no_null).unwrap().sha256_fingerprint(),
        pkcs1_pub.sha256_fingerprint()
    );

    // PKCS#8 export and re-import keeps the key.
    for kind in KINDS {
        let key = SigningKey::generate(kind).unwrap();
        let again = SigningKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(again.public_key(), key.public_key(), "{kind}");
        assert_eq!(PublicKey::from_spki_der(key.public_key().spki_der()).unwrap(), *key.public_key());
    }
    let p384 = SigningKey::from_pem(&fixture("p384.sec1.key.pem")).unwrap();
    assert_eq!(p384.public_key().kind(), KeyKind::EcP384);
}

#[test]
fn unsupported_and_malformed_keys() {
    for file in ["dsa.pub.pem", "p521.pub.pem"] {
        assert_eq!(PublicKey::from_pem(&fixture(file)), Err(TrustReason::UnsupportedKeyType), "{file}");
    }
    assert_eq!(PublicKey::from_spki_der(b"\x30\x00"), Err(TrustReason::MalformedKey));
    assert_eq!(PublicKey::from_pem(b"nothing"), Err(TrustReason::MalformedKey));
    // A point that is not on the curve.
    let mut point = vec![4u8];
    point.extend([1u8; 64]);
    assert_eq!(PublicKey::from_ec_point(EcCurve::P256, &point), Err(TrustReason::MalformedKey));
    assert_eq!(PublicKey::from_ed25519_raw(&[0u8; 31]), Err(TrustReason::MalformedKey));
    assert_eq!(PublicKey::from_rsa_components(&[0, 0], &[1, 0, 1]), Err(TrustReason::MalformedKey));
    assert_eq!(
        PublicKey::from_rsa_components(&[0xff; 1100], &[1, 0, 1]),
        Err(TrustReason::UnsupportedKeyType)
    );
    assert_eq!(
        SigningKey::from_pem(
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        )
        .map(|_| ()),
        Err(TrustReason::MalformedKey)
    );
}

#[test]
fn signing_key_debug_is_redacted() {
    let key = SigningKey::generate(KeyKind::EcP256).unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains("redacted"), "{shown}");
    let secret = der::hex(&key.to_pkcs8_der().unwrap());
    assert!(!shown.contains(&secret[secret.len() - 40..]), "{shown}");
    let block = pem::PemBlock { label: "PRIVATE KEY".into(), der: key.to_pkcs8_der().unwrap() };
    assert!(!format!("{block:?}").contains(&secret[secret.len() - 40..]));
}

proptest::proptest! {
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let _ = PublicKey::from_spki_der(&bytes);
        let _ = PublicKey::from_pkcs1_der(&bytes);
        let _ = Certificate::from_der(&bytes);
        let _ = SigningKey::from_pkcs8_der(&bytes);
        let _ = SigningKey::from_sec1_der(&bytes);
        let _ = pem::parse(&bytes);
        let _ = der::ecdsa_der_to_fixed(&bytes, 32);
        let _ = super::super::name::rfc4514(&bytes);
    }

    #[test]
    fn verify_never_panics(sig in proptest::collection::vec(proptest::num::u8::ANY, 0..200), which in 0usize..4) {
        static KEYS: std::sync::OnceLock<Vec<SigningKey>> = std::sync::OnceLock::new();
        let keys = KEYS.get_or_init(|| KINDS.iter().map(|k| SigningKey::generate(*k).unwrap()).collect());
        let key = &keys[which];
        for alg in [RsaPkcs1(Sha256), RsaPss(Sha512), EcdsaFixed(Sha256), EcdsaDer(Sha384), Ed25519] {
            proptest::prop_assert!(key.public_key().verify(alg, MSG, &sig, &legacy()).is_err());
        }
    }
}
