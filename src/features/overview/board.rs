//! The Overview's rows: every signal folded into the service it links to,
//! each service scored and the worst first.
//!
//! The score: every cell that is crit counts 100, every cell that is warn
//! counts 10; ties go to the service that turned bad first, then by name.

use super::cause::{Cause, probable_cause};
use super::link::ServiceMap;
use crate::core::service::{Condition, InfraSignal, Signals, SloSignal};
use crate::core::source::Severity;
use crate::core::timeline::{About, TimelineEntry};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// Timeline entries looked at for each service's newest one.
const ENTRIES_SCANNED: usize = 300;

/// Restarts in 15 minutes that count as warn, and as crit.
const RESTARTS_WARN: u32 = 1;
const RESTARTS_CRIT: u32 = 3;

/// A service's deployments, summed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodsCell {
    pub ready: u32,
    pub desired: u32,
    pub restarts: u32,
    pub oom_killed: Option<DateTime<Utc>>,
    pub crash_looping: bool,
    pub condition: Condition,
}

/// Breakers in a bad state, and the worst of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BreakerCell {
    /// Its own breakers (calls it makes) that are not closed.
    pub own: usize,
    /// Breakers in other services protecting calls to it that are open.
    pub to_it: usize,
    pub condition: Condition,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LagCell {
    pub lag: i64,
    pub growing: bool,
    pub drain: Option<Duration>,
    pub spark: Vec<u64>,
    pub condition: Condition,
}

/// Its database sessions that block others, wait, or run long.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbCell {
    pub blocking: usize,
    pub waiting: usize,
    pub long: usize,
    pub condition: Condition,
}

/// Something that says why a service is bad, and since when.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub at: Option<DateTime<Utc>>,
    pub text: String,
}

/// One service's row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceRow {
    pub name: String,
    pub configured: bool,
    pub pods: Option<PodsCell>,
    pub slo: Option<SloSignal>,
    pub breakers: BreakerCell,
    pub lag: Option<LagCell>,
    pub db: Option<DbCell>,
    /// Firing alerts and the worst of their severities.
    pub alerts: (usize, Condition),
    pub newest: Option<(DateTime<Utc>, Severity, String)>,
    pub score: u32,
    /// When it first turned bad, as far as the evidence tells.
    pub onset: Option<DateTime<Utc>>,
    pub evidence: Vec<Evidence>,
}

impl ServiceRow {
    /// Every cell's condition, for the score.
    fn conditions(&self) -> Vec<Condition> {
        let mut c = vec![self.breakers.condition, self.alerts.1];
        if let Some(p) = &self.pods {
            c.push(p.condition);
            c.push(restarts_condition(p.restarts));
        }
        if let Some(s) = &self.slo {
            c.extend([s.p95, s.errors, s.avail]);
        }
        c.extend(self.lag.as_ref().map(|l| l.condition));
        c.extend(self.db.as_ref().map(|d| d.condition));
        c
    }

    pub fn worst(&self) -> Condition {
        self.conditions().into_iter().max().unwrap_or_default()
    }

    /// Nothing links to it: a configured service shown as "no data".
    pub fn no_data(&self) -> bool {
        self.pods.is_none() && self.slo.is_none() && self.lag.is_none() && self.db.is_none()
    }

    fn evidence(&mut self, at: Option<DateTime<Utc>>, text: String) {
        self.evidence.push(Evidence { at, text });
    }
}

pub fn restarts_condition(restarts: u32) -> Condition {
    match restarts {
        r if r >= RESTARTS_CRIT => Condition::Crit,
        r if r >= RESTARTS_WARN => Condition::Warn,
        _ => Condition::Ok,
    }
}

/// Everything the Overview draws.
#[derive(Debug, Clone, Default)]
pub struct Board {
    /// Worst first.
    pub rows: Vec<ServiceRow>,
    pub infra: Vec<InfraSignal>,
    pub unlinked: Vec<String>,
    pub cause: Cause,
}

