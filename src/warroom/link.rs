//! One connection to the room's Redis, with the settings' timeouts.

use super::settings::WarroomSettings;
use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;

/// Why a command failed, one line, with the password cut out.
pub type LinkError = String;

pub struct Link {
    settings: WarroomSettings,
    conn: Option<MultiplexedConnection>,
    /// Resolved when connecting; kept to cut it out of error texts.
    password: Option<String>,
}

impl Link {
    pub fn new(settings: WarroomSettings) -> Link {
        Link {
            settings,
            conn: None,
            password: None,
        }
    }

    /// Runs `cmd`, connecting first if needed; a failed command drops the
    /// connection so the next one starts afresh.
    pub async fn run<T: redis::FromRedisValue>(
        &mut self,
        cmd: &redis::Cmd,
    ) -> Result<T, LinkError> {
        let mut conn = self.conn().await?;
        match cmd.query_async(&mut conn).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.conn = None;
                Err(self.scrub(&e.to_string()))
            }
        }
    }

    fn scrub(&self, text: &str) -> String {
        crate::shared::redis_client::scrub(text, self.password.as_deref())
    }

    async fn conn(&mut self) -> Result<MultiplexedConnection, LinkError> {
        if let Some(conn) = &self.conn {
            return Ok(conn.clone());
        }
        self.password = self.settings.password.resolve().await?;
        let password = self.password.clone();
        let url = self
            .settings
            .redis_url
            .as_deref()
            .ok_or("no [warroom] redis_url in the config")?;
        let client = crate::shared::redis_client::open(
            url,
            password.as_deref(),
            self.settings.ca_file.as_deref(),
        )
        .await?;
        let timeout = self.settings.timeout();
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            // A blocking read waits a second on top of this.
            .set_response_timeout(Some(timeout + std::time::Duration::from_secs(1)));
        let conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| self.scrub(&format!("connect: {e}")))?;
        self.conn = Some(conn.clone());
        Ok(conn)
    }
}
