//! One identity per service across sources: which deployments, Prometheus
//! rows, breakers, consumer groups and database sessions are one service's.
//!
//! Defaults need no config: a deployment's name is its service's name in
//! every source; a breaker named `fooService` or `foo` protects calls to
//! `foo-service` (or `foo`) when such a service exists. `[services."NAME"]`
//! overrides any link. What links to nothing is listed as unlinked.

use super::settings::ServiceConfig;
use crate::core::service::{ServiceLinks, ServiceScope, Signals};
use std::collections::{BTreeSet, HashMap};

/// A service and what it links to in each source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub links: ServiceLinks,
    /// Named in `[services]` (shown even when it links to nothing).
    pub configured: bool,
}

/// Every service, and the index from each source's names to them.
#[derive(Debug, Clone, Default)]
pub struct ServiceMap {
    pub services: Vec<Service>,
    /// What no service claims, as `kind name` (e.g. `pg application psql`).
    pub unlinked: Vec<String>,
    by_name: HashMap<String, usize>,
    deployment: HashMap<String, usize>,
    prometheus: HashMap<String, usize>,
    group: HashMap<String, usize>,
    application: HashMap<String, usize>,
    protecting: HashMap<String, usize>,
}

impl ServiceMap {
    /// Links what the sources report now, configured services first.
    pub fn derive(configs: &[ServiceConfig], signals: &Signals) -> ServiceMap {
        let mut m = ServiceMap::default();
        for c in configs {
            m.add(&c.name, true);
        }
        let mut unlinked = BTreeSet::new();
        m.link_deployments(configs, signals);
        m.link_prometheus(configs, signals);
        m.link_breakers(configs, signals, &mut unlinked);
        m.link_groups(configs, signals, &mut unlinked);
        m.link_sessions(configs, signals, &mut unlinked);
        for a in &signals.alerts {
            if m.owner_of(&a.service).is_none() {
                unlinked.insert(format!("alert {} ({})", a.name, a.service));
            }
        }
        m.unlinked = unlinked.into_iter().collect();
        m
    }

    fn add(&mut self, name: &str, configured: bool) -> usize {
        if let Some(i) = self.by_name.get(name) {
            return *i;
        }
        let i = self.services.len();
        self.services.push(Service {
            name: name.to_string(),
            links: ServiceLinks::default(),
            configured,
        });
        self.by_name.insert(name.to_string(), i);
        i
    }

    fn link_deployments(&mut self, configs: &[ServiceConfig], signals: &Signals) {
        for p in &signals.pods {
            if self.deployment.contains_key(&p.deployment) {
                continue;
            }
            let claimed = configs.iter().find(|c| {
                c.deployments
                    .as_ref()
                    .is_some_and(|d| d.contains(&p.deployment))
                    || (!c.selector.is_empty()
                        && c.selector.iter().all(|(k, v)| p.labels.get(k) == Some(v)))
            });
            let named = || {
                configs
                    .iter()
                    .find(|c| c.name == p.deployment && c.deployments.is_none())
            };
            let i = match claimed.or_else(named) {
                Some(c) => self.add(&c.name, true),
                // A deployment another service claims by name is not a
                // service of its own name when that name is configured.
                None => self.add(&p.deployment, false),
            };
            self.deployment.insert(p.deployment.clone(), i);
            self.services[i]
                .links
                .deployments
                .push(p.deployment.clone());
        }
    }

    fn link_prometheus(&mut self, configs: &[ServiceConfig], signals: &Signals) {
        for s in &signals.slo {
            if self.prometheus.contains_key(&s.service) {
                continue;
            }
            let i = match listing(configs, &s.service, prometheus) {
                Some(c) => self.add(&c.name, true),
                None => match self.default_owner(configs, &s.service, prometheus) {
                    Some(i) => i,
                    None => self.add(&s.service, false),
                },
            };
            self.prometheus.insert(s.service.clone(), i);
            self.services[i].links.prometheus.push(s.service.clone());
        }
    }

