//! One poll of a cluster through the clients its poller keeps: metadata
//! and the group listing once, the committed offsets (all groups' through
//! the protocol reader, or each group's through its own client), then the
//! watermarks once per partition for all groups. Blocking; the poller runs
//! it on tokio's blocking pool, and the protocol reader's async calls on
//! the runtime behind `rt`.

use super::ClusterConfig;
use super::error::{ErrorKind, SourceError};
use super::groups::describe;
use super::offsets::{
    WatchTopics, committed_snapshot, describe_unless_unsupported, fill_watermarks, snapshot_of,
};
use super::pool::ClusterClients;
use super::topics::{dead_letter_sizes_in, is_internal, prefetch_watermarks, topic_partitions};
use super::wire::{GroupOffsets, Topics, WireError};
use crate::core::glob::glob_match;
use crate::features::lag::model::LagUpdate;
use crate::features::lag::settings::KafkaCluster;
use crate::features::lag::stats::dlq::DlqPatterns;
use crate::features::lag::stats::{GroupDescription, GroupSnapshot, TopicPartition};
use chrono::Utc;
use std::collections::{BTreeMap, BTreeSet};
use tokio::runtime::Handle;

/// `None` and the error when the cluster could not be read at all.
pub(crate) fn poll_round(
    rt: &Handle,
    clients: &mut ClusterClients,
    config: &ClusterConfig,
    c: &KafkaCluster,
    dlq: &DlqPatterns,
) -> (Option<LagUpdate>, Option<String>) {
    match read(rt, clients, config, c, dlq) {
        Ok(update) => (Some(update), None),
        Err(e) => {
            clients.clear();
            (None, Some(e.to_string()))
        }
    }
}

/// Fails only when the cluster is unreachable; other errors of one group
/// (or of the dead letters) go to the update's failures.
fn read(
    rt: &Handle,
    clients: &mut ClusterClients,
    config: &ClusterConfig,
    c: &KafkaCluster,
    dlq: &DlqPatterns,
) -> Result<LagUpdate, SourceError> {
    let at = Utc::now();
    let ClusterClients {
        shared,
        groups: pool,
        wire,
    } = clients;
    let shared = shared.get(config)?;
    let mut note = None;
    let mut groups: Vec<String> = c.groups.clone();
    // Listing describes every group at once, so listed groups need no
    // DescribeGroups of their own.
    let mut listed: BTreeMap<String, GroupDescription> = BTreeMap::new();
    if c.discover {
        match describe(shared, config, None) {
            Ok(found) => {
                groups.extend(found.iter().map(|g| g.id.clone()).filter(|g| wanted(c, g)));
                listed = found.into_iter().map(|g| (g.id.clone(), g)).collect();
            }
            Err(e) if e.kind == ErrorKind::ListingNotSupported => {
                note = Some(format!(
                    "{}: listing groups is not supported here; watching the configured groups",
                    c.name
                ));
            }
            Err(e) => return Err(e),
        }
    }
    groups.sort();
    groups.dedup();
    let layout = topic_partitions(shared, config)?;
    let mut committed = Vec::new();
    let mut failures = Vec::new();
    // Over the protocol: every group's offsets in a few requests, before
    // any watermark is read (so a lag is never understated).
    let mut over_wire = match wire {
        Some(reader) => Some(
            rt.block_on(reader.read(
                &config.bootstrap,
                &groups,
                &watchable(&layout),
                config.timeout,
            ))
            .map_err(|e| wire_error(config, e))?,
        ),
        None => {
            // Room for new groups first: vanished ones' clients go before any is made.
            pool.retain(&groups.iter().map(String::as_str).collect::<BTreeSet<_>>());
            pool.warm(config, &groups);
            None
        }
    };
    for g in &groups {
        let snapshot = match listed.remove(g) {
            Some(d) => Ok(Some(d)),
            None => describe_unless_unsupported(shared, config, g),
        }
        .and_then(|description| match &mut over_wire {
            Some(offsets) => from_wire(offsets, config, &layout, g, description),
            None => {
                let client = pool.get(config, g)?;
                committed_snapshot(
                    &client,
                    config,
                    &layout,
                    g,
                    &WatchTopics::Discover,
                    description,
                )
            }
        });
        match snapshot {
            Ok(s) => committed.push(s),
            Err(e) if unreachable(&e) => return Err(e),
            Err(e) => failures.push((g.clone(), e.to_string())),
        }
    }
    // Every partition's watermarks at once; what the batch could not read
    // is read (and its failure reported) one by one below.
    let wanted: BTreeSet<&TopicPartition> = committed
        .iter()
        .flat_map(|s| s.partitions.iter().map(|p| &p.tp))
        .collect();
    let mut marks = prefetch_watermarks(shared, config, &wanted)?;
    let mut snapshots = Vec::new();
    for mut s in committed {
        match fill_watermarks(shared, config, &mut s, &mut marks) {
            Ok(()) => snapshots.push(s),
            Err(e) if unreachable(&e) => return Err(e),
            Err(e) => failures.push((s.group, e.to_string())),
        }
    }
    let dlq = match dead_letter_sizes_in(shared, config, &layout, dlq) {
        Ok(sizes) => sizes,
        Err(e) if unreachable(&e) => return Err(e),
        Err(e) => {
            failures.push(("dead letters".into(), e.to_string()));
            Vec::new()
        }
    };
    Ok(LagUpdate {
        cluster: c.name.clone(),
        at,
        groups: snapshots,
        dlq,
        note,
        failures,
    })
}

/// The topics a discovering snapshot may cover, as `WatchTopics::Discover`
/// picks them.
fn watchable(layout: &BTreeMap<String, Vec<i32>>) -> Topics {
    layout
        .iter()
        .filter(|(t, _)| !is_internal(t))
        .map(|(t, p)| (t.clone(), p.clone()))
        .collect()
}

/// The group's snapshot from the offsets the protocol reader read.
fn from_wire(
    offsets: &mut GroupOffsets,
    config: &ClusterConfig,
    layout: &BTreeMap<String, Vec<i32>>,
    group: &str,
    description: Option<GroupDescription>,
) -> Result<GroupSnapshot, SourceError> {
    match offsets.remove(group) {
        Some(Ok(committed)) => Ok(snapshot_of(
            layout,
            group,
            &WatchTopics::Discover,
            description,
            &committed,
        )),
        Some(Err(why)) => Err(SourceError::new(
            config,
            ErrorKind::Broker,
            format!("reading offsets of group {group}: {why}"),
        )),
        None => Err(SourceError::new(
            config,
            ErrorKind::Internal,
            format!("reading offsets of group {group}: not asked for"),
        )),
    }
}

/// A broker that did not answer is the cluster unreachable, as librdkafka's
/// timeouts are; a malformed reply is the broker's error.
fn wire_error(config: &ClusterConfig, e: WireError) -> SourceError {
    match e {
        WireError::Connection(why) => {
            SourceError::unreachable(config, "reading committed offsets", &why)
        }
        WireError::Reply(_) => SourceError::new(
            config,
            ErrorKind::Broker,
            format!("reading committed offsets: {e}"),
        ),
    }
}

fn unreachable(e: &SourceError) -> bool {
    e.kind == ErrorKind::Unreachable
}

/// Include patterns (all when none), then exclude patterns.
fn wanted(c: &KafkaCluster, group: &str) -> bool {
    (c.include.is_empty() || c.include.iter().any(|p| glob_match(p, group)))
        && !c.exclude.iter().any(|p| glob_match(p, group))
}
