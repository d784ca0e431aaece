//! `opsdeck demo`: a scripted, seeded incident that feeds the console through
//! the same `Update` channel as live sources.
//!
//! `DemoEngine` is pure: given a seed, a speed and the wall-clock start, the
//! updates it emits (and their timestamps) do not depend on how often it is
//! advanced. `spawn` drives it from a tokio task.

pub mod actions;
pub mod breakers;
pub mod cluster;
pub mod executor;
pub mod lag;
pub mod logs;
pub mod metrics;
pub mod queries;
pub mod world;

use crate::core::action::Action;
use crate::core::source::{HealthReport, SourceId};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;
use tokio::sync::mpsc;
use world::{CYCLE_SECS, SCRIPT, World};

/// Produces updates over simulated time; see `world` for the story.
pub trait Generator: Send {
    /// Called once per simulated second.
    fn tick(&mut self, world: &World, at: DateTime<Utc>, rng: &mut ChaCha8Rng) -> Vec<Update>;
}

/// Reports the demo source as healthy every few seconds, like a poller would.
struct Heartbeat;

impl Generator for Heartbeat {
    fn tick(&mut self, _: &World, at: DateTime<Utc>, _: &mut ChaCha8Rng) -> Vec<Update> {
        vec![Update::from(HealthReport {
            source: SourceId::Demo,
            at,
            error: None,
            interval: Duration::from_secs(5),
        })]
    }
}

/// Sends the cluster's deployments and pods every two seconds (latest wins).
struct WorkloadsFeed {
    second: u64,
}

impl Generator for WorkloadsFeed {
    fn tick(&mut self, world: &World, at: DateTime<Utc>, _: &mut ChaCha8Rng) -> Vec<Update> {
        self.second += 1;
        if self.second % 2 == 1 {
            world
                .cluster
                .snapshot(at)
                .into_iter()
                .map(Update::from)
                .collect()
        } else {
            Vec::new()
        }
    }
}

/// Settings of a demo run.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub seed: u64,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Start the script again after it ends.
    pub looping: bool,
    /// Log lines per simulated second across all pods.
    pub log_rate: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 7,
            speed: 1.0,
            looping: true,
            log_rate: 20,
        }
    }
}

/// The incident simulation.
pub struct DemoEngine {
    options: DemoOptions,
    start: DateTime<Utc>,
    rng: ChaCha8Rng,
    world: World,
    generators: Vec<Box<dyn Generator>>,
    /// Next simulated second to run generators for.
    next_second: u64,
    /// Beats already played (index into the script, over all cycles).
    beats_played: u64,
    started: bool,
}

impl DemoEngine {
    pub fn new(options: DemoOptions, start: DateTime<Utc>) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let world = World::new(&mut rng);
        DemoEngine {
            options,
            start,
            rng,
            world,
            generators: vec![
                Box::new(Heartbeat),
                Box::new(WorkloadsFeed { second: 0 }),
                Box::new(logs::LogFeed::new(options.seed, options.log_rate)),
                Box::new(metrics::MetricsFeed::new(options.seed)),
                Box::new(breakers::BreakersFeed::new()),
                Box::new(lag::LagFeed::new()),
                Box::new(queries::QueriesFeed::new(options.seed)),
            ],
            next_second: 0,
            beats_played: 0,
            started: false,
        }
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Wall-clock time of a simulated instant.
    fn at(&self, sim_secs: u64) -> DateTime<Utc> {
        let real = Duration::from_secs_f64(sim_secs as f64 / self.options.speed.max(1e-3));
        self.start + chrono::Duration::from_std(real).unwrap_or_default()
    }

    /// Simulated time of the next beat, over all cycles.
    fn next_beat(&self) -> Option<(u64, world::Beat)> {
        let per_cycle = SCRIPT.len() as u64;
        let cycle = self.beats_played / per_cycle;
        if cycle > 0 && !self.options.looping {
            return None;
        }
        let (offset, beat) = SCRIPT[(self.beats_played % per_cycle) as usize];
        Some((cycle * CYCLE_SECS + offset, beat))
    }

    /// Everything that happened up to `real_elapsed` since the start.
    pub fn advance(&mut self, real_elapsed: Duration) -> Vec<Update> {
        let sim_now = real_elapsed.as_secs_f64() * self.options.speed;
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            out.push(Update::Scope {
                context: world::CONTEXT.into(),
                namespace: world::NAMESPACE.into(),
            });
        }
        loop {
            let beat = self.next_beat().filter(|(t, _)| *t as f64 <= sim_now);
            let second = Some(self.next_second).filter(|s| *s as f64 <= sim_now);
            match (beat, second) {
                (Some((t, beat)), s) if s.is_none_or(|s| t <= s) => {
                    if t % CYCLE_SECS == 0 && t > 0 {
                        self.world = World::new(&mut self.rng);
                    }
                    let at = self.at(t);
                    out.extend(self.world.play(beat, at, &mut self.rng));
                    self.beats_played += 1;
                }
                (_, Some(s)) => {
                    let at = self.at(s);
                    out.extend(self.world.follow_ups(s, at, &mut self.rng));
                    for g in &mut self.generators {
                        out.extend(g.tick(&self.world, at, &mut self.rng));
                    }
                    self.next_second += 1;
                }
                _ => break,
            }
        }
        out
    }

    /// Applies an action now (`real_elapsed` since the start): the world
    /// changes at once and its follow-ups come with later `advance` calls.
    pub fn act(
        &mut self,
        action: &Action,
        real_elapsed: Duration,
    ) -> (Result<String, String>, Vec<Update>) {
        let mut updates = self.advance(real_elapsed);
        let now = self.next_second;
        let result = self.world.act(action, now, &mut self.rng);
        if result.is_ok() {
            let at = self.at(now);
            updates.extend(
                self.world
                    .cluster
                    .snapshot(at)
                    .into_iter()
                    .map(Update::from),
            );
        }
        (result, updates)
    }
}

