//! `wsse:UsernameToken` (WSS UsernameToken Profile 1.1 §3–4).
//!
//! **PasswordText** is checked against an argon2id PHC string from configuration ([`super::UserConfig`]), with the
//! argon2 crate's constant-time comparison. It is refused ([`WssReason::PasswordTextNotAllowed`]) unless the route
//! allows it *and* the request came over TLS or from loopback: a clear-text password on a plain connection has
//! already leaked, and sluis will not encourage it.
//!
//! **PasswordDigest** is `Base64(SHA-1(nonce + created + password))` (§3.1): checking it needs the clear secret, so
//! digest users live in a separate secrets file ([`super::DigestSecretsFile`]) that should be readable by sluis
//! only — never in the main configuration. A digest token must carry both `Nonce` and `Created`.
//!
//! **Replay** (§3.1 "it is RECOMMENDED that used nonces be cached"): a `Created` outside the freshness window is
//! refused (too old: [`WssReason::UsernameTokenExpired`], future beyond skew: [`WssReason::UsernameTokenInFuture`]);
//! the nonce is recorded per user in a [`ReplayCache`] until the token would be stale anyway, and only *after* the
//! password checked out (so unauthenticated callers cannot fill the cache). Nonces must decode to 16–64 bytes.
//!
//! **No oracle.** Unknown user, wrong password and wrong digest are all [`WssReason::AuthenticationFailed`], and an
//! unknown user still costs one argon2 verification (against another user's hash), so timing does not tell which.
//!
//! Refused as unsupported: other password types, a `Nonce` encoding other than Base64Binary, and the key-derivation
//! elements `wsse11:Salt`/`wsse11:Iteration` (§4).

use super::{BASE64_BINARY, PASSWORD_DIGEST, PASSWORD_TEXT, WSSE_NS, WSSE11_NS, WSU_NS};
use crate::clock::DateTime;
use crate::principal::AuthLevel;
use crate::reason::WssReason;
use crate::store::{ReplayCache, ReplayError};
use crate::xml::{Node, NodeType, decode_base64_binary, is_ws};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use std::collections::HashMap;

/// Longest user name read, in bytes.
const MAX_USERNAME_LEN: usize = 256;
/// Longest password read, in bytes (argon2 handles more, but nothing legitimate is longer).
const MAX_PASSWORD_LEN: usize = 1024;
/// Nonce size bounds in decoded bytes: at least 128 bits of randomness (WSS4J and CXF send 16 bytes), at most 64.
const MIN_NONCE_LEN: usize = 16;
const MAX_NONCE_LEN: usize = 64;

/// How a UsernameToken carried its password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordType {
    /// `#PasswordText`: the password itself.
    Text,
    /// `#PasswordDigest`: Base64(SHA-1(nonce + created + password)).
    Digest,
}

/// Argon2id users for `PasswordText`.
#[derive(Default)]
pub(crate) struct Users {
    map: HashMap<String, (String, AuthLevel)>,
}

impl Users {
    /// Adds a user; `phc` must be an argon2id PHC string.
    pub(crate) fn add(&mut self, name: &str, phc: &str, level: AuthLevel) -> Result<(), &'static str> {
        let parsed = PasswordHash::new(phc).map_err(|_| "password_hash is not a PHC string")?;
        if parsed.algorithm.as_str() != "argon2id" || parsed.hash.is_none() {
            return Err("password_hash must be an argon2id hash ($argon2id$...)");
        }
        if self.map.insert(name.to_owned(), (phc.to_owned(), level)).is_some() {
            return Err("user listed twice");
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Checks `password` for `name`; an unknown name costs the same work.
    fn verify(&self, name: &str, password: &str) -> Option<AuthLevel> {
        let (phc, level, known) = match self.map.get(name) {
            Some((phc, level)) => (phc.as_str(), *level, true),
            None => match self.map.values().next() {
                Some((phc, _)) => (phc.as_str(), AuthLevel::NONE, false),
                None => return None,
            },
        };
        let ok = PasswordHash::new(phc)
            .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
        (ok && known).then_some(level)
    }
}

/// Clear secrets for `PasswordDigest`.
#[derive(Default)]
pub(crate) struct DigestUsers {
    map: HashMap<String, (String, AuthLevel)>,
}

impl DigestUsers {
    pub(crate) fn add(&mut self, name: &str, secret: &str, level: AuthLevel) -> Result<(), &'static str> {
        if secret.is_empty() {
            return Err("empty digest secret");
        }
        if self.map.insert(name.to_owned(), (secret.to_owned(), level)).is_some() {
            return Err("digest user listed twice");
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    fn verify(&self, name: &str, nonce: &[u8], created: &str, digest: &[u8]) -> Option<AuthLevel> {
        let (secret, level, known) = match self.map.get(name) {
            Some((s, l)) => (s.as_str(), *l, true),
            None => ("", AuthLevel::NONE, false),
        };
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY);
        ctx.update(nonce);
        ctx.update(created.as_bytes());
        ctx.update(secret.as_bytes());
        let expected = ctx.finish();
        use subtle::ConstantTimeEq;
        let equal = expected.as_ref().len() == digest.len() && bool::from(expected.as_ref().ct_eq(digest));
        (equal && known).then_some(level)
    }
}

/// Everything authentication of one UsernameToken needs.
pub(crate) struct Params<'c> {
    pub users: &'c Users,
    pub digest_users: &'c DigestUsers,
    pub nonces: &'c ReplayCache,
    pub skew_seconds: i64,
    pub window_seconds: i64,
    /// The route allows PasswordText and the transport is TLS or loopback.
    pub password_text_allowed: bool,
}