impl Board {
    /// Folds the signals into their services' rows. `entries` newest first.
    pub fn build<'a>(
        map: &ServiceMap,
        signals: &Signals,
        entries: impl Iterator<Item = &'a TimelineEntry>,
    ) -> Board {
        let mut rows: Vec<ServiceRow> = map
            .services
            .iter()
            .map(|s| ServiceRow {
                name: s.name.clone(),
                configured: s.configured,
                ..ServiceRow::default()
            })
            .collect();
        fold_pods(map, signals, &mut rows);
        fold_slo(map, signals, &mut rows);
        let edges = fold_breakers(map, signals, &mut rows);
        fold_groups(map, signals, &mut rows);
        fold_sessions(map, signals, &mut rows);
        for a in &signals.alerts {
            if let Some(i) = map.owner_of(&a.service) {
                let r = &mut rows[i];
                r.alerts.0 += 1;
                r.alerts.1 = r.alerts.1.max(a.condition);
                r.evidence(Some(a.since), format!("alert {} firing", a.name));
            }
        }
        newest_entries(map, entries, &mut rows);
        for r in &mut rows {
            r.score = r
                .conditions()
                .iter()
                .map(|c| match c {
                    Condition::Crit => 100,
                    Condition::Warn => 10,
                    Condition::Ok => 0,
                })
                .sum();
            r.evidence.sort_by_key(|e| e.at);
            r.onset = r.evidence.iter().filter_map(|e| e.at).min();
        }
        let cause = probable_cause(&rows, &edges);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|a, b| {
            let (ra, rb) = (&rows[*a], &rows[*b]);
            rb.score
                .cmp(&ra.score)
                .then_with(|| match (ra.onset, rb.onset) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| ra.name.cmp(&rb.name))
        });
        let mut slots: Vec<Option<ServiceRow>> = rows.into_iter().map(Some).collect();
        let rows = order.into_iter().filter_map(|i| slots[i].take()).collect();
        let mut infra = signals.infra.clone();
        infra.sort_by(|a, b| b.condition.cmp(&a.condition).then(a.name.cmp(&b.name)));
        Board {
            rows,
            infra,
            unlinked: map.unlinked.clone(),
            cause,
        }
    }

    pub fn row(&self, name: &str) -> Option<&ServiceRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Under `-A` one deployment name can live in several namespaces, and
/// services are linked by name: their pods are one service's, and its
/// evidence names the namespace, so the row still says which one is down.
fn fold_pods(map: &ServiceMap, signals: &Signals, rows: &mut [ServiceRow]) {
    let mut namespaces: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for p in &signals.pods {
        namespaces
            .entry(&p.deployment)
            .or_default()
            .insert(&p.namespace);
    }
    for p in &signals.pods {
        let Some(i) = map.of_deployment(&p.deployment) else {
            continue;
        };
        let whose = if namespaces
            .get(p.deployment.as_str())
            .map_or(0, BTreeSet::len)
            > 1
        {
            format!("{}/{}: ", p.namespace, p.deployment)
        } else {
            String::new()
        };
        let r = &mut rows[i];
        let cell = r.pods.get_or_insert_with(PodsCell::default);
        cell.ready += p.ready;
        cell.desired += p.desired;
        cell.restarts += p.restarts;
        cell.oom_killed = cell.oom_killed.max(p.oom_killed);
        cell.crash_looping |= p.crash_looping;
        cell.condition = cell.condition.max(p.condition);
        if let Some(at) = p.oom_killed {
            r.evidence(Some(at), format!("{whose}OOMKilled"));
        }
        if p.crash_looping {
            r.evidence(p.since, format!("{whose}CrashLoopBackOff"));
        } else if p.condition != Condition::Ok {
            r.evidence(
                p.since,
                format!("{whose}{}/{} pods ready", p.ready, p.desired),
            );
        }
    }
}

fn fold_slo(map: &ServiceMap, signals: &Signals, rows: &mut [ServiceRow]) {
    for s in &signals.slo {
        let Some(i) = map.of_prometheus(&s.service) else {
            continue;
        };
        let r = &mut rows[i];
        let worse = r
            .slo
            .as_ref()
            .is_none_or(|old| (s.p95, s.errors, s.avail) > (old.p95, old.errors, old.avail));
        if s.errors == Condition::Crit {
            r.evidence(s.errors_since, "error ratio over SLO".into());
        }
        if s.p95 == Condition::Crit {
            r.evidence(s.p95_since, "p95 over SLO".into());
        }
        if worse {
            r.slo = Some(s.clone());
        }
    }
}

/// Folds the breakers in, and returns the call graph they reveal:
/// (caller, callee) row indices.
fn fold_breakers(
    map: &ServiceMap,
    signals: &Signals,
    rows: &mut [ServiceRow],
) -> Vec<(usize, usize)> {
    let mut edges = Vec::new();
    for b in &signals.breakers {
        let owner = map.owner_of(&b.owner);
        let callee = map.callee_of(&b.breaker);
        if let (Some(o), Some(c)) = (owner, callee)
            && o != c
            && !edges.contains(&(o, c))
        {
            edges.push((o, c));
        }
        if b.condition == Condition::Ok {
            continue;
        }
        if let Some(o) = owner {
            let r = &mut rows[o];
            r.breakers.own += 1;
            r.breakers.condition = r.breakers.condition.max(b.condition);
            r.evidence(
                b.since,
                format!("breaker {} {}", b.breaker, b.state.to_lowercase()),
            );
        }
        if let Some(c) = callee
            && b.condition == Condition::Crit
        {
            let r = &mut rows[c];
            r.breakers.to_it += 1;
            r.breakers.condition = r.breakers.condition.max(Condition::Crit);
        }
    }
    edges
}

fn fold_groups(map: &ServiceMap, signals: &Signals, rows: &mut [ServiceRow]) {
    for g in &signals.groups {
        let Some(i) = map.of_group(&g.group) else {
            continue;
        };
        let r = &mut rows[i];
        let cell = r.lag.get_or_insert_with(LagCell::default);
        cell.lag += g.lag;
        cell.growing |= g.growing;
        cell.drain = cell.drain.max(g.drain);
        if cell.spark.is_empty() {
            cell.spark = g.spark.clone();
        }
        cell.condition = cell.condition.max(g.condition);
        if g.condition != Condition::Ok {
            let how = if g.growing { " and growing" } else { "" };
            r.evidence(g.since, format!("group {} lag {}{how}", g.group, g.lag));
        }
    }
}