/// Runs the engine in real time, sending its updates until the receiver is
/// gone, and carrying out the actions the demo executor forwards.
pub fn spawn(
    options: DemoOptions,
    tx: crate::transport::UpdateTx,
    mut actions: mpsc::Receiver<executor::DemoRequest>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let started = tokio::time::Instant::now();
        let mut engine = DemoEngine::new(options, Utc::now());
        let mut interval = tokio::time::interval(Duration::from_millis(100));
        loop {
            let updates = tokio::select! {
                _ = interval.tick() => engine.advance(started.elapsed()),
                Some(request) = actions.recv() => {
                    let (result, updates) = engine.act(&request.action, started.elapsed());
                    let _ = request.reply.send(result);
                    updates
                }
            };
            for update in updates {
                if tx.send(update).await.is_err() {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn run(options: DemoOptions, steps: &[u64]) -> Vec<Update> {
        let start = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut engine = DemoEngine::new(options, start);
        steps
            .iter()
            .flat_map(|ms| engine.advance(Duration::from_millis(*ms)))
            .collect()
    }

    /// Texts of the Timeline entries the updates make, including those the
    /// model writes (breaker transitions).
    fn timeline_texts(updates: &[Update]) -> Vec<String> {
        texts_through(&mut crate::model::Model::default(), updates)
    }

    fn texts_through(model: &mut crate::model::Model, updates: &[Update]) -> Vec<String> {
        let before = model.timeline.entries().len();
        for u in updates {
            model.apply(u.clone());
        }
        model.timeline.entries()[before..]
            .iter()
            .map(|e| e.text.to_string())
            .collect()
    }

    #[test]
    fn same_seed_and_speed_give_the_same_updates_however_often_advanced() {
        let opts = DemoOptions {
            seed: 42,
            speed: 10.0,
            looping: true,
            ..DemoOptions::default()
        };
        let coarse = run(opts, &[5_000, 50_000, 90_000]);
        let fine: Vec<u64> = (1..=900).map(|i| i * 100).collect();
        let fine = run(opts, &fine);
        assert_eq!(coarse, fine);
        assert!(
            timeline_texts(&coarse).len() > SCRIPT.len(),
            "a full cycle and more at 10x"
        );
    }

    #[test]
    fn another_seed_tells_the_story_with_other_details() {
        let a = run(
            DemoOptions {
                seed: 1,
                speed: 10.0,
                looping: false,
                ..DemoOptions::default()
            },
            &[50_000],
        );
        let b = run(
            DemoOptions {
                seed: 2,
                speed: 10.0,
                looping: false,
                ..DemoOptions::default()
            },
            &[50_000],
        );
        assert_ne!(timeline_texts(&a), timeline_texts(&b));
        assert_eq!(timeline_texts(&a).len(), timeline_texts(&b).len());
    }

    #[test]
    fn the_script_covers_the_incident() {
        let all = timeline_texts(&run(
            DemoOptions {
                seed: 3,
                speed: 100.0,
                looping: false,
                ..DemoOptions::default()
            },
            &[10_000],
        ));
        for needle in [
            "OOMKilled (exit code 137)",
            "CrashLoopBackOff",
            "CLOSED → OPEN",
            "order-processing-group",
            "orders-db: blocking chain: pid",
            "no blocked backends any more",
            "p95 latency",
            "correlation_id",
        ] {
            assert!(all.iter().any(|t| t.contains(needle)), "missing {needle:?}");
        }
    }

    #[test]
    fn speed_compresses_time() {
        let start = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut engine = DemoEngine::new(
            DemoOptions {
                seed: 1,
                speed: 10.0,
                looping: false,
                ..DemoOptions::default()
            },
            start,
        );
        let updates = engine.advance(Duration::from_secs(6));
        let oom = updates.iter().find_map(|u| match u {
            Update::Timeline(e) if e.text.contains("OOMKilled") => Some(e.at),
            _ => None,
        });
        assert_eq!(oom, Some(start + chrono::Duration::milliseconds(5_500)));
        assert_eq!(engine.world().payment, world::PaymentPods::Crashing);
    }

    #[test]
    fn restarting_payment_service_brings_its_pods_back_and_the_breaker_closes() {
        let start = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut engine = DemoEngine::new(
            DemoOptions {
                seed: 1,
                speed: 1.0,
                looping: false,
                ..DemoOptions::default()
            },
            start,
        );
        let mut model = crate::model::Model::default();
        texts_through(&mut model, &engine.advance(Duration::from_secs(100)));
        assert_eq!(engine.world().payment, world::PaymentPods::Crashing);
        assert!(engine.world().breaker_open);
        let restart = Action::RolloutRestart {
            deployment: "payment-service".into(),
        };
        let (result, updates) = engine.act(&restart, Duration::from_secs(100));
        assert_eq!(result.unwrap(), "deployment.apps/payment-service restarted");
        let pods = updates
            .iter()
            .find_map(|u| match u {
                Update::Kube(k) => match &**k {
                    crate::features::pods::model::KubeUpdate::Pods(p) => Some(p.clone()),
                    _ => None,
                },
                _ => None,
            })
            .expect("a pods snapshot");
        assert!(
            pods.iter()
                .filter(|p| p.name.starts_with("payment-service"))
                .all(|p| p.status == "ContainerCreating")
        );
        texts_through(&mut model, &updates);
        let later = texts_through(&mut model, &engine.advance(Duration::from_secs(150)));
        assert!(
            later
                .iter()
                .any(|t| t == "deployment payment-service 3/3 ready"),
            "{later:?}"
        );
        assert!(
            later.iter().any(|t| t.contains("HALF_OPEN → CLOSED")),
            "{later:?}"
        );
        assert!(
            later.iter().any(|t| t.contains("lag draining")),
            "{later:?}"
        );
        assert_eq!(engine.world().payment, world::PaymentPods::Healthy);
        assert!(
            !later.iter().any(|t| t.contains("p95 latency")),
            "payment is fixed: {later:?}"
        );
        let rest = timeline_texts(&engine.advance(Duration::from_secs(400)));
        assert!(
            !rest.iter().any(|t| t.contains("rolled back")),
            "nothing left to roll back: {rest:?}"
        );
    }

    #[test]
    fn rolling_payment_service_back_to_2_13_4_recovers_it_and_undo_rolls_forward() {
        let start = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut engine = DemoEngine::new(
            DemoOptions {
                seed: 1,
                looping: false,
                ..DemoOptions::default()
            },
            start,
        );
        let mut model = crate::model::Model::default();
        texts_through(&mut model, &engine.advance(Duration::from_secs(100)));
        let rollback = |from: u64, to: u64| Action::Rollback {
            deployment: "payment-service".into(),
            from_revision: from,
            to_revision: to,
            images: Vec::new(),
            generation: 0,
        };
        let (result, updates) = engine.act(&rollback(14, 12), Duration::from_secs(100));
        assert_eq!(
            result.unwrap_err(),
            "revision 12 of deploy/payment-service not found"
        );
        texts_through(&mut model, &updates);
        let (result, updates) = engine.act(&rollback(14, 13), Duration::from_secs(100));
        assert_eq!(
            result.unwrap(),
            "deployment.apps/payment-service rolled back to revision 13"
        );
        texts_through(&mut model, &updates);
        let d = model
            .pods
            .data
            .deployment("production", "payment-service")
            .unwrap();
        assert_eq!(
            d.revision,
            Some(15),
            "the old template comes back as a new revision"
        );
        assert_eq!(d.image, "registry.example/payment-service:2.13.4");
        let later = texts_through(&mut model, &engine.advance(Duration::from_secs(150)));
        assert!(
            later
                .iter()
                .any(|t| t == "deployment payment-service 3/3 ready"),
            "{later:?}"
        );
        assert_eq!(engine.world().payment, world::PaymentPods::Healthy);
        let (result, updates) = engine.act(&rollback(15, 14), Duration::from_secs(250));
        assert!(result.is_ok(), "{result:?}");
        texts_through(&mut model, &updates);
        let d = model
            .pods
            .data
            .deployment("production", "payment-service")
            .unwrap();
        assert_eq!(
            (d.revision, d.image.as_str()),
            (Some(16), "registry.example/payment-service:2.14.0")
        );
    }

    #[test]
    fn unknown_targets_fail_like_the_api_server() {
        let mut engine = DemoEngine::new(
            DemoOptions::default(),
            Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
        );
        let (result, _) = engine.act(
            &Action::DeletePod { pod: "nope".into() },
            Duration::from_secs(1),
        );
        assert_eq!(result.unwrap_err(), "pods \"nope\" not found in production");
    }

    #[test]
    fn without_looping_the_story_ends() {
        let start = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut engine = DemoEngine::new(
            DemoOptions {
                seed: 1,
                speed: 100.0,
                looping: false,
                ..DemoOptions::default()
            },
            start,
        );
        let mut model = crate::model::Model::default();
        let once = texts_through(&mut model, &engine.advance(Duration::from_secs(30)));
        assert!(once.len() >= SCRIPT.len() - 3, "{once:?}");
        let after = texts_through(&mut model, &engine.advance(Duration::from_secs(60)));
        assert!(after.is_empty(), "the story should be over: {after:?}");
    }
}
