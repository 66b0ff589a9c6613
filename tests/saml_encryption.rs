//! `EncryptedAssertion`s built in the test with aws-lc-rs (RSA-OAEP key transport to the test PKI's RSA key, AES-GCM
//! or AES-CBC content), plus one made by `xmlsec1 --encrypt` (`src/saml/testdata/`, generator beside it).

use crate::saml::{A2, IDP, cert, check, code, key, pki, policy, registry, response, sign_id};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, Pkcs1PublicEncryptingKey,
    PublicEncryptingKey,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sluis::dsig::SAML2_NS;
use sluis::saml::{DecryptionKey, Saml, SamlDanger, SamlPolicy};
use sluis::store::ReplayCache;
use std::path::Path;
use std::sync::Arc;

const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyTransport {
    /// `xmlenc#rsa-oaep-mgf1p`, SHA-1 digest (the common default).
    OaepMgf1p,
    /// `xmlenc11#rsa-oaep` with SHA-256 digest and MGF1-SHA-256.
    Oaep11Sha256,
    /// `xmlenc11#rsa-oaep` with SHA-256 digest but MGF1-SHA-1 (a combination aws-lc-rs cannot decrypt).
    Oaep11Mixed,
    /// `xmlenc#rsa-1_5`.
    Rsa15,
}

#[derive(Clone, Copy)]
struct Enc {
    content: &'static str,
    transport: KeyTransport,
    recipient: &'static str,
    /// EncryptedKey inside `EncryptedData/ds:KeyInfo` (true) or as a sibling referenced by `RetrievalMethod`.
    key_inside: bool,
}

impl Default for Enc {
    fn default() -> Self {
        Enc {
            content: "aes256-gcm",
            transport: KeyTransport::OaepMgf1p,
            recipient: "leaf-rsa2048",
            key_inside: true,
        }
    }
}

fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut v).unwrap();
    v
}

