//! `/api/v1/alerts`: the alerts Prometheus' rules currently hold.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::series::parse_sample_value;

/// The lifecycle state of an alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AlertState {
    Firing,
    Pending,
    Inactive,
    /// A state this parser does not know, kept as sent.
    Unknown(String),
}

impl AlertState {
    fn parse(text: &str) -> Self {
        match text {
            "firing" => Self::Firing,
            "pending" => Self::Pending,
            "inactive" => Self::Inactive,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

/// One alert for the alerts pane. All labels and annotations are kept, so
/// the caller chooses which label names a service (see `label_any`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// `labels.alertname`, empty when missing.
    pub name: String,
    pub state: AlertState,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// None when missing, unreadable, or Go's zero time (never active).
    pub active_at: Option<DateTime<Utc>>,
    /// The expression's value; None when missing or not a number.
    pub value: Option<f64>,
    /// The value as Prometheus wrote it, to show when it is not a number.
    pub value_raw: Option<String>,
}

impl Alert {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    /// The first of `keys` that the alert has, e.g.
    /// `["service", "app", "job"]` from the user's configuration.
    pub fn label_any(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|key| self.label(key))
    }

    pub fn severity(&self) -> Option<&str> {
        self.label("severity")
    }

    pub fn summary(&self) -> Option<&str> {
        self.annotations.get("summary").map(String::as_str)
    }

    pub fn description(&self) -> Option<&str> {
        self.annotations.get("description").map(String::as_str)
    }

    pub(super) fn from_raw(raw: RawAlert) -> Self {
        let value_raw = raw.value.as_ref().map(value_text);
        Self {
            name: raw.labels.get("alertname").cloned().unwrap_or_default(),
            state: AlertState::parse(&raw.state),
            active_at: raw.active_at.as_deref().and_then(parse_active_at),
            value: value_raw.as_deref().and_then(parse_sample_value),
            value_raw,
            labels: raw.labels,
            annotations: raw.annotations,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawAlerts {
    pub(super) alerts: Vec<RawAlert>,
}

#[derive(Deserialize)]
pub(super) struct RawAlert {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    state: String,
    #[serde(default, rename = "activeAt")]
    active_at: Option<String>,
    /// A string in Prometheus' API; a number is accepted too.
    #[serde(default)]
    value: Option<Value>,
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn parse_active_at(text: &str) -> Option<DateTime<Utc>> {
    let time = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    // Go marshals an unset time as 0001-01-01T00:00:00Z.
    (time.year() > 1).then_some(time)
}
