//! NEN 7513 audit records: who did what, when, from where, and with what outcome — hash-chained, written by one
//! background writer from a bounded queue.
//!
//! NEN 7513:2018 ("logging — recording actions on electronic patient records") asks every access to be recorded with
//! the identity of the user and the client system, the action and the object, the moment, the place the access came
//! from, and the outcome; records must be protected against unnoticed modification. Here:
//!
//! | NEN 7513 | field of [`Event`] |
//! |---|---|
//! | who (user, responsible party, client system) | [`Who`]: subject, issuer, OAuth client id, token type, auth level |
//! | what (action, object) | [`What`]: event kind, route or endpoint, SOAP action, message id |
//! | when | [`Event::at`], from the caller's [`crate::clock::Clock`] |
//! | from where | [`Where`]: client IP, `X-Forwarded-For` (only when the peer is a trusted proxy), request id |
//! | outcome | [`Outcome`]: accepted/refused/failed, reason code, fault or OAuth error, HTTP and upstream status |
//!
//! The API is plain data in, independent of HTTP, SOAP and OAuth: the SOAP gateway and the token endpoint build an
//! [`Event`] and hand it to an [`Auditor`]. The [`Auditor`] queues it (bounded); a writer thread assigns the sequence
//! number, chains it to the previous record ([`chain`]) and writes one line of canonical JSON to a [`Sink`].
//!
//! **Fail closed by default.** A caller first takes a [`Permit`] ([`Auditor::reserve`]) — a slot in the queue — and
//! only then does the audited work, recording its outcome through the permit, which cannot fail. If no slot is free,
//! or the sink has failed, [`Auditor::reserve`] returns an error and the caller refuses the request (503): for a
//! healthcare gateway unaudited access is worse than no access. With [`OnAuditFull::Drop`] the permit is granted
//! anyway and a record that finds no room is counted instead; the count is written to the trail as an
//! `audit.records_dropped` event as soon as there is room again.
//!
//! **Tamper evidence.** Each record carries `prev`, the SHA-256 of the previous record's line, so editing, inserting
//! or deleting a record breaks the chain at that point ([`chain::verify`], `sluis audit verify FILE`). Truncating the
//! end of a file cannot be detected from the file alone; ship the trail off the host (or log the head hash elsewhere)
//! to cover that.

pub mod chain;
mod event;
mod sink;
mod writer;

pub use chain::{ChainError, ChainSummary, GENESIS};
pub use event::{Event, EventKind, MAX_FIELD_CHARS, Outcome, Verdict, What, Where, Who};
pub use sink::{FileSink, Sink, StdoutSink};
pub use writer::{AuditError, Auditor, AuditorStats, EventTap, FsyncPolicy, OnAuditFull, Permit};
