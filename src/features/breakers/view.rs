//! What the Breakers table lists, in which order, and what is selected.

use super::model::{Breakers, RowKey, state_rank};
use crate::core::cursor::ListCursor;
use crate::core::service::ServiceScope;
use crate::features::breakers::data::BreakerState;
use std::collections::BTreeMap;

/// One breaker of one service summed over its instances (grouped view).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub service: String,
    pub breaker: String,
    /// Instances per state, e.g. OPEN 2, CLOSED 1.
    pub states: BTreeMap<String, usize>,
    pub worst: BreakerState,
    pub instances: usize,
}

/// A line of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum VisibleRow {
    One(RowKey),
    Group(GroupRow),
}

/// The Breakers tab's list state.
#[derive(Debug, Clone, Default)]
pub struct BreakersView {
    pub cursor: ListCursor,
    /// One line per service and breaker instead of one per instance.
    pub grouped: bool,
    pub filter: String,
    /// Showing the selected row's detail pane.
    pub detail: bool,
    pub rows: Vec<VisibleRow>,
    /// Only the breakers a service holds or that protect calls to it.
    pub service: Option<ServiceScope>,
}

impl BreakersView {
    /// Recomputes the lines, keeping the selection on the same breaker.
    pub fn refresh(&mut self, b: &Breakers) {
        let selected = self.rows.get(self.cursor.selected).map(group_key);
        let needle = self.filter.to_lowercase();
        let scope = self.service.as_ref();
        let matches = |k: &RowKey| {
            (needle.is_empty()
                || [&k.service, &k.instance, &k.breaker]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&needle)))
                && scope.is_none_or(|s| s.has_breaker(&k.service, &k.breaker))
        };
        let shown: Vec<_> = b
            .rows
            .values()
            .filter(|r| b.shown(r) && matches(&r.key))
            .collect();
        // Worst state of each service's breaker, so its pods stay together.
        let mut worst: BTreeMap<(&str, &str), u8> = BTreeMap::new();
        for r in &shown {
            let w = worst
                .entry((r.key.service.as_str(), r.key.breaker.as_str()))
                .or_insert(u8::MAX);
            *w = (*w).min(state_rank(&r.figures.state));
        }
        let mut keys: Vec<&RowKey> = shown.iter().map(|r| &r.key).collect();
        let rank = |k: &RowKey| worst[&(k.service.as_str(), k.breaker.as_str())];
        keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
        self.rows = if self.grouped {
            let mut groups: Vec<GroupRow> = Vec::new();
            for k in keys {
                let state = &b.rows[k].figures.state;
                match groups.last_mut() {
                    Some(g) if g.service == k.service && g.breaker == k.breaker => {
                        *g.states.entry(state.as_str().to_string()).or_default() += 1;
                        g.instances += 1;
                        if state_rank(state) < state_rank(&g.worst) {
                            g.worst = state.clone();
                        }
                    }
                    _ => groups.push(GroupRow {
                        service: k.service.clone(),
                        breaker: k.breaker.clone(),
                        states: BTreeMap::from([(state.as_str().to_string(), 1)]),
                        worst: state.clone(),
                        instances: 1,
                    }),
                }
            }
            groups.into_iter().map(VisibleRow::Group).collect()
        } else {
            keys.into_iter().cloned().map(VisibleRow::One).collect()
        };
        if let Some((service, breaker, instance)) = selected {
            let found = self.rows.iter().position(|r| {
                let (s, b, i) = group_key(r);
                s == service && b == breaker && (i == instance || self.grouped)
            });
            self.cursor.selected = found.unwrap_or(self.cursor.selected);
        }
        self.cursor.clamp(self.rows.len());
    }

    /// Puts the cursor on the first line of this breaker of this service;
    /// false when none is shown.
    pub fn select(&mut self, service: &str, breaker: &str) -> bool {
        let hit = self.rows.iter().position(|r| match r {
            VisibleRow::One(k) => k.service == service && k.breaker == breaker,
            VisibleRow::Group(g) => g.service == service && g.breaker == breaker,
        });
        if let Some(i) = hit {
            self.cursor.selected = i;
        }
        hit.is_some()
    }

    pub fn selected(&self) -> Option<&VisibleRow> {
        self.rows.get(self.cursor.selected)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn group_key(r: &VisibleRow) -> (String, String, String) {
    match r {
        VisibleRow::One(k) => (k.service.clone(), k.breaker.clone(), k.instance.clone()),
        VisibleRow::Group(g) => (g.service.clone(), g.breaker.clone(), String::new()),
    }
}