    fn link_breakers(
        &mut self,
        configs: &[ServiceConfig],
        signals: &Signals,
        unlinked: &mut BTreeSet<String>,
    ) {
        // A breaker's owner is a service's name (its deployment, the name
        // of its actuator URL, or its `application` label): a service of
        // its own when nothing else knows it.
        for b in &signals.breakers {
            if self.owner_of(&b.owner).is_none() && !b.owner.is_empty() {
                self.add(&b.owner, false);
            }
        }
        for b in &signals.breakers {
            if self.owner_of(&b.owner).is_none() {
                unlinked.insert(format!("breaker {}/{}", b.owner, b.breaker));
            }
            if self.protecting.contains_key(&b.breaker) {
                continue;
            }
            let callee = match listing(configs, &b.breaker, breakers) {
                Some(c) => self.by_name.get(&c.name).copied(),
                None => callee_names(&b.breaker)
                    .iter()
                    .find_map(|n| {
                        self.by_name
                            .get(n)
                            .or_else(|| self.deployment.get(n))
                            .copied()
                    })
                    .filter(|i| guessable(configs, &self.services[*i].name, breakers)),
            };
            if let Some(i) = callee {
                self.protecting.insert(b.breaker.clone(), i);
                self.services[i].links.protecting.push(b.breaker.clone());
            }
        }
    }

    fn link_groups(
        &mut self,
        configs: &[ServiceConfig],
        signals: &Signals,
        unlinked: &mut BTreeSet<String>,
    ) {
        for g in &signals.groups {
            if self.group.contains_key(&g.group) {
                continue;
            }
            let i = match listing(configs, &g.group, groups) {
                Some(c) => self.by_name.get(&c.name).copied(),
                None => g
                    .consumer
                    .as_ref()
                    .and_then(|d| self.deployment.get(d).copied())
                    .or_else(|| self.default_owner(configs, &g.group, groups))
                    .or_else(|| self.deployment_of_clients(&g.clients)),
            };
            match i {
                Some(i) => {
                    self.group.insert(g.group.clone(), i);
                    self.services[i].links.groups.push(g.group.clone());
                }
                None => {
                    unlinked.insert(format!("group {}", g.group));
                }
            }
        }
    }

    fn link_sessions(
        &mut self,
        configs: &[ServiceConfig],
        signals: &Signals,
        unlinked: &mut BTreeSet<String>,
    ) {
        for s in &signals.sessions {
            if self.application.contains_key(&s.application) {
                continue;
            }
            let pick: List = if s.mongo { mongo_app } else { pg_application };
            let i = match listing(configs, &s.application, pick) {
                Some(c) => self.by_name.get(&c.name).copied(),
                None => self.default_owner(configs, &s.application, pick),
            };
            match i {
                Some(i) => {
                    self.application.insert(s.application.clone(), i);
                    let links = &mut self.services[i].links;
                    let list = if s.mongo {
                        &mut links.mongo_app
                    } else {
                        &mut links.pg_application
                    };
                    list.push(s.application.clone());
                }
                None => {
                    let kind = if s.mongo {
                        "mongo app"
                    } else {
                        "pg application"
                    };
                    let name = if s.application.is_empty() {
                        "(none)"
                    } else {
                        &s.application
                    };
                    unlinked.insert(format!("{kind} {name} ({})", s.target));
                }
            }
        }
    }

    /// The service a name means by default (its own name, or its
    /// deployment's), unless that service's config lists this source's
    /// names explicitly.
    fn default_owner(&self, configs: &[ServiceConfig], name: &str, list: List) -> Option<usize> {
        let i = self
            .by_name
            .get(name)
            .or_else(|| self.deployment.get(name))
            .copied()?;
        guessable(configs, &self.services[i].name, list).then_some(i)
    }

    /// The deployment whose pods a group's members are, by client id: the
    /// longest deployment name that a client id is, or starts with and a
    /// `-` (a pod's name, when clients use their host name).
    fn deployment_of_clients(&self, clients: &[String]) -> Option<usize> {
        clients
            .iter()
            .filter_map(|client| {
                self.deployment
                    .iter()
                    .filter(|(d, _)| {
                        client == *d
                            || client
                                .strip_prefix(d.as_str())
                                .is_some_and(|rest| rest.starts_with('-'))
                    })
                    .max_by_key(|(d, _)| d.len())
                    .map(|(_, i)| *i)
            })
            .next()
    }

