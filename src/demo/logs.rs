//! Realistic logs for the demo's pods: each service in its own dialect,
//! requests carrying a correlation id across services, errors while the
//! breaker is open, an OutOfMemoryError stack trace before a crash.

use super::Generator;
use super::world::{PaymentPods, World};
use crate::features::logs::model::{LogLine, LogsUpdate};
use crate::features::logs::record::to_log_line;
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Emits `rate` lines per simulated second, with its own random stream so
/// the rest of the story does not change with the log rate.
pub struct LogFeed {
    rng: ChaCha8Rng,
    rate: u32,
    request: u64,
}

impl LogFeed {
    pub fn new(seed: u64, rate: u32) -> Self {
        LogFeed {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6c6f_6773),
            rate,
            request: 0,
        }
    }

    fn pod(&mut self, world: &World, deployment: &str) -> Option<String> {
        let d = world.cluster.get(deployment)?;
        let running: Vec<&str> = d
            .pods
            .iter()
            .filter(|p| p.status == "Running")
            .map(|p| p.name.as_str())
            .collect();
        let pool: Vec<&str> = if running.is_empty() {
            d.pods.iter().map(|p| p.name.as_str()).collect()
        } else {
            running
        };
        (!pool.is_empty()).then(|| pool[self.rng.random_range(0..pool.len())].to_string())
    }

    fn raw(at: DateTime<Utc>, body: &str) -> Vec<u8> {
        format!("{} {body}", at.format("%Y-%m-%dT%H:%M:%S%.9fZ")).into_bytes()
    }

    /// One request through gateway, orders and payments.
    fn request(&mut self, world: &World, at: DateTime<Utc>, out: &mut Vec<LogLine>) {
        self.request += 1;
        let id = format!(
            "c0rr-{:04x}-{:04x}",
            self.rng.random_range(0..0xffffu32),
            self.request % 0xffff
        );
        let ms = self.rng.random_range(8..60);
        let iso = at.format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let open = world.breaker_open;
        if let Some(pod) = self.pod(world, "api-gateway") {
            let (level, status) = if open { ("WARN", 503) } else { ("INFO", 200) };
            let body = format!(
                r#"{{"@timestamp":"{iso}","log.level":"{level}","message":"POST /api/checkout {status} {ms}ms","service.name":"api-gateway","correlation_id":"{id}"}}"#
            );
            out.push(to_log_line(&pod, "api-gateway", &Self::raw(at, &body), &[]));
        }
        if let Some(pod) = self.pod(world, "order-service") {
            let body = format!(
                r#"{{"timestamp": "{iso}", "level": "info", "logger": "order_service.api", "event": "Creating order", "correlation_id": "{id}"}}"#
            );
            out.push(to_log_line(
                &pod,
                "order-service",
                &Self::raw(at, &body),
                &[],
            ));
            if open {
                let body = format!(
                    r#"{{"timestamp": "{iso}", "level": "error", "logger": "order_service.payments", "event": "Payment call failed", "correlation_id": "{id}", "error": "CallNotPermittedException: CircuitBreaker 'paymentService' is OPEN and does not permit further calls"}}"#
                );
                out.push(to_log_line(
                    &pod,
                    "order-service",
                    &Self::raw(at, &body),
                    &[],
                ));
            }
        }
        if !open && let Some(pod) = self.pod(world, "payment-service") {
            let body = format!(
                r#"{{"time":"{iso}","lvl":"info","msg":"charge authorised","correlation_id":"{id}","amount_cents":{}}}"#,
                self.rng.random_range(500..25_000)
            );
            out.push(to_log_line(
                &pod,
                "payment-service",
                &Self::raw(at, &body),
                &[],
            ));
        }
    }

    fn background(&mut self, world: &World, at: DateTime<Utc>, out: &mut Vec<LogLine>) {
        let (deployment, body) = match self.rng.random_range(0..3) {
            0 => (
                "inventory-service",
                format!(
                    "{}  INFO 1 --- [nio-8080-exec-{}] c.e.inventory.StockController : reserved {} items",
                    at.format("%Y-%m-%d %H:%M:%S%.3f"),
                    self.rng.random_range(1..10),
                    self.rng.random_range(1..5)
                ),
            ),
            1 => (
                "order-consumer",
                format!(
                    r#"{{"time":"{}","lvl":"info","msg":"consumed order-events","partition":{},"offset":{}}}"#,
                    at.format("%Y-%m-%dT%H:%M:%SZ"),
                    self.rng.random_range(0..6),
                    self.rng.random_range(100_000..200_000)
                ),
            ),
            _ => (
                "analytics-service",
                format!(
                    "{}  DEBUG 1 --- [scheduling-1] c.e.analytics.Rollup : rolled up 1m window",
                    at.format("%Y-%m-%d %H:%M:%S%.3f")
                ),
            ),
        };
        if let Some(pod) = self.pod(world, deployment) {
            out.push(to_log_line(&pod, deployment, &Self::raw(at, &body), &[]));
        }
    }

    fn out_of_memory(&mut self, world: &World, at: DateTime<Utc>, out: &mut Vec<LogLine>) {
        let Some(pod) = world
            .cluster
            .get("payment-service")
            .and_then(|d| d.pods.first())
            .map(|p| p.name.clone())
        else {
            return;
        };
        for line in [
            "java.lang.OutOfMemoryError: Java heap space",
            "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
            "\tat com.example.payment.LedgerCache.load(LedgerCache.java:88)",
            "\tat com.example.payment.ChargeService.charge(ChargeService.java:142)",
        ] {
            out.push(to_log_line(
                &pod,
                "payment-service",
                &Self::raw(at, line),
                &[],
            ));
        }
    }
}

impl Generator for LogFeed {
    fn tick(&mut self, world: &World, at: DateTime<Utc>, _: &mut ChaCha8Rng) -> Vec<Update> {
        let mut out = Vec::new();
        if world.payment == PaymentPods::Crashing && self.rng.random_range(0..10) == 0 {
            self.out_of_memory(world, at, &mut out);
        }
        let mut emitted = 0;
        let mut i: i64 = 0;
        while emitted < self.rate as usize {
            let t = at + chrono::Duration::milliseconds(i * 1000 / i64::from(self.rate.max(1)));
            let before = out.len();
            if i % 3 == 0 {
                self.request(world, t, &mut out);
            } else {
                self.background(world, t, &mut out);
            }
            emitted += (out.len() - before).max(1);
            i += 1;
        }
        if out.is_empty() {
            Vec::new()
        } else {
            vec![Update::from(LogsUpdate::Lines(out))]
        }
    }
}
