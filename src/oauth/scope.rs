//! Scopes (RFC 6749 §3.3) and the per-issuer mapping from a subject's attributes to scopes, roles and claims.
//!
//! # What a token is granted
//!
//! ```text
//! requested = the `scope` parameter, or the client's `default_scopes` when it is absent
//! requested ⊆ client.scopes                         else invalid_scope (scope_not_allowed)
//! mapped    = issuer.base_scopes ∪ scopes of every mapping rule the subject's attributes match
//!             (client_credentials and the bridge without a configured issuer: no mapping step, mapped = requested)
//! granted   = requested ∩ mapped
//! granted = ∅ while requested ≠ ∅ (explicitly)       → invalid_scope (scope_not_granted)
//! ```
//!
//! So the client's registration bounds what may be asked, the issuer's mapping bounds what this subject may have, and
//! a request is narrowed silently only by the subject's attributes (the response's `scope` then says what was
//! granted, RFC 6749 §5.1). Defaults asked for implicitly may narrow to nothing: that yields a token without `scope`.
//! Roles (RFC 9068 §2.2.3.1 `roles`) come only from matching rules, and claims are copied from attributes as
//! configured, never overriding a registered claim.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::config::{ConfigError, IssuerConfig, MappingRule};
use crate::reason::OAuthReason;

/// A set of scope tokens, ordered (so the `scope` claim and response are stable).
pub type Scopes = BTreeSet<String>;

/// Claims an issuer mapping may never write: they are the token's own mechanics (RFC 7519 §4.1, RFC 9068 §2.2).
pub const RESERVED_CLAIMS: [&str; 17] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_id",
    "scope",
    "auth_time",
    "acr",
    "amr",
    "roles",
    "cnf",
    "act",
    "may_act",
    "typ",
];

/// Whether `s` is a scope-token: `1*( %x21 / %x23-5B / %x5D-7E )`.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

/// Parses a `scope` parameter: scope-tokens separated by single spaces.
pub fn parse(scope: &str) -> Result<Scopes, OAuthReason> {
    scope
        .split(' ')
        .map(|t| if is_scope_token(t) { Ok(t.to_owned()) } else { Err(OAuthReason::ScopeMalformed) })
        .collect()
}

/// Joins scopes with single spaces.
pub fn join(scopes: &Scopes) -> String {
    scopes.iter().map(String::as_str).collect::<Vec<_>>().join(" ")
}

/// The scope decision of the module documentation. `mapped` is `None` when there is no mapping step.
pub fn grant(
    requested: Option<&str>,
    allowed: &Scopes,
    defaults: &Scopes,
    mapped: Option<&Scopes>,
) -> Result<Scopes, OAuthReason> {
    let (requested, explicit) = match requested {
        Some(s) => (parse(s)?, true),
        None => (defaults.clone(), false),
    };
    if !requested.is_subset(allowed) {
        return Err(OAuthReason::ScopeNotAllowed);
    }
    let granted: Scopes = match mapped {
        Some(m) => requested.intersection(m).cloned().collect(),
        None => requested.clone(),
    };
    if explicit && granted.is_empty() && !requested.is_empty() {
        return Err(OAuthReason::ScopeNotGranted);
    }
    Ok(granted)
}

/// What an issuer's mapping yields for one subject.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapped {
    /// Scopes the subject may receive.
    pub scopes: Scopes,
    /// Roles.
    pub roles: BTreeSet<String>,
    /// Claims copied from attributes.
    pub claims: BTreeMap<String, Value>,
}

/// An issuer's mapping, checked.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    base: Scopes,
    rules: Vec<MappingRule>,
    claims: BTreeMap<String, String>,
}

impl Mapping {
    /// Checks an issuer's mapping configuration: scope tokens well-formed, copied claims not reserved.
    pub fn from_config(c: &IssuerConfig, at: &str) -> Result<Self, ConfigError> {
        let check = |s: &String, field: &str| {
            if is_scope_token(s) {
                Ok(())
            } else {
                Err(ConfigError::new(format!("{at}.{field}"), format!("{s:?} is not a scope token")))
            }
        };
        for s in &c.base_scopes {
            check(s, "base_scopes")?;
        }
        for (i, r) in c.mappings.iter().enumerate() {
            for s in &r.scopes {
                check(s, &format!("mappings[{i}].scopes"))?;
            }
            if r.attribute.is_empty() {
                return Err(ConfigError::new(
                    format!("{at}.mappings[{i}].attribute"),
                    "empty attribute name",
                ));
            }
        }
        for (from, to) in &c.claims {
            if RESERVED_CLAIMS.contains(&to.as_str()) || to.is_empty() {
                return Err(ConfigError::new(
                    format!("{at}.claims.{from}"),
                    format!("{to:?} is a reserved claim name and cannot be mapped onto"),
                ));
            }
        }
        Ok(Mapping {
            base: c.base_scopes.iter().cloned().collect(),
            rules: c.mappings.clone(),
            claims: c.claims.clone(),
        })
    }

