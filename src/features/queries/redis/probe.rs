//! `opsdeck check` for a Redis target: can opsdeck connect, may it run
//! INFO (refusals reported as NOAUTH / NOPERM), and which version is it.

use super::connection::RedisConnection;
use super::error::RedisError;
use super::target::RedisTarget;
use ::redis::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisProbe {
    /// From INFO, or from HELLO when INFO is refused.
    pub version: Option<String>,
    /// Ok when INFO is allowed; the refusal otherwise (its kind is
    /// `NoAuth` or `NoPerm`).
    pub info: Result<(), RedisError>,
}

/// One line of the check table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeCheck {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl RedisProbe {
    pub fn checks(&self) -> Vec<ProbeCheck> {
        let version = match &self.version {
            Some(v) => format!("Redis {v}"),
            None => "connected (version unknown)".to_string(),
        };
        vec![
            ProbeCheck {
                check: "server",
                ok: true,
                detail: version,
            },
            ProbeCheck {
                check: "info",
                ok: self.info.is_ok(),
                detail: match &self.info {
                    Ok(()) => "INFO allowed".to_string(),
                    Err(e) => e.to_string(),
                },
            },
        ]
    }
}

/// The `version` field of a HELLO reply (a flat array in RESP2, a map in
/// RESP3).
pub fn hello_version(reply: &Value) -> Option<String> {
    let is_version = |k: &Value| {
        matches!(k, Value::BulkString(b) if b == b"version")
            || matches!(k, Value::SimpleString(s) if s == "version")
    };
    let as_text = |v: &Value| match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    };
    match reply {
        Value::Array(items) => items
            .chunks(2)
            .find(|pair| pair.first().is_some_and(is_version))
            .and_then(|pair| pair.get(1))
            .and_then(as_text),
        Value::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| is_version(k))
            .and_then(|(_, v)| as_text(v)),
        _ => None,
    }
}

/// Connects on a connection of its own and asks. Err only when the server
/// cannot be reached or refuses the password at connect time.
pub async fn probe(target: &RedisTarget) -> Result<RedisProbe, RedisError> {
    let mut conn = RedisConnection::new(target.clone());
    conn.connect().await?;
    match conn.info().await {
        Ok(sample) => Ok(RedisProbe {
            version: sample.info.redis_version,
            info: Ok(()),
        }),
        Err(refused) => {
            let mut hello = ::redis::cmd("HELLO");
            hello.arg(2);
            let version = conn
                .run::<Value>("hello", &hello)
                .await
                .ok()
                .and_then(|reply| hello_version(&reply));
            Ok(RedisProbe {
                version,
                info: Err(refused),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn version_from_a_resp2_or_resp3_hello() {
        let resp2 = Value::Array(vec![
            bulk("server"),
            bulk("redis"),
            bulk("version"),
            bulk("7.0.15"),
            bulk("proto"),
            Value::Int(2),
        ]);
        assert_eq!(hello_version(&resp2), Some("7.0.15".into()));
        let resp3 = Value::Map(vec![(bulk("version"), bulk("7.2.4"))]);
        assert_eq!(hello_version(&resp3), Some("7.2.4".into()));
        assert_eq!(hello_version(&Value::Nil), None);
    }
}
