//! Replies of the Prometheus HTTP API (`/api/v1/query`, `query_range`,
//! `alerts`, `status/buildinfo`) turned into typed data.
//!
//! Every reply is a JSON envelope: `{"status": "success", "data": ..}` or
//! `{"status": "error", "errorType": .., "error": ..}`, both with optional
//! `warnings`. The caller passes the body whatever the HTTP status was:
//! Prometheus sends the error envelope with 4xx/5xx codes too.

mod alerts;
mod series;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::shared::body_preview::{body_preview, one_line};

pub use alerts::{Alert, AlertState};
pub use series::{QueryResult, Series};

/// How much of a decoder's message an error keeps: serde may quote the body.
const REASON_CHARS: usize = 200;

/// A successful reply's data, with the warnings and infos Prometheus
/// attached (e.g. a truncated result), which the UI should show.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub data: T,
    pub warnings: Vec<String>,
    pub infos: Vec<String>,
}

impl<T> Reply<T> {
    /// The same reply with its data checked and converted; the warnings
    /// and infos stay with it.
    fn try_map<U>(
        self,
        f: impl FnOnce(T) -> Result<U, PromReplyError>,
    ) -> Result<Reply<U>, PromReplyError> {
        Ok(Reply {
            data: f(self.data)?,
            warnings: self.warnings,
            infos: self.infos,
        })
    }
}

/// Why a Prometheus reply could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum PromReplyError {
    /// Prometheus answered `"status": "error"`. `error_type` is its own
    /// class (`bad_data`, `timeout`, `execution`, ...), `message` its text.
    Api {
        error_type: String,
        message: String,
        warnings: Vec<String>,
    },
    /// The body is not a Prometheus JSON envelope: an HTML page from a
    /// proxy, a truncated body... `preview` is a short, printable prefix.
    NotEnvelope { reason: String, preview: String },
    /// The envelope is fine but its `data` has not the shape the endpoint
    /// documents.
    BadData {
        endpoint: &'static str,
        reason: String,
    },
    /// The query answered another result type than the caller can use,
    /// e.g. a scalar where a graph wants a matrix.
    UnexpectedResultType {
        expected: &'static str,
        found: &'static str,
    },
}

impl fmt::Display for PromReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                error_type,
                message,
                ..
            } => write!(f, "Prometheus error ({error_type}): {message}"),
            Self::NotEnvelope { reason, preview } if preview.is_empty() => {
                write!(f, "not a Prometheus reply ({reason}): empty body")
            }
            Self::NotEnvelope { reason, preview } => {
                write!(
                    f,
                    "not a Prometheus reply ({reason}); body starts: {preview}"
                )
            }
            Self::BadData { endpoint, reason } => {
                write!(f, "unexpected {endpoint} data from Prometheus: {reason}")
            }
            Self::UnexpectedResultType { expected, found } => {
                write!(f, "query returned a {found}, expected a {expected}")
            }
        }
    }
}

impl std::error::Error for PromReplyError {}

/// Version details from `/api/v1/status/buildinfo`, shown in the source
/// header so an operator knows which Prometheus answered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    pub version: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub build_user: String,
    #[serde(default)]
    pub build_date: String,
    #[serde(default)]
    pub go_version: String,
}

/// Parses a `/api/v1/query` or `/api/v1/query_range` reply of any result
/// type.
pub fn parse_query(body: &[u8]) -> Result<Reply<QueryResult>, PromReplyError> {
    let reply = open_envelope::<series::RawData>(body, "query")?;
    let data = QueryResult::from_raw(reply.data)?;
    Ok(Reply {
        data,
        warnings: reply.warnings,
        infos: reply.infos,
    })
}

/// Parses a `query_range` reply that must be a matrix (graphs).
pub fn parse_matrix(body: &[u8]) -> Result<Reply<Vec<Series>>, PromReplyError> {
    parse_query(body)?.try_map(|data| match data {
        QueryResult::Matrix(series) => Ok(series),
        other => Err(other.unexpected("matrix")),
    })
}

/// Parses an instant `query` reply that must be a vector (tables); each
/// series has at most one point.
pub fn parse_vector(body: &[u8]) -> Result<Reply<Vec<Series>>, PromReplyError> {
    parse_query(body)?.try_map(|data| match data {
        QueryResult::Vector(series) => Ok(series),
        other => Err(other.unexpected("vector")),
    })
}

/// Parses a `/api/v1/alerts` reply.
pub fn parse_alerts(body: &[u8]) -> Result<Reply<Vec<Alert>>, PromReplyError> {
    let reply = open_envelope::<alerts::RawAlerts>(body, "alerts")?;
    Ok(Reply {
        data: reply.data.alerts.into_iter().map(Alert::from_raw).collect(),
        warnings: reply.warnings,
        infos: reply.infos,
    })
}

/// Parses a `/api/v1/status/buildinfo` reply.
pub fn parse_build_info(body: &[u8]) -> Result<Reply<BuildInfo>, PromReplyError> {
    open_envelope(body, "buildinfo")
}

/// The envelope as sent; `data` stays raw until the status is known, so an
/// error reply never fails on a missing `data`.
#[derive(Deserialize)]
struct RawEnvelope {
    status: String,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

fn open_envelope<T: DeserializeOwned>(
    body: &[u8],
    endpoint: &'static str,
) -> Result<Reply<T>, PromReplyError> {
    let envelope: RawEnvelope =
        serde_json::from_slice(body).map_err(|e| PromReplyError::NotEnvelope {
            reason: one_line(&e.to_string(), REASON_CHARS),
            preview: body_preview(body),
        })?;
    match envelope.status.as_str() {
        "success" => decode_data(envelope, endpoint),
        "error" => Err(PromReplyError::Api {
            error_type: envelope.error_type.unwrap_or_default(),
            message: envelope.error.unwrap_or_default(),
            warnings: envelope.warnings,
        }),
        other => Err(PromReplyError::NotEnvelope {
            reason: format!("unknown status {:?}", one_line(other, 40)),
            preview: body_preview(body),
        }),
    }
}

fn decode_data<T: DeserializeOwned>(
    envelope: RawEnvelope,
    endpoint: &'static str,
) -> Result<Reply<T>, PromReplyError> {
    if envelope.data.is_null() {
        return Err(bad_data(endpoint, "no data in a success reply"));
    }
    let data =
        serde_json::from_value(envelope.data).map_err(|e| bad_data(endpoint, &e.to_string()))?;
    Ok(Reply {
        data,
        warnings: envelope.warnings,
        infos: envelope.infos,
    })
}

fn bad_data(endpoint: &'static str, reason: &str) -> PromReplyError {
    PromReplyError::BadData {
        endpoint,
        reason: one_line(reason, REASON_CHARS),
    }
}
