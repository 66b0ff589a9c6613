//! Counters for operators, in the Prometheus text exposition format (version 0.0.4), served at `GET /metrics`.
//!
//! The decision counters are the audit trail counted: [`Metrics`] is an [`EventTap`] on the [`crate::audit::Auditor`],
//! so every accepted, refused or failed call is counted exactly once, with the same reason code, fault and OAuth error
//! the audit record carries — never a second opinion. HTTP request counts and latencies come from the edge middleware,
//! for every request (also those refused before any handler: rate limits, CORS, unknown paths).
//!
//! | family | labels | from |
//! |---|---|---|
//! | `sluis_decisions_total` | `kind` (`soap.request`, `oauth.token`, …), `verdict` | audit events |
//! | `sluis_refusals_total` | `kind`, `reason` (the stable reason code) | refused and failed events |
//! | `sluis_soap_faults_total` | `fault` (`wsse:FailedCheck`, `soap:Server`, …) | SOAP events |
//! | `sluis_oauth_errors_total` | `error` (`invalid_grant`, …) | OAuth events |
//! | `sluis_tokens_issued_total` | `grant` | accepted token events |
//! | `sluis_http_requests_total`, `sluis_http_request_duration_seconds` | `route` (a configured route, an OAuth endpoint, or `other`), `status` class | edge |
//!
//! Label values come from closed sets (reason codes, fault codes, configured routes), and are checked anyway: a value
//! with other characters than `[A-Za-z0-9_.:/-]` or longer than [`MAX_LABEL_CHARS`] becomes `other`, and each family
//! holds at most [`MAX_SERIES`] series (more are counted under `other`), so a hostile client cannot grow memory or the
//! scrape. Nothing here carries a subject, client id or address: those belong in the access-controlled audit trail.

use crate::audit::{Event, EventKind, EventTap, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest label value kept.
pub const MAX_LABEL_CHARS: usize = 80;
/// The most series one family holds.
pub const MAX_SERIES: usize = 1_000;
/// Upper bounds of the latency histogram, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// A value read at scrape time (audit queue depth, cache sizes, …).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The metric name.
    pub name: &'static str,
    /// `counter` or `gauge`.
    pub kind: &'static str,
    /// The help text.
    pub help: &'static str,
    /// The value.
    pub value: f64,
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bucket, bound) in self.buckets.iter_mut().zip(LATENCY_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// One counter family: label values → count, bounded.
#[derive(Debug, Default)]
struct Family(BTreeMap<Vec<String>, u64>);

impl Family {
    fn inc(&mut self, labels: &[&str]) {
        let key = bounded_key(&self.0, labels);
        *self.0.entry(key).or_insert(0) += 1;
    }
}

/// The labels as kept: cleaned, and `other` everywhere once the family is full and the series is new.
fn bounded_key<V>(map: &BTreeMap<Vec<String>, V>, labels: &[&str]) -> Vec<String> {
    let key: Vec<String> = labels.iter().map(|l| clean(l)).collect();
    if map.len() >= MAX_SERIES && !map.contains_key(&key) {
        labels.iter().map(|_| "other".to_owned()).collect()
    } else {
        key
    }
}

fn clean(value: &str) -> String {
    let ok = !value.is_empty()
        && value.len() <= MAX_LABEL_CHARS
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.:/-".contains(&b));
    if ok { value.to_owned() } else { "other".to_owned() }
}

#[derive(Debug, Default)]
struct Inner {
    decisions: Family,
    refusals: Family,
    faults: Family,
    oauth_errors: Family,
    tokens: Family,
    requests: Family,
    latency: BTreeMap<Vec<String>, Histogram>,
}

/// The process's counters.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    inner: Mutex<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty counters; uptime counts from now.
    pub fn new() -> Metrics {
        Metrics { started: Instant::now(), inner: Mutex::new(Inner::default()) }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        // A panic while holding the lock cannot leave a counter half-written: keep counting.
        let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut inner)
    }

    /// Counts one HTTP request: `route` is a configured route path, an OAuth endpoint or `other`.
    pub fn observe_http(&self, route: &str, status: u16, elapsed: Duration) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.with(|m| {
            m.requests.inc(&[route, class]);
            let key = bounded_key(&m.latency, &[route]);
            m.latency.entry(key).or_default().observe(elapsed.as_secs_f64());
        });
    }

    /// The exposition text: every family, then `samples` (read by the caller at scrape time).
    pub fn render(&self, samples: &[Sample]) -> String {
        let mut out = String::with_capacity(4096);
        let version = env!("CARGO_PKG_VERSION");
        header(&mut out, "sluis_build_info", "gauge", "The running version.");
        let _ = writeln!(out, "sluis_build_info{{version=\"{}\"}} 1", escape(version));
        header(
            &mut out,
            "sluis_uptime_seconds",
            "gauge",
            "Seconds since the metrics started (server start).",
        );
        let _ = writeln!(out, "sluis_uptime_seconds {}", self.started.elapsed().as_secs());
        self.with(|m| {
            family(
                &mut out,
                "sluis_decisions_total",
                "Audited decisions.",
                &["kind", "verdict"],
                &m.decisions,
            );
            family(
                &mut out,
                "sluis_refusals_total",
                "Refused and failed calls by reason code.",
                &["kind", "reason"],
                &m.refusals,
            );
            family(&mut out, "sluis_soap_faults_total", "SOAP faults answered.", &["fault"], &m.faults);
            family(
                &mut out,
                "sluis_oauth_errors_total",
                "OAuth errors answered.",
                &["error"],
                &m.oauth_errors,
            );
            family(&mut out, "sluis_tokens_issued_total", "Access tokens issued.", &["grant"], &m.tokens);
            family(
                &mut out,
                "sluis_http_requests_total",
                "HTTP requests by route and status class.",
                &["route", "status"],
                &m.requests,
            );
            let name = "sluis_http_request_duration_seconds";
            header(&mut out, name, "histogram", "Time from request to response head, by route.");
            for (labels, h) in &m.latency {
                let route = escape(labels.first().map_or("other", String::as_str));
                for (bound, count) in LATENCY_BUCKETS.iter().zip(h.buckets) {
                    let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}");
                }
                let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
            }
        });
        for s in samples {
            header(&mut out, s.name, s.kind, s.help);
            let _ = writeln!(out, "{} {}", s.name, s.value);
        }
        out
    }
}

