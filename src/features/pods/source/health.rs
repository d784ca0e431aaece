//! The Kubernetes badge: healthy while the watches run and the API server
//! answers, reported every few seconds, and at once when that changes.

use crate::core::outbox::Report;
use crate::core::source::{HealthReport, SourceId};
use crate::features::pods::model::KubeUpdate;
use crate::shared::kube::errors::chain;
use chrono::Utc;
use kube::Client;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often health is reported (and the API server pinged) while nothing changes.
pub const INTERVAL: Duration = Duration::from_secs(10);

/// A ping slower than this counts as the API server not answering.
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// What the badge should say, from every watch and the ping.
#[derive(Debug, Default)]
pub struct HealthState {
    /// Per stream (`pods`, `deployments`, `events`, `ping`): its last error.
    errors: BTreeMap<&'static str, String>,
    /// Something answered (or failed) at least once: before that, there is
    /// nothing honest to report.
    heard: bool,
    /// The error text last reported (`Some(None)` = reported healthy).
    reported: Option<Option<String>>,
    due: bool,
}

impl HealthState {
    pub fn ok(&mut self, stream: &'static str) {
        self.heard = true;
        self.errors.remove(stream);
    }

    /// Records an error; true when it is new for that stream (worth a log
    /// line: a watcher retrying a 403 fails the same way every few seconds).
    pub fn failed(&mut self, stream: &'static str, error: String) -> bool {
        self.heard = true;
        self.errors.insert(stream, error.clone()) != Some(error)
    }

    /// The regular report is due.
    pub fn tick(&mut self) {
        self.due = true;
    }

    /// The error to show: a dead API server first, then the first failing watch.
    pub fn current(&self) -> Option<String> {
        self.errors
            .get("ping")
            .or_else(|| self.errors.values().next())
            .cloned()
    }

    /// A report to send now: when due, or when the state changed.
    pub fn report(&mut self) -> Option<Report<KubeUpdate>> {
        if !self.heard {
            return None;
        }
        let current = self.current();
        if !self.due && self.reported.as_ref() == Some(&current) {
            return None;
        }
        self.due = false;
        self.reported = Some(current.clone());
        Some(Report::Health(HealthReport {
            source: SourceId::Kubernetes,
            at: Utc::now(),
            error: current,
            interval: INTERVAL,
        }))
    }
}

/// Whether the API server answers: `GET /version` with a short timeout.
/// Any answer but 401 counts (some clusters restrict `/version`).
pub async fn ping(client: &Client) -> Result<(), String> {
    match tokio::time::timeout(PING_TIMEOUT, client.apiserver_version()).await {
        Err(_) => Err(format!(
            "the API server did not answer in {}s",
            PING_TIMEOUT.as_secs()
        )),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(kube::Error::Api(status))) if status.code == 401 => Err(format!(
            "unauthorized: the API server refused the credentials ({})",
            status.message
        )),
        Ok(Err(kube::Error::Api(_))) => Ok(()),
        Ok(Err(e)) => Err(format!("cannot reach the API server: {}", chain(&e))),
    }
}

/// Pings every `INTERVAL` and sends each result, until the receiver is gone.
pub async fn run_pings(client: Client, tx: mpsc::Sender<Result<(), String>>) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if tx.send(ping(&client).await).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(u: Option<Report<KubeUpdate>>) -> Option<Option<String>> {
        match u {
            Some(Report::Health(h)) => Some(h.error),
            _ => None,
        }
    }

    #[test]
    fn reports_on_change_and_when_due() {
        let mut h = HealthState::default();
        h.tick();
        assert_eq!(error_of(h.report()), None, "nothing heard yet");
        h.ok("pods");
        assert_eq!(error_of(h.report()), Some(None));
        assert_eq!(error_of(h.report()), None, "unchanged and not due");
        assert!(h.failed("events", "forbidden: list events in prod".into()));
        assert!(!h.failed("events", "forbidden: list events in prod".into()));
        assert_eq!(
            error_of(h.report()),
            Some(Some("forbidden: list events in prod".into()))
        );
        assert!(h.failed("ping", "cannot reach the API server".into()));
        assert_eq!(
            error_of(h.report()),
            Some(Some("cannot reach the API server".into()))
        );
        h.tick();
        assert_eq!(
            error_of(h.report()),
            Some(Some("cannot reach the API server".into()))
        );
        h.ok("ping");
        h.ok("events");
        assert_eq!(error_of(h.report()), Some(None));
    }
}
