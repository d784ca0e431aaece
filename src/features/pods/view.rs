//! The Pods tab's view of the workloads: which rows, in which order, and the
//! selection. Recomputed when data or view settings change, never per frame.

use super::model::{KubeUpdate, Pod, Workloads, changed_keys};
use crate::core::clean::Clean;
use crate::core::cursor::ListCursor;
use crate::core::service::ServiceScope;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Which list the tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodsMode {
    Pods,
    Deployments,
    Events,
}

impl PodsMode {
    /// By the names `:view` and the `:pods` / `:deploy` / `:events`
    /// commands accept.
    pub fn parse(name: &str) -> Option<PodsMode> {
        match name {
            "pods" | "po" | "pod" => Some(PodsMode::Pods),
            "deploy" | "deployments" | "deployment" | "deploys" => Some(PodsMode::Deployments),
            "events" | "ev" | "event" => Some(PodsMode::Events),
            _ => None,
        }
    }
}

/// Pod table columns, for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodColumn {
    Name,
    Ready,
    Status,
    Restarts,
    Age,
    Node,
    Cpu,
    Memory,
}

impl PodColumn {
    pub const ALL: [PodColumn; 8] = [
        PodColumn::Name,
        PodColumn::Ready,
        PodColumn::Status,
        PodColumn::Restarts,
        PodColumn::Age,
        PodColumn::Node,
        PodColumn::Cpu,
        PodColumn::Memory,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PodColumn::Name => "NAME",
            PodColumn::Ready => "READY",
            PodColumn::Status => "STATUS",
            PodColumn::Restarts => "RESTARTS",
            PodColumn::Age => "AGE",
            PodColumn::Node => "NODE",
            PodColumn::Cpu => "CPU",
            PodColumn::Memory => "MEM",
        }
    }
}

/// A parsed `/` filter: substring, `!` negation, or `-l` label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodFilter {
    pub text: String,
    needle: String,
    negate: bool,
    /// (key, value, equal) from `-l app=x,tier!=db`; an empty value means "has the key".
    labels: Vec<(String, String, bool)>,
}

impl PodFilter {
    pub fn parse(text: &str) -> PodFilter {
        let trimmed = text.trim();
        let mut f = PodFilter {
            text: trimmed.to_string(),
            ..PodFilter::default()
        };
        if let Some(sel) = trimmed.strip_prefix("-l").map(str::trim) {
            for term in sel.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let (k, v, eq) = match (term.split_once("!="), term.split_once('=')) {
                    (Some((k, v)), _) => (k, v, false),
                    (None, Some((k, v))) => (k, v.trim_start_matches('='), true),
                    (None, None) => (term, "", true),
                };
                f.labels
                    .push((k.trim().to_string(), v.trim().to_string(), eq));
            }
        } else if let Some(rest) = trimmed.strip_prefix('!') {
            f.negate = true;
            f.needle = rest.to_lowercase();
        } else {
            f.needle = trimmed.to_lowercase();
        }
        f
    }

    pub fn matches(&self, pod: &Pod) -> bool {
        if !self.labels.is_empty() {
            return self
                .labels
                .iter()
                .all(|(k, v, eq)| match (pod.labels.get(k), v.is_empty()) {
                    (Some(_), true) => *eq,
                    (None, true) => !*eq,
                    (Some(actual), false) => (actual == v) == *eq,
                    (None, false) => !*eq,
                });
        }
        if self.needle.is_empty() {
            return true;
        }
        let hit = [&pod.name, &pod.status]
            .into_iter()
            .chain(pod.node.as_ref())
            .chain(pod.deployment.as_ref())
            .any(|s| s.to_lowercase().contains(&self.needle));
        hit != self.negate
    }
}

type Key = (String, String);

