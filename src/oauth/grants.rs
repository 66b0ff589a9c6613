//! The token endpoint (RFC 6749 §3.2, §4.4, §5; RFC 7521 §4.1; RFC 7522 §2.1; RFC 7523 §2.1): one request in, one
//! access token or one [`Refusal`] out.
//!
//! Order of decisions: form (content type, size, duplicates) → `grant_type` supported → client authentication
//! ([`super::client_auth`]) → the client may use this grant → the grant's own checks (assertion verified, issuer and
//! subject bound to the client) → scope ([`super::scope`]) → audience (`resource`, RFC 8707) → the assertion's one-time
//! use recorded → mint ([`super::mint`]). The replay entry is written last so that a request refused for another
//! reason does not burn its assertion.

use std::collections::{BTreeMap, BTreeSet};

use super::client_auth::{self, Authenticated};
use super::config::{AuthMethod, GrantType, IssuerFormat};
use super::form::Form;
use super::jws::{self, ClaimRules, Unverified};
use super::mint::{self, MintRequest};
use super::registry::{self, Client, Issuer, Registry};
use super::response::{IssuedToken, Refusal};
use super::scope::{self, Mapped};
use super::{HttpInput, Shared, saml_bearer};
use crate::clock::DateTime;
use crate::principal::{AuthLevel, Principal, TokenType};
use crate::reason::OAuthReason;
use crate::store::ReplayError;

/// The parameters the token endpoint recognizes; all others are ignored (RFC 6749 §3.2).
pub const TOKEN_PARAMS: [&str; 8] = [
    "grant_type",
    "scope",
    "assertion",
    "resource",
    "client_id",
    "client_secret",
    "client_assertion_type",
    "client_assertion",
];

/// What a grant established, before scope and audience are decided.
struct Grant {
    principal: Principal,
    /// The issuer's mapping result; `None` when there is no mapping step (client credentials).
    mapped: Option<Mapped>,
    auth_time: Option<DateTime>,
    /// The one-time-use entry to record: namespace, identifier, until, and the reason if it was seen before.
    replay: Option<(String, String, DateTime, OAuthReason)>,
}

/// Handles one token request.
pub fn token(
    reg: &Registry,
    shared: &Shared,
    input: &HttpInput<'_>,
    now: DateTime,
) -> Result<(IssuedToken, GrantType, AuthMethod), Refusal> {
    let basic = input.authorization.is_some();
    let form = Form::parse(
        input.content_type,
        input.body,
        reg.settings.max_request_bytes,
        &TOKEN_PARAMS,
        &["resource"],
    )
    .map_err(|r| Refusal::new(r).with_basic(basic))?;
    let grant_type =
        GrantType::parse(form.require("grant_type")?).ok_or(OAuthReason::UnsupportedGrantType)?;
    if grant_type == GrantType::Saml2Bearer && reg.saml.is_none() {
        return Err(OAuthReason::SamlUnavailable.into());
    }
    let auth = client_auth::authenticate(reg, shared, input.authorization, &form, now)?;
    let client = auth.client;
    if !client.allows_grant(grant_type)
        || (grant_type == GrantType::ClientCredentials && auth.method == AuthMethod::None)
    {
        return Err(OAuthReason::GrantNotAllowed.into());
    }
    let grant = match grant_type {
        GrantType::ClientCredentials => client_credentials(&auth),
        GrantType::JwtBearer => jwt_bearer(reg, client, form.require("assertion")?, now)?,
        GrantType::Saml2Bearer => saml2_bearer(reg, client, form.require("assertion")?, now)?,
    };
    let granted = scope::grant(
        form.get("scope"),
        &client.scopes,
        &client.default_scopes,
        grant.mapped.as_ref().map(|m| &m.scopes),
    )?;
    let audience = audience(reg, client, &form)?;
    if let Some((namespace, id, until, replayed)) = &grant.replay {
        match shared.replay.check_and_insert(namespace, id, *until, now) {
            Ok(()) => {}
            Err(ReplayError::Replayed) => return Err((*replayed).into()),
            Err(ReplayError::Full) => return Err(OAuthReason::ReplayCacheFull.into()),
            Err(ReplayError::Unavailable) => return Err(OAuthReason::ReplayStoreUnavailable.into()),
        }
    }
    let (roles, claims) = match grant.mapped {
        Some(m) => (m.roles, m.claims),
        None => (BTreeSet::new(), BTreeMap::new()),
    };
    let req = MintRequest {
        principal: &grant.principal,
        client_id: &client.id,
        audience,
        scope: granted,
        roles,
        claims,
        auth_time: grant.auth_time,
        lifetime: client.access_token_lifetime,
    };
    let issued = mint::mint(&reg.signing, &reg.settings.issuer, req, now)?;
    Ok((issued, grant_type, auth.method))
}

