//! INFO: the reply text parsed into the fields opsdeck shows and the
//! counters the windowed rates are computed from.

use super::connection::RedisConnection;
use super::error::RedisError;
use std::time::Instant;

/// The fields opsdeck reads; None when the server did not send one (an
/// older version, or a section left out).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Info {
    pub redis_version: Option<String>,
    /// Changes on every restart; how a restart between two samples is told
    /// apart from a quiet window.
    pub run_id: Option<String>,
    pub uptime_secs: Option<u64>,
    pub connected_clients: Option<u64>,
    pub blocked_clients: Option<u64>,
    pub used_memory: Option<u64>,
    /// 0 means no limit.
    pub maxmemory: Option<u64>,
    pub keyspace_hits: Option<u64>,
    pub keyspace_misses: Option<u64>,
    pub evicted_keys: Option<u64>,
    pub expired_keys: Option<u64>,
    pub total_commands_processed: Option<u64>,
    pub instantaneous_ops_per_sec: Option<u64>,
}

/// An INFO reply and when it was read, for rates over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct InfoSample {
    pub at: Instant,
    pub info: Info,
}

/// Parses INFO's `field:value` lines; section headers (`# Stats`), blank
/// lines and fields opsdeck does not use are skipped.
pub fn parse_info(text: &str) -> Info {
    let mut info = Info::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with('#') {
            continue;
        }
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        let number = || value.trim().parse::<u64>().ok();
        match field {
            "redis_version" => info.redis_version = Some(value.to_string()),
            "run_id" => info.run_id = Some(value.to_string()),
            "uptime_in_seconds" => info.uptime_secs = number(),
            "connected_clients" => info.connected_clients = number(),
            "blocked_clients" => info.blocked_clients = number(),
            "used_memory" => info.used_memory = number(),
            "maxmemory" => info.maxmemory = number(),
            "keyspace_hits" => info.keyspace_hits = number(),
            "keyspace_misses" => info.keyspace_misses = number(),
            "evicted_keys" => info.evicted_keys = number(),
            "expired_keys" => info.expired_keys = number(),
            "total_commands_processed" => info.total_commands_processed = number(),
            "instantaneous_ops_per_sec" => info.instantaneous_ops_per_sec = number(),
            _ => {}
        }
    }
    info
}

impl RedisConnection {
    /// INFO (the default sections), timestamped when the reply arrived.
    pub async fn info(&mut self) -> Result<InfoSample, RedisError> {
        let text: String = self.run("info", &::redis::cmd("INFO")).await?;
        Ok(InfoSample {
            at: Instant::now(),
            info: parse_info(&text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed from a real Redis 7.0 INFO reply.
    const SAMPLE: &str = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nrun_id:4f1c0b9e2d7a\r\nuptime_in_seconds:3605\r\n\r\n# Clients\r\nconnected_clients:12\r\nblocked_clients:1\r\n\r\n# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\n\r\n# Stats\r\ntotal_commands_processed:99123\r\ninstantaneous_ops_per_sec:42\r\nexpired_keys:7\r\nevicted_keys:0\r\nkeyspace_hits:900\r\nkeyspace_misses:100\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n";

    #[test]
    fn parses_every_field_opsdeck_uses() {
        assert_eq!(
            parse_info(SAMPLE),
            Info {
                redis_version: Some("7.0.15".into()),
                run_id: Some("4f1c0b9e2d7a".into()),
                uptime_secs: Some(3605),
                connected_clients: Some(12),
                blocked_clients: Some(1),
                used_memory: Some(1_048_576),
                maxmemory: Some(0),
                keyspace_hits: Some(900),
                keyspace_misses: Some(100),
                evicted_keys: Some(0),
                expired_keys: Some(7),
                total_commands_processed: Some(99_123),
                instantaneous_ops_per_sec: Some(42),
            }
        );
    }

    #[test]
    fn missing_or_garbled_fields_are_none() {
        let info = parse_info("keyspace_hits:lots\nno colon here\n# Stats\n");
        assert_eq!(info, Info::default());
    }
}
