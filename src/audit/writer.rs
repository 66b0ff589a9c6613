//! The [`Auditor`]: a bounded queue in front of one writer thread that seals records into the chain and writes them.

use super::chain::ChainState;
use super::event::{Event, EventKind, Outcome, Verdict};
use super::sink::Sink;
use crate::clock::Clock;
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// Records the writer takes from the queue before it ends a batch (flush/fsync): bounds the work between fsyncs.
const MAX_BATCH: usize = 512;
/// The longest pause between retries of a failing sink.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);

/// When the audit file is fsynced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FsyncPolicy {
    /// After every record.
    Always,
    /// After each batch of records the writer takes from the queue (group commit).
    Batch,
    /// Never (the OS writes back).
    Never,
}

/// What to do when audit records cannot be queued (the queue is full, or the sink is failing and the queue has filled
/// up behind it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnAuditFull {
    /// Refuse the request (fail closed): [`Auditor::reserve`] fails.
    Refuse,
    /// Serve it and count the lost record (fail open).
    Drop,
}

/// Why an audit record cannot be promised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditError {
    /// The queue is full (the writer is behind or the sink is failing).
    QueueFull,
    /// The sink is failing (e.g. the disk is full) and records cannot be written.
    SinkFailed,
    /// The writer has stopped.
    Closed,
}

impl AuditError {
    /// A stable code for logs and metrics.
    pub fn code(self) -> &'static str {
        match self {
            AuditError::QueueFull => "audit_queue_full",
            AuditError::SinkFailed => "audit_sink_failed",
            AuditError::Closed => "audit_closed",
        }
    }
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuditError::QueueFull => "audit queue full",
            AuditError::SinkFailed => "audit sink failing",
            AuditError::Closed => "audit writer stopped",
        })
    }
}

impl std::error::Error for AuditError {}

/// Counters, for `/readyz` and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditorStats {
    /// Records written.
    pub written: u64,
    /// Records lost (only with [`OnAuditFull::Drop`]).
    pub dropped: u64,
    /// Records waiting in the queue.
    pub queued: usize,
    /// The queue's capacity.
    pub capacity: usize,
    /// Whether the sink's last write failed.
    pub sink_failed: bool,
}

enum Msg {
    Event(Box<Event>),
    /// Acknowledge once everything queued before has been written and the batch ended.
    Flush(std::sync::mpsc::SyncSender<()>),
    /// As `Flush`, then stop.
    Stop(std::sync::mpsc::SyncSender<()>),
}

struct Shared {
    /// Sees every event as it is recorded (metrics); set once.
    tap: std::sync::OnceLock<Arc<dyn EventTap>>,
    on_full: OnAuditFull,
    capacity: usize,
    dropped: AtomicU64,
    /// Dropped records not yet reported in the trail.
    unreported_drops: AtomicU64,
    written: AtomicU64,
    sink_failed: AtomicBool,
    stopping: AtomicBool,
}

/// Something that sees every recorded event as it is handed to the queue (before the writer assigns its sequence
/// number), e.g. [`crate::metrics`] counting outcomes: every decision is counted exactly as it is audited. It runs on
/// the request's thread, so it must be quick and must not block.
pub trait EventTap: Send + Sync {
    /// Called once for each recorded event.
    fn event(&self, event: &Event);
}

/// The audit handle: cheap to clone, shared by every worker and the OAuth endpoints.
#[derive(Clone)]
pub struct Auditor {
    tx: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
}

impl fmt::Debug for Auditor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auditor").field("stats", &self.stats()).finish()
    }
}

/// A promise that one record will be queued: a reserved slot, or (with [`OnAuditFull::Drop`]) the right to try.
#[must_use = "a permit reserves a queue slot; record the outcome with it"]
pub struct Permit {
    slot: Option<mpsc::OwnedPermit<Msg>>,
    tx: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").field("reserved", &self.slot.is_some()).finish()
    }
}

