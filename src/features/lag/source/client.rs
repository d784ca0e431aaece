//! Creating librdkafka clients and running their blocking calls off the
//! async runtime.

use super::config::ClusterConfig;
use super::error::{ErrorKind, SourceError};
use rdkafka::consumer::BaseConsumer;

/// A client that never subscribes: with a group it reads and commits that
/// group's offsets without joining it.
pub(crate) fn consumer(
    cluster: &ClusterConfig,
    group: Option<&str>,
) -> Result<BaseConsumer, SourceError> {
    cluster
        .client_config(group)
        .create::<BaseConsumer>()
        .map_err(|e| SourceError::from_kafka(cluster, "creating a client", &e))
}

/// Runs `work` on tokio's blocking pool: every librdkafka call below blocks
/// for up to the cluster timeout.
pub(crate) async fn blocking<T, F>(cluster: &ClusterConfig, work: F) -> Result<T, SourceError>
where
    T: Send + 'static,
    F: FnOnce(&ClusterConfig) -> Result<T, SourceError> + Send + 'static,
{
    let owned = cluster.clone();
    tokio::task::spawn_blocking(move || work(&owned))
        .await
        .unwrap_or_else(|e| {
            Err(SourceError::new(
                cluster,
                ErrorKind::Internal,
                format!("kafka task failed: {e}"),
            ))
        })
}
