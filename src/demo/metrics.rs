//! Prometheus-like series for the demo's services: p95/p99 latency, error
//! ratio, availability and request rate every 15 simulated seconds, with a
//! quarter hour of normal history, turning red as the incident unfolds.

use super::Generator;
use super::world::{PaymentPods, World};
use crate::core::source::{HealthReport, SourceId};
use crate::features::heatmap::model::{
    AlertState, BucketSeries, NamedSeries, PromAlert, PromUpdate,
};
use crate::shared::prometheus::{Columns, Metric};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::time::Duration;

/// Seconds between samples, and samples kept: a 15 minute window.
const STEP: u64 = 15;
const COLUMNS: usize = 60;
const SERVICES: [&str; 5] = [
    "api-gateway",
    "order-service",
    "payment-service",
    "inventory-service",
    "analytics-service",
];
/// Histogram bounds of the latency drill-down, in seconds.
const BOUNDS: [f64; 9] = [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, f64::INFINITY];

/// p95, p99, error ratio, availability, rate of one service at one time.
type Sample = [f64; 5];

pub struct MetricsFeed {
    rng: ChaCha8Rng,
    second: u64,
    /// (time in seconds, one sample per service), oldest first.
    history: VecDeque<(f64, Vec<Sample>)>,
}

impl MetricsFeed {
    pub fn new(seed: u64) -> Self {
        MetricsFeed {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6d65_7472),
            second: 0,
            history: VecDeque::new(),
        }
    }

    fn sample(&mut self, world: &World, service: &str) -> Sample {
        let crashing = world.payment == PaymentPods::Crashing;
        let open = world.breaker_open;
        let (mut p95, mut err, mut avail, mut rate) = match service {
            "api-gateway" => (0.045, 0.0002, 1.0, 120.0),
            "order-service" => (0.12, 0.0003, 1.0, 80.0),
            "payment-service" => (0.09, 0.0002, 1.0, 60.0),
            "inventory-service" => (0.06, 0.0001, 1.0, 150.0),
            _ => (0.2, 0.0004, 1.0, 20.0),
        };
        if crashing && service == "payment-service" {
            (p95, err, avail, rate) = (2.1, 0.12, 0.34, 15.0);
        }
        if open && service == "order-service" {
            (p95, err) = (0.7, 0.08);
        }
        if open && service == "api-gateway" {
            (p95, err) = (0.48, 0.05);
        }
        let mut noise = |v: f64| v * (1.0 + f64::from(self.rng.random_range(-50..50i32)) / 1000.0);
        let p95 = noise(p95);
        [p95, p95 * 1.6, noise(err), avail, noise(rate)]
    }

    fn push(&mut self, world: &World, t: f64) {
        let samples = SERVICES.iter().map(|s| self.sample(world, s)).collect();
        self.history.push_back((t, samples));
        // Keep the window by age: at high demo speeds samples come faster than columns.
        let oldest = t - (STEP * COLUMNS as u64) as f64;
        while self.history.front().is_some_and(|(s, _)| *s < oldest) {
            self.history.pop_front();
        }
    }

    fn updates(&self, world: &World, at: DateTime<Utc>) -> Vec<Update> {
        let now = at.timestamp() as f64;
        let columns = Columns::ending_at(now, STEP as f64, COLUMNS);
        let mut out = Vec::new();
        for (m, metric) in Metric::ALL.into_iter().enumerate() {
            let series = SERVICES
                .iter()
                .enumerate()
                .map(|(s, name)| NamedSeries {
                    name: (*name).to_string(),
                    points: self
                        .history
                        .iter()
                        .map(|(t, samples)| (*t, samples[s][m]))
                        .collect(),
                })
                .collect();
            out.push(Update::from(PromUpdate::Range {
                metric,
                at,
                columns,
                series,
                warnings: Vec::new(),
            }));
        }
        let mut buckets = Vec::new();
        for (s, name) in SERVICES.iter().enumerate() {
            for le in BOUNDS {
                let points = self
                    .history
                    .iter()
                    .map(|(t, samples)| {
                        let [p95, _, _, _, rate] = samples[s];
                        // Exponential latencies with this p95: share below le.
                        let scale = p95 / 20f64.ln();
                        let share = if le.is_infinite() {
                            1.0
                        } else {
                            1.0 - (-le / scale).exp()
                        };
                        (*t, rate * share)
                    })
                    .collect();
                buckets.push(BucketSeries {
                    service: (*name).to_string(),
                    le,
                    points,
                });
            }
        }
        out.push(Update::from(PromUpdate::Buckets {
            at,
            columns,
            series: buckets,
        }));
        let alerts = world
            .alerts
            .iter()
            .map(|a| PromAlert {
                id: format!("{}/{}", a.name, a.service),
                name: a.name.clone(),
                state: AlertState::Firing,
                severity: a.severity,
                service: a.service.clone(),
                since: Some(a.since),
                summary: format!("{} on {}", a.name, a.service),
            })
            .collect();
        out.push(Update::from(PromUpdate::Alerts { at, alerts }));
        out.push(Update::from(PromUpdate::Polled { at, error: None }));
        out.push(Update::from(HealthReport {
            source: SourceId::Prometheus,
            at,
            error: None,
            interval: Duration::from_secs(STEP),
        }));
        out
    }
}

impl Generator for MetricsFeed {
    fn tick(&mut self, world: &World, at: DateTime<Utc>, _: &mut ChaCha8Rng) -> Vec<Update> {
        let now = at.timestamp() as f64;
        if self.history.is_empty() {
            // The quarter hour before the incident was normal.
            let normal = World {
                payment: PaymentPods::Healthy,
                breaker_open: false,
                ..world.clone()
            };
            for i in (1..COLUMNS as u64).rev() {
                self.push(&normal, now - (i * STEP) as f64);
            }
        }
        let due = self.second.is_multiple_of(STEP);
        self.second += 1;
        if !due {
            return Vec::new();
        }
        self.push(world, now);
        self.updates(world, at)
    }
}
