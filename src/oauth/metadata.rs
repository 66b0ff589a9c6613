//! Authorization server metadata (RFC 8414 §2), served at `/.well-known/oauth-authorization-server` and, with the same
//! content, `/.well-known/openid-configuration`.
//!
//! `response_types_supported` is omitted on purpose: sluis has no authorization endpoint, so the list would be empty,
//! and RFC 8414 §3.2 says "Claims with zero elements MUST be omitted from the response". RFC 8414 erratum 7793 (reported)
//! makes the member required only when a grant type uses the authorization endpoint. `grant_types_supported` is always
//! present because its default (`authorization_code`, `implicit`) would be wrong.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::alg;
use super::config::GrantType;
use super::registry::Registry;

/// The metadata document for `reg`.
pub fn document(reg: &Registry) -> Value {
    let s = &reg.settings;
    let mut grants = vec![GrantType::ClientCredentials.as_str(), GrantType::JwtBearer.as_str()];
    if reg.saml.is_some() {
        grants.push(GrantType::Saml2Bearer.as_str());
    }
    let auth = ["client_secret_basic", "client_secret_post", "private_key_jwt"];
    let mut token_auth: Vec<&str> = auth.to_vec();
    token_auth.push("none");
    let algs: Vec<&str> = alg::ALL.iter().map(|a| a.as_str()).collect();
    let scopes: BTreeSet<&str> =
        reg.clients.values().flat_map(|c| c.scopes.iter().map(String::as_str)).collect();
    let mut doc = json!({
        "issuer": s.issuer,
        "token_endpoint": s.token_endpoint,
        "jwks_uri": s.jwks_uri,
        "introspection_endpoint": s.introspection_endpoint,
        "revocation_endpoint": s.revocation_endpoint,
        "grant_types_supported": grants,
        "token_endpoint_auth_methods_supported": token_auth,
        "token_endpoint_auth_signing_alg_values_supported": algs,
        "introspection_endpoint_auth_methods_supported": auth,
        "introspection_endpoint_auth_signing_alg_values_supported": algs,
        "revocation_endpoint_auth_methods_supported": auth,
        "revocation_endpoint_auth_signing_alg_values_supported": algs,
    });
    if !scopes.is_empty() {
        doc["scopes_supported"] = json!(scopes);
    }
    doc
}