    /// Applies the mapping to a subject's attributes.
    pub fn apply(&self, attributes: &[(String, Vec<String>)]) -> Mapped {
        let mut out = Mapped { scopes: self.base.clone(), ..Mapped::default() };
        for rule in &self.rules {
            let matched = attributes.iter().any(|(name, values)| {
                *name == rule.attribute
                    && rule.value.as_ref().is_none_or(|want| values.iter().any(|v| v == want))
            });
            if matched {
                out.scopes.extend(rule.scopes.iter().cloned());
                out.roles.extend(rule.roles.iter().cloned());
            }
        }
        for (from, to) in &self.claims {
            if let Some((_, values)) = attributes.iter().find(|(name, _)| name == from) {
                let v = match values.as_slice() {
                    [one] => Value::String(one.clone()),
                    many => Value::Array(many.iter().cloned().map(Value::String).collect()),
                };
                out.claims.insert(to.clone(), v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> Scopes {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_scope_tokens_strictly() {
        assert_eq!(parse("a b:c").unwrap(), set(&["a", "b:c"]));
        for bad in ["a  b", " a", "a ", "a\"b", "a\\b", "é"] {
            assert_eq!(parse(bad).unwrap_err(), OAuthReason::ScopeMalformed, "{bad:?}");
        }
    }

    #[test]
    fn grant_is_requested_within_allowed_intersect_mapped() {
        let allowed = set(&["read", "write", "admin"]);
        let defaults = set(&["read"]);
        let mapped = set(&["read", "write"]);
        assert_eq!(
            grant(Some("read write"), &allowed, &defaults, Some(&mapped)).unwrap(),
            set(&["read", "write"])
        );
        assert_eq!(grant(Some("read admin"), &allowed, &defaults, Some(&mapped)).unwrap(), set(&["read"]));
        assert_eq!(
            grant(Some("delete"), &allowed, &defaults, Some(&mapped)).unwrap_err(),
            OAuthReason::ScopeNotAllowed
        );
        assert_eq!(
            grant(Some("admin"), &allowed, &defaults, Some(&mapped)).unwrap_err(),
            OAuthReason::ScopeNotGranted
        );
        assert_eq!(grant(None, &allowed, &defaults, Some(&mapped)).unwrap(), set(&["read"]));
        assert_eq!(grant(None, &allowed, &defaults, Some(&set(&[]))).unwrap(), set(&[]));
        assert_eq!(grant(Some("admin"), &allowed, &defaults, None).unwrap(), set(&["admin"]));
    }

    #[test]
    fn mapping_rules() {
        let cfg: IssuerConfig = toml_like(
            r#"{"issuer": "i", "format": "jwt", "base_scopes": ["read"],
                "mappings": [{"attribute": "role", "value": "doctor", "scopes": ["write"], "roles": ["clinician"]},
                             {"attribute": "org", "scopes": ["org"]}],
                "claims": {"urn:oid:0.9.2342.19200300.100.1.3": "email"}}"#,
        );
        let m = Mapping::from_config(&cfg, "x").unwrap();
        let attrs = vec![
            ("role".to_owned(), vec!["nurse".to_owned(), "doctor".to_owned()]),
            ("urn:oid:0.9.2342.19200300.100.1.3".to_owned(), vec!["a@b".to_owned()]),
        ];
        let out = m.apply(&attrs);
        assert_eq!(out.scopes, set(&["read", "write"]));
        assert_eq!(out.roles, set(&["clinician"]));
        assert_eq!(out.claims["email"], "a@b");
        let bad: IssuerConfig = toml_like(r#"{"issuer": "i", "format": "jwt", "claims": {"x": "sub"}}"#);
        assert!(Mapping::from_config(&bad, "x").is_err());
    }

    fn toml_like(json: &str) -> IssuerConfig {
        serde_json::from_str(json).unwrap()
    }
}
