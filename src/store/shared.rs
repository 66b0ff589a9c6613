//! A replay store shared by every instance of a deployment: Redis (or Valkey, or anything speaking RESP), one key per
//! used identifier, written with `SET key 1 NX PX ttl` — one atomic round trip that both checks and records, so two
//! instances racing on the same nonce cannot both win.
//!
//! **Fail closed.** Every error (cannot connect, timeout, `OOM`, a reply that is not `OK` or nil) is
//! [`StoreError`], which the callers turn into a refusal: an identifier that could not be recorded is never accepted.
//! Calls are bounded by a connect and an I/O timeout and run on the request's thread (they are one short round trip);
//! idle connections are kept in a small pool.
//!
//! **Run Redis with `maxmemory-policy noeviction`** (the default): an evicting policy would forget identifiers before
//! they expire and reopen the replay window. Keys expire on their own (`PX`), so the store holds only what is still
//! live. Keys are `<prefix>` + the hex SHA-256 of namespace and value, so nothing a client sent is stored in clear.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

/// How to reach the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedStoreConfig {
    /// `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS (system roots).
    pub url: String,
    /// Put in front of every key, so deployments can share one Redis.
    pub key_prefix: String,
    /// Connect and per-command time limit.
    pub timeout: Duration,
    /// Idle connections kept.
    pub pool_size: usize,
    /// For `rediss://`: the CA certificates (PEM) the server's certificate must chain to, instead of the system roots.
    pub root_ca_pem: Option<Vec<u8>>,
}

/// Why the store did not answer.
#[derive(Debug)]
pub struct StoreError(String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// The shared store.
pub struct SharedStore {
    client: redis::Client,
    config: SharedStoreConfig,
    idle: Mutex<Vec<redis::Connection>>,
}

impl fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the URL: it may hold a password.
        f.debug_struct("SharedStore").field("key_prefix", &self.config.key_prefix).finish()
    }
}

impl SharedStore {
    /// Checks the URL and connects once (`PING`), so a wrong address or password stops startup instead of refusing
    /// every request later.
    pub fn connect(config: SharedStoreConfig) -> Result<SharedStore, StoreError> {
        let client = match &config.root_ca_pem {
            None => redis::Client::open(config.url.as_str()),
            Some(pem) => {
                if !config.url.starts_with("rediss://") {
                    return Err(StoreError("a CA file is only for rediss:// URLs".into()));
                }
                let certs = redis::TlsCertificates { client_tls: None, root_cert: Some(pem.clone()) };
                redis::Client::build_with_tls(config.url.as_str(), certs)
            }
        }
        .map_err(|e| StoreError(format!("not a usable Redis URL or CA: {:?}", e.kind())))?;
        let store = SharedStore { client, config, idle: Mutex::new(Vec::new()) };
        store.query::<String>(&redis::cmd("PING"))?;
        Ok(store)
    }

    fn open(&self) -> Result<redis::Connection, StoreError> {
        let con = self
            .client
            .get_connection_with_timeout(self.config.timeout)
            .map_err(|e| StoreError(describe(&e)))?;
        con.set_read_timeout(Some(self.config.timeout)).map_err(|e| StoreError(describe(&e)))?;
        con.set_write_timeout(Some(self.config.timeout)).map_err(|e| StoreError(describe(&e)))?;
        Ok(con)
    }

    fn put_back(&self, con: redis::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.config.pool_size {
            idle.push(con);
        }
    }

    /// Runs one command on a pooled connection, or a new one. A connection that failed is dropped, not pooled; when
    /// it came from the pool (the server may have closed it while idle, or restarted) the command is tried once more
    /// on a new connection. (If the first attempt did reach the server, the retry of a `SET NX` then sees its own key
    /// and answers "replayed": a refusal, never an acceptance.)
    fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        if let Some(mut con) = pooled
            && let Ok(reply) = cmd.query::<T>(&mut con)
        {
            self.put_back(con);
            return Ok(reply);
        }
        let mut con = self.open()?;
        let reply = cmd.query::<T>(&mut con).map_err(|e| StoreError(describe(&e)))?;
        self.put_back(con);
        Ok(reply)
    }

    fn name(&self, key: &[u8; 32]) -> String {
        format!("{}{}", self.config.key_prefix, crate::trust::hex(key))
    }

    /// Records the hashed identifier `key` for `ttl_millis` (> 0) unless it is there: `Ok(true)` recorded now,
    /// `Ok(false)` already there (a replay).
    pub fn set_once(&self, key: &[u8; 32], ttl_millis: i64) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.name(key)).arg(1).arg("NX").arg("PX").arg(ttl_millis.max(1));
        match self.query::<Option<String>>(&cmd)? {
            Some(ok) if ok == "OK" => Ok(true),
            None => Ok(false),
            Some(other) => Err(StoreError(format!("unexpected reply {other:?}"))),
        }
    }

    /// Records `key` for `ttl_millis` (> 0), whether or not it was there (a revocation).
    pub fn set(&self, key: &[u8; 32], ttl_millis: i64) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.name(key)).arg(1).arg("PX").arg(ttl_millis.max(1));
        match self.query::<String>(&cmd)? {
            ok if ok == "OK" => Ok(()),
            other => Err(StoreError(format!("unexpected reply {other:?}"))),
        }
    }

    /// Whether `key` is recorded (and not expired).
    pub fn exists(&self, key: &[u8; 32]) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("EXISTS");
        cmd.arg(self.name(key));
        Ok(self.query::<i64>(&cmd)? > 0)
    }

    /// One `PING` round trip.
    pub fn ping(&self) -> bool {
        self.query::<String>(&redis::cmd("PING")).is_ok()
    }
}

/// The error without the URL or anything secret in it.
fn describe(e: &redis::RedisError) -> String {
    match e.detail() {
        Some(d) => format!("{:?}: {d}", e.kind()),
        None => format!("{:?}", e.kind()),
    }
}
