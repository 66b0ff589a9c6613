//! State that outlives one request: replay caches (and later rate buckets and revocations), bounded.
//!
//! By default everything here is in memory, per process, and bounded: a cache that is full refuses new entries instead
//! of forgetting old ones (forgetting would reopen a replay window). Several instances behind one load balancer share
//! replay protection through a [`SharedStore`] (Redis), which fails closed. Filling it requires requests that passed
//! authentication, since sluis records nonces and assertion IDs only after the signature or password checked out.

mod replay;
mod shared;

pub use replay::{ReplayCache, ReplayError, hash};
pub use shared::{SharedStore, SharedStoreConfig, StoreError};
