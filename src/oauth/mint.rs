//! Minting access tokens: JWTs per RFC 9068, signed by the active key ([`super::keys`]).
//!
//! Header: `typ: at+jwt`, `alg`, `kid` (§2.1). Claims (§2.2): `iss` (this server), `sub` (the subject; the client id
//! for `client_credentials`, §2.2), `aud` (the `resource`s requested, RFC 8707, else the default audience; a string
//! when there is one), `exp`, `iat`, `nbf` (= `iat`), `jti` (128 random bits), `client_id`, `scope` (when not empty),
//! `auth_time` when the authentication instant is known (§2.2.1), `roles` from the issuer mapping (§2.2.3.1), then
//! mapped claims, which can never replace one of these ([`super::scope::RESERVED_CLAIMS`], checked at load).

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::Value;

use super::keys::SigningKeys;
use super::response::IssuedToken;
use super::scope::{self, Scopes};
use crate::clock::DateTime;
use crate::principal::Principal;
use crate::reason::OAuthReason;

/// What to mint.
#[derive(Clone, Debug)]
pub struct MintRequest<'a> {
    /// The principal; its subject becomes `sub`.
    pub principal: &'a Principal,
    /// `client_id`.
    pub client_id: &'a str,
    /// `aud` values (at least one).
    pub audience: Vec<String>,
    /// Granted scopes.
    pub scope: Scopes,
    /// Roles.
    pub roles: BTreeSet<String>,
    /// Mapped claims.
    pub claims: BTreeMap<String, Value>,
    /// When the subject authenticated, if known.
    pub auth_time: Option<DateTime>,
    /// Lifetime in seconds (already bounded by configuration).
    pub lifetime: i64,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Audience<'a> {
    One(&'a str),
    Many(&'a [String]),
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: Audience<'a>,
    exp: i64,
    iat: i64,
    nbf: i64,
    jti: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<i64>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    roles: &'a BTreeSet<String>,
    #[serde(flatten)]
    extra: &'a BTreeMap<String, Value>,
}

/// A fresh `jti`: 128 bits from the system CSPRNG, base64url.
pub fn new_jti() -> Result<String, OAuthReason> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| OAuthReason::SigningFailed)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Mints and signs an access token.
pub fn mint(
    keys: &SigningKeys,
    issuer: &str,
    req: MintRequest<'_>,
    now: DateTime,
) -> Result<IssuedToken, OAuthReason> {
    let iat = now.unix_seconds();
    let exp = iat.saturating_add(req.lifetime);
    let jti = new_jti()?;
    let aud = match req.audience.as_slice() {
        [one] => Audience::One(one),
        many => Audience::Many(many),
    };
    let claims = Claims {
        iss: issuer,
        sub: req.principal.subject(),
        aud,
        exp,
        iat,
        nbf: iat,
        jti: &jti,
        client_id: req.client_id,
        scope: (!req.scope.is_empty()).then(|| scope::join(&req.scope)),
        auth_time: req.auth_time.map(DateTime::unix_seconds),
        roles: &req.roles,
        extra: &req.claims,
    };
    let access_token = keys.sign(&claims).map_err(|_| OAuthReason::SigningFailed)?;
    Ok(IssuedToken {
        access_token,
        jti,
        expires_in: req.lifetime,
        expires_at: exp,
        scope: req.scope,
        audience: req.audience,
        client_id: req.client_id.to_owned(),
        kid: keys.active().kid().to_owned(),
        principal: req.principal.clone(),
    })
}
