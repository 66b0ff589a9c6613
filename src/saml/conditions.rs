//! `Conditions` (SAML 2.0 Core §2.5, SAML 1.1 Core §2.3.2.1) and the assertion's validity in time.
//!
//! - `NotBefore`/`NotOnOrAfter` with the policy's clock skew; both present means `NotBefore < NotOnOrAfter`
//!   (Core §2.5.1.2), otherwise the assertion is malformed.
//! - Lifetime: `NotOnOrAfter - IssueInstant` may not exceed the policy's maximum, and an assertion without
//!   `NotOnOrAfter` expires at `IssueInstant` plus that maximum; `IssueInstant` may not lie in the future beyond the skew.
//! - `AudienceRestriction` (1.1: `AudienceRestrictionCondition`): each element must name one of our audiences — several
//!   restrictions are ANDed, the audiences within one ORed (Core §2.5.1.4). One is required unless
//!   [`super::SamlDanger::allow_missing_audience`].
//! - `OneTimeUse` (at most one, §2.5.1.5): the assertion goes to the replay cache whatever the policy says.
//! - `ProxyRestriction` (at most one, §2.5.1.6): recorded or refused per [`super::ProxyRestrictionPolicy`].
//! - SAML 1.1 `DoNotCacheCondition`: accepted (sluis never caches an assertion past the request that carried it).
//! - Anything else — a `Condition` with an `xsi:type`, an element of another namespace — is a condition sluis does not
//!   understand. §2.5.1 makes the assertion's validity *Indeterminate*; a gateway cannot act on indeterminate, so it
//!   is refused ([`SamlReason::UnknownCondition`]).

use super::policy::{ProxyRestrictionPolicy, SamlPolicy};
use super::read::{element_children, time_attr, uri_text};
use crate::clock::DateTime;
use crate::dsig::{SAML1_NS, SAML2_NS, SignedNode, VerifiedView};
use crate::reason::{Reason, SamlReason};

/// A `ProxyRestriction` condition, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyRestriction {
    /// `Count`: how many further indirections the issuer allows (0: none). None when absent (no limit on count).
    pub count: Option<u32>,
    /// The audiences to which assertions based on this one may be issued (empty: any).
    pub audiences: Vec<String>,
}

/// The conditions of one assertion, read through the verified view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Conditions {
    pub not_before: Option<DateTime>,
    pub not_on_or_after: Option<DateTime>,
    /// One entry per `AudienceRestriction`, each with its audiences.
    pub audience_restrictions: Vec<Vec<String>>,
    pub one_time_use: bool,
    pub proxy_restriction: Option<ProxyRestriction>,
}

/// "Now" with the tolerances every time comparison uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeCheck {
    pub now: DateTime,
    pub skew: i64,
    pub max_lifetime: i64,
}

impl TimeCheck {
    pub(crate) fn new(now: DateTime, policy: &SamlPolicy) -> Self {
        TimeCheck {
            now,
            skew: policy.clock_skew_seconds.max(0),
            max_lifetime: policy.max_lifetime_seconds.max(0),
        }
    }

    /// Has `not_before` been reached (allowing for skew)?
    pub(crate) fn reached(&self, not_before: DateTime) -> bool {
        self.now.plus_seconds(self.skew) >= not_before
    }

    /// Is `not_on_or_after` still ahead (allowing for skew)?
    pub(crate) fn before(&self, not_on_or_after: DateTime) -> bool {
        self.now.minus_seconds(self.skew) < not_on_or_after
    }

    /// Does the window from `issued` to `until` fit the maximum lifetime?
    pub(crate) fn lifetime_ok(&self, issued: DateTime, until: DateTime) -> bool {
        until <= issued.plus_seconds(self.max_lifetime)
    }
}