    /// The service a breaker owner, alert label or name belongs to.
    pub fn owner_of(&self, name: &str) -> Option<usize> {
        self.by_name
            .get(name)
            .or_else(|| self.deployment.get(name))
            .or_else(|| self.prometheus.get(name))
            .copied()
    }

    pub fn of_deployment(&self, name: &str) -> Option<usize> {
        self.deployment.get(name).copied()
    }

    pub fn of_prometheus(&self, name: &str) -> Option<usize> {
        self.prometheus.get(name).copied()
    }

    pub fn of_group(&self, group: &str) -> Option<usize> {
        self.group.get(group).copied()
    }

    pub fn of_application(&self, application: &str) -> Option<usize> {
        self.application.get(application).copied()
    }

    /// The service a breaker protects calls to.
    pub fn callee_of(&self, breaker: &str) -> Option<usize> {
        self.protecting.get(breaker).copied()
    }

    pub fn find(&self, name: &str) -> Option<&Service> {
        self.by_name.get(name).map(|i| &self.services[*i])
    }

    /// The scope `:service NAME` and Enter on the Overview set.
    pub fn scope(&self, name: &str) -> Option<ServiceScope> {
        self.find(name).map(|s| ServiceScope {
            name: s.name.clone(),
            links: s.links.clone(),
        })
    }

    /// The map as `opsdeck check` prints it: one line per service, then
    /// what is unlinked.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for s in &self.services {
            let l = &s.links;
            let parts: Vec<String> = [
                ("deployments", &l.deployments),
                ("prometheus", &l.prometheus),
                ("breakers to it", &l.protecting),
                ("groups", &l.groups),
                ("pg application", &l.pg_application),
                ("mongo app", &l.mongo_app),
            ]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k} {}", v.join(",")))
            .collect();
            let links = if parts.is_empty() {
                "no data (links to nothing)".to_string()
            } else {
                parts.join("; ")
            };
            out.push_str(&format!("  {:<24} {links}\n", s.name));
        }
        for u in &self.unlinked {
            out.push_str(&format!("  unlinked: {u}\n"));
        }
        out
    }
}

/// One of a `[services]` table's lists: `None` keeps the default link.
type List = fn(&ServiceConfig) -> &Option<Vec<String>>;

fn prometheus(c: &ServiceConfig) -> &Option<Vec<String>> {
    &c.prometheus
}

fn breakers(c: &ServiceConfig) -> &Option<Vec<String>> {
    &c.breakers
}

fn groups(c: &ServiceConfig) -> &Option<Vec<String>> {
    &c.groups
}

fn mongo_app(c: &ServiceConfig) -> &Option<Vec<String>> {
    &c.mongo_app
}

fn pg_application(c: &ServiceConfig) -> &Option<Vec<String>> {
    &c.pg_application
}

/// The configured service whose `list` names `name`.
fn listing<'c>(configs: &'c [ServiceConfig], name: &str, list: List) -> Option<&'c ServiceConfig> {
    configs.iter().find(|c| {
        list(c)
            .as_ref()
            .is_some_and(|l| l.iter().any(|x| x == name))
    })
}

/// Whether a default or a guess may link to `service` in this source:
/// not when its config lists that source's names explicitly.
fn guessable(configs: &[ServiceConfig], service: &str, list: List) -> bool {
    configs
        .iter()
        .all(|c| c.name != service || list(c).is_none())
}

/// The services a breaker's name may protect, most likely first:
/// `paymentService` → `payment-service`, `payment` → `payment-service`,
/// then the name itself.
pub fn callee_names(breaker: &str) -> Vec<String> {
    let mut kebab = String::new();
    for (i, c) in breaker.chars().enumerate() {
        if c.is_uppercase() && i > 0 && !kebab.ends_with('-') {
            kebab.push('-');
        }
        match c {
            '_' | '.' | ' ' => kebab.push('-'),
            c => kebab.extend(c.to_lowercase()),
        }
    }
    let mut names = vec![kebab.clone()];
    if !kebab.ends_with("-service") {
        names.push(format!("{kebab}-service"));
    }
    if !names.iter().any(|n| n == breaker) {
        names.push(breaker.to_string());
    }
    names
}

#[cfg(test)]
mod tests;
