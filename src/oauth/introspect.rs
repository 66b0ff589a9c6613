//! Token introspection (RFC 7662) and revocation (RFC 7009) for this server's own access tokens.
//!
//! Both endpoints require client authentication (any method the client is registered for, except `none`).
//!
//! **Who may introspect what**: a client may introspect the tokens issued to it; a client configured with
//! `introspect_any = true` (a resource server) may introspect every token. For any other token the answer is
//! `{"active": false}`, the same as for a token that does not exist, so introspection is no oracle for other clients'
//! tokens (RFC 7662 §2.2, §4).
//!
//! **Active** means, checked at request time against the *current* configuration and revocation list: a compact JWS
//! with `typ: at+jwt` signed by one of the configured signing keys (any state) with that key's `alg`; `iss` is this
//! server; not expired; its `jti` not revoked; and the client it was issued to still configured and enabled. So
//! revoking a token, disabling a client (by reload) or retiring a key out of the configuration takes effect at once.
//!
//! **Revocation**: only the client a token was issued to may revoke it (RFC 7009 §2.1: otherwise the request is
//! refused, `unauthorized_client`). A token that is not a valid token of this server is answered with 200 and nothing
//! happens (§2.2: "invalid tokens do not cause an error response"). The `jti` is kept until the token's `exp`.
//! `token_type_hint` is accepted and ignored: sluis has one token type (§2.1 allows ignoring it).

use serde_json::{Map, Value};

use super::client_auth::{self, Authenticated};
use super::config::AuthMethod;
use super::form::Form;
use super::jws::Compact;
use super::keys::ACCESS_TOKEN_TYP;
use super::registry::Registry;
use super::response::Refusal;
use super::revocation::RevocationError;
use super::{HttpInput, Shared};
use crate::clock::DateTime;
use crate::reason::OAuthReason;
use crate::trust::KeyPolicy;

/// The parameters these endpoints recognize.
pub const PARAMS: [&str; 6] =
    ["token", "token_type_hint", "client_id", "client_secret", "client_assertion_type", "client_assertion"];

/// One of this server's tokens, verified.
#[derive(Debug)]
pub struct OwnToken {
    /// Its claims.
    pub claims: Map<String, Value>,
    /// `client_id`.
    pub client_id: String,
    /// `jti`.
    pub jti: String,
    /// `exp`.
    pub exp: i64,
}

/// Checks that `token` is an active access token of this server (see the module documentation); the error says why
/// not (for audit).
pub fn validate(
    reg: &Registry,
    shared: &Shared,
    token: &str,
    now: DateTime,
) -> Result<OwnToken, OAuthReason> {
    let c = Compact::parse(token).map_err(|_| OAuthReason::TokenInvalid)?;
    let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    if text(&c.header, "typ").as_deref() != Some(ACCESS_TOKEN_TYP) || c.header.contains_key("crit") {
        return Err(OAuthReason::TokenInvalid);
    }
    let kid = text(&c.header, "kid").ok_or(OAuthReason::TokenInvalid)?;
    let key = reg.signing.find(&kid).ok_or(OAuthReason::TokenInvalid)?;
    if text(&c.header, "alg").as_deref() != Some(key.alg().as_str()) {
        return Err(OAuthReason::TokenInvalid);
    }
    key.public_key()
        .verify(
            key.alg().signature_algorithm(),
            c.signing_input.as_bytes(),
            &c.signature,
            &KeyPolicy::default(),
        )
        .map_err(|_| OAuthReason::TokenInvalid)?;
    if text(&c.claims, "iss").as_deref() != Some(reg.settings.issuer.as_str()) {
        return Err(OAuthReason::TokenInvalid);
    }
    let exp = c.claims.get("exp").and_then(Value::as_i64).ok_or(OAuthReason::TokenInvalid)?;
    let jti = text(&c.claims, "jti").ok_or(OAuthReason::TokenInvalid)?;
    let client_id = text(&c.claims, "client_id").ok_or(OAuthReason::TokenInvalid)?;
    if now.unix_seconds() >= exp {
        return Err(OAuthReason::TokenExpired);
    }
    match shared.revoked.is_revoked(&jti) {
        Ok(false) => {}
        Ok(true) => return Err(OAuthReason::TokenRevoked),
        // Not knowing is not "not revoked": introspection answers inactive, revocation fails.
        Err(_) => return Err(OAuthReason::ReplayStoreUnavailable),
    }
    if !reg.clients.get(&client_id).is_some_and(|cl| cl.enabled) {
        return Err(OAuthReason::TokenClientInactive);
    }
    Ok(OwnToken { claims: c.claims, client_id, jti, exp })
}