/// Rows of the Pods tab and how they are chosen.
#[derive(Debug, Clone)]
pub struct PodsView {
    pub mode: PodsMode,
    pub sort: PodColumn,
    pub descending: bool,
    pub filter: PodFilter,
    /// Events view: Warnings only (default) or all.
    pub warnings_only: bool,
    pub detail: bool,
    pub cursor: ListCursor,
    /// The revision selected in the rollout detail (0 = newest).
    pub revision: usize,
    /// Only this service's deployments, pods and events (`:service`).
    pub service: Option<ServiceScope>,
    /// Keys of the visible rows of the current mode, in order.
    rows: Vec<Key>,
    /// Indices into `Workloads::events`, Warnings first, newest first.
    event_rows: Vec<usize>,
}

impl Default for PodsView {
    fn default() -> Self {
        PodsView {
            mode: PodsMode::Pods,
            sort: PodColumn::Name,
            descending: false,
            filter: PodFilter::default(),
            warnings_only: true,
            detail: false,
            cursor: ListCursor::default(),
            revision: 0,
            service: None,
            rows: Vec::new(),
            event_rows: Vec::new(),
        }
    }
}

impl PodsView {
    pub fn rows(&self) -> &[Key] {
        &self.rows
    }

    pub fn event_rows(&self) -> &[usize] {
        &self.event_rows
    }