fn fold_sessions(map: &ServiceMap, signals: &Signals, rows: &mut [ServiceRow]) {
    for s in &signals.sessions {
        let Some(i) = map.of_application(&s.application) else {
            continue;
        };
        let cell = rows[i].db.get_or_insert_with(DbCell::default);
        cell.blocking += s.blocking;
        cell.waiting += usize::from(s.blocked);
        cell.long += usize::from(s.over_threshold);
        cell.condition = cell.condition.max(s.condition);
    }
}

/// The service an entry's object belongs to: a pod by its name's
/// deployment prefix (`payment-service-7f9c-x2x`), the rest by name.
fn about_service(map: &ServiceMap, about: &About) -> Option<usize> {
    match about {
        About::Pod { name, .. } => {
            let name = name.as_str();
            name.match_indices('-')
                .rev()
                .find_map(|(i, _)| map.of_deployment(&name[..i]))
        }
        About::Deployment { name, .. } => map.of_deployment(name),
        About::Breaker { service, .. } => map.owner_of(service),
        About::Group { group, .. } => map.of_group(group),
        About::Alert { service, .. } => map.owner_of(service),
        About::Backend { .. } | About::Action { .. } => None,
    }
}

/// Each service's newest Timeline entry: the newest whose first named
/// service (by its name, a deployment, group or Prometheus row) is it; an
/// entry about api-gateway that names payment-service later is
/// api-gateway's.
fn newest_entries<'a>(
    map: &ServiceMap,
    entries: impl Iterator<Item = &'a TimelineEntry>,
    rows: &mut [ServiceRow],
) {
    let mut left = rows.len();
    for e in entries.take(ENTRIES_SCANNED) {
        if left == 0 {
            break;
        }
        let subject = e
            .about
            .as_ref()
            .and_then(|a| about_service(map, a))
            .or_else(|| {
                e.text
                    .as_str()
                    .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
                    .map(|w| w.trim_end_matches('.'))
                    .filter(|w| !w.is_empty())
                    .find_map(|w| map.owner_of(w).or_else(|| map.of_group(w)))
            });
        if let Some(i) = subject
            && rows[i].newest.is_none()
        {
            rows[i].newest = Some((e.at, e.severity, e.text.as_str().to_string()));
            left -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::service::PodsSignal;
    use crate::core::source::SourceId;
    use crate::core::timeline::Origin;

    #[test]
    fn an_entry_about_an_object_is_its_service_s_whatever_its_text_names_first() {
        let signals = Signals {
            pods: ["api-gateway", "payment-service"]
                .map(|d| PodsSignal {
                    deployment: d.into(),
                    ..PodsSignal::default()
                })
                .to_vec(),
            ..Signals::default()
        };
        let map = ServiceMap::derive(&[], &signals);
        let at = chrono::Utc::now();
        let entry = |text: &str| {
            TimelineEntry::new(
                at,
                Severity::Crit,
                Origin::Source(SourceId::Kubernetes),
                text,
            )
        };
        let entries = [
            entry("api-gateway calls fail: pod payment-service-7f9c-x2x OOMKilled").about(
                About::Pod {
                    namespace: "prod".into(),
                    name: "payment-service-7f9c-x2x".into(),
                },
            ),
            entry("api-gateway p95 over SLO"),
        ];
        let board = Board::build(&map, &signals, entries.iter());
        let newest = |name: &str| board.row(name).unwrap().newest.clone().unwrap().2;
        assert!(newest("payment-service").contains("OOMKilled"));
        assert_eq!(newest("api-gateway"), "api-gateway p95 over SLO");
    }

    #[test]
    fn one_name_in_two_namespaces_is_one_service_whose_evidence_names_the_namespace() {
        let pods = |namespace: &str, deployment: &str, ready: u32| PodsSignal {
            namespace: namespace.into(),
            deployment: deployment.into(),
            desired: 3,
            ready,
            condition: if ready < 3 {
                Condition::Crit
            } else {
                Condition::Ok
            },
            ..PodsSignal::default()
        };
        let signals = Signals {
            pods: vec![
                pods("prod", "web", 3),
                pods("staging", "web", 0),
                pods("prod", "api", 1),
            ],
            ..Signals::default()
        };
        let map = ServiceMap::derive(&[], &signals);
        let board = Board::build(&map, &signals, std::iter::empty());
        let web = board.row("web").unwrap();
        let cell = web.pods.as_ref().unwrap();
        assert_eq!((cell.ready, cell.desired), (3, 6));
        let texts: Vec<&str> = web.evidence.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["staging/web: 0/3 pods ready"]);
        // A name in one namespace is said as before.
        let api = board.row("api").unwrap();
        assert_eq!(api.evidence[0].text, "1/3 pods ready");
    }
}