impl EventTap for Metrics {
    fn event(&self, e: &Event) {
        let kind = kind_label(e.kind);
        let verdict = match e.outcome.verdict {
            Verdict::Accepted => "accepted",
            Verdict::Refused => "refused",
            Verdict::Failed => "failed",
            Verdict::Info => return,
        };
        self.with(|m| {
            m.decisions.inc(&[kind, verdict]);
            if e.outcome.verdict != Verdict::Accepted {
                m.refusals.inc(&[kind, e.outcome.reason.as_deref().unwrap_or("none")]);
            }
            if let Some(f) = &e.outcome.fault {
                m.faults.inc(&[f]);
            }
            if let Some(err) = &e.outcome.oauth_error {
                m.oauth_errors.inc(&[err]);
            }
            if e.kind == EventKind::OAuthToken && e.outcome.verdict == Verdict::Accepted {
                // The audit action is `<grant> (<client authentication method>)`.
                let action = e.what.action.as_deref().unwrap_or("unknown");
                m.tokens.inc(&[action.split(" (").next().unwrap_or(action)]);
            }
        });
    }
}

fn kind_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::SoapRequest => "soap.request",
        EventKind::SoapValidate => "soap.validate",
        EventKind::OAuthToken => "oauth.token",
        EventKind::OAuthIntrospect => "oauth.introspect",
        EventKind::OAuthRevoke => "oauth.revoke",
        EventKind::ServerStart => "server.start",
        EventKind::ServerStop => "server.stop",
        EventKind::RecordsDropped => "audit.records_dropped",
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn family(out: &mut String, name: &str, help: &str, label_names: &[&str], f: &Family) {
    header(out, name, "counter", help);
    for (values, count) in &f.0 {
        let labels: Vec<String> =
            label_names.iter().zip(values).map(|(n, v)| format!("{n}=\"{}\"", escape(v))).collect();
        let _ = writeln!(out, "{name}{{{}}} {count}", labels.join(","));
    }
}

