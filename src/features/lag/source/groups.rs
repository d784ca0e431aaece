//! Consumer groups as the coordinators describe them (ListGroups, then
//! DescribeGroups per group, both done by librdkafka's list call).

use super::assignment::decode_assignment;
use super::client::{blocking, consumer};
use super::config::ClusterConfig;
use super::error::SourceError;
use crate::features::lag::stats::{GroupDescription, GroupState, Member};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::groups::GroupInfo;

/// Every group on the cluster, sorted by id. A cluster without ListGroups
/// gives `ErrorKind::ListingNotSupported`.
pub async fn list_groups(cluster: &ClusterConfig) -> Result<Vec<GroupDescription>, SourceError> {
    blocking(cluster, |cluster| {
        let client = consumer(cluster, None)?;
        describe(&client, cluster, None)
    })
    .await
}

/// One group; a group the coordinators do not know is reported `Dead`
/// with no members, as DescribeGroups itself does.
pub async fn describe_group(
    cluster: &ClusterConfig,
    group: &str,
) -> Result<GroupDescription, SourceError> {
    let group = group.to_string();
    blocking(cluster, move |cluster| {
        let client = consumer(cluster, None)?;
        describe_one(&client, cluster, &group)
    })
    .await
}

pub(crate) fn describe_one(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    group: &str,
) -> Result<GroupDescription, SourceError> {
    let found = describe(client, cluster, Some(group))?;
    Ok(found
        .into_iter()
        .find(|g| g.id == group)
        .unwrap_or_else(|| GroupDescription {
            id: group.to_string(),
            state: GroupState::Dead,
            protocol_type: String::new(),
            protocol: String::new(),
            members: Vec::new(),
        }))
}

pub(crate) fn describe(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    group: Option<&str>,
) -> Result<Vec<GroupDescription>, SourceError> {
    let list = client
        .fetch_group_list(group, cluster.timeout)
        .map_err(|e| SourceError::from_kafka(cluster, "listing groups", &e))?;
    let mut groups: Vec<GroupDescription> = list.groups().iter().map(convert).collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(groups)
}

fn convert(info: &GroupInfo) -> GroupDescription {
    let consumer_protocol = info.protocol_type() == "consumer";
    GroupDescription {
        id: info.name().to_string(),
        state: GroupState::parse(info.state()),
        protocol_type: info.protocol_type().to_string(),
        protocol: info.protocol().to_string(),
        members: info
            .members()
            .iter()
            .map(|m| Member {
                member_id: m.id().to_string(),
                client_id: m.client_id().to_string(),
                host: m.client_host().to_string(),
                // Other protocols (Connect, ...) encode assignments their own way.
                assignment: m
                    .assignment()
                    .filter(|_| consumer_protocol)
                    .and_then(decode_assignment),
            })
            .collect(),
    }
}
