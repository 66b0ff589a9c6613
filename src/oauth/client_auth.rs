//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3, RFC 7521 §4.2).
//!
//! | method | carried as | checked |
//! |---|---|---|
//! | `client_secret_basic` | `Authorization: Basic` with form-encoded id and secret | argon2id ([`super::secret`]) |
//! | `client_secret_post` | `client_id` + `client_secret` in the form | argon2id |
//! | `private_key_jwt` | `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` + `client_assertion` | [`super::jws`], RFC 7523 §3 with `iss = sub = client_id`, `jti` one-time |
//! | `saml_assertion` | `…:client-assertion-type:saml2-bearer` + `client_assertion` | [`super::saml_bearer`], subject = client id |
//! | `none` | `client_id` only | a public client, for the assertion grants only |
//!
//! More than one method in a request is `invalid_request` (RFC 6749 §2.3: "MUST NOT use more than one"). A `client_id`
//! parameter next to Basic or an assertion must name the same client. A known client registered for another method,
//! an unknown client and a wrong secret all say "client authentication failed", and the secret paths cost the same.

use super::config::AuthMethod;
use super::form::{self, Form};
use super::jws::{ClaimRules, Unverified};
use super::registry::{Client, Registry};
use super::response::Refusal;
use super::{Shared, saml_bearer};
use crate::clock::DateTime;
use crate::reason::OAuthReason;
use crate::store::ReplayError;

/// RFC 7523 §2.2.
pub const JWT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// RFC 7522 §2.2.
pub const SAML_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";

/// The form parameters client authentication reads.
pub const PARAMS: [&str; 4] = ["client_id", "client_secret", "client_assertion_type", "client_assertion"];

/// A client that authenticated (or identified itself, for a public client).
#[derive(Clone, Copy, Debug)]
pub struct Authenticated<'r> {
    /// The client.
    pub client: &'r Client,
    /// How.
    pub method: AuthMethod,
}

/// Authenticates the client of a request from its `Authorization` header and form.
pub fn authenticate<'r>(
    reg: &'r Registry,
    shared: &Shared,
    authorization: Option<&str>,
    form: &Form,
    now: DateTime,
) -> Result<Authenticated<'r>, Refusal> {
    let basic = authorization.is_some();
    let post = form.has("client_secret");
    let assertion = form.has("client_assertion") || form.has("client_assertion_type");
    if usize::from(basic) + usize::from(post) + usize::from(assertion) > 1 {
        return Err(Refusal::new(OAuthReason::ClientAuthMultiple).with_basic(basic));
    }
    if let Some(header) = authorization {
        return by_secret(reg, shared, SecretSource::Basic(header), form).map_err(|r| r.with_basic(true));
    }
    if post {
        return by_secret(reg, shared, SecretSource::Post, form);
    }
    if assertion {
        let kind = form.require("client_assertion_type")?;
        let token = form.require("client_assertion")?;
        return match kind {
            JWT_ASSERTION_TYPE => by_jwt(reg, shared, form, token, now),
            SAML_ASSERTION_TYPE => by_saml(reg, form, token, now),
            _ => Err(OAuthReason::ClientAssertionTypeUnsupported.into()),
        };
    }
    // No credentials: a public client naming itself, or nobody.
    let id = form.get("client_id").ok_or(OAuthReason::ClientAuthMissing)?;
    let client = reg.clients.get(id).ok_or(OAuthReason::ClientUnknown)?;
    if !client.allows_method(AuthMethod::None) {
        return Err(OAuthReason::ClientAuthMissing.into());
    }
    if !client.enabled {
        return Err(OAuthReason::ClientDisabled.into());
    }
    Ok(Authenticated { client, method: AuthMethod::None })
}

enum SecretSource<'h> {
    Basic(&'h str),
    Post,
}

fn by_secret<'r>(
    reg: &'r Registry,
    shared: &Shared,
    source: SecretSource<'_>,
    form: &Form,
) -> Result<Authenticated<'r>, Refusal> {
    let (id, secret, method) = match source {
        SecretSource::Basic(header) => {
            let (id, secret) = form::basic_credentials(header)?;
            if form.get("client_id").is_some_and(|p| p != id) {
                return Err(OAuthReason::ClientIdMismatch.into());
            }
            (id, secret, AuthMethod::ClientSecretBasic)
        }
        SecretSource::Post => {
            let id = form.require("client_id")?.to_owned();
            let secret = form.require("client_secret")?.to_owned();
            (id, secret, AuthMethod::ClientSecretPost)
        }
    };
    let client = reg.clients.get(&id);
    let usable = client.filter(|c| c.allows_method(method));
    // Run argon2 in every case (dummy hash when there is nothing to compare against): same cost, no oracle.
    let ok = reg.secrets.verify(&shared.argon2, &id, usable.and_then(|c| c.secret.as_ref()), &secret);
    let Some(client) = client else { return Err(OAuthReason::ClientUnknown.into()) };
    if !client.allows_method(method) {
        return Err(OAuthReason::ClientAuthMethodNotAllowed.into());
    }
    if !ok {
        return Err(OAuthReason::ClientSecretMismatch.into());
    }
    if !client.enabled {
        return Err(OAuthReason::ClientDisabled.into());
    }
    Ok(Authenticated { client, method })
}

