//! Which versions of FindCoordinator and OffsetFetch to speak, from the
//! broker's ApiVersions answer, and the layout (`shape`) of each reply
//! version this client decodes.

use super::shape::Field::{self, *};
use kafka_protocol::messages::ApiVersionsResponse;

const FIND_COORDINATOR: i16 = 10;
const OFFSET_FETCH: i16 = 9;

/// FindCoordinator from this version takes many groups at once.
pub const FIND_MANY: i16 = 4;
/// OffsetFetch from this version takes many groups at once.
pub const FETCH_MANY: i16 = 8;

/// The versions this client uses with one cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    pub find_coordinator: i16,
    pub offset_fetch: i16,
}

impl Versions {
    /// The highest version each side knows, up to the batched ones; one
    /// per group where the broker is older. OffsetFetch needs v2 (all
    /// topics of a group in one request).
    pub fn pick(reply: &ApiVersionsResponse) -> Result<Versions, String> {
        if reply.error_code != 0 {
            return Err(format!("ApiVersions error {}", reply.error_code));
        }
        let max = |key: i16| {
            reply
                .api_keys
                .iter()
                .find(|k| k.api_key == key)
                .map(|k| k.max_version)
        };
        let find = max(FIND_COORDINATOR).ok_or("the broker has no FindCoordinator")?;
        let fetch = max(OFFSET_FETCH).ok_or("the broker has no OffsetFetch")?;
        let offset_fetch = if fetch >= FETCH_MANY {
            FETCH_MANY
        } else {
            fetch.min(5)
        };
        if offset_fetch < 2 {
            return Err(format!(
                "the broker's OffsetFetch is v{fetch}; v2 or later is needed"
            ));
        }
        Ok(Versions {
            find_coordinator: if find >= FIND_MANY {
                FIND_MANY
            } else {
                find.clamp(0, 3)
            },
            offset_fetch,
        })
    }
}

pub const API_VERSIONS_V0: &[Field] = &[I16, Array(&[I16, I16, I16])];

const COORDINATOR: &[Field] = &[CompactStr, I32, CompactStr, I32, I16, CompactStr, Tags];

/// FindCoordinator's reply layout at `version` (0 to 4).
pub fn find_coordinator_shape(version: i16) -> &'static [Field] {
    match version {
        0 => &[I16, I32, Str, I32],
        1 | 2 => &[I32, I16, Str, I32, Str, I32],
        3 => &[I32, I16, CompactStr, I32, CompactStr, I32, Tags],
        _ => &[I32, CompactArray(COORDINATOR), Tags],
    }
}

const PARTITION_V2: &[Field] = &[I32, I64, Str, I16];
const PARTITION_V5: &[Field] = &[I32, I64, I32, Str, I16];
const TOPIC_V2: &[Field] = &[Str, Array(PARTITION_V2)];
const TOPIC_V5: &[Field] = &[Str, Array(PARTITION_V5)];
const PARTITION_V8: &[Field] = &[I32, I64, I32, CompactStr, I16, Tags];
const TOPIC_V8: &[Field] = &[CompactStr, CompactArray(PARTITION_V8), Tags];
const GROUP_V8: &[Field] = &[CompactStr, CompactArray(TOPIC_V8), I16, Tags];

/// OffsetFetch's reply layout at `version` (2 to 5, or 8).
pub fn offset_fetch_shape(version: i16) -> &'static [Field] {
    match version {
        2 => &[Array(TOPIC_V2), I16],
        3 | 4 => &[I32, Array(TOPIC_V2), I16],
        5 => &[I32, Array(TOPIC_V5), I16],
        _ => &[I32, CompactArray(GROUP_V8), Tags],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::api_versions_response::ApiVersion;

    fn broker(find: i16, fetch: i16) -> ApiVersionsResponse {
        ApiVersionsResponse::default().with_api_keys(vec![
            ApiVersion::default()
                .with_api_key(FIND_COORDINATOR)
                .with_max_version(find),
            ApiVersion::default()
                .with_api_key(OFFSET_FETCH)
                .with_max_version(fetch),
        ])
    }

    #[test]
    fn batched_where_the_broker_can_one_per_group_where_not() {
        let v = |find, fetch| Versions::pick(&broker(find, fetch));
        let versions = |find_coordinator, offset_fetch| {
            Ok(Versions {
                find_coordinator,
                offset_fetch,
            })
        };
        assert_eq!(v(6, 9), versions(4, 8));
        assert_eq!(v(4, 8), versions(4, 8));
        assert_eq!(v(3, 7), versions(3, 5));
        assert_eq!(v(2, 3), versions(2, 3));
        assert!(v(2, 1).is_err());
        assert!(Versions::pick(&ApiVersionsResponse::default()).is_err());
    }
}