    pub fn len(&self) -> usize {
        match self.mode {
            PodsMode::Events => self.event_rows.len(),
            _ => self.rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The selected row's key (pod or deployment), keeping it across refreshes.
    pub fn selected_key(&self) -> Option<&Key> {
        match self.mode {
            PodsMode::Events => None,
            _ => self.rows.get(self.cursor.selected),
        }
    }

    /// Recomputes the rows after the user changed sort, filter or view:
    /// the selection goes to the first row.
    /// Puts the cursor on this row; false when it is not shown.
    pub fn select(&mut self, key: &Key) -> bool {
        match self.rows.iter().position(|k| k == key) {
            Some(i) => {
                self.cursor.selected = i;
                true
            }
            None => false,
        }
    }

    pub fn refresh_from_top(&mut self, w: &Workloads) {
        self.cursor = ListCursor::default();
        self.rows.clear();
        self.refresh(w);
    }

    /// Whether a row of this deployment (`None`: no deployment) is shown
    /// under the service scope.
    fn in_service(&self, deployment: Option<&str>) -> bool {
        match &self.service {
            None => true,
            Some(s) => deployment.is_some_and(|d| s.has_deployment(d)),
        }
    }

    /// An event about a pod, ReplicaSet or deployment of the service.
    fn event_in_service(&self, w: &Workloads, e: &super::model::KubeEvent) -> bool {
        let Some(s) = &self.service else {
            return true;
        };
        let key = (e.namespace.clone(), e.object_name.clone());
        if let Some(pod) = w.pods.get(&key) {
            return pod
                .deployment
                .as_deref()
                .is_some_and(|d| s.has_deployment(d));
        }
        s.links.deployments.iter().any(|d| {
            e.object_name == *d
                || e.object_name
                    .strip_prefix(d.as_str())
                    .is_some_and(|rest| rest.starts_with('-'))
        })
    }

    /// Whether this pod is one of the pod rows.
    fn shows(&self, p: &Pod) -> bool {
        self.filter.matches(p) && self.in_service(p.deployment.as_deref())
    }

    /// Recomputes the rows, keeping the selection on the same object.
    pub fn refresh(&mut self, w: &Workloads) {
        let selected = self.selected_key().cloned();
        self.rows = match self.mode {
            PodsMode::Pods | PodsMode::Events => {
                let mut keys: Vec<&Pod> = w.pods.values().filter(|p| self.shows(p)).collect();
                keys.sort_by(|a, b| self.compare(a, b, &w.metrics));
                keys.into_iter()
                    .map(|p| (p.namespace.clone(), p.name.clone()))
                    .collect()
            }
            PodsMode::Deployments => {
                let needle = self.filter.needle.as_str();
                w.deployments
                    .values()
                    .filter(|d| {
                        needle.is_empty()
                            || d.name.to_lowercase().contains(needle) != self.filter.negate
                    })
                    .filter(|d| self.in_service(Some(&d.name)))
                    .map(|d| (d.namespace.clone(), d.name.clone()))
                    .collect()
            }
        };
        self.refresh_events(w);
        self.reselect(w, selected);
    }

    /// Recomputes the event rows alone: events are few, and which show
    /// under a service scope depends on the pods.
    fn refresh_events(&mut self, w: &Workloads) {
        let mut events: Vec<usize> = (0..w.events.len())
            .filter(|&i| !self.warnings_only || w.events[i].warning)
            .filter(|&i| self.event_in_service(w, &w.events[i]))
            .collect();
        events.sort_by(|&a, &b| {
            let (a, b) = (&w.events[a], &w.events[b]);
            b.warning
                .cmp(&a.warning)
                .then(b.last_seen.cmp(&a.last_seen))
        });
        self.event_rows = events;
    }

    /// Puts the cursor back on the row it was on, if still shown.
    fn reselect(&mut self, w: &Workloads, selected: Option<Key>) {
        if let Some(key) = selected
            && let Some(i) = self.position(w, &key)
        {
            self.cursor.selected = i;
        }
        self.cursor.clamp(self.len());
    }

    /// Where this row is, by binary search on the sort order (pod rows)
    /// or by looking (deployment rows, which are few).
    fn position(&self, w: &Workloads, key: &Key) -> Option<usize> {
        match self.mode {
            PodsMode::Deployments => self.rows.iter().position(|k| k == key),
            PodsMode::Pods | PodsMode::Events => {
                let pod = w.pods.get(key)?;
                self.search(w, pod).ok()
            }
        }
    }

    /// Binary search of the pod rows for this pod as the rows hold it.
    fn search(&self, w: &Workloads, pod: &Pod) -> Result<usize, usize> {
        self.rows.binary_search_by(|k| match w.pods.get(k) {
            Some(row) => self.compare(row, pod, &w.metrics),
            // Not reached: every pod row is a pod of `w`.
            None => Ordering::Less,
        })
    }

    /// Moves the rows of changed pods (`was`: their old places) to where
    /// the pods now sort. The usual change (a restart count, sorted by
    /// name) leaves every row where it was and moves no memory.
    fn place(&mut self, w: &Workloads, was: Vec<(Key, Option<usize>)>) {
        let before =
            |i: usize, j: usize| match (w.pods.get(&self.rows[i]), w.pods.get(&self.rows[j])) {
                (Some(a), Some(b)) => self.compare(a, b, &w.metrics) == Ordering::Less,
                _ => false,
            };
        let stays = |(key, at): &(Key, Option<usize>)| {
            let shows = w.pods.get(key).is_some_and(|p| self.shows(p));
            match at {
                Some(i) => {
                    let i = *i;
                    shows
                        && (i == 0 || before(i - 1, i))
                        && (i + 1 == self.rows.len() || before(i, i + 1))
                }
                None => !shows,
            }
        };
        if was.iter().all(stays) {
            return;
        }
        let mut old: Vec<usize> = was.iter().filter_map(|(_, at)| *at).collect();
        old.sort_unstable();
        for i in old.into_iter().rev() {
            self.rows.remove(i);
        }
        for (key, _) in was {
            if let Some(new) = w.pods.get(&key)
                && self.shows(new)
            {
                let i = self.search(w, new).unwrap_or_else(|i| i);
                self.rows.insert(i, key);
            }
        }
    }

    /// Folds one Kubernetes update into the workloads and the rows. A
    /// change to a few pods costs a binary search and an insert per pod,
    /// not a filter and sort of the whole table; lists and metrics (when
    /// the rows are sorted by them) rebuild.
    pub fn apply(&mut self, w: &mut Workloads, update: Clean<KubeUpdate>) {
        let selected = self.selected_key().cloned();
        match &*update {
            KubeUpdate::PodsChanged { upserted, deleted } if self.mode != PodsMode::Deployments => {
                let changed: BTreeSet<Key> = changed_keys(upserted, deleted).collect();
                // Where each changed pod's row is now, found with the old pod.
                let was: Vec<(Key, Option<usize>)> = changed
                    .into_iter()
                    .map(|k| {
                        let at = w.pods.get(&k).and_then(|old| self.search(w, old).ok());
                        (k, at)
                    })
                    .collect();
                w.apply(update);
                self.place(w, was);
                if self.service.is_some() {
                    self.refresh_events(w);
                }
            }
            KubeUpdate::PodsChanged { .. } => {
                w.apply(update);
                if self.service.is_some() {
                    self.refresh_events(w);
                }
            }
            KubeUpdate::Metrics(_) => {
                w.apply(update);
                let by_metric = matches!(self.sort, PodColumn::Cpu | PodColumn::Memory);
                if by_metric && self.mode != PodsMode::Deployments {
                    self.refresh(w);
                }
            }
            KubeUpdate::Deployments(_) | KubeUpdate::DeploymentsChanged { .. } => {
                w.apply(update);
                if self.mode == PodsMode::Deployments {
                    self.refresh(w);
                }
            }
            KubeUpdate::Events(_) => {
                w.apply(update);
                self.refresh_events(w);
            }
            KubeUpdate::ReplicaSets(_)
            | KubeUpdate::ReplicaSetsChanged { .. }
            | KubeUpdate::RevisionMetrics(_)
            | KubeUpdate::Scope { .. }
            | KubeUpdate::Contexts(_) => w.apply(update),
            KubeUpdate::Pods(_) => {
                w.apply(update);
                self.refresh(w);
                return;
            }
        }
        self.reselect(w, selected);
    }

    fn compare(
        &self,
        a: &Pod,
        b: &Pod,
        metrics: &BTreeMap<Key, super::model::PodMetrics>,
    ) -> Ordering {
        let metric = |p: &Pod, cpu: bool| {
            metrics
                .get(&(p.namespace.clone(), p.name.clone()))
                .map(|m| if cpu { m.cpu_millis } else { m.memory_bytes })
        };
        let by = match self.sort {
            PodColumn::Name => Ordering::Equal,
            PodColumn::Ready => (a.ready, a.total).cmp(&(b.ready, b.total)),
            PodColumn::Status => health_rank(a)
                .cmp(&health_rank(b))
                .then(a.status.cmp(&b.status)),
            PodColumn::Restarts => a.restarts.cmp(&b.restarts),
            // Age: oldest first means the earliest creation time first.
            PodColumn::Age => a.created.cmp(&b.created),
            PodColumn::Node => a.node.cmp(&b.node),
            PodColumn::Cpu => metric(a, true).cmp(&metric(b, true)),
            PodColumn::Memory => metric(a, false).cmp(&metric(b, false)),
        };
        let by = if self.descending { by.reverse() } else { by };
        by.then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.name.cmp(&b.name))
    }

    /// Next sort column; numbers sort biggest first, names A to Z.
    pub fn sort_next(&mut self) {
        let i = PodColumn::ALL
            .iter()
            .position(|c| *c == self.sort)
            .unwrap_or(0);
        self.sort = PodColumn::ALL[(i + 1) % PodColumn::ALL.len()];
        // Status sorts trouble first (ascending rank); counts biggest first.
        self.descending = matches!(
            self.sort,
            PodColumn::Restarts | PodColumn::Cpu | PodColumn::Memory
        );
    }
}

/// Lower is worse, so sorting by status puts trouble first.
pub fn health_rank(p: &Pod) -> u8 {
    match p.status.as_str() {
        "Running" if p.ready == p.total => 3,
        "Completed" | "Succeeded" => 4,
        "Running" | "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" => 2,
        _ => 1,
    }
}

#[cfg(test)]
#[path = "view_incremental_tests.rs"]
mod incremental_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::pods::model::{KubeEvent, KubeUpdate};

