//! `sluis sign`: sign fixtures — for testers and integrators who need a message sluis (or any WS-Security peer) should
//! accept, or a starting point to tamper with.
//!
//! What the file's document element is decides what is made:
//!
//! | document | result | library |
//! |---|---|---|
//! | SOAP 1.1/1.2 `Envelope` | a `wsse:Security` header: Timestamp, optional UsernameToken, BinarySecurityToken, a signature over Body, Timestamp (and UsernameToken) | [`crate::wss::secure`] |
//! | SAML 2.0 `Assertion`/`Response`, SAML 1.1 `Assertion`/`Response` | an enveloped signature where the schema puts it, `KeyInfo/X509Data` | [`crate::saml::sign`] |
//! | anything else | an enveloped signature over the whole document (`URI=""`), last child of the document element | [`crate::dsig::sign`] |
//!
//! Every signature is exclusive C14N with the key's default method (RSA-SHA256, ECDSA-SHA256/384, Ed25519) and
//! SHA-256 digests unless `--digest` says otherwise. Before writing, the output is verified with the signer's own
//! certificate, so a fixture that `sluis sign` wrote is one sluis's verifier accepts. The key must belong to the
//! (first) certificate. Nothing is signed with the key pair of an HTTP request: this is an offline tool.

use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::c14n::{self, Algorithm};
use crate::clock::{Clock, DateTime, SystemClock};
use crate::dsig::{
    self, DSIG_NS, DigestMethod, IdIndex, IdPolicy, KeyInfoSpec, Placement, ReferenceSpec, SignSpec,
    SignatureMethod, VerifyOptions,
};
use crate::reason::Reason;
use crate::saml::sign::{self as saml_sign, SamlSignSpec};
use crate::soap::SoapVersion;
use crate::trust::{Certificate, KeyPolicy, SigningKey, TrustStore, TrustedKey, pem};
use crate::wss::secure::{
    self, SamlToken, SamlTokenUse, SecureSpec, TokenFormat, TokenReference, UsernameSpec,
};
use crate::xml::{Document, Limits, NodeId};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `sluis sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The signer's private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; unencrypted).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The signer's certificate (PEM), optionally followed by its intermediates (for `--token pkipath`, or for
    /// `KeyInfo` of SAML and plain signatures).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// Write the signed document here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// SOAP: the Timestamp's (and UsernameToken's) `Created`; with --saml-redate, the new IssueInstant (RFC 3339);
    /// default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// SOAP: seconds from `Created` to the Timestamp's `Expires`.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    ttl: i64,
    /// SOAP: how the signature's KeyInfo refers to the BinarySecurityToken's certificate.
    #[arg(long, value_enum, default_value = "direct")]
    reference: ReferenceArg,
    /// SOAP: how the certificate travels: `x509v3` (the certificate) or `pkipath` (the whole chain of --cert).
    #[arg(long, value_enum, default_value = "x509v3")]
    token: TokenArg,
    /// SOAP: add a UsernameToken for this user (signed with the rest); the password comes from --password-file.
    #[arg(long, value_name = "NAME", requires = "password_file")]
    username: Option<String>,
    /// SOAP: a file holding the UsernameToken's password (one line; the trailing newline is dropped).
    #[arg(long, value_name = "FILE", requires = "username")]
    password_file: Option<PathBuf>,
    /// SOAP: send the password as `PasswordDigest` (Base64(SHA-1(nonce + created + password))) instead of text.
    #[arg(long, requires = "username")]
    password_digest: bool,
    /// SOAP: put this SAML 1.1/2.0 assertion (a file holding just the assertion, normally signed by its issuer with
    /// exclusive C14N) in the header as a token, used as --saml-use says.
    #[arg(long, value_name = "FILE", requires = "saml_use")]
    saml_token: Option<PathBuf>,
    /// SOAP: how the --saml-token is confirmed. holder-of-key: --key is the confirmation key and KeyInfo names the
    /// assertion; sender-vouches: --cert is the attesting entity, and the signature covers the assertion too; bearer:
    /// the assertion rides along.
    #[arg(long, value_enum, requires = "saml_token")]
    saml_use: Option<SamlUseArg>,
    /// SAML: first move every SAML instant (IssueInstant, NotBefore, NotOnOrAfter, AuthnInstant, …) by the same amount,
    /// so that the document element's IssueInstant becomes --at (default now); the document must not be signed yet.
    #[arg(long)]
    saml_redate: bool,
    /// SAML: sign the element with this ID instead of the document element.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Digest method of the References.
    #[arg(long, value_enum, default_value = "sha256")]
    digest: DigestArg,
    /// The document to sign.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ReferenceArg {
    /// `wsse:Reference` to the token (`#id`).
    Direct,
    /// `wsse:KeyIdentifier` with the SubjectKeyIdentifier.
    Ski,
    /// `wsse:KeyIdentifier` with the SHA-1 thumbprint.
    Thumbprint,
    /// `ds:X509Data/ds:X509IssuerSerial`.
    IssuerSerial,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum TokenArg {
    /// `X509v3`.
    X509v3,
    /// `X509PKIPathv1`.
    Pkipath,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum SamlUseArg {
    HolderOfKey,
    SenderVouches,
    Bearer,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
}

/// Runs `sluis sign`.
pub(crate) fn run(args: &Args) -> u8 {
    match sign(args) {
        Ok(signed) => {
            let written = match &args.output {
                Some(path) => std::fs::write(path, signed.as_bytes()),
                None => std::io::stdout().lock().write_all(signed.as_bytes()),
            };
            match written {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("sluis sign: {e}");
                    EXIT_USAGE
                }
            }
        }
        Err(Failure::Usage(e)) => {
            eprintln!("sluis sign: {e}");
            EXIT_USAGE
        }
        Err(Failure::SelfCheck(e)) => {
            eprintln!("sluis sign: the signed document does not verify (a bug; nothing written): {e}");
            EXIT_INVALID
        }
    }
}