/// Reads a SAML 2.0 `Conditions` element.
pub(crate) fn read_saml2(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
) -> Result<Conditions, Reason> {
    let mut c = Conditions {
        not_before: time_attr(node, "NotBefore", "Conditions/@NotBefore")?,
        not_on_or_after: time_attr(node, "NotOnOrAfter", "Conditions/@NotOnOrAfter")?,
        ..Conditions::default()
    };
    for child in element_children(view, node, "Conditions")? {
        let n = child.node();
        if n.is(SAML2_NS, "AudienceRestriction") {
            c.audience_restrictions.push(audiences(view, &child, SAML2_NS, "AudienceRestriction")?);
        } else if n.is(SAML2_NS, "OneTimeUse") {
            if c.one_time_use {
                return Err(SamlReason::MalformedAssertion("more than one OneTimeUse").into());
            }
            c.one_time_use = true;
        } else if n.is(SAML2_NS, "ProxyRestriction") {
            if c.proxy_restriction.is_some() {
                return Err(SamlReason::MalformedAssertion("more than one ProxyRestriction").into());
            }
            let count = match child.attribute(None, "Count") {
                None => None,
                Some(v) => Some(
                    v.trim()
                        .parse::<u32>()
                        .map_err(|_| SamlReason::MalformedAssertion("ProxyRestriction/@Count"))?,
                ),
            };
            let audiences = element_children(view, &child, "ProxyRestriction")?
                .iter()
                .map(|a| {
                    if a.node().is(SAML2_NS, "Audience") {
                        Ok(uri_text(a, "Audience")?)
                    } else {
                        Err(SamlReason::MalformedAssertion("ProxyRestriction content"))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            c.proxy_restriction = Some(ProxyRestriction { count, audiences });
        } else {
            // `Condition` (abstract, with an xsi:type) or an element the schema does not allow: Indeterminate.
            return Err(SamlReason::UnknownCondition.into());
        }
    }
    Ok(c)
}

/// Reads a SAML 1.1 `Conditions` element.
pub(crate) fn read_saml1(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
) -> Result<Conditions, Reason> {
    let mut c = Conditions {
        not_before: time_attr(node, "NotBefore", "Conditions/@NotBefore")?,
        not_on_or_after: time_attr(node, "NotOnOrAfter", "Conditions/@NotOnOrAfter")?,
        ..Conditions::default()
    };
    for child in element_children(view, node, "Conditions")? {
        let n = child.node();
        if n.is(SAML1_NS, "AudienceRestrictionCondition") {
            c.audience_restrictions.push(audiences(view, &child, SAML1_NS, "AudienceRestrictionCondition")?);
        } else if n.is(SAML1_NS, "DoNotCacheCondition") {
            // Nothing to do: sluis keeps no assertion beyond the request.
        } else {
            return Err(SamlReason::UnknownCondition.into());
        }
    }
    Ok(c)
}

fn audiences(
    view: &VerifiedView<'_, '_>,
    node: &SignedNode<'_, '_, '_>,
    ns: &str,
    what: &'static str,
) -> Result<Vec<String>, Reason> {
    let mut out = Vec::new();
    for a in element_children(view, node, what)? {
        if !a.node().is(ns, "Audience") {
            return Err(
                SamlReason::MalformedAssertion("unexpected element in an audience restriction").into()
            );
        }
        out.push(uri_text(&a, "Audience")?);
    }
    if out.is_empty() {
        return Err(SamlReason::MalformedAssertion("audience restriction without Audience").into());
    }
    Ok(out)
}

/// Checks the conditions and the assertion's time window; returns the instant after which the assertion is no longer
/// acceptable (the earlier of `NotOnOrAfter` and `IssueInstant` plus the maximum lifetime).
pub(crate) fn check(
    c: &Conditions,
    issue_instant: DateTime,
    t: &TimeCheck,
    policy: &SamlPolicy,
) -> Result<DateTime, SamlReason> {
    if let (Some(nb), Some(noa)) = (c.not_before, c.not_on_or_after)
        && nb >= noa
    {
        return Err(SamlReason::MalformedAssertion("NotBefore is not before NotOnOrAfter"));
    }
    if !t.reached(issue_instant) {
        return Err(SamlReason::IssueInstantInFuture);
    }
    if let Some(nb) = c.not_before
        && !t.reached(nb)
    {
        return Err(SamlReason::AssertionNotYetValid);
    }
    let lifetime_end = issue_instant.plus_seconds(t.max_lifetime);
    let expiry = match c.not_on_or_after {
        Some(noa) => {
            if !t.before(noa) {
                return Err(SamlReason::AssertionExpired);
            }
            if !t.lifetime_ok(issue_instant, noa) {
                return Err(SamlReason::LifetimeTooLong);
            }
            noa.min(lifetime_end)
        }
        None => lifetime_end,
    };
    if !t.before(expiry) {
        return Err(SamlReason::AssertionExpired);
    }
    if c.audience_restrictions.is_empty() {
        if !policy.danger.allow_missing_audience {
            return Err(SamlReason::AudienceMissing);
        }
    } else if !c.audience_restrictions.iter().all(|r| r.iter().any(|a| policy.is_audience(a))) {
        return Err(SamlReason::AudienceMismatch);
    }
    if c.proxy_restriction.is_some() && policy.proxy_restriction == ProxyRestrictionPolicy::Refuse {
        return Err(SamlReason::ProxyRestricted);
    }
    Ok(expiry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    fn policy() -> SamlPolicy {
        SamlPolicy::new(["https://sp"], ["https://sp/acs"])
    }

    fn conditions(audiences: &[&[&str]]) -> Conditions {
        Conditions {
            not_before: Some(t("2026-01-01T11:55:00Z")),
            not_on_or_after: Some(t("2026-01-01T12:05:00Z")),
            audience_restrictions: audiences
                .iter()
                .map(|r| r.iter().map(|a| a.to_string()).collect())
                .collect(),
            ..Conditions::default()
        }
    }

    #[test]
    fn audience_restrictions_are_anded_audiences_ored() {
        let p = policy();
        let tc = TimeCheck::new(t("2026-01-01T12:00:00Z"), &p);
        let issued = t("2026-01-01T11:55:00Z");
        assert!(check(&conditions(&[&["https://other", "https://sp"]]), issued, &tc, &p).is_ok());
        assert!(check(&conditions(&[&["https://sp"], &["https://sp", "x"]]), issued, &tc, &p).is_ok());
        assert_eq!(
            check(&conditions(&[&["https://sp"], &["https://other"]]), issued, &tc, &p),
            Err(SamlReason::AudienceMismatch)
        );
        assert_eq!(check(&conditions(&[]), issued, &tc, &p), Err(SamlReason::AudienceMissing));
    }

    #[test]
    fn skew_applies_at_both_ends() {
        let p = policy();
        let c = conditions(&[&["https://sp"]]);
        let issued = t("2026-01-01T11:55:00Z");
        let at = |s| TimeCheck::new(t(s), &p);
        assert!(check(&c, issued, &at("2026-01-01T11:54:00Z"), &p).is_ok(), "NotBefore minus the 60 s skew");
        assert_eq!(check(&c, issued, &at("2026-01-01T11:53:59Z"), &p), Err(SamlReason::IssueInstantInFuture));
        assert!(check(&c, issued, &at("2026-01-01T12:05:59Z"), &p).is_ok());
        assert_eq!(check(&c, issued, &at("2026-01-01T12:06:00Z"), &p), Err(SamlReason::AssertionExpired));
    }

    #[test]
    fn lifetime_is_bounded_even_without_not_on_or_after() {
        let p = SamlPolicy { max_lifetime_seconds: 300, ..policy() };
        let mut c = conditions(&[&["https://sp"]]);
        let issued = t("2026-01-01T11:55:00Z");
        let tc = TimeCheck::new(t("2026-01-01T12:00:00Z"), &p);
        assert_eq!(check(&c, issued, &tc, &p), Err(SamlReason::LifetimeTooLong));
        c.not_on_or_after = None;
        assert_eq!(check(&c, issued, &tc, &p), Ok(t("2026-01-01T12:00:00Z")));
        let later = TimeCheck::new(t("2026-01-01T12:01:00Z"), &p);
        assert_eq!(check(&c, issued, &later, &p), Err(SamlReason::AssertionExpired));
    }
}
