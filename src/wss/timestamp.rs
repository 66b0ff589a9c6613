//! `wsu:Timestamp` (WSS 1.1 §10), with the WS-I Basic Security Profile 1.1 constraints.
//!
//! Structure (BSP R3203, R3221, R3222, R3224, R3225/R3226): exactly one `wsu:Created`, first; at most one
//! `wsu:Expires`, after it; nothing else; no `ValueType` on either (only `xs:dateTime` is defined); times with a time
//! zone ([`DateTime::parse`] refuses local times).
//!
//! Freshness at the verification time `at` with the configured clock skew:
//! - `Created ≤ at + skew`, else [`WssReason::TimestampInFuture`];
//! - `Created < Expires`, else malformed;
//! - `Expires > at − skew`, else [`WssReason::TimestampExpired`]; without `Expires`, the Timestamp is stale once
//!   `Created + max_ttl ≤ at − skew`;
//! - `Expires − Created ≤ max_ttl` (the route's `max_timestamp_ttl_seconds`), else [`WssReason::TimestampTtlTooLong`]:
//!   a client cannot declare its message fresh for a year.

use super::WSU_NS;
use crate::clock::DateTime;
use crate::reason::WssReason;
use crate::xml::{Node, NodeId, NodeType, is_ws};

/// A Timestamp that passed the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timestamp {
    pub node: NodeId,
    pub created: DateTime,
    pub expires: Option<DateTime>,
}

fn malformed(what: &'static str) -> WssReason {
    WssReason::MalformedTimestamp(what)
}

/// The text of a `Created`/`Expires` element: no element children, no `ValueType`.
fn time_value(node: Node<'_, '_>) -> Result<DateTime, WssReason> {
    if node.attribute(None, "ValueType").is_some() {
        return Err(malformed("ValueType on a Timestamp time"));
    }
    if node.children().any(|c| c.is_element()) {
        return Err(malformed("element inside a Timestamp time"));
    }
    DateTime::parse(&node.text_content()).map_err(|_| malformed("not an xs:dateTime with a time zone"))
}

/// Reads and checks the Timestamp `node` at `at`.
pub(crate) fn check(
    node: Node<'_, '_>,
    at: DateTime,
    skew_seconds: i64,
    max_ttl_seconds: i64,
) -> Result<Timestamp, WssReason> {
    let mut created = None;
    let mut expires = None;
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => {}
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => continue,
            NodeType::Text => return Err(malformed("character data in Timestamp")),
            _ => continue,
        }
        if child.is(WSU_NS, "Created") && created.is_none() && expires.is_none() {
            created = Some(time_value(child)?);
        } else if child.is(WSU_NS, "Expires") && created.is_some() && expires.is_none() {
            expires = Some(time_value(child)?);
        } else {
            return Err(malformed("Timestamp must hold Created, then optionally Expires"));
        }
    }
    let created = created.ok_or(malformed("Created missing"))?;
    if created > at.plus_seconds(skew_seconds) {
        return Err(WssReason::TimestampInFuture);
    }
    let earliest = at.minus_seconds(skew_seconds);
    match expires {
        Some(expires) => {
            if expires <= created {
                return Err(malformed("Expires not after Created"));
            }
            if expires <= earliest {
                return Err(WssReason::TimestampExpired);
            }
            if expires.unix_millis().saturating_sub(created.unix_millis())
                > max_ttl_seconds.saturating_mul(1000)
            {
                return Err(WssReason::TimestampTtlTooLong);
            }
        }
        None => {
            if created.plus_seconds(max_ttl_seconds) <= earliest {
                return Err(WssReason::TimestampExpired);
            }
        }
    }
    Ok(Timestamp { node: node.id(), created, expires })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits};

    fn ts(inner: &str, at: &str) -> Result<Timestamp, WssReason> {
        let src = format!(r#"<wsu:Timestamp xmlns:wsu="{WSU_NS}">{inner}</wsu:Timestamp>"#);
        let doc = Document::parse_str(&src, &Limits::default()).unwrap();
        check(doc.root_element(), DateTime::parse(at).unwrap(), 300, 3600)
    }

    const C: &str = "<wsu:Created>2026-11-25T12:00:00Z</wsu:Created>";
    const E: &str = "<wsu:Expires>2026-11-25T12:05:00Z</wsu:Expires>";

    #[test]
    fn freshness_with_skew() {
        let ok = format!("{C}{E}");
        assert!(ts(&ok, "2026-11-25T12:00:00Z").is_ok());
        assert!(ts(&ok, "2026-11-25T11:55:00Z").is_ok(), "created within skew in the future");
        assert_eq!(ts(&ok, "2026-11-25T11:54:59Z"), Err(WssReason::TimestampInFuture));
        assert!(ts(&ok, "2026-11-25T12:09:59Z").is_ok(), "expired within skew");
        assert_eq!(ts(&ok, "2026-11-25T12:10:00Z"), Err(WssReason::TimestampExpired));
        assert!(ts(C, "2026-11-25T13:04:59Z").is_ok());
        assert_eq!(ts(C, "2026-11-25T13:05:00Z"), Err(WssReason::TimestampExpired));
        let long = format!("{C}<wsu:Expires>2026-11-26T12:00:00Z</wsu:Expires>");
        assert_eq!(ts(&long, "2026-11-25T12:00:00Z"), Err(WssReason::TimestampTtlTooLong));
    }

    #[test]
    fn structure_is_strict() {
        let at = "2026-11-25T12:00:00Z";
        assert_eq!(ts(E, at), Err(malformed("Timestamp must hold Created, then optionally Expires")));
        assert_eq!(
            ts(&format!("{E}{C}"), at),
            Err(malformed("Timestamp must hold Created, then optionally Expires"))
        );
        assert_eq!(
            ts(&format!("{C}{C}"), at),
            Err(malformed("Timestamp must hold Created, then optionally Expires"))
        );
        assert_eq!(ts("", at), Err(malformed("Created missing")));
        assert_eq!(
            ts("<wsu:Created>2026-11-25T12:00:00</wsu:Created>", at),
            Err(malformed("not an xs:dateTime with a time zone"))
        );
        let backwards =
            "<wsu:Created>2026-11-25T12:00:00Z</wsu:Created><wsu:Expires>2026-11-25T11:00:00Z</wsu:Expires>";
        assert_eq!(ts(backwards, at), Err(malformed("Expires not after Created")));
    }
}