fn authenticated<'r>(
    reg: &'r Registry,
    shared: &Shared,
    input: &HttpInput<'_>,
    form: &Form,
    now: DateTime,
) -> Result<Authenticated<'r>, Refusal> {
    let auth = client_auth::authenticate(reg, shared, input.authorization, form, now)?;
    if auth.method == AuthMethod::None {
        return Err(OAuthReason::ClientAuthMissing.into());
    }
    Ok(auth)
}

fn parse_form(reg: &Registry, input: &HttpInput<'_>) -> Result<Form, Refusal> {
    Form::parse(input.content_type, input.body, reg.settings.max_request_bytes, &PARAMS, &[])
        .map_err(|r| Refusal::new(r).with_basic(input.authorization.is_some()))
}

/// The outcome of an introspection: the JSON response and, when inactive, why (for audit).
#[derive(Debug)]
pub struct Introspection {
    /// The RFC 7662 §2.2 response.
    pub response: Value,
    /// Why the token is inactive, if it is.
    pub inactive_because: Option<OAuthReason>,
}

/// Handles an introspection request.
pub fn introspect(
    reg: &Registry,
    shared: &Shared,
    input: &HttpInput<'_>,
    now: DateTime,
) -> Result<Introspection, Refusal> {
    let form = parse_form(reg, input)?;
    let auth = authenticated(reg, shared, input, &form, now)?;
    let token = form.require("token")?;
    let inactive =
        |why| Introspection { response: serde_json::json!({"active": false}), inactive_because: Some(why) };
    let own = match validate(reg, shared, token, now) {
        Ok(t) => t,
        Err(why) => return Ok(inactive(why)),
    };
    if own.client_id != auth.client.id && !auth.client.introspect_any {
        return Ok(inactive(OAuthReason::TokenNotOwned));
    }
    let mut response = Map::new();
    response.insert("active".into(), Value::Bool(true));
    response.insert("token_type".into(), Value::String("Bearer".into()));
    for (k, v) in own.claims {
        response.entry(k).or_insert(v);
    }
    Ok(Introspection { response: Value::Object(response), inactive_because: None })
}

/// Handles a revocation request; `Ok(Some((jti, client_id)))` when a token was revoked, `Ok(None)` when there was
/// nothing to do.
pub fn revoke(
    reg: &Registry,
    shared: &Shared,
    input: &HttpInput<'_>,
    now: DateTime,
) -> Result<Option<(String, String)>, Refusal> {
    let form = parse_form(reg, input)?;
    let auth = authenticated(reg, shared, input, &form, now)?;
    let token = form.require("token")?;
    let own = match validate(reg, shared, token, now) {
        Ok(t) => t,
        Err(OAuthReason::TokenRevoked) => return Ok(None),
        // The revocation could not even be checked: the client must hear that it did not happen.
        Err(OAuthReason::ReplayStoreUnavailable) => return Err(OAuthReason::ReplayStoreUnavailable.into()),
        // Disabled clients' and expired tokens need no entry; invalid tokens get 200 (RFC 7009 §2.2).
        Err(_) => return Ok(None),
    };
    if own.client_id != auth.client.id {
        return Err(OAuthReason::TokenNotOwned.into());
    }
    shared.revoked.revoke(&own.jti, own.exp, now).map_err(|e| match e {
        RevocationError::Full => OAuthReason::RevocationListFull,
        RevocationError::Unavailable => OAuthReason::ReplayStoreUnavailable,
    })?;
    Ok(Some((own.jti, own.client_id)))
}