/// Encrypts `plaintext` as an `EncryptedAssertion`.
fn encrypt(plaintext: &str, e: Enc) -> String {
    let (uri, key_len, gcm) = match e.content {
        "aes128-gcm" => ("http://www.w3.org/2009/xmlenc11#aes128-gcm", 16, true),
        "aes256-gcm" => ("http://www.w3.org/2009/xmlenc11#aes256-gcm", 32, true),
        "aes128-cbc" => ("http://www.w3.org/2001/04/xmlenc#aes128-cbc", 16, false),
        "aes256-cbc" => ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", 32, false),
        other => panic!("{other}"),
    };
    let cek = random(key_len);
    let cipher_value = if gcm {
        use aws_lc_rs::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
        let alg = if key_len == 16 { &AES_128_GCM } else { &AES_256_GCM };
        let k = LessSafeKey::new(UnboundKey::new(alg, &cek).unwrap());
        let iv = random(12);
        let mut buf = plaintext.as_bytes().to_vec();
        k.seal_in_place_append_tag(Nonce::try_assume_unique_for_key(&iv).unwrap(), Aad::empty(), &mut buf)
            .unwrap();
        [iv, buf].concat()
    } else {
        use aws_lc_rs::cipher::{
            AES_128, AES_256, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey,
        };
        let alg = if key_len == 16 { &AES_128 } else { &AES_256 };
        let k = PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(alg, &cek).unwrap()).unwrap();
        let iv: [u8; 16] = random(16).try_into().unwrap();
        let mut buf = plaintext.as_bytes().to_vec();
        k.less_safe_encrypt(&mut buf, EncryptionContext::Iv128(iv.into())).unwrap();
        [iv.to_vec(), buf].concat()
    };
    let spki = cert(e.recipient).public_key().unwrap().spki_der().to_vec();
    let public = PublicEncryptingKey::from_der(&spki).unwrap();
    let (method, wrapped) = match e.transport {
        KeyTransport::Rsa15 => {
            let k = Pkcs1PublicEncryptingKey::new(public).unwrap();
            let mut out = vec![0u8; k.ciphertext_size()];
            let c = k.encrypt(&cek, &mut out).unwrap().to_vec();
            (format!(r#"<xenc:EncryptionMethod Algorithm="{XENC}rsa-1_5"/>"#), c)
        }
        t => {
            let k = OaepPublicEncryptingKey::new(public).unwrap();
            let mut out = vec![0u8; k.ciphertext_size()];
            let (alg, method) = match t {
                KeyTransport::OaepMgf1p => (
                    &OAEP_SHA1_MGF1SHA1,
                    format!(r#"<xenc:EncryptionMethod Algorithm="{XENC}rsa-oaep-mgf1p"><ds:DigestMethod Algorithm="{DS}sha1"/></xenc:EncryptionMethod>"#),
                ),
                KeyTransport::Oaep11Sha256 => (
                    &OAEP_SHA256_MGF1SHA256,
                    r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><xenc11:MGF xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/></xenc:EncryptionMethod>"#.to_string(),
                ),
                _ => (
                    &OAEP_SHA256_MGF1SHA256,
                    r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/></xenc:EncryptionMethod>"#.to_string(),
                ),
            };
            (method, k.encrypt(alg, &cek, &mut out, None).unwrap().to_vec())
        }
    };
    let encrypted_key = format!(
        r#"<xenc:EncryptedKey Id="_ek1">{method}<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>"#,
        B64.encode(&wrapped)
    );
    let (inside, sibling) = if e.key_inside {
        (encrypted_key, String::new())
    } else {
        (format!(r##"<ds:RetrievalMethod Type="{XENC}EncryptedKey" URI="#_ek1"/>"##), encrypted_key)
    };
    format!(
        r#"<saml:EncryptedAssertion xmlns:saml="{SAML2_NS}" xmlns:xenc="{XENC}" xmlns:ds="{DS}"><xenc:EncryptedData Type="{XENC}Element"><xenc:EncryptionMethod Algorithm="{uri}"/><ds:KeyInfo>{inside}</ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>{sibling}</saml:EncryptedAssertion>"#,
        B64.encode(&cipher_value)
    )
}

fn decryption_key(name: &str) -> DecryptionKey {
    DecryptionKey::from_pem(&pki(&format!("{name}.key.pem"))).unwrap()
}

fn rp_with(policy: SamlPolicy) -> Saml {
    Saml::new(registry(), policy, Arc::new(ReplayCache::new(64)))
        .with_decryption_key(decryption_key("leaf-rsa2048"))
}

fn rp() -> Saml {
    rp_with(policy())
}

fn signed_assertion() -> String {
    A2::default().signed("leaf-rsa2048")
}

#[test]
fn rsa_oaep_and_aes_gcm() {
    let xml = response(&encrypt(&signed_assertion(), Enc::default()), "");
    let a = check(&rp(), &xml).unwrap();
    assert!(a.was_encrypted());
    assert_eq!(a.subject().value, "alice@example.org");
    assert!(a.require_bearer().is_ok());
    // RSA-OAEP (XML Encryption 1.1) with SHA-256, AES-128-GCM, EncryptedKey as a sibling.
    let e = Enc {
        content: "aes128-gcm",
        transport: KeyTransport::Oaep11Sha256,
        key_inside: false,
        ..Enc::default()
    };
    assert!(check(&rp(), &response(&encrypt(&signed_assertion(), e), "")).is_ok());
    // Signed Response around the EncryptedAssertion: both signatures hold.
    let outer =
        sign_id(&response(&encrypt(&signed_assertion(), Enc::default()), ""), "_r1", &key("leaf-rsa2048"));
    assert!(check(&rp(), &outer).unwrap().was_encrypted());
    // Rollover: a second decryption key, tried in turn.
    let two = Saml::new(registry(), policy(), Arc::new(ReplayCache::new(8)))
        .with_decryption_key(decryption_key("leaf-rsa3072"))
        .with_decryption_key(decryption_key("leaf-rsa2048"));
    assert!(check(&two, &xml).is_ok());
}

#[test]
fn the_decrypted_assertion_needs_its_own_signature() {
    // The Response signature covers the ciphertext only; the plaintext is another tree.
    let xml =
        sign_id(&response(&encrypt(&A2::default().xml(), Enc::default()), ""), "_r1", &key("leaf-rsa2048"));
    assert_eq!(code(&rp(), &xml), "assertion_not_signed");
    // The Response must name its issuer when the assertion is encrypted.
    let no_issuer = response(&encrypt(&signed_assertion(), Enc::default()), "").replacen(
        &format!("<saml:Issuer xmlns:saml=\"{SAML2_NS}\">{IDP}</saml:Issuer>"),
        "",
        1,
    );
    assert_eq!(code(&rp(), &no_issuer), "issuer_missing");
    // An issuer nobody configured: refused before any decryption.
    let unknown = response(&encrypt(&signed_assertion(), Enc::default()), "").replacen(
        &format!(">{IDP}<"),
        ">https://unknown.example<",
        1,
    );
    assert_eq!(code(&rp(), &unknown), "issuer_unknown");
    // The plaintext must be an assertion.
    let other = response(&encrypt("<x/>", Enc::default()), "");
    assert_eq!(code(&rp(), &other), "malformed_encrypted_data");
}

#[test]
fn aes_cbc_only_when_explicitly_allowed() {
    let e = Enc { content: "aes256-cbc", ..Enc::default() };
    let xml = response(&encrypt(&signed_assertion(), e), "");
    assert_eq!(code(&rp(), &xml), "encryption_algorithm_not_allowed");
    let cbc = rp_with(SamlPolicy {
        danger: SamlDanger { allow_aes_cbc: true, ..SamlDanger::default() },
        ..policy()
    });
    assert!(check(&cbc, &xml).is_ok());
    // With CBC, a wrong key yields garbage: reported as a decryption failure, never as a parse error.
    let cbc_other = rp_with(SamlPolicy {
        danger: SamlDanger { allow_aes_cbc: true, ..SamlDanger::default() },
        ..policy()
    });
    let to_other = response(&encrypt(&signed_assertion(), Enc { recipient: "leaf-rsa3072", ..e }), "");
    assert_eq!(code(&cbc_other, &to_other), "decryption_failed");
}

#[test]
fn rsa_1_5_and_unsupported_oaep_are_refused() {
    let rsa15 = Enc { transport: KeyTransport::Rsa15, ..Enc::default() };
    assert_eq!(
        code(&rp(), &response(&encrypt(&signed_assertion(), rsa15), "")),
        "encryption_algorithm_not_allowed"
    );
    let mixed = Enc { transport: KeyTransport::Oaep11Mixed, ..Enc::default() };
    assert_eq!(
        code(&rp(), &response(&encrypt(&signed_assertion(), mixed), "")),
        "encryption_algorithm_not_allowed"
    );
    let unknown = response(&encrypt(&signed_assertion(), Enc::default()), "")
        .replace("xmlenc11#aes256-gcm", "xmlenc11#chacha20");
    assert_eq!(code(&rp(), &unknown), "encryption_algorithm_not_allowed");
}

/// Flips one bit of the base64 value of the `n`-th CipherValue.
fn flip(xml: &str, n: usize) -> String {
    let mut pos = 0;
    for _ in 0..=n {
        pos = xml[pos..].find("<xenc:CipherValue>").unwrap() + pos + "<xenc:CipherValue>".len();
    }
    let end = xml[pos..].find('<').unwrap() + pos;
    let mut bytes = B64.decode(&xml[pos..end]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    format!("{}{}{}", &xml[..pos], B64.encode(&bytes), &xml[end..])
}

#[test]
fn tampering_and_wrong_keys_fail_alike() {
    let xml = response(&encrypt(&signed_assertion(), Enc::default()), "");
    // CipherValue 0 is the EncryptedKey's, 1 the content's.
    assert_eq!(code(&rp(), &flip(&xml, 1)), "decryption_failed");
    assert_eq!(code(&rp(), &flip(&xml, 0)), "decryption_failed");
    let to_other =
        response(&encrypt(&signed_assertion(), Enc { recipient: "leaf-rsa3072", ..Enc::default() }), "");
    assert_eq!(code(&rp(), &to_other), "decryption_failed");
    let no_keys = Saml::new(registry(), policy(), Arc::new(ReplayCache::new(8)));
    assert_eq!(code(&no_keys, &xml), "decryption_key_missing");
    let truncated = xml.replace(
        "</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>",
        "</xenc:CipherValue></xenc:CipherData><xenc:CipherData/></xenc:EncryptedData>",
    );
    assert!(check(&rp(), &truncated).is_err());
}

#[test]
fn encrypted_assertions_can_be_required() {
    let strict = rp_with(SamlPolicy { require_encrypted_assertions: true, ..policy() });
    assert!(check(&strict, &response(&encrypt(&signed_assertion(), Enc::default()), "")).is_ok());
    assert_eq!(code(&strict, &response(&signed_assertion(), "")), "assertion_not_encrypted");
}

/// A Response whose EncryptedAssertion was made by `xmlsec1 --encrypt` (RSA-OAEP-MGF1P + AES-256-GCM, to
/// leaf-rsa2048) around an assertion signed by `xmlsec1 --sign` with leaf-rsa3072; see
/// `src/saml/testdata/make-encrypted.sh`. Its times are fixed, so the lifetime cap is raised here.
#[test]
fn xmlsec1_encrypted_assertion() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/saml/testdata");
    let xml = std::fs::read_to_string(dir.join("xmlsec1-encrypted-response.xml")).unwrap();
    let mut registry = sluis::saml::IssuerRegistry::new();
    registry.add(crate::saml::issuer("https://idp.xmlsec.example", &["leaf-rsa3072"])).unwrap();
    let policy = SamlPolicy {
        max_lifetime_seconds: 20 * 365 * 86_400,
        ..SamlPolicy::new(["https://sp.example.org"], ["https://sp.example.org/acs"])
    };
    let rp = Saml::new(Arc::new(registry), policy, Arc::new(ReplayCache::new(8)))
        .with_decryption_key(decryption_key("leaf-rsa2048"));
    let a = rp.validate_document(xml.as_bytes(), &sluis::saml::Context::at(crate::saml::now())).unwrap();
    assert!(a.was_encrypted());
    assert_eq!(a.subject().value, "xmlsec-user@example.org");
    assert_eq!(a.signing_key().public_key(), key("leaf-rsa3072").public_key());
}

/// `sluis verify --saml-decryption-key`: an encrypted Response validated from the command line.
#[test]
fn verify_cli_decrypts_encrypted_assertions() {
    use crate::saml::{ACS, NOW, SP};
    let dir = std::env::temp_dir().join(format!("sluis-cli-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("encrypted.xml");
    std::fs::write(&file, response(&encrypt(&signed_assertion(), Enc::default()), "")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let issuer = format!("{IDP}={}", root.join("testdata/pki/leaf-rsa2048.cert.pem").display());
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sluis"))
            .args(["verify", "--format", "json", "--at", NOW, "--saml-issuer", &issuer])
            .args(["--saml-audience", SP, "--saml-recipient", ACS])
            .args(extra)
            .arg(&file)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), v)
    };
    let key = root.join("testdata/pki/leaf-rsa2048.key.pem");
    let (code, v) = run(&["--saml-decryption-key", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["files"][0]["saml"]["encrypted"], true);
    assert_eq!(v["files"][0]["saml"]["subject"], "alice@example.org");
    let (code, v) = run(&[]);
    assert_eq!(code, 1, "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}
