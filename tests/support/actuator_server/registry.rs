//! Everything the server knows, shared between the test's handle and the
//! HTTP thread: the breakers (resilience4j's registry), the manual clock,
//! the fault mode and the request log.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::config::{BreakerConfig, Config};
use super::faults::Mode;
use super::machine::Breaker;

#[derive(Debug)]
pub struct Registry {
    /// Time since the server started, moved only by the test.
    pub now: Duration,
    /// By name: resilience4j lists breakers sorted by name.
    pub breakers: BTreeMap<String, Breaker>,
    pub application: Option<String>,
    pub create_unknown_breakers: bool,
    pub status_order: Vec<String>,
    pub mode: Mode,
    /// When set, requests without `Authorization: Bearer <token>` get 401.
    pub bearer_token: Option<String>,
    /// `METHOD /path?query` of each request, in arrival order.
    pub requests: Vec<String>,
}

impl Registry {
    pub fn new(config: Config) -> Self {
        let mut registry = Self {
            now: Duration::ZERO,
            breakers: BTreeMap::new(),
            application: config.application,
            create_unknown_breakers: config.create_unknown_breakers,
            status_order: config.status_order,
            mode: Mode::Normal,
            bearer_token: None,
            requests: Vec::new(),
        };
        for (name, breaker) in config.breakers {
            registry.add(&name, breaker);
        }
        registry
    }

    pub fn add(&mut self, name: &str, config: BreakerConfig) {
        let previous = self
            .breakers
            .insert(name.to_owned(), Breaker::new(name, config));
        assert!(previous.is_none(), "breaker {name} is configured twice");
    }

    /// A breaker the test names; an unknown name is a bug in the test.
    pub fn breaker(&mut self, name: &str) -> &mut Breaker {
        self.breakers
            .get_mut(name)
            .unwrap_or_else(|| panic!("no breaker named {name} on the actuator test server"))
    }

    /// Moves the clock and fires the OPEN→HALF_OPEN transitions now due.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        let now = self.now;
        for breaker in self.breakers.values_mut() {
            breaker.tick(now);
        }
    }
}

/// The registry behind a mutex, cloned into every handler.
#[derive(Debug, Clone)]
pub struct Shared(Arc<Mutex<Registry>>);

impl Shared {
    pub fn new(registry: Registry) -> Self {
        Self(Arc::new(Mutex::new(registry)))
    }

    /// A test that panicked while holding the lock leaves nothing half
    /// done that matters, so a poisoned lock is used as is.
    pub fn lock(&self) -> MutexGuard<'_, Registry> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
