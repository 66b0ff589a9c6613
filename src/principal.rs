//! Who is calling: what the rest of sluis may know about an authenticated caller.
//!
//! A [`Principal`] is built only from verified material — nodes a [`crate::dsig::VerifiedView`] covers, a
//! UsernameToken whose password checked out, a JWT whose signature verified — by the module that did the verifying.
//! Its fields are private and its constructor is `pub(crate)` and named `assertion`, so a grep finds every place one
//! is made. Policy, forwarding (`X-Sluis-*` headers), token minting and audit read it; nothing writes it.

use std::fmt;

/// How the caller authenticated (which token proved it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenType {
    /// WS-Security UsernameToken (password text or digest).
    UsernameToken,
    /// WS-Security X.509 BinarySecurityToken (or a certificate in KeyInfo).
    X509,
    /// A SAML 1.1 assertion.
    Saml11,
    /// A SAML 2.0 assertion.
    Saml20,
    /// A JWT (RFC 7523 grant, or a client assertion).
    Jwt,
    /// An OAuth client authenticated by its own credentials (client_credentials grant).
    ClientCredentials,
}

impl TokenType {
    /// The stable name used in config, headers and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::UsernameToken => "username-token",
            TokenType::X509 => "x509",
            TokenType::Saml11 => "saml11",
            TokenType::Saml20 => "saml20",
            TokenType::Jwt => "jwt",
            TokenType::ClientCredentials => "client-credentials",
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Authentication level 0–4, as in the NHS Wales API security scheme: 0 none, 1 API key, 2 credentials (user name and
/// password), 3 a token obtained with credentials (e.g. a SAML bearer assertion from an IdP login), 4 a token backed by
/// public-key cryptography (an X.509 signature, holder-of-key, a signed client assertion).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct AuthLevel(u8);

impl AuthLevel {
    /// Level 0: no authentication.
    pub const NONE: AuthLevel = AuthLevel(0);
    /// Level 1: an API key.
    pub const API_KEY: AuthLevel = AuthLevel(1);
    /// Level 2: credentials.
    pub const CREDENTIALS: AuthLevel = AuthLevel(2);
    /// Level 3: a token obtained with credentials.
    pub const TOKEN_FROM_CREDENTIALS: AuthLevel = AuthLevel(3);
    /// Level 4: a token from public-key cryptography.
    pub const PUBLIC_KEY: AuthLevel = AuthLevel(4);

    /// The level as a number.
    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for AuthLevel {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        if v <= 4 { Ok(AuthLevel(v)) } else { Err(format!("authentication level {v} is not in 0..=4")) }
    }
}

impl From<AuthLevel> for u8 {
    fn from(l: AuthLevel) -> u8 {
        l.0
    }
}

impl fmt::Display for AuthLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Principal {
    subject: String,
    issuer: Option<String>,
    token_type: TokenType,
    auth_level: AuthLevel,
    attributes: Vec<(String, Vec<String>)>,
}

impl Principal {
    /// Only verifying code builds principals (see the module documentation).
    #[allow(dead_code)] // the WS-Security and OAuth modules build principals
    pub(crate) fn assertion(
        subject: String,
        issuer: Option<String>,
        token_type: TokenType,
        auth_level: AuthLevel,
        attributes: Vec<(String, Vec<String>)>,
    ) -> Self {
        Principal { subject, issuer, token_type, auth_level, attributes }
    }

    /// The authenticated subject (user name, certificate subject, SAML NameID, JWT `sub`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Who vouched for the subject (SAML issuer, JWT `iss`, CA), if anyone besides the subject itself.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The token that authenticated the caller.
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }

    /// The authentication level.
    pub fn auth_level(&self) -> AuthLevel {
        self.auth_level
    }

    /// Attributes (SAML attributes, mapped claims), each with its values, in the order they were read.
    pub fn attributes(&self) -> &[(String, Vec<String>)] {
        &self.attributes
    }

    /// The values of one attribute.
    pub fn attribute(&self, name: &str) -> Option<&[String]> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
}
