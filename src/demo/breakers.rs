//! The demo's circuit breakers: order-service's pods each guard
//! `paymentService`, `inventoryService` and `shippingService`, read through
//! the pod proxy every few seconds. `paymentService` opens while payment is
//! down, probes half-open now and then, and closes once payment recovers
//! (or is closed, forced or disabled by an action).

use super::Generator;
use super::world::{NAMESPACE, PaymentPods, World};
use crate::core::action::Endpoint;
use crate::core::source::{HealthReport, SourceId};
use crate::features::breakers::data::{BreakerState, Rate};
use crate::features::breakers::model::{
    BreakerSource, BreakersUpdate, Figures, Observation, RowKey,
};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::Duration;

/// Seconds between polls, as a live source would.
const POLL_SECS: u64 = 5;
/// The service whose pods are polled.
pub const SERVICE: &str = "order-service";
pub const PAYMENT: &str = "paymentService";

pub struct BreakersFeed {
    second: u64,
    /// What each pod's paymentService last reported, for half-open on recovery.
    last: BTreeMap<String, BreakerState>,
    not_permitted: BTreeMap<String, u64>,
}

impl BreakersFeed {
    pub fn new() -> Self {
        BreakersFeed {
            second: 0,
            last: BTreeMap::new(),
            not_permitted: BTreeMap::new(),
        }
    }

    fn payment_state(&self, world: &World, pod: &str, i: usize) -> BreakerState {
        if let Some(state) = world.breaker_pods.get(pod) {
            return state.clone();
        }
        let was = self.last.get(pod);
        if world.breaker_open {
            // Every two minutes one pod tries a few calls, and they fail.
            let probing = (self.second / 120) as usize % 3 == i && self.second % 120 >= 100;
            if probing {
                BreakerState::HalfOpen
            } else {
                BreakerState::Open
            }
        } else if matches!(was, Some(BreakerState::Open | BreakerState::ForcedOpen)) {
            BreakerState::HalfOpen
        } else {
            BreakerState::Closed
        }
    }
}

impl Default for BreakersFeed {
    fn default() -> Self {
        Self::new()
    }
}

impl Generator for BreakersFeed {
    fn tick(&mut self, world: &World, at: DateTime<Utc>, rng: &mut ChaCha8Rng) -> Vec<Update> {
        let second = self.second;
        self.second += 1;
        if !second.is_multiple_of(POLL_SECS) {
            return Vec::new();
        }
        let pods: Vec<String> = world
            .cluster
            .get(SERVICE)
            .map(|d| d.pods.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default();
        let mut observations = Vec::new();
        for (i, pod) in pods.iter().enumerate() {
            let state = self.payment_state(world, pod, i);
            let blocked = matches!(state, BreakerState::Open | BreakerState::ForcedOpen);
            let np = self.not_permitted.entry(pod.clone()).or_default();
            if blocked {
                *np += rng.random_range(20..60);
            }
            let failing = world.payment == PaymentPods::Crashing;
            let rate = match (&state, failing) {
                (BreakerState::HalfOpen, true) => 66.66667,
                (_, true) => f64::from(rng.random_range(550..950u32)) / 10.0,
                (BreakerState::HalfOpen, false) => 0.0,
                (_, false) => f64::from(rng.random_range(0..40u32)) / 10.0,
            };
            let buffered = if state == BreakerState::HalfOpen {
                3
            } else {
                10
            };
            let failed = (rate / 100.0 * buffered as f64).round() as u64;
            observations.push(observation(
                pod,
                PAYMENT,
                Figures {
                    state: state.clone(),
                    failure_rate: Some(Rate::Percent(rate)),
                    failure_threshold: Some(50.0),
                    slow_rate: Some(Rate::Percent(if failing { 10.0 } else { 0.0 })),
                    slow_threshold: Some(100.0),
                    buffered: Some(buffered),
                    failed: Some(failed),
                    slow: Some(if failing { 1 } else { 0 }),
                    not_permitted: Some(*np),
                },
            ));
            self.last.insert(pod.clone(), state);
            // Few calls yet: resilience4j reports -1 until minimumNumberOfCalls.
            observations.push(observation(
                pod,
                "inventoryService",
                Figures {
                    state: BreakerState::Closed,
                    failure_rate: Some(Rate::NotEnoughCalls),
                    failure_threshold: Some(50.0),
                    slow_rate: Some(Rate::NotEnoughCalls),
                    slow_threshold: Some(100.0),
                    buffered: Some(3),
                    failed: Some(0),
                    slow: Some(0),
                    not_permitted: Some(0),
                },
            ));
            let ship = f64::from(rng.random_range(0..120u32)) / 10.0;
            observations.push(observation(
                pod,
                "shippingService",
                Figures {
                    state: BreakerState::Closed,
                    failure_rate: Some(Rate::Percent(ship)),
                    failure_threshold: Some(50.0),
                    slow_rate: Some(Rate::Percent(0.0)),
                    slow_threshold: Some(100.0),
                    buffered: Some(20),
                    failed: Some((ship / 5.0).round() as u64),
                    slow: Some(0),
                    not_permitted: Some(0),
                },
            ));
        }
        vec![
            Update::from(BreakersUpdate {
                source: BreakerSource::Actuator,
                at,
                observations,
                targets: pods,
                failures: Vec::new(),
                keep_unlisted: false,
            }),
            Update::from(HealthReport {
                source: SourceId::Actuator,
                at,
                error: None,
                interval: Duration::from_secs(POLL_SECS),
            }),
        ]
    }
}

fn observation(pod: &str, breaker: &str, figures: Figures) -> Observation {
    Observation {
        key: RowKey {
            service: SERVICE.into(),
            instance: pod.into(),
            breaker: breaker.into(),
        },
        target: pod.into(),
        endpoint: Some(Endpoint::PodProxy {
            namespace: NAMESPACE.into(),
            pod: pod.into(),
            port: 8080,
            base_path: "/actuator".into(),
        }),
        figures,
    }
}
