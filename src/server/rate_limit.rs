//! Token buckets per client address (and per client and route), in a bounded map.
//!
//! A bucket holds up to `burst` tokens and refills at `per_second`; a request takes one. Buckets are keyed by the
//! client address — IPv6 clients by their /64, since one host commonly owns a whole /64 — and by scope (all routes, or
//! one route). Time is monotonic ([`Instant`]): rate limiting is not a rule about the message, so it does not need the
//! verification clock.
//!
//! **Bounded.** The map is split into shards, each holding at most `max_clients / SHARDS` buckets. A full shard first
//! forgets buckets idle longer than `idle` (which, being full again after idling, are indistinguishable from new
//! ones); if that frees less than a tenth, it forgets the tenth least recently used. Either way the next many
//! insertions are O(1), so a flood of new addresses costs amortized constant work per request.

use crate::config::BucketConfig;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SHARDS: usize = 16;

/// Which bucket: across all routes, or one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every request of the client.
    Global,
    /// Requests of the client to route `n`.
    Route(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    client: IpAddr,
    scope: Scope,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The answer for one request and one bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The bucket size (`X-RateLimit-Limit`).
    pub limit: u32,
    /// Whole tokens left after this request (`X-RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until the bucket is full again (`X-RateLimit-Reset`).
    pub reset_secs: u64,
    /// Seconds until one token is available (`Retry-After`, when refused).
    pub retry_after_secs: u64,
}

impl Verdict {
    /// The more restrictive of two verdicts (refused beats allowed; then fewer remaining).
    pub fn stricter(self, other: Verdict) -> Verdict {
        match (self.allowed, other.allowed) {
            (true, false) => other,
            (false, true) => self,
            _ if other.remaining < self.remaining => other,
            _ => self,
        }
    }
}

/// The limiter.
#[derive(Debug)]
pub struct RateLimiter {
    shards: Vec<Mutex<HashMap<Key, Bucket>>>,
    per_shard: usize,
    idle: Duration,
}

impl RateLimiter {
    /// A limiter tracking at most `max_clients` buckets (rounded up to a multiple of 16), forgetting idle ones after
    /// `idle`.
    pub fn new(max_clients: usize, idle: Duration) -> RateLimiter {
        RateLimiter {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: max_clients.div_ceil(SHARDS).max(1),
            idle,
        }
    }

    /// Takes a token from the bucket of `client` in `scope`.
    pub fn check(&self, client: IpAddr, scope: Scope, cfg: BucketConfig, now: Instant) -> Verdict {
        let key = Key { client: bucket_address(client), scope };
        let shard = &self.shards[shard_of(&key)];
        // A poisoned lock means another thread panicked mid-update; the map is still a valid map.
        let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(&key) && map.len() >= self.per_shard {
            self.evict(&mut map, now);
        }
        let burst = f64::from(cfg.burst);
        let bucket = map.entry(key).or_insert(Bucket { tokens: burst, last: now });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * cfg.per_second).min(burst);
        bucket.last = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let tokens = bucket.tokens;
        Verdict {
            allowed,
            limit: cfg.burst,
            remaining: tokens.floor().clamp(0.0, burst) as u32,
            reset_secs: ((burst - tokens) / cfg.per_second).ceil().max(0.0) as u64,
            retry_after_secs: if allowed {
                0
            } else {
                ((1.0 - tokens) / cfg.per_second).ceil().max(1.0) as u64
            },
        }
    }

    /// Buckets held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map(|m| m.len()).unwrap_or(0)).sum()
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn evict(&self, map: &mut HashMap<Key, Bucket>, now: Instant) {
        map.retain(|_, b| now.saturating_duration_since(b.last) < self.idle);
        let target = self.per_shard - self.per_shard.div_ceil(10);
        if map.len() > target {
            let mut lasts: Vec<Instant> = map.values().map(|b| b.last).collect();
            let cut = map.len() - target;
            let (_, nth, _) = lasts.select_nth_unstable(cut.saturating_sub(1));
            let threshold = *nth;
            let mut removed = 0;
            map.retain(|_, b| {
                if removed < cut && b.last <= threshold {
                    removed += 1;
                    false
                } else {
                    true
                }
            });
        }
    }
}

/// IPv6 clients share a bucket per /64; IPv4 clients have their own.
fn bucket_address(ip: IpAddr) -> IpAddr {
    match crate::config::canonical_ip(ip) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

fn shard_of(key: &Key) -> usize {
    use std::hash::BuildHasher;
    // A per-process random hasher: an attacker cannot aim many addresses at one shard.
    static STATE: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    (STATE.get_or_init(Default::default).hash_one(key) as usize) % SHARDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn takes_and_refills() {
        let l = RateLimiter::new(100, Duration::from_secs(60));
        let cfg = BucketConfig { burst: 3, per_second: 1.0 };
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        let v: Vec<Verdict> = (0..4).map(|_| l.check(a, Scope::Global, cfg, t0)).collect();
        assert_eq!(v.iter().map(|v| v.allowed).collect::<Vec<_>>(), [true, true, true, false]);
        assert_eq!(v[0].remaining, 2);
        assert_eq!(v[2].remaining, 0);
        assert_eq!(v[2].reset_secs, 3);
        assert_eq!(v[3].retry_after_secs, 1);
        // Another client and another scope have their own buckets.
        assert!(l.check(ip("192.0.2.2"), Scope::Global, cfg, t0).allowed);
        assert!(l.check(a, Scope::Route(0), cfg, t0).allowed);
        // A second later one token is back.
        let t1 = t0 + Duration::from_millis(1000);
        assert!(l.check(a, Scope::Global, cfg, t1).allowed);
        assert!(!l.check(a, Scope::Global, cfg, t1).allowed);
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let l = RateLimiter::new(100, Duration::from_secs(60));
        let cfg = BucketConfig { burst: 1, per_second: 0.001 };
        let t = Instant::now();
        assert!(l.check(ip("2001:db8::1"), Scope::Global, cfg, t).allowed);
        assert!(!l.check(ip("2001:db8::ffff:2"), Scope::Global, cfg, t).allowed);
        assert!(l.check(ip("2001:db8:0:1::1"), Scope::Global, cfg, t).allowed);
    }

    #[test]
    fn stays_bounded() {
        let l = RateLimiter::new(160, Duration::from_secs(60));
        let cfg = BucketConfig { burst: 5, per_second: 1.0 };
        let t = Instant::now();
        for i in 0..10_000u32 {
            l.check(IpAddr::V4(i.into()), Scope::Global, cfg, t + Duration::from_micros(u64::from(i)));
        }
        assert!(l.len() <= 160, "{}", l.len());
        assert!(l.len() >= 100, "{}", l.len());
    }
}
