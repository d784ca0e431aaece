//! Everything known about one scope (context + namespace) while its
//! watchers run: watcher events in, batched updates out.

use super::convert;
use super::events::RecentEvents;
use super::health::HealthState;
use super::raw::Raw;
use super::rollouts::Rollouts;
use super::table::{Batch, Key, Table};
use super::transitions::Transitions;
use crate::core::outbox::Report;
use crate::core::timeline::TimelineEntry;
use crate::features::pods::model::{Deployment, KubeUpdate, Pod, ReplicaSet};
use crate::shared::kube::errors::describe_watch;
use chrono::Utc;
use k8s_openapi::api::apps::v1::{Deployment as KubeDeployment, ReplicaSet as KubeReplicaSet};
use k8s_openapi::api::core::v1::{Event as KubeEventObject, Pod as KubePod};
use kube::runtime::watcher::{self, Event};
use std::collections::HashSet;

/// What a watcher stream yields for objects of kind `K`.
pub type WatchItem<K> = Result<Event<Raw<K>>, watcher::Error>;

/// The state of one scope between flushes.
#[derive(Debug)]
pub struct ScopeState {
    /// `None` = all namespaces.
    namespace: Option<String>,
    pods: Table<Pod>,
    /// Pods of the list in progress, to forget the ones gone since.
    listed: HashSet<Key>,
    transitions: Transitions,
    deployments: Table<Deployment>,
    replica_sets: Table<ReplicaSet>,
    rollouts: Rollouts,
    events: RecentEvents,
    timeline: Vec<TimelineEntry>,
    pub health: HealthState,
}

impl ScopeState {
    pub fn new(namespace: Option<String>) -> Self {
        ScopeState {
            namespace,
            pods: Table::default(),
            listed: HashSet::new(),
            transitions: Transitions::default(),
            deployments: Table::default(),
            replica_sets: Table::default(),
            rollouts: Rollouts::default(),
            events: RecentEvents::default(),
            timeline: Vec::new(),
            health: HealthState::default(),
        }
    }

    /// Records a stream's outcome on the badge. `Init` says nothing yet:
    /// the list it announces may still fail.
    fn note<K>(&mut self, stream: &'static str, item: &WatchItem<K>) {
        match item {
            Ok(Event::Init) => {}
            Ok(_) => self.health.ok(stream),
            Err(e) => match describe_watch(e, stream, self.namespace.as_deref()) {
                Some(text) => {
                    if self.health.failed(stream, text.clone()) {
                        tracing::warn!("kubernetes: {text}");
                    }
                }
                None => tracing::debug!("kubernetes: {stream} watch expired, relisting"),
            },
        }
    }

    pub fn on_pod(&mut self, item: WatchItem<KubePod>) {
        self.note("pods", &item);
        let Ok(event) = item else { return };
        let qualified = self.namespace.is_none();
        match event {
            Event::Init => {
                self.pods.init();
                self.listed.clear();
            }
            Event::InitApply(raw) => {
                let key = raw.key();
                if let Some(p) = raw.parse() {
                    let entries = self.transitions.observe(&p, qualified, Utc::now());
                    self.timeline.extend(entries);
                    self.pods.init_apply(convert::pod(&p));
                    self.listed.insert(key);
                }
            }
            Event::InitDone => {
                // benches/first_table.sh measures from this line to the first table.
                tracing::info!("pods list complete: {} pods", self.listed.len());
                self.pods.init_done();
                self.transitions.retain(&std::mem::take(&mut self.listed));
            }
            Event::Apply(raw) => {
                let key = raw.key();
                if let Some(p) = raw.parse() {
                    let entries = self.transitions.observe(&p, qualified, Utc::now());
                    self.timeline.extend(entries);
                    self.pods.apply(key, convert::pod(&p));
                }
            }
            Event::Delete(raw) => {
                let key = raw.key();
                self.transitions.forget(&key);
                self.pods.delete(key);
            }
        }
    }