/// A UsernameToken whose password checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authenticated {
    pub username: String,
    pub level: AuthLevel,
    pub password_type: PasswordType,
}

fn malformed(what: &'static str) -> WssReason {
    WssReason::MalformedToken(what)
}

/// The text of a leaf element (no element children).
fn leaf_text(node: Node<'_, '_>, max: usize) -> Result<String, WssReason> {
    if node.children().any(|c| c.is_element()) {
        return Err(malformed("element inside a UsernameToken value"));
    }
    let text = node.text_content();
    if text.len() > max {
        return Err(malformed("UsernameToken value too long"));
    }
    Ok(text)
}

/// Authenticates the UsernameToken `node` at `at`.
pub(crate) fn authenticate(
    node: Node<'_, '_>,
    p: &Params<'_>,
    at: DateTime,
) -> Result<Authenticated, WssReason> {
    let (mut username, mut password, mut nonce, mut created) = (None, None, None, None);
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => {}
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => continue,
            NodeType::Text => return Err(malformed("character data in UsernameToken")),
            _ => continue,
        }
        let slot = if child.is(WSSE_NS, "Username") {
            &mut username
        } else if child.is(WSSE_NS, "Password") {
            &mut password
        } else if child.is(WSSE_NS, "Nonce") {
            &mut nonce
        } else if child.is(WSU_NS, "Created") {
            &mut created
        } else if child.is(WSSE11_NS, "Salt") || child.is(WSSE11_NS, "Iteration") {
            return Err(WssReason::UnsupportedToken("UsernameToken key derivation"));
        } else {
            return Err(malformed("unexpected element in UsernameToken"));
        };
        if slot.replace(child).is_some() {
            return Err(malformed("repeated element in UsernameToken"));
        }
    }
    let username = leaf_text(username.ok_or(malformed("Username missing"))?, MAX_USERNAME_LEN)?;
    let username = username.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')).to_owned();
    let password_node = password.ok_or(WssReason::UnsupportedToken("UsernameToken without password"))?;
    let password_type = match password_node.attribute(None, "Type") {
        None | Some(PASSWORD_TEXT) => PasswordType::Text,
        Some(PASSWORD_DIGEST) => PasswordType::Digest,
        Some(_) => return Err(WssReason::UnsupportedToken("password type")),
    };
    let password = leaf_text(password_node, MAX_PASSWORD_LEN)?;
    let nonce = match nonce {
        Some(n) => {
            match n.attribute(None, "EncodingType") {
                None | Some(BASE64_BINARY) => {}
                Some(_) => return Err(WssReason::UnsupportedToken("nonce encoding")),
            }
            let bytes = decode_base64_binary(&leaf_text(n, 256)?).ok_or(malformed("Nonce is not base64"))?;
            if !(MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&bytes.len()) {
                return Err(malformed("Nonce length"));
            }
            Some(bytes)
        }
        None => None,
    };
    let created = match created {
        Some(c) => {
            let text = leaf_text(c, 64)?;
            let t = DateTime::parse(&text).map_err(|_| malformed("Created is not an xs:dateTime"))?;
            Some((text, t))
        }
        None => None,
    };

    // Freshness before any expensive work.
    if let Some((_, t)) = &created {
        if *t > at.plus_seconds(p.skew_seconds) {
            return Err(WssReason::UsernameTokenInFuture);
        }
        if *t < at.minus_seconds(p.window_seconds.saturating_add(p.skew_seconds)) {
            return Err(WssReason::UsernameTokenExpired);
        }
    }

    let level = match password_type {
        PasswordType::Text => {
            if !p.password_text_allowed {
                return Err(WssReason::PasswordTextNotAllowed);
            }
            p.users.verify(&username, &password)
        }
        PasswordType::Digest => {
            let (Some(nonce), Some((created_text, _))) = (&nonce, &created) else {
                return Err(malformed("PasswordDigest needs Nonce and Created"));
            };
            let digest = decode_base64_binary(&password).ok_or(WssReason::AuthenticationFailed)?;
            // The digest is over Created exactly as sent (§3.1 concatenates the element values).
            p.digest_users.verify(&username, nonce, created_text, &digest)
        }
    };
    let level = level.ok_or(WssReason::AuthenticationFailed)?;

    if let Some(nonce) = &nonce {
        use base64::Engine;
        let value = base64::engine::general_purpose::STANDARD.encode(nonce);
        let from = created.as_ref().map_or(at, |(_, t)| *t);
        let until = from.plus_seconds(p.window_seconds.saturating_add(p.skew_seconds));
        match p.nonces.check_and_insert(&format!("wss-ut-nonce:{username}"), &value, until, at) {
            Ok(()) => {}
            Err(ReplayError::Replayed) => return Err(WssReason::NonceReplayed),
            Err(ReplayError::Full) => return Err(WssReason::ReplayCacheFull),
            Err(ReplayError::Unavailable) => return Err(WssReason::ReplayStoreUnavailable),
        }
    }
    Ok(Authenticated { username, level, password_type })
}
