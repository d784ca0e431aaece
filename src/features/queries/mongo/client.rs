//! One driver client per target, connected once and reused by every poll.

use super::error::MongoError;
use super::target::MongoTarget;
use mongodb::bson::{Document, doc};
use mongodb::options::{ClientOptions, Credential};
use mongodb::{Client, Database};
use std::time::Duration;

/// Shows up as `appName` in the server's currentOp and logs.
pub const APP_NAME: &str = "opsdeck";

pub struct MongoClient {
    pub(crate) target: MongoTarget,
    client: Client,
}

impl MongoClient {
    /// Parses the URI, adds the password, and pings the server so a bad
    /// address or login fails here rather than on the first poll.
    pub async fn connect(target: &MongoTarget) -> Result<Self, MongoError> {
        let this = Self {
            target: target.clone(),
            client: build_client(target).await?,
        };
        this.run("admin", doc! { "ping": 1 }).await?;
        Ok(this)
    }

    pub fn target(&self) -> &MongoTarget {
        &self.target
    }

    /// Runs `command` on `db` with `maxTimeMS`, bounded on this side too so
    /// a server that stops answering cannot stall a poll.
    pub(crate) async fn run(&self, db: &str, command: Document) -> Result<Document, MongoError> {
        self.run_raw(db, command)
            .await?
            .map_err(|e| self.driver_error(&e))
    }

    /// As `run`, leaving the driver's error for the caller to inspect.
    pub(crate) async fn run_raw(
        &self,
        db: &str,
        mut command: Document,
    ) -> Result<mongodb::error::Result<Document>, MongoError> {
        command.insert("maxTimeMS", self.max_time_ms());
        let database = self.client.database(db);
        self.bounded_raw(database.run_command(command)).await
    }

    pub(crate) fn database(&self, db: &str) -> Database {
        self.client.database(db)
    }

    /// An Int32, as the driver itself sends it for `find`.
    fn max_time_ms(&self) -> i32 {
        i32::try_from(self.target.max_time.as_millis()).unwrap_or(i32::MAX)
    }

    /// Awaits a driver call, with the deadline and error mapping every
    /// command shares.
    pub(crate) async fn bounded<T>(
        &self,
        call: impl IntoFuture<Output = mongodb::error::Result<T>>,
    ) -> Result<T, MongoError> {
        self.bounded_raw(call)
            .await?
            .map_err(|e| self.driver_error(&e))
    }

    /// As `bounded`, leaving the driver's error for the caller to inspect.
    async fn bounded_raw<T>(
        &self,
        call: impl IntoFuture<Output = mongodb::error::Result<T>>,
    ) -> Result<mongodb::error::Result<T>, MongoError> {
        let deadline = self.target.connect_timeout + self.target.max_time + Duration::from_secs(1);
        tokio::time::timeout(deadline, call)
            .await
            .map_err(|_| self.error(&format!("no reply within {} ms", deadline.as_millis())))
    }

    pub(crate) fn driver_error(&self, error: &mongodb::error::Error) -> MongoError {
        MongoError::from_driver(&self.target.name, error, self.target.password.as_deref())
    }

    pub(crate) fn error(&self, message: &str) -> MongoError {
        MongoError::new(&self.target.name, message, self.target.password.as_deref())
    }
}

async fn build_client(target: &MongoTarget) -> Result<Client, MongoError> {
    let password = target.password.as_deref();
    let fail = |e: &mongodb::error::Error| MongoError::from_driver(&target.name, e, password);
    let mut options = ClientOptions::parse(&target.uri)
        .await
        .map_err(|e| fail(&e))?;
    options.app_name = Some(APP_NAME.to_string());
    options.server_selection_timeout = Some(target.connect_timeout);
    options.connect_timeout = Some(target.connect_timeout);
    if let Some(password) = &target.password {
        let credential = options.credential.get_or_insert_with(Credential::default);
        if credential.username.is_none() {
            let message = "a password is set but the URI names no user (mongodb://USER@host/)";
            return Err(MongoError::new(&target.name, message, Some(password)));
        }
        credential.password = Some(password.clone());
    }
    Client::with_options(options).map_err(|e| fail(&e))
}
