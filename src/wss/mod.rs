//! The `wsse:Security` header: finding sluis's one header, its tokens, timestamps and signatures, and deciding who
//! the caller is — from nodes that verification proved, found by structural position.
//!
//! | file | holds | spec |
//! |---|---|---|
//! | `gateway` | [`process`]: the API the server calls, step by step | — |
//! | `context` | [`SecurityContext`] and its builder, [`Transport`] | — |
//! | `outcome` | [`Accepted`] (principal, decision, bytes to forward, [`SecurityFacts`]), [`Rejected`] and its fault | — |
//! | `config` | [`WssConfig`] and its parts: the TOML the server embeds, and the builders from it | — |
//! | `header` | locating the header (actor/role, `mustUnderstand`) and sorting its children | WSS 1.1 §5–6; SOAP 1.1 §4.2, SOAP 1.2 §5.2 |
//! | `timestamp` | `wsu:Timestamp` freshness | WSS 1.1 §10; WS-I BSP 1.1 R3203–R3227 |
//! | `username` | `UsernameToken` with `PasswordText` (argon2id) and `PasswordDigest`, nonce replay | UsernameToken Profile 1.1 §3–4 |
//! | `token` | X.509 `BinarySecurityToken` (`X509v3`, `X509PKIPathv1`) | WSS 1.1 §6.3; X.509 Token Profile 1.1 §3.1 |
//! | `reference` | `SecurityTokenReference` resolution and the [`KeySource`](crate::dsig::KeySource) for STR-based `KeyInfo` | WSS 1.1 §7; X.509 Token Profile 1.1 §3.2; SAML Token Profile 1.1 §3.3 |
//! | `signatures` | verifying the header's `ds:Signature`s and checking what they cover | WSS 1.1 §8 |
//! | `saml` | SAML 1.1/2.0 assertions as tokens: bearer, sender-vouches, holder-of-key | SAML Token Profile 1.1 §3.4–3.5 |
//! | [`secure`] | the sender's side: adding a signed Security header (`sluis sign`, fixtures, interop) | WSS 1.1 §5–8; WS-I BSP 1.1 |
//!
//! The rules that keep wrapping attacks out, by construction:
//! - the Body is *the* Body child of *the* Envelope ([`crate::soap::Envelope`]); the Timestamp is *the* Timestamp child
//!   of sluis's Security header; "signed" means [`crate::dsig::VerifiedView::is_signed`] on exactly that node;
//! - only `ds:Signature` elements that are *children* of sluis's Security header are verified; a signature anywhere
//!   else (another header, the Body, a wrapper) is ignored, so it can prove nothing;
//! - a `SecurityTokenReference` resolves only to tokens that are children of the same Security header;
//! - an ID declared twice anywhere in the message refuses the message ([`crate::dsig::IdIndex`]).
//!
//! **Who the caller is** ([`crate::principal::Principal`], built only from what verified):
//!
//! | proof | principal | level |
//! |---|---|---|
//! | a SAML assertion, holder-of-key (its confirmation key signed the Body) | the assertion's subject, issuer, attributes | 4 |
//! | a SAML assertion, sender-vouches (an X.509 signature covers it and the Body) | the assertion's subject | 4 |
//! | a SAML assertion, bearer (the issuer's signature only) | the assertion's subject | 3 |
//! | an X.509 signature covering the Body (BST, `X509Data`, a configured key) | the certificate subject and issuer | 4 |
//! | a UsernameToken (`PasswordText` argon2id, `PasswordDigest`) | the user name | 2 (configurable down to 0) |
//!
//! The first row that applies wins; every token present must still check out (a wrong password refuses a message
//! that is also signed), and a UsernameToken next to a signature is recorded in [`SecurityFacts::username`].
//!
//! **Replay**: UsernameToken nonces per user, one-time bearer assertions (the saml module), and accepted signed
//! messages by the digests their signature covers, each until the token or Timestamp would be stale anyway.
//!
//! What is refused: XML Encryption in the header ([`WssReason::EncryptionUnsupported`]); `EncryptedAssertion`,
//! SecureConversation/derived keys, Kerberos, `X509v1`/`PKCS7` tokens, `wsse:Embedded` references, key derivation in
//! UsernameTokens ([`WssReason::UnsupportedToken`]); unknown elements directly in the Security header.
//!
//! [`WssReason::EncryptionUnsupported`]: crate::reason::WssReason::EncryptionUnsupported
//! [`WssReason::UnsupportedToken`]: crate::reason::WssReason::UnsupportedToken

mod config;
mod context;
mod gateway;
mod header;
mod outcome;
mod reference;
mod saml;
pub mod secure;
mod signatures;
mod timestamp;
mod token;
mod username;

pub use config::{ConfigError, DigestSecretsFile, DigestUserConfig, TrustConfig, UserConfig, WssConfig};
pub use context::{
    DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_NONCE_CACHE_CAPACITY, DEFAULT_USERNAME_TOKEN_WINDOW_SECONDS,
    SecurityContext, SecurityContextBuilder, Transport,
};
pub use gateway::process;
pub use outcome::{Accepted, Rejected, SecurityFacts, SignatureFact};
pub use username::PasswordType;

pub use crate::dsig::WSU_NS;

/// The WS-Security 1.0 extension namespace (`wsse`).
pub const WSSE_NS: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// The WS-Security 1.1 extension namespace (`wsse11`).
pub const WSSE11_NS: &str = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";

/// `EncodingType` of base64 token values (WSS 1.1 §6.3).
pub const BASE64_BINARY: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
/// `ValueType` of a single X.509 v3 certificate (X.509 Token Profile 1.1 §3.1).
pub const X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
/// `ValueType` of an X.509 certificate path, a DER `PkiPath` (X.509 Token Profile 1.1 §3.1).
pub const X509_PKIPATH_V1: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";
/// `KeyIdentifier` `ValueType`: the certificate's SubjectKeyIdentifier (X.509 Token Profile 1.1 §3.2.1).
pub const X509_SKI: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
/// `KeyIdentifier` `ValueType`: SHA-1 of the certificate DER (WSS 1.1 §7.2, X.509 Token Profile 1.1 §3.2.1).
pub const THUMBPRINT_SHA1: &str =
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1";
/// `KeyIdentifier` `ValueType` for a SAML 1.1 assertion's `AssertionID` (SAML Token Profile 1.1 §3.3.1).
pub const SAML_ASSERTION_ID: &str =
    "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID";
/// `KeyIdentifier` / `Reference` `ValueType` for a SAML 2.0 assertion's `ID` (SAML Token Profile 1.1 §3.3.1).
pub const SAML_ID: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
/// `wsse11:TokenType` of a SAML 1.1 assertion.
pub const SAML_V11_TOKEN: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1";
/// `wsse11:TokenType` of a SAML 2.0 assertion.
pub const SAML_V20_TOKEN: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
/// UsernameToken password type: the password itself (UsernameToken Profile 1.1 §3.1).
pub const PASSWORD_TEXT: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
/// UsernameToken password type: Base64(SHA-1(nonce + created + password)) (UsernameToken Profile 1.1 §3.1).
pub const PASSWORD_DIGEST: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