fn by_jwt<'r>(
    reg: &'r Registry,
    shared: &Shared,
    form: &Form,
    token: &str,
    now: DateTime,
) -> Result<Authenticated<'r>, Refusal> {
    let jwt = Unverified::parse(token).map_err(|f| f.client())?;
    // RFC 7523 §3 items 1-2: iss and sub are the client id; RFC 7521 §4.2: client_id, if sent, names the same client.
    let claimed = jwt.unverified_str("sub").ok_or(OAuthReason::ClientAssertionClaim("sub"))?;
    if form.get("client_id").is_some_and(|id| id != claimed) {
        return Err(OAuthReason::ClientIdMismatch.into());
    }
    let client = reg.clients.get(claimed).ok_or(OAuthReason::ClientUnknown)?;
    if !client.allows_method(AuthMethod::PrivateKeyJwt) {
        return Err(OAuthReason::ClientAuthMethodNotAllowed.into());
    }
    let verified = jwt.verify(&client.keys).map_err(|f| f.client())?;
    let s = &reg.settings;
    let rules = ClaimRules {
        audiences: &s.own_identities,
        single_audience: s.strict_client_assertion_audience.then_some(s.issuer.as_str()),
        now,
        skew: s.clock_skew,
        max_lifetime: s.max_assertion_lifetime,
    };
    let claims = verified.check(&rules).map_err(|f| f.client())?;
    if claims.iss != client.id {
        return Err(OAuthReason::ClientAssertionClaim("iss").into());
    }
    if claims.sub != client.id {
        return Err(OAuthReason::ClientAssertionClaim("sub").into());
    }
    if !client.enabled {
        return Err(OAuthReason::ClientDisabled.into());
    }
    let until = DateTime::from_unix_seconds(claims.exp.saturating_add(s.clock_skew));
    match shared.replay.check_and_insert(
        &format!("client-assertion\u{0}{}", client.id),
        &claims.jti,
        until,
        now,
    ) {
        Ok(()) => {}
        Err(ReplayError::Replayed) => return Err(OAuthReason::ClientAssertionReplayed.into()),
        Err(ReplayError::Full) => return Err(OAuthReason::ReplayCacheFull.into()),
        Err(ReplayError::Unavailable) => return Err(OAuthReason::ReplayStoreUnavailable.into()),
    }
    Ok(Authenticated { client, method: AuthMethod::PrivateKeyJwt })
}

/// A SAML client assertion (RFC 7522 §2.2); its one-time use is recorded by the SAML validator's own replay cache.
fn by_saml<'r>(
    reg: &'r Registry,
    form: &Form,
    token: &str,
    now: DateTime,
) -> Result<Authenticated<'r>, Refusal> {
    let assertion = saml_bearer::validate(reg, token, now)
        .map_err(|cause| Refusal::new(OAuthReason::ClientSamlAssertionInvalid).caused_by(cause))?;
    // RFC 7522 §3 item 3 (client authentication): the Subject's NameID is the client id.
    let id = assertion.subject.as_str();
    if form.get("client_id").is_some_and(|p| p != id) {
        return Err(OAuthReason::ClientIdMismatch.into());
    }
    let client = reg.clients.get(id).ok_or(OAuthReason::ClientUnknown)?;
    if !client.allows_method(AuthMethod::SamlAssertion) {
        return Err(OAuthReason::ClientAuthMethodNotAllowed.into());
    }
    if client.saml_issuer.as_deref() != Some(assertion.issuer.as_str()) {
        return Err(Refusal::new(OAuthReason::ClientSamlAssertionInvalid)
            .caused_by(OAuthReason::AssertionIssuerNotAllowed.into()));
    }
    if !client.enabled {
        return Err(OAuthReason::ClientDisabled.into());
    }
    Ok(Authenticated { client, method: AuthMethod::SamlAssertion })
}