/// The `aud` of the token: every `resource` (each an absolute URI this client may ask for), else the default audience.
fn audience(reg: &Registry, client: &Client, form: &Form) -> Result<Vec<String>, OAuthReason> {
    let mut out: Vec<String> = Vec::new();
    for r in form.all("resource") {
        registry::check_audience(r).map_err(|_| OAuthReason::ResourceInvalid)?;
        if !reg.settings.audiences.contains(r) || !client.allows_audience(r) {
            return Err(OAuthReason::ResourceNotAllowed);
        }
        if !out.iter().any(|o| o == r) {
            out.push(r.to_owned());
        }
    }
    if out.is_empty() {
        let default = &reg.settings.default_audience;
        if !client.allows_audience(default) {
            return Err(OAuthReason::ParameterMissing("resource"));
        }
        out.push(default.clone());
    }
    Ok(out)
}

/// RFC 6749 §4.4: the client acts on its own behalf; `sub` is its id (RFC 9068 §2.2).
fn client_credentials(auth: &Authenticated<'_>) -> Grant {
    let level = match auth.method {
        AuthMethod::PrivateKeyJwt => AuthLevel::PUBLIC_KEY,
        AuthMethod::SamlAssertion => AuthLevel::TOKEN_FROM_CREDENTIALS,
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost | AuthMethod::None => {
            AuthLevel::CREDENTIALS
        }
    };
    let principal =
        Principal::assertion(auth.client.id.clone(), None, TokenType::ClientCredentials, level, Vec::new());
    Grant { principal, mapped: None, auth_time: None, replay: None }
}

/// Whether the client may present an assertion from `issuer` about `subject`.
fn check_binding(client: &Client, issuer: &str, subject: &str) -> Result<(), OAuthReason> {
    if client.allowed_issuers.as_ref().is_some_and(|a| !a.contains(issuer)) {
        return Err(OAuthReason::AssertionIssuerNotAllowed);
    }
    if client.allowed_subjects.as_ref().is_some_and(|a| !a.contains(subject)) {
        return Err(OAuthReason::AssertionSubjectNotAllowed);
    }
    Ok(())
}

/// RFC 7523 §2.1 and §3.
fn jwt_bearer(reg: &Registry, client: &Client, assertion: &str, now: DateTime) -> Result<Grant, Refusal> {
    let jwt = Unverified::parse(assertion).map_err(|f| f.grant())?;
    let iss = jwt.unverified_str("iss").ok_or(OAuthReason::JwtClaimInvalid("iss"))?;
    let issuer: &Issuer = reg
        .issuers
        .get(iss)
        .filter(|i| i.format == IssuerFormat::Jwt)
        .ok_or(OAuthReason::JwtIssuerUnknown)?;
    let verified = jwt.verify(&issuer.keys).map_err(|f| f.grant())?;
    let s = &reg.settings;
    let rules = ClaimRules {
        audiences: &s.own_identities,
        single_audience: None,
        now,
        skew: s.clock_skew,
        max_lifetime: s.max_assertion_lifetime,
    };
    let claims = verified.check(&rules).map_err(|f| f.grant())?;
    check_binding(client, &claims.iss, &claims.sub)?;
    let attributes: Vec<(String, Vec<String>)> = verified
        .claims()
        .iter()
        .filter(|(name, _)| !jws::REGISTERED_CLAIMS.contains(&name.as_str()))
        .map(|(name, v)| (name.clone(), jws::claim_values(v)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mapped = issuer.mapping.apply(&attributes);
    let auth_time = verified
        .claims()
        .get("auth_time")
        .and_then(serde_json::Value::as_i64)
        .map(DateTime::from_unix_seconds);
    let until = DateTime::from_unix_seconds(claims.exp.saturating_add(s.clock_skew));
    let principal = Principal::assertion(
        claims.sub,
        Some(claims.iss.clone()),
        TokenType::Jwt,
        issuer.auth_level,
        attributes,
    );
    Ok(Grant {
        principal,
        mapped: Some(mapped),
        auth_time,
        replay: Some((format!("jwt-bearer\u{0}{}", claims.iss), claims.jti, until, OAuthReason::JwtReplayed)),
    })
}

/// RFC 7522 §2.1 and §3.
fn saml2_bearer(reg: &Registry, client: &Client, assertion: &str, now: DateTime) -> Result<Grant, Refusal> {
    let validated = saml_bearer::validate(reg, assertion, now).map_err(Refusal::new)?;
    check_binding(client, &validated.issuer, &validated.subject)?;
    let issuer = reg.issuers.get(&validated.issuer).ok_or(OAuthReason::SamlIssuerUnknown)?;
    let mapped = issuer.mapping.apply(&validated.attributes);
    let principal = Principal::assertion(
        validated.subject,
        Some(validated.issuer.clone()),
        TokenType::Saml20,
        issuer.auth_level,
        validated.attributes,
    );
    Ok(Grant {
        principal,
        mapped: Some(mapped),
        auth_time: validated.authn_instant,
        // Recorded by crate::saml when the assertion validated (one-time use of bearer assertions, per issuer).
        replay: None,
    })
}
