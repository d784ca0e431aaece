//! The clients one cluster's poller keeps from poll to poll, so a poll
//! opens no connections: one librdkafka client without a group (metadata,
//! group listing, watermarks) and, for the committed offsets, either the
//! protocol reader's few connections (`wire`, a plain-text cluster) or one
//! librdkafka client per watched group (committed offsets need a client
//! with that `group.id`; rdkafka has no ListConsumerGroupOffsets).

use super::client::consumer;
use super::config::ClusterConfig;
use super::error::SourceError;
use super::wire::CommittedReader;
use rdkafka::consumer::BaseConsumer;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// Most group clients kept per cluster. Each holds a few threads and
/// connections, so past this many groups the rest get a client per poll
/// rather than unbounded threads and sockets.
pub const MAX_GROUP_CLIENTS: usize = 256;

/// Every client a cluster's poller holds.
pub struct ClusterClients {
    pub(crate) shared: SharedClient,
    pub(crate) groups: GroupClients,
    /// Set when committed offsets are read over the protocol; `groups`
    /// then stays empty.
    pub(crate) wire: Option<CommittedReader>,
}

impl ClusterClients {
    /// Committed offsets through a client per group, at most `capacity`.
    pub fn new(capacity: usize) -> Self {
        ClusterClients {
            shared: SharedClient::default(),
            groups: GroupClients::new(capacity),
            wire: None,
        }
    }

    /// Committed offsets through the protocol reader instead.
    pub fn over_the_wire() -> Self {
        ClusterClients {
            wire: Some(CommittedReader::default()),
            ..Self::new(0)
        }
    }

    /// The protocol reader's connections: open now, and made so far.
    /// `None` when offsets go through the per-group clients.
    pub fn wire_connections(&self) -> Option<(usize, u64)> {
        self.wire.as_ref().map(|w| (w.open(), w.connects()))
    }

    /// Clients made so far, the shared one included: steady polls add none.
    pub fn created(&self) -> u64 {
        self.shared.created + self.groups.created
    }

    /// Clients held now, the shared one included.
    pub fn held(&self) -> usize {
        usize::from(self.shared.client.is_some()) + self.groups.clients.len()
    }

    /// Drops every client: after a failed round, so an unreachable cluster
    /// is not retried by hundreds of clients reconnecting on their own.
    pub fn clear(&mut self) {
        self.shared.client = None;
        self.groups.clients.clear();
        if let Some(wire) = &mut self.wire {
            wire.clear();
        }
    }
}

/// The client without a group, made on first use.
#[derive(Default)]
pub struct SharedClient {
    client: Option<BaseConsumer>,
    created: u64,
}

impl SharedClient {
    pub(crate) fn get(&mut self, cluster: &ClusterConfig) -> Result<&BaseConsumer, SourceError> {
        let client = match self.client.take() {
            Some(c) => c,
            None => {
                self.created += 1;
                consumer(cluster, None)?
            }
        };
        Ok(self.client.insert(client))
    }
}

/// Group → its client, at most `capacity` of them. Groups are visited in
/// sorted order, so the first `capacity` keep theirs and the pool does
/// not churn when there are more groups than room.
pub struct GroupClients {
    capacity: usize,
    clients: BTreeMap<String, BaseConsumer>,
    created: u64,
}

/// A group's client: kept in the pool, or made for this poll only.
pub(crate) enum Lease<'a> {
    Pooled(&'a BaseConsumer),
    Once(BaseConsumer),
}

impl Deref for Lease<'_> {
    type Target = BaseConsumer;
    fn deref(&self) -> &BaseConsumer {
        match self {
            Lease::Pooled(c) => c,
            Lease::Once(c) => c,
        }
    }
}

impl GroupClients {
    fn new(capacity: usize) -> Self {
        GroupClients {
            capacity,
            clients: BTreeMap::new(),
            created: 0,
        }
    }

    pub(crate) fn get(
        &mut self,
        cluster: &ClusterConfig,
        group: &str,
    ) -> Result<Lease<'_>, SourceError> {
        let full = self.clients.len() >= self.capacity;
        match self.clients.entry(group.to_string()) {
            Entry::Occupied(kept) => Ok(Lease::Pooled(kept.into_mut())),
            Entry::Vacant(room) => {
                let client = consumer(cluster, Some(group))?;
                self.created += 1;
                Ok(if full {
                    Lease::Once(client)
                } else {
                    Lease::Pooled(room.insert(client))
                })
            }
        }
    }

    /// Makes the clients `groups` will need that the pool has room for,
    /// before any is used: each finds the group's coordinator on its own
    /// threads, all at once, instead of one after another in the first
    /// poll. A client that cannot be made is reported when it is used.
    pub(crate) fn warm(&mut self, cluster: &ClusterConfig, groups: &[String]) {
        for g in groups {
            if self.clients.len() >= self.capacity {
                return;
            }
            if !self.clients.contains_key(g)
                && let Ok(client) = consumer(cluster, Some(g))
            {
                self.created += 1;
                self.clients.insert(g.clone(), client);
            }
        }
    }

    /// Drops the clients of groups no longer watched (deleted, filtered
    /// out), making room for new ones.
    pub(crate) fn retain(&mut self, watched: &BTreeSet<&str>) {
        self.clients.retain(|g, _| watched.contains(g.as_str()));
    }
}
