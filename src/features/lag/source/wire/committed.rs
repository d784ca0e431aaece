//! Committed offsets of many groups over the Kafka protocol, without a
//! client per group: FindCoordinator for all the groups, then OffsetFetch
//! to each coordinator, batched where the broker can (FindCoordinator v4,
//! OffsetFetch v8) and one request per group, pipelined, where not (that
//! request names the topics: librdkafka's mock cluster answers a request
//! for all topics with none). The
//! connections (the bootstrap broker's and each coordinator's) are kept
//! across polls and all dropped after an error.

use super::conn::Connection;
use super::frame::WireError;
use super::versions::{
    API_VERSIONS_V0, FETCH_MANY, FIND_MANY, Versions, find_coordinator_shape, offset_fetch_shape,
};
use crate::features::lag::stats::TopicPartition;
use kafka_protocol::ResponseError;
use kafka_protocol::error::ParseResponseErrorCode;
use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopic,
};
use kafka_protocol::messages::{
    ApiVersionsRequest, FindCoordinatorRequest, GroupId, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// A group's committed offset per partition; partitions it never
/// committed on (or that the broker answered with an error) are absent.
pub type Committed = HashMap<TopicPartition, Option<i64>>;

/// Topic → its partitions.
pub type Topics = BTreeMap<String, Vec<i32>>;

/// Per group: its offsets, or why they could not be read this poll (its
/// coordinator is moving, it is not authorized, ...).
pub type GroupOffsets = BTreeMap<String, Result<Committed, String>>;

/// Keeps its connections between reads.
#[derive(Default)]
pub struct CommittedReader {
    /// By `host:port`: the bootstrap broker's and each coordinator's; one
    /// connection where they are the same broker.
    connections: HashMap<String, Connection>,
    /// The bootstrap address that answered, once one has.
    bootstrap: Option<String>,
    versions: Option<Versions>,
    connects: u64,
}

impl CommittedReader {
    /// Connections open now.
    pub fn open(&self) -> usize {
        self.connections.len()
    }

    /// Connections made so far: steady reads add none.
    pub fn connects(&self) -> u64 {
        self.connects
    }

    /// Drops every connection: after any error, since a connection's
    /// replies may no longer line up with its requests.
    pub fn clear(&mut self) {
        self.connections.clear();
        self.bootstrap = None;
        self.versions = None;
    }

    /// The committed offsets of `groups`, each read through its coordinator.
    /// Fails as a whole only when a broker could not be reached or gave a
    /// malformed reply. `topics` (name → partitions) are the ones asked
    /// for where a request cannot ask for all of a group's.
    pub async fn read(
        &mut self,
        bootstrap: &str,
        groups: &[String],
        topics: &Topics,
        wait: Duration,
    ) -> Result<GroupOffsets, WireError> {
        let result = self.read_kept(bootstrap, groups, topics, wait).await;
        if result.is_err() {
            self.clear();
        }
        result
    }

    async fn read_kept(
        &mut self,
        bootstrap: &str,
        groups: &[String],
        topics: &Topics,
        wait: Duration,
    ) -> Result<GroupOffsets, WireError> {
        let mut out = GroupOffsets::new();
        if groups.is_empty() {
            return Ok(out);
        }
        let first = self.bootstrap(bootstrap, wait).await?;
        let versions = match self.versions {
            Some(v) => v,
            None => {
                let conn = self.connection(&first, wait).await?;
                let reply = conn
                    .call(&ApiVersionsRequest::default(), 0, API_VERSIONS_V0)
                    .await?;
                let v = Versions::pick(&reply).map_err(WireError::Reply)?;
                *self.versions.insert(v)
            }
        };
        let conn = self.connection(&first, wait).await?;
        let mut by_coordinator: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (group, found) in coordinators(conn, groups, versions.find_coordinator).await? {
            match found {
                Ok(addr) => by_coordinator.entry(addr).or_default().push(group),
                Err(why) => {
                    out.insert(group, Err(format!("finding its coordinator: {why}")));
                }
            }
        }
        // A broker no longer any group's coordinator keeps no connection.
        self.connections
            .retain(|addr, _| *addr == first || by_coordinator.contains_key(addr));
        for (addr, groups) in by_coordinator {
            let conn = self.connection(&addr, wait).await?;
            out.extend(fetch(conn, &groups, topics, versions.offset_fetch).await?);
        }
        Ok(out)
    }

    /// The first bootstrap address that accepts a connection (the one
    /// already open, if any).
    async fn bootstrap(&mut self, bootstrap: &str, wait: Duration) -> Result<String, WireError> {
        if let Some(addr) = &self.bootstrap
            && self.connections.contains_key(addr)
        {
            return Ok(addr.clone());
        }
        let mut last = WireError::Connection(format!("no bootstrap address in {bootstrap:?}"));
        for addr in bootstrap
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            match self.connection(addr, wait).await {
                Ok(_) => {
                    self.bootstrap = Some(addr.to_string());
                    return Ok(addr.to_string());
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    async fn connection(
        &mut self,
        addr: &str,
        wait: Duration,
    ) -> Result<&mut Connection, WireError> {
        if !self.connections.contains_key(addr) {
            let conn = Connection::open(addr, wait).await?;
            self.connects += 1;
            self.connections.insert(addr.to_string(), conn);
        }
        self.connections
            .get_mut(addr)
            .ok_or_else(|| WireError::Connection(format!("connection to {addr} lost")))
    }
}

fn key(group: &str) -> StrBytes {
    StrBytes::from_string(group.to_string())
}

/// `host:port` to connect to; an IPv6 host in brackets.
fn address(host: &str, port: i32) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn error_text(code: i16, message: Option<&StrBytes>) -> Option<String> {
    let error: ResponseError = code.err()?;
    Some(match message {
        Some(m) if !m.is_empty() => format!("{error}: {m}"),
        _ => error.to_string(),
    })
}

/// Each group's coordinator as `host:port`, or the broker's error for it.
async fn coordinators(
    conn: &mut Connection,
    groups: &[String],
    version: i16,
) -> Result<Vec<(String, Result<String, String>)>, WireError> {
    let shape = find_coordinator_shape(version);
    if version >= FIND_MANY {
        let request = FindCoordinatorRequest::default()
            .with_coordinator_keys(groups.iter().map(|g| key(g)).collect());
        let reply = conn.call(&request, version, shape).await?;
        let mut found: HashMap<String, Result<String, String>> = reply
            .coordinators
            .into_iter()
            .map(|c| {
                let result = match error_text(c.error_code, c.error_message.as_ref()) {
                    Some(e) => Err(e),
                    None => Ok(address(&c.host, c.port)),
                };
                (c.key.to_string(), result)
            })
            .collect();
        return Ok(groups
            .iter()
            .map(|g| {
                let result = found
                    .remove(g)
                    .unwrap_or_else(|| Err("the broker did not answer for it".into()));
                (g.clone(), result)
            })
            .collect());
    }
    let requests: Vec<FindCoordinatorRequest> = groups
        .iter()
        .map(|g| FindCoordinatorRequest::default().with_key(key(g)))
        .collect();
    let replies = conn.call_all(&requests, version, shape).await?;
    Ok(groups
        .iter()
        .zip(replies)
        .map(|(g, r)| {
            let result = match error_text(r.error_code, r.error_message.as_ref()) {
                Some(e) => Err(e),
                None => Ok(address(&r.host, r.port)),
            };
            (g.clone(), result)
        })
        .collect())
}

/// The committed offsets of `groups`, all coordinated by the broker at
/// the other end of `conn`.
async fn fetch(
    conn: &mut Connection,
    groups: &[String],
    topics: &Topics,
    version: i16,
) -> Result<GroupOffsets, WireError> {
    let mut out = if version >= FETCH_MANY {
        fetch_batched(conn, groups, version).await?
    } else {
        fetch_one_by_one(conn, groups, topics, version).await?
    };
    for g in groups {
        out.entry(g.clone())
            .or_insert_with(|| Err("the coordinator did not answer for it".into()));
    }
    Ok(out)
}

/// One OffsetFetch (v8) for all `groups`, every topic of each.
async fn fetch_batched(
    conn: &mut Connection,
    groups: &[String],
    version: i16,
) -> Result<GroupOffsets, WireError> {
    let request = OffsetFetchRequest::default().with_groups(
        groups
            .iter()
            .map(|g| {
                OffsetFetchRequestGroup::default()
                    .with_group_id(GroupId(key(g)))
                    .with_topics(None)
            })
            .collect(),
    );
    let reply = conn
        .call(&request, version, offset_fetch_shape(version))
        .await?;
    Ok(reply
        .groups
        .into_iter()
        .map(|g| {
            let partitions = g.topics.iter().flat_map(|t| {
                t.partitions.iter().map(|p| {
                    let at = (p.partition_index, p.committed_offset, p.error_code);
                    (t.name.as_str(), at)
                })
            });
            (
                g.group_id.to_string(),
                group_result(g.error_code, partitions),
            )
        })
        .collect())
}

/// An OffsetFetch (v2 to v5) per group, naming `topics`, pipelined.
async fn fetch_one_by_one(
    conn: &mut Connection,
    groups: &[String],
    topics: &Topics,
    version: i16,
) -> Result<GroupOffsets, WireError> {
    let named: Vec<OffsetFetchRequestTopic> = topics
        .iter()
        .map(|(name, partitions)| {
            OffsetFetchRequestTopic::default()
                .with_name(TopicName(key(name)))
                .with_partition_indexes(partitions.clone())
        })
        .collect();
    if named.is_empty() {
        return Ok(groups
            .iter()
            .map(|g| (g.clone(), Ok(Committed::new())))
            .collect());
    }
    let requests: Vec<OffsetFetchRequest> = groups
        .iter()
        .map(|g| {
            OffsetFetchRequest::default()
                .with_group_id(GroupId(key(g)))
                .with_topics(Some(named.clone()))
        })
        .collect();
    let replies = conn
        .call_all(&requests, version, offset_fetch_shape(version))
        .await?;
    Ok(groups
        .iter()
        .zip(replies)
        .map(|(g, r)| {
            let partitions = r.topics.iter().flat_map(|t| {
                t.partitions.iter().map(|p| {
                    let at = (p.partition_index, p.committed_offset, p.error_code);
                    (t.name.as_str(), at)
                })
            });
            (g.clone(), group_result(r.error_code, partitions))
        })
        .collect())
}

/// A partition's committed offset; none where it never committed (-1) or
/// the broker answered with an error for it.
/// One group's answer: its error, or each partition's committed offset.
/// The batched and the per-group replies are different types of the
/// crate; both come here as `(topic, (partition, offset, error))`.
fn group_result<'a>(
    error: i16,
    partitions: impl Iterator<Item = (&'a str, (i32, i64, i16))>,
) -> Result<Committed, String> {
    match error_text(error, None) {
        Some(e) => Err(e),
        None => Ok(partitions
            .map(|(topic, (partition, offset, error))| {
                (
                    TopicPartition::new(topic, partition),
                    committed(offset, error),
                )
            })
            .collect()),
    }
}

fn committed(offset: i64, error: i16) -> Option<i64> {
    (error == 0 && offset >= 0).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::super::frame::MAX_FRAME;
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A broker that answers the first request with `reply` (raw bytes,
    /// frame size included) and then stays silent with the socket open.
    async fn broker(reply: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 512];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(&reply).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        addr
    }

    async fn read_from(reply: Vec<u8>) -> (Result<GroupOffsets, WireError>, usize) {
        let addr = broker(reply).await;
        let mut reader = CommittedReader::default();
        let groups = vec!["g".to_string()];
        let got = reader
            .read(&addr, &groups, &Topics::new(), Duration::from_millis(300))
            .await;
        (got, reader.open())
    }

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = (body.len() as i32).to_be_bytes().to_vec();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn a_coordinator_address_can_be_connected_to() {
        assert_eq!(address("kafka-0.kafka", 9092), "kafka-0.kafka:9092");
        assert_eq!(address("10.0.0.7", 9092), "10.0.0.7:9092");
        assert_eq!(address("::1", 9092), "[::1]:9092");
        assert_eq!(address("[::1]", 9092), "[::1]:9092");
    }

    #[tokio::test]
    async fn a_hostile_broker_is_an_error_and_leaves_no_connection() {
        // ApiVersions reply (correlation 0, no error) claiming 2^31-1 APIs.
        let lying = frame(&[0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 9]);
        let oversized = ((MAX_FRAME as i32) + 1).to_be_bytes().to_vec();
        let mut cut = frame(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        cut.truncate(9);
        for (reply, reply_error) in [
            (lying, true),
            (oversized, true),
            (cut, false),
            (vec![], false),
        ] {
            let (got, open) = read_from(reply.clone()).await;
            match got {
                Err(WireError::Reply(_)) => assert!(reply_error, "{reply:?}"),
                Err(WireError::Connection(_)) => assert!(!reply_error, "{reply:?}"),
                Ok(o) => panic!("{reply:?} read as {o:?}"),
            }
            assert_eq!(open, 0, "{reply:?}");
        }
    }
}