    fn pod(name: &str, status: &str, restarts: u32, app: &str) -> Pod {
        Pod {
            name: name.into(),
            namespace: "prod".into(),
            status: status.into(),
            ready: u32::from(status == "Running"),
            total: 1,
            restarts,
            labels: [("app".to_string(), app.to_string())].into(),
            deployment: Some(app.into()),
            ..Pod::default()
        }
    }

    fn workloads() -> Workloads {
        let mut w = Workloads::default();
        w.apply(crate::core::clean::Clean::new(KubeUpdate::Pods(vec![
            pod("api-1", "Running", 0, "api"),
            pod("pay-1", "CrashLoopBackOff", 7, "payment"),
            pod("pay-2", "OOMKilled", 2, "payment"),
            pod("web-1", "Running", 1, "web"),
        ])));
        w
    }

    fn names(v: &PodsView) -> Vec<&str> {
        v.rows().iter().map(|(_, n)| n.as_str()).collect()
    }

    #[test]
    fn filters_by_substring_negation_and_label_selector() {
        let w = workloads();
        let mut v = PodsView::default();
        for (filter, expected) in [
            ("pay", vec!["pay-1", "pay-2"]),
            ("crashloop", vec!["pay-1"]),
            ("!running", vec!["pay-1", "pay-2"]),
            ("-l app=payment", vec!["pay-1", "pay-2"]),
            ("-l app!=payment", vec!["api-1", "web-1"]),
            ("-l app", vec!["api-1", "pay-1", "pay-2", "web-1"]),
            ("-l app=payment,tier=db", vec![]),
            ("", vec!["api-1", "pay-1", "pay-2", "web-1"]),
        ] {
            v.filter = PodFilter::parse(filter);
            v.refresh(&w);
            assert_eq!(names(&v), expected, "filter {filter:?}");
        }
    }