/// Escapes a label value (backslash, double quote, newline), though [`clean`] already keeps only safe characters.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Event, EventKind, Verdict};
    use crate::clock::DateTime;

    fn event(kind: EventKind, verdict: Verdict, reason: Option<&str>, fault: Option<&str>) -> Event {
        let mut e = Event::new(kind, DateTime::from_unix_seconds(0), verdict);
        e.outcome.reason = reason.map(str::to_owned);
        e.outcome.fault = fault.map(str::to_owned);
        e
    }

    #[test]
    fn decisions_are_counted_as_audited() {
        let m = Metrics::new();
        m.event(&event(EventKind::SoapRequest, Verdict::Accepted, None, None));
        m.event(&event(
            EventKind::SoapRequest,
            Verdict::Refused,
            Some("digest_mismatch"),
            Some("wsse:FailedCheck"),
        ));
        m.event(&event(
            EventKind::SoapRequest,
            Verdict::Refused,
            Some("digest_mismatch"),
            Some("wsse:FailedCheck"),
        ));
        let mut token = event(EventKind::OAuthToken, Verdict::Accepted, None, None);
        token.what.action = Some("client_credentials (private_key_jwt)".into());
        m.event(&token);
        let mut refused = event(EventKind::OAuthToken, Verdict::Refused, Some("assertion_replayed"), None);
        refused.outcome.oauth_error = Some("invalid_grant".into());
        m.event(&refused);
        m.event(&event(EventKind::ServerStart, Verdict::Info, None, None));
        m.observe_http("/services/Patient", 200, Duration::from_millis(3));
        m.observe_http("/services/Patient", 500, Duration::from_secs(7));
        let text = m.render(&[Sample { name: "sluis_x", kind: "gauge", help: "X.", value: 2.0 }]);
        for line in [
            "sluis_decisions_total{kind=\"soap.request\",verdict=\"accepted\"} 1",
            "sluis_decisions_total{kind=\"soap.request\",verdict=\"refused\"} 2",
            "sluis_refusals_total{kind=\"soap.request\",reason=\"digest_mismatch\"} 2",
            "sluis_soap_faults_total{fault=\"wsse:FailedCheck\"} 2",
            "sluis_tokens_issued_total{grant=\"client_credentials\"} 1",
            "sluis_oauth_errors_total{error=\"invalid_grant\"} 1",
            "sluis_refusals_total{kind=\"oauth.token\",reason=\"assertion_replayed\"} 1",
            "sluis_http_requests_total{route=\"/services/Patient\",status=\"2xx\"} 1",
            "sluis_http_requests_total{route=\"/services/Patient\",status=\"5xx\"} 1",
            "sluis_http_request_duration_seconds_bucket{route=\"/services/Patient\",le=\"0.005\"} 1",
            "sluis_http_request_duration_seconds_bucket{route=\"/services/Patient\",le=\"5\"} 1",
            "sluis_http_request_duration_seconds_bucket{route=\"/services/Patient\",le=\"+Inf\"} 2",
            "sluis_http_request_duration_seconds_count{route=\"/services/Patient\"} 2",
            "# TYPE sluis_x gauge",
            "sluis_x 2",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
        assert!(!text.contains("server.start"), "info events are not decisions");
        // Every sample line is `name{labels} value` or `name value`, after its HELP and TYPE.
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let (_, value) = l.rsplit_once(' ').unwrap();
            assert!(value.parse::<f64>().is_ok(), "{l}");
        }
    }

    #[test]
    fn label_values_and_series_are_bounded() {
        let m = Metrics::new();
        m.event(&event(EventKind::SoapRequest, Verdict::Refused, Some("bad\"label\n}"), None));
        m.event(&event(EventKind::SoapRequest, Verdict::Refused, Some(&"x".repeat(200)), None));
        let text = m.render(&[]);
        assert!(text.contains("sluis_refusals_total{kind=\"soap.request\",reason=\"other\"} 2"), "{text}");
        for i in 0..(MAX_SERIES + 50) {
            m.observe_http(&format!("/r{i}"), 200, Duration::ZERO);
        }
        let text = m.render(&[]);
        let series = text.lines().filter(|l| l.starts_with("sluis_http_requests_total{")).count();
        assert_eq!(series, MAX_SERIES + 1, "the new ones share `other`");
        assert!(text.contains("sluis_http_requests_total{route=\"other\",status=\"other\"} 50"));
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