    pub fn on_deployment(&mut self, item: WatchItem<KubeDeployment>) {
        self.note("deployments", &item);
        let Ok(event) = item else { return };
        match event {
            Event::Init => self.deployments.init(),
            Event::InitApply(raw) => {
                let key = raw.key();
                if let Some(d) = raw.parse() {
                    let d = convert::deployment(&d);
                    let entries = self.rollouts.deployment(key, &d, Utc::now());
                    self.timeline.extend(entries);
                    self.deployments.init_apply(d);
                }
            }
            Event::InitDone => self.deployments.init_done(),
            Event::Apply(raw) => {
                let key = raw.key();
                if let Some(d) = raw.parse() {
                    let d = convert::deployment(&d);
                    let entries = self.rollouts.deployment(key.clone(), &d, Utc::now());
                    self.timeline.extend(entries);
                    self.deployments.apply(key, d);
                }
            }
            Event::Delete(raw) => {
                let key = raw.key();
                self.rollouts.forget_deployment(&key);
                self.deployments.delete(key);
            }
        }
    }

    pub fn on_replica_set(&mut self, item: WatchItem<KubeReplicaSet>) {
        self.note("replicasets", &item);
        let Ok(event) = item else { return };
        match event {
            Event::Init => self.replica_sets.init(),
            Event::InitApply(raw) => {
                let key = raw.key();
                if let Some(r) = raw.parse() {
                    let r = convert::replica_set(&r);
                    self.rollouts.replica_set(key, &r);
                    self.replica_sets.init_apply(r);
                }
            }
            Event::InitDone => self.replica_sets.init_done(),
            Event::Apply(raw) => {
                let key = raw.key();
                if let Some(r) = raw.parse() {
                    let r = convert::replica_set(&r);
                    self.rollouts.replica_set(key.clone(), &r);
                    self.replica_sets.apply(key, r);
                }
            }
            Event::Delete(raw) => {
                let key = raw.key();
                self.rollouts.forget_replica_set(&key);
                self.replica_sets.delete(key);
            }
        }
    }

    pub fn on_event(&mut self, item: WatchItem<KubeEventObject>) {
        self.note("events", &item);
        let Ok(event) = item else { return };
        match event {
            Event::Init => self.events.init(),
            Event::InitApply(raw) => {
                let key = raw.key();
                if let Some(e) = raw.parse() {
                    self.events.init_apply(key, convert::event(&e));
                }
            }
            Event::InitDone => self.events.init_done(),
            Event::Apply(raw) => {
                let key = raw.key();
                if let Some(e) = raw.parse() {
                    self.events.apply(key, convert::event(&e));
                }
            }
            Event::Delete(raw) => self.events.delete(&raw.key()),
        }
    }

    /// True when a flush would send something.
    pub fn is_pending(&self) -> bool {
        self.pods.is_pending()
            || self.deployments.is_pending()
            || self.replica_sets.is_pending()
            || self.events.is_pending()
            || !self.timeline.is_empty()
    }

    /// Everything collected since the last flush, in the order to send it:
    /// deployments, their ReplicaSets, pods, events, then the Timeline entries about them.
    pub fn flush(&mut self) -> Vec<Report<KubeUpdate>> {
        let mut out = Vec::new();
        for batch in self.deployments.take() {
            out.push(Report::Data(match batch {
                Batch::Full(all) => KubeUpdate::Deployments(all),
                Batch::Changed { upserted, deleted } => {
                    KubeUpdate::DeploymentsChanged { upserted, deleted }
                }
            }));
        }
        for batch in self.replica_sets.take() {
            out.push(Report::Data(match batch {
                Batch::Full(all) => KubeUpdate::ReplicaSets(all),
                Batch::Changed { upserted, deleted } => {
                    KubeUpdate::ReplicaSetsChanged { upserted, deleted }
                }
            }));
        }
        for batch in self.pods.take() {
            out.push(Report::Data(match batch {
                Batch::Full(all) => KubeUpdate::Pods(all),
                Batch::Changed { upserted, deleted } => {
                    KubeUpdate::PodsChanged { upserted, deleted }
                }
            }));
        }
        if let Some(events) = self.events.take() {
            out.push(Report::Data(KubeUpdate::Events(events)));
        }
        out.extend(self.timeline.drain(..).map(Report::Timeline));
        out
    }
}