    #[test]
    fn sorting_by_status_puts_trouble_first_and_restarts_biggest_first() {
        let w = workloads();
        let mut v = PodsView {
            sort: PodColumn::Status,
            descending: false,
            ..PodsView::default()
        };
        v.refresh(&w);
        assert_eq!(names(&v)[..2], ["pay-1", "pay-2"]);
        v.sort = PodColumn::Restarts;
        v.descending = true;
        v.refresh(&w);
        assert_eq!(names(&v), ["pay-1", "pay-2", "web-1", "api-1"]);
    }

    #[test]
    fn the_selection_stays_on_its_pod_across_refreshes() {
        let mut w = workloads();
        let mut v = PodsView::default();
        v.refresh(&w);
        v.cursor.selected = 2;
        assert_eq!(v.selected_key().unwrap().1, "pay-2");
        w.apply(crate::core::clean::Clean::new(KubeUpdate::PodsChanged {
            upserted: vec![pod("aaa-0", "Pending", 0, "x")],
            deleted: vec![],
        }));
        v.refresh(&w);
        assert_eq!(v.selected_key().unwrap().1, "pay-2");
        w.apply(crate::core::clean::Clean::new(KubeUpdate::PodsChanged {
            upserted: vec![],
            deleted: vec![("prod".into(), "web-1".into())],
        }));
        v.cursor.selected = 4;
        v.refresh(&w);
        assert_eq!(v.cursor.selected, 3, "clamped when the list shrinks");
    }

    #[test]
    fn events_show_warnings_first_newest_first() {
        let mut w = workloads();
        let t = |s| chrono::DateTime::from_timestamp(s, 0);
        w.apply(crate::core::clean::Clean::new(KubeUpdate::Events(vec![
            KubeEvent {
                reason: "Pulled".into(),
                last_seen: t(30),
                ..Default::default()
            },
            KubeEvent {
                reason: "BackOff".into(),
                warning: true,
                last_seen: t(10),
                ..Default::default()
            },
            KubeEvent {
                reason: "OOMKilling".into(),
                warning: true,
                last_seen: t(20),
                ..Default::default()
            },
        ])));
        let mut v = PodsView {
            mode: PodsMode::Events,
            ..PodsView::default()
        };
        v.refresh(&w);
        assert_eq!(v.event_rows(), [2, 1]);
        v.warnings_only = false;
        v.refresh(&w);
        assert_eq!(v.event_rows(), [2, 1, 0]);
    }
}