enum Failure {
    Usage(String),
    SelfCheck(String),
}

fn usage(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure::Usage(format!("{}: {e}", path.display()))
}

fn sign(args: &Args) -> Result<String, Failure> {
    let key = pem::load_signing_key(&args.key).map_err(|e| usage(&args.key, e))?;
    let certificates = pem::read_file(&args.cert)
        .map_err(|e| usage(&args.cert, e))
        .and_then(|bytes| Certificate::all_from_pem(&bytes).map_err(|e| usage(&args.cert, e)))?;
    let leaf = certificates.first().ok_or_else(|| usage(&args.cert, "no certificate"))?;
    let cert_key = leaf.public_key().map_err(|e| usage(&args.cert, e))?;
    if cert_key.spki_der() != key.public_key().spki_der() {
        return Err(Failure::Usage(format!(
            "{} is not the private key of the certificate in {}",
            args.key.display(),
            args.cert.display()
        )));
    }
    let text = std::fs::read_to_string(&args.file).map_err(|e| usage(&args.file, e))?;
    let digest = match args.digest {
        DigestArg::Sha256 => DigestMethod::Sha256,
        DigestArg::Sha384 => DigestMethod::Sha384,
        DigestArg::Sha512 => DigestMethod::Sha512,
    };
    let kind = {
        let doc = Document::parse_str(&text, &Limits::default()).map_err(|e| usage(&args.file, e))?;
        let root = doc.root_element();
        if root.local_name() == "Envelope" && root.namespace().and_then(SoapVersion::from_namespace).is_some()
        {
            Kind::Soap
        } else if args.id.is_some() || saml_sign::is_signable(root) {
            Kind::Saml
        } else {
            Kind::Plain
        }
    };
    if args.saml_redate && !matches!(kind, Kind::Saml) {
        return Err(Failure::Usage("--saml-redate is for SAML assertions and responses".into()));
    }
    let signed = match kind {
        Kind::Soap => {
            let created = match &args.at {
                Some(s) => DateTime::parse(s).map_err(|e| Failure::Usage(format!("--at {s}: {e}")))?,
                None => SystemClock.now(),
            };
            let username = match (&args.username, &args.password_file) {
                (Some(u), Some(f)) => {
                    let password = std::fs::read_to_string(f).map_err(|e| usage(f, e))?;
                    let password = password.strip_suffix('\n').unwrap_or(&password);
                    let password = password.strip_suffix('\r').unwrap_or(password).to_owned();
                    Some(UsernameSpec { username: u.clone(), password, digest: args.password_digest })
                }
                _ => None,
            };
            let saml = match (&args.saml_token, args.saml_use) {
                (Some(path), Some(how)) => Some(SamlToken {
                    assertion: std::fs::read_to_string(path).map_err(|e| usage(path, e))?,
                    confirmation: match how {
                        SamlUseArg::HolderOfKey => SamlTokenUse::HolderOfKey,
                        SamlUseArg::SenderVouches => SamlTokenUse::SenderVouches,
                        SamlUseArg::Bearer => SamlTokenUse::Bearer,
                    },
                }),
                _ => None,
            };
            let spec = SecureSpec {
                saml,
                key: &key,
                certificates: certificates.clone(),
                created,
                ttl_seconds: args.ttl,
                reference: match args.reference {
                    ReferenceArg::Direct => TokenReference::Direct,
                    ReferenceArg::Ski => TokenReference::SubjectKeyIdentifier,
                    ReferenceArg::Thumbprint => TokenReference::ThumbprintSha1,
                    ReferenceArg::IssuerSerial => TokenReference::IssuerSerial,
                },
                format: match args.token {
                    TokenArg::X509v3 => TokenFormat::X509v3,
                    TokenArg::Pkipath => TokenFormat::PkiPath,
                },
                digest,
                method: None,
                username,
            };
            secure::secure(&text, &spec).map_err(|e| usage(&args.file, e))?
        }
        Kind::Saml => {
            let text = if args.saml_redate {
                let at = match &args.at {
                    Some(s) => DateTime::parse(s).map_err(|e| Failure::Usage(format!("--at {s}: {e}")))?,
                    None => SystemClock.now(),
                };
                saml_sign::redate(&text, at).map_err(|e| usage(&args.file, e))?
            } else {
                text.clone()
            };
            let spec = SamlSignSpec {
                key: &key,
                certificates: certificates.clone(),
                digest,
                method: None,
                id: args.id.clone(),
            };
            saml_sign::sign(&text, &spec).map_err(|e| usage(&args.file, e.code()))?
        }
        Kind::Plain => sign_plain(&text, &key, &certificates, digest).map_err(|e| usage(&args.file, e))?,
    };
    let token = match &args.saml_token {
        Some(path) => std::fs::read_to_string(path).map_err(|e| usage(path, e))?,
        None => String::new(),
    };
    self_check(&[&text, &token], &signed, leaf)?;
    Ok(signed)
}