impl Permit {
    /// Queues the record. With a reserved slot this cannot fail; without one (drop mode, queue was full) the record is
    /// queued if there is room now and counted as dropped otherwise.
    pub fn record(self, event: Event) {
        if let Some(tap) = self.shared.tap.get() {
            tap.event(&event);
        }
        let msg = Msg::Event(Box::new(event));
        match self.slot {
            Some(slot) => {
                slot.send(msg);
            }
            None => {
                if self.tx.try_send(msg).is_err() {
                    self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                    self.shared.unreported_drops.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

impl Auditor {
    /// Starts the writer thread over `sink`. The sink's existing chain is resumed first (an audit file whose last line
    /// is torn or not a record is an error: move it aside and check it with `sluis audit verify`).
    pub fn start(
        mut sink: Box<dyn Sink>,
        queue_capacity: usize,
        on_full: OnAuditFull,
        clock: Arc<dyn Clock>,
    ) -> Result<Auditor, String> {
        let chain = sink.resume().map_err(|e| format!("audit trail cannot be continued: {e}"))?;
        let capacity = queue_capacity.max(1);
        let (tx, rx) = mpsc::channel(capacity);
        let shared = Arc::new(Shared {
            tap: std::sync::OnceLock::new(),
            on_full,
            capacity,
            dropped: AtomicU64::new(0),
            unreported_drops: AtomicU64::new(0),
            written: AtomicU64::new(0),
            sink_failed: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        });
        let writer = Writer { rx, sink, chain, shared: Arc::clone(&shared), clock };
        std::thread::Builder::new()
            .name("sluis-audit".into())
            .spawn(move || writer.run())
            .map_err(|e| format!("cannot start the audit writer: {e}"))?;
        Ok(Auditor { tx, shared })
    }

    /// Reserves a queue slot for one record. Fails (fail closed, [`OnAuditFull::Refuse`]) when the queue is full, the
    /// sink is failing, or the writer stopped; the caller must then refuse the request. With [`OnAuditFull::Drop`] it
    /// never fails.
    pub fn reserve(&self) -> Result<Permit, AuditError> {
        let refuse = self.shared.on_full == OnAuditFull::Refuse;
        if refuse && self.shared.sink_failed.load(Ordering::Relaxed) {
            return Err(AuditError::SinkFailed);
        }
        match self.tx.clone().try_reserve_owned() {
            Ok(slot) => {
                Ok(Permit { slot: Some(slot), tx: self.tx.clone(), shared: Arc::clone(&self.shared) })
            }
            Err(_) if !refuse => {
                Ok(Permit { slot: None, tx: self.tx.clone(), shared: Arc::clone(&self.shared) })
            }
            Err(mpsc::error::TrySendError::Full(_)) => Err(AuditError::QueueFull),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(AuditError::Closed),
        }
    }

    /// Reserves and records at once (for events recorded after the fact, e.g. server start/stop).
    pub fn record(&self, event: Event) -> Result<(), AuditError> {
        self.reserve().map(|p| p.record(event))
    }

    /// Sets the [`EventTap`] that sees every event from now on; false when one was set already (it stays).
    pub fn set_tap(&self, tap: Arc<dyn EventTap>) -> bool {
        self.shared.tap.set(tap).is_ok()
    }

    /// Whether a record could be promised now (for `/readyz`).
    pub fn is_healthy(&self) -> bool {
        !self.tx.is_closed()
            && (self.shared.on_full == OnAuditFull::Drop || !self.shared.sink_failed.load(Ordering::Relaxed))
    }

    /// The counters.
    pub fn stats(&self) -> AuditorStats {
        AuditorStats {
            written: self.shared.written.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
            queued: self.shared.capacity.saturating_sub(self.tx.capacity()),
            capacity: self.shared.capacity,
            sink_failed: self.shared.sink_failed.load(Ordering::Relaxed),
        }
    }

    /// Blocks until everything queued so far is written (and, per policy, synced), or `timeout` passes. Returns
    /// whether it completed. Do not call from an async task: it blocks the thread.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.control(Msg::Flush, timeout)
    }

    /// Writes everything queued so far, then stops the writer (later records fail with [`AuditError::Closed`]).
    /// Blocks for at most `timeout`; returns whether the writer finished cleanly.
    pub fn shutdown(&self, timeout: Duration) -> bool {
        self.shared.stopping.store(true, Ordering::Relaxed);
        self.control(Msg::Stop, timeout)
    }

    fn control(&self, make: fn(std::sync::mpsc::SyncSender<()>) -> Msg, timeout: Duration) -> bool {
        let (ack_tx, ack_rx) = std::sync::mpsc::sync_channel(1);
        let deadline = std::time::Instant::now() + timeout;
        let mut msg = make(ack_tx);
        // Control messages wait for room like any record, but never longer than the timeout.
        loop {
            match self.tx.try_send(msg) {
                Ok(()) => break,
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
                Err(mpsc::error::TrySendError::Full(m)) => {
                    if std::time::Instant::now() >= deadline {
                        return false;
                    }
                    msg = m;
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        ack_rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())).is_ok()
    }
}

struct Writer {
    rx: mpsc::Receiver<Msg>,
    sink: Box<dyn Sink>,
    chain: ChainState,
    shared: Arc<Shared>,
    clock: Arc<dyn Clock>,
}

impl Writer {
    fn run(mut self) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = self.rx.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(m) => batch.push(m),
                    Err(_) => break,
                }
            }
            let mut acks = Vec::new();
            let mut stop = false;
            for msg in batch.drain(..) {
                match msg {
                    Msg::Event(ev) => self.write(*ev),
                    Msg::Flush(ack) => acks.push(ack),
                    Msg::Stop(ack) => {
                        acks.push(ack);
                        stop = true;
                    }
                }
            }
            if stop {
                // Refuse new records first, then write what was queued before the close, so nothing promised is lost
                // and nothing is accepted after the acknowledgement.
                self.rx.close();
                while let Ok(msg) = self.rx.try_recv() {
                    match msg {
                        Msg::Event(ev) => self.write(*ev),
                        Msg::Flush(ack) | Msg::Stop(ack) => acks.push(ack),
                    }
                }
            }
            self.report_drops();
            self.retry(|sink| sink.end_batch());
            for ack in acks {
                let _ = ack.try_send(());
            }
            if stop {
                return;
            }
        }
    }

    /// Seals and writes one event; a failing sink is retried (with back-off) until it accepts the line, so the chain
    /// never skips a sealed record. Meanwhile the queue fills and [`Auditor::reserve`] fails closed.
    fn write(&mut self, mut event: Event) {
        event.bound();
        let value = match serde_json::to_value(&event) {
            Ok(v) => v,
            // Serializing plain strings and integers cannot fail; if it ever did, record that rather than nothing.
            Err(e) => serde_json::json!({"kind": "audit.serialize_error", "error": e.to_string()}),
        };
        let line = self.chain.seal(value);
        self.retry(|sink| sink.write_line(&line));
        self.shared.written.fetch_add(1, Ordering::Relaxed);
    }

    fn retry(&mut self, mut op: impl FnMut(&mut dyn Sink) -> std::io::Result<()>) {
        let mut pause = Duration::from_millis(50);
        loop {
            match op(self.sink.as_mut()) {
                Ok(()) => {
                    if self.shared.sink_failed.swap(false, Ordering::Relaxed) {
                        tracing::warn!(target: "sluis::audit", "audit sink recovered");
                    }
                    return;
                }
                Err(e) => {
                    if !self.shared.sink_failed.swap(true, Ordering::Relaxed) {
                        tracing::error!(target: "sluis::audit", error = %e, "audit sink failing; retrying");
                    }
                    if self.shared.stopping.load(Ordering::Relaxed) && pause >= MAX_RETRY_PAUSE {
                        tracing::error!(target: "sluis::audit", error = %e, "audit record lost at shutdown");
                        return;
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(MAX_RETRY_PAUSE);
                }
            }
        }
    }

    fn report_drops(&mut self) {
        let n = self.shared.unreported_drops.swap(0, Ordering::Relaxed);
        if n > 0 {
            let mut ev = Event::new(EventKind::RecordsDropped, self.clock.now(), Verdict::Info);
            ev.outcome = Outcome { count: Some(n), ..Outcome::new(Verdict::Info) };
            self.write(ev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain;
    use crate::clock::{DateTime, FixedClock};
    use std::sync::Mutex;

    /// A sink in memory that can be made to fail or block.
    #[derive(Clone, Default)]
    struct MemSink {
        lines: Arc<Mutex<Vec<String>>>,
        fail: Arc<AtomicBool>,
        gate: Arc<Mutex<()>>,
    }

    impl Sink for MemSink {
        fn write_line(&mut self, line: &str) -> std::io::Result<()> {
            let _g = self.gate.lock().unwrap();
            if self.fail.load(Ordering::SeqCst) {
                return Err(std::io::Error::other("disk full"));
            }
            self.lines.lock().unwrap().push(line.to_owned());
            Ok(())
        }
        fn end_batch(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn clock() -> Arc<dyn Clock> {
        Arc::new(FixedClock(DateTime::from_unix_seconds(1_795_608_000)))
    }

    fn event(n: u16) -> Event {
        let mut e =
            Event::new(EventKind::SoapRequest, DateTime::from_unix_seconds(1_795_608_000), Verdict::Accepted);
        e.outcome.http_status = Some(n);
        e
    }

    #[test]
    fn writes_a_verifiable_chain() {
        let sink = MemSink::default();
        let a = Auditor::start(Box::new(sink.clone()), 16, OnAuditFull::Refuse, clock()).unwrap();
        for i in 0..40 {
            a.record(event(i)).unwrap_or_else(|_| {
                assert!(a.flush(Duration::from_secs(5)));
                a.record(event(i)).unwrap();
            });
        }
        assert!(a.shutdown(Duration::from_secs(5)));
        let text: String = sink.lines.lock().unwrap().iter().map(|l| format!("{l}\n")).collect();
        let s = chain::verify(text.as_bytes(), true).unwrap();
        assert_eq!(s.records, 40);
        assert!(text.contains("\"kind\":\"soap.request\""), "{text}");
        assert_eq!(a.record(event(0)), Err(AuditError::Closed));
    }

    #[test]
    fn refuses_when_full_or_failing() {
        let sink = MemSink::default();
        let gate = sink.gate.lock().unwrap();
        let a = Auditor::start(Box::new(sink.clone()), 2, OnAuditFull::Refuse, clock()).unwrap();
        // The writer takes the first record and blocks on the gate; two more fill the queue.
        a.record(event(1)).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        a.record(event(2)).unwrap();
        a.record(event(3)).unwrap();
        assert_eq!(a.reserve().err(), Some(AuditError::QueueFull));
        drop(gate);
        assert!(a.flush(Duration::from_secs(5)));
        sink.fail.store(true, Ordering::SeqCst);
        a.record(event(4)).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while a.reserve().is_ok() {
            assert!(std::time::Instant::now() < deadline, "sink failure never reported");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!a.is_healthy());
        sink.fail.store(false, Ordering::SeqCst);
        assert!(a.flush(Duration::from_secs(10)));
        assert!(a.is_healthy());
        assert_eq!(sink.lines.lock().unwrap().len(), 4, "the failed record was retried, not lost");
    }

    #[test]
    fn drop_mode_counts_and_reports_losses() {
        let sink = MemSink::default();
        let gate = sink.gate.lock().unwrap();
        let a = Auditor::start(Box::new(sink.clone()), 1, OnAuditFull::Drop, clock()).unwrap();
        a.record(event(1)).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        for i in 0..5 {
            a.record(event(i)).unwrap();
        }
        assert_eq!(a.stats().dropped, 4);
        drop(gate);
        assert!(a.flush(Duration::from_secs(5)));
        let lines = sink.lines.lock().unwrap().clone();
        assert!(
            lines.iter().any(|l| l.contains("audit.records_dropped") && l.contains("\"count\":4")),
            "{lines:?}"
        );
    }
}
