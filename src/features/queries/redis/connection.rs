//! One multiplexed connection per target, opened on first use and reused;
//! dropped when it breaks so the next call opens a fresh one.

use super::error::{RedisError, RedisErrorKind};
use super::target::RedisTarget;
use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, Cmd, FromRedisValue};

/// The name opsdeck's connections carry in CLIENT LIST and SLOWLOG.
pub const CLIENT_NAME: &str = "opsdeck";

pub struct RedisConnection {
    target: RedisTarget,
    conn: Option<MultiplexedConnection>,
}

impl RedisConnection {
    /// Opens nothing yet: the first command connects.
    pub fn new(target: RedisTarget) -> RedisConnection {
        RedisConnection { target, conn: None }
    }

    pub fn target(&self) -> &RedisTarget {
        &self.target
    }

    /// Connects now unless a connection is already open.
    pub async fn connect(&mut self) -> Result<(), RedisError> {
        self.conn().await.map(|_| ())
    }

    /// Runs `cmd`; on failure the error names `action`, and a broken
    /// connection is dropped.
    pub(super) async fn run<T: FromRedisValue>(
        &mut self,
        action: &'static str,
        cmd: &Cmd,
    ) -> Result<T, RedisError> {
        let mut conn = self.conn().await?;
        match cmd.query_async(&mut conn).await {
            Ok(value) => Ok(value),
            Err(e) => {
                if RedisError::breaks_connection(&e) {
                    self.conn = None;
                }
                Err(self.driver_error(action, &e))
            }
        }
    }

    pub(super) fn error(&self, action: &'static str, kind: RedisErrorKind) -> RedisError {
        RedisError::new(&self.target.name, action, kind)
    }

    fn driver_error(&self, action: &'static str, e: &::redis::RedisError) -> RedisError {
        RedisError::from_driver(&self.target.name, action, e, self.password())
    }

    fn password(&self) -> Option<&str> {
        self.target.password.as_deref()
    }

    /// The open connection (a cheap clone: it multiplexes one socket).
    async fn conn(&mut self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(conn) = &self.conn {
            return Ok(conn.clone());
        }
        let client = self.client().await?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.target.timeout))
            .set_response_timeout(Some(self.target.timeout));
        let mut conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| self.driver_error("connect", &e))?;
        // Only a label for CLIENT LIST and SLOWLOG: an ACL that forbids it,
        // or a server that wants AUTH first, is reported by the real command.
        let _: Result<(), _> = ::redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg(CLIENT_NAME)
            .query_async(&mut conn)
            .await;
        self.conn = Some(conn.clone());
        Ok(conn)
    }

    async fn client(&self) -> Result<Client, RedisError> {
        let t = &self.target;
        crate::shared::redis_client::open(&t.url, self.password(), t.ca_file.as_deref())
            .await
            .map_err(|text| self.error("connect", RedisErrorKind::Config(text)))
    }
}