#[derive(Clone, Copy)]
enum Kind {
    Soap,
    Saml,
    Plain,
}

/// An enveloped signature over the whole document, last child of the document element.
fn sign_plain(
    text: &str,
    key: &SigningKey,
    certificates: &[Certificate],
    digest: DigestMethod,
) -> Result<String, &'static str> {
    let doc = Document::parse_str(text, &Limits::default()).map_err(|_| "not XML")?;
    let root = doc.root_element();
    let method =
        SignatureMethod::for_algorithm(key.default_algorithm()).ok_or("no signature method for this key")?;
    let c14n = Algorithm::from_uri(c14n::EXC_C14N_10, None).ok().flatten().ok_or("exclusive c14n")?;
    let spec = SignSpec {
        key,
        method,
        digest,
        c14n,
        references: vec![ReferenceSpec { uri: String::new(), enveloped: true }],
        key_info: KeyInfoSpec::X509Certificates(certificates.iter().map(|c| c.der().to_vec()).collect()),
        placement: Placement::LastChildOf(root.id()),
        ids: IdPolicy::generic(),
    };
    dsig::sign(text, &spec).map_err(|_| "cannot sign this document (an empty document element?)")
}

/// Verifies the signature `sluis sign` made (every `ds:Signature` of the output whose `SignatureValue` the inputs did
/// not have) with the signer's key: what `sluis sign` writes, sluis accepts. The check is about the signature only, so
/// it accepts what a fixture may need on purpose: a small RSA key, an expired or untrusted certificate.
fn self_check(inputs: &[&str], signed: &str, leaf: &Certificate) -> Result<(), Failure> {
    let check = |e: String| Failure::SelfCheck(e);
    let limits = Limits { max_bytes: usize::MAX / 2, ..Limits::default() };
    let doc = Document::parse_str(signed, &limits).map_err(|e| check(e.to_string()))?;
    let ids = IdIndex::build(&doc, &IdPolicy::generic()).map_err(|e| check(e.code().to_owned()))?;
    let policy = KeyPolicy { min_rsa_bits: 512, allow_sha1: false };
    let mut store = TrustStore::builder(policy);
    store.check_pinned_validity(false);
    store.pin_certificate(leaf.clone()).map_err(|e| check(e.to_string()))?;
    let signer = Signer(store.build());
    let options = VerifyOptions { policy, at: leaf.not_before() };
    let mut any = false;
    let value = |sig: crate::xml::Node<'_, '_>| {
        sig.element_children().find(|c| c.is(DSIG_NS, "SignatureValue")).map(|v| v.text_content())
    };
    let mut before: Vec<String> = Vec::new();
    for input in inputs {
        if let Ok(d) = Document::parse_str(input, &limits) {
            before.extend(d.descendants().filter(|n| n.is(DSIG_NS, "Signature")).filter_map(value));
        }
    }
    let new = doc
        .descendants()
        .filter(|n| n.is(DSIG_NS, "Signature"))
        .filter(|s| value(*s).is_none_or(|v| !before.contains(&v)));
    for sig in new {
        any = true;
        dsig::verify(&doc, &ids, sig.id(), &signer, &options).map_err(|e| check(e.code().to_owned()))?;
    }
    if any { Ok(()) } else { Err(check("no signature in the output".into())) }
}

/// The signer's certificate, whatever `KeyInfo` says (a `SecurityTokenReference` is the gateway's business).
struct Signer(TrustStore);

impl dsig::KeySource for Signer {
    fn candidates(
        &self,
        _: &Document<'_>,
        _: Option<NodeId>,
        at: DateTime,
    ) -> Result<Vec<TrustedKey>, Reason> {
        let keys: Vec<TrustedKey> = self.0.pinned(at).collect();
        if keys.is_empty() { Err(Reason::Internal("the signer's certificate")) } else { Ok(keys) }
    }
}
