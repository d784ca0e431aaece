//! Query results: matrix and vector series, scalar and string values.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{PromReplyError, bad_data};

/// One labelled time series as a chart or table needs it.
///
/// `points` are `(unix seconds, value)` in the order Prometheus sent them.
/// `NaN`, `+Inf` and `-Inf` stay as f64 values (the UI draws NaN as a gap and
/// +Inf at the top of the scale). Steps without a sample are simply absent;
/// `points_with_gaps` marks them. A value that is not a number is not
/// invented: it is left out of `points` and counted in `unparseable`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(f64, f64)>,
    pub unparseable: usize,
    /// Native-histogram samples, which this parser does not decode.
    pub histogram_samples: usize,
}

impl Series {
    /// The value of a label, e.g. `service`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    /// The latest value: the only one for an instant vector.
    pub fn last_value(&self) -> Option<f64> {
        self.points.last().map(|&(_, value)| value)
    }

    /// `points` with a NaN point put in each hole longer than one step, so a
    /// line chart breaks there instead of bridging the missing samples. A
    /// step that is not a positive number leaves the points as they are.
    pub fn points_with_gaps(&self, step_seconds: f64) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(self.points.len());
        for (i, &point) in self.points.iter().enumerate() {
            if let Some(&(previous, _)) = i.checked_sub(1).and_then(|j| self.points.get(j)) {
                // Half a step of slack: Prometheus aligns steps, but a
                // float timestamp may not be exact.
                if step_seconds > 0.0 && point.0 - previous > step_seconds * 1.5 {
                    out.push((previous + step_seconds, f64::NAN));
                }
            }
            out.push(point);
        }
        out
    }

    fn push_value(&mut self, timestamp: f64, raw: &Value) {
        match raw.as_str().and_then(parse_sample_value) {
            Some(value) => self.points.push((timestamp, value)),
            None => self.unparseable += 1,
        }
    }
}

/// The `data` of a query reply, by `resultType`.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    Matrix(Vec<Series>),
    /// An instant vector: each series has at most one point.
    Vector(Vec<Series>),
    /// A scalar; `value` is None when it is not a number.
    Scalar {
        timestamp: f64,
        value: Option<f64>,
    },
    String {
        timestamp: f64,
        value: String,
    },
}

impl QueryResult {
    /// The `resultType` name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Matrix(_) => "matrix",
            Self::Vector(_) => "vector",
            Self::Scalar { .. } => "scalar",
            Self::String { .. } => "string",
        }
    }

    pub(super) fn unexpected(&self, expected: &'static str) -> PromReplyError {
        PromReplyError::UnexpectedResultType {
            expected,
            found: self.kind(),
        }
    }

    pub(super) fn from_raw(raw: RawData) -> Result<Self, PromReplyError> {
        match raw.result_type.as_str() {
            "matrix" => Ok(Self::Matrix(series_list::<RawRangeSeries>(raw.result)?)),
            "vector" => Ok(Self::Vector(series_list::<RawInstantSeries>(raw.result)?)),
            "scalar" => {
                let (timestamp, value) = decode::<(f64, Value)>(raw.result)?;
                let value = value.as_str().and_then(parse_sample_value);
                Ok(Self::Scalar { timestamp, value })
            }
            "string" => {
                let (timestamp, value) = decode::<(f64, String)>(raw.result)?;
                Ok(Self::String { timestamp, value })
            }
            other => Err(bad_data("query", &format!("unknown resultType {other:?}"))),
        }
    }
}

/// Parses a sample value as Prometheus formats it: a decimal or exponent
/// number, `NaN`, `+Inf` or `-Inf`.
pub(super) fn parse_sample_value(text: &str) -> Option<f64> {
    // Rust's f64 parser reads "NaN", "+Inf" and "-Inf" case-insensitively,
    // which is all Go's FormatFloat writes besides plain numbers.
    text.parse().ok()
}

#[derive(Deserialize)]
pub(super) struct RawData {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(default)]
    result: Value,
}

#[derive(Deserialize)]
struct RawRangeSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, Value)>,
    #[serde(default)]
    histograms: Vec<Value>,
}

#[derive(Deserialize)]
struct RawInstantSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    value: Option<(f64, Value)>,
    #[serde(default)]
    histogram: Option<Value>,
}

impl From<RawRangeSeries> for Series {
    fn from(raw: RawRangeSeries) -> Self {
        let mut series = Series {
            labels: raw.metric,
            histogram_samples: raw.histograms.len(),
            ..Series::default()
        };
        for (timestamp, value) in &raw.values {
            series.push_value(*timestamp, value);
        }
        series
    }
}

impl From<RawInstantSeries> for Series {
    fn from(raw: RawInstantSeries) -> Self {
        let mut series = Series {
            labels: raw.metric,
            histogram_samples: usize::from(raw.histogram.is_some()),
            ..Series::default()
        };
        if let Some((timestamp, value)) = &raw.value {
            series.push_value(*timestamp, value);
        }
        series
    }
}

fn series_list<R>(result: Value) -> Result<Vec<Series>, PromReplyError>
where
    R: serde::de::DeserializeOwned + Into<Series>,
{
    // A `null` result has nothing to draw, like an empty one.
    if result.is_null() {
        return Ok(Vec::new());
    }
    let raw: Vec<R> = decode(result)?;
    Ok(raw.into_iter().map(Into::into).collect())
}

fn decode<T: serde::de::DeserializeOwned>(result: Value) -> Result<T, PromReplyError> {
    serde_json::from_value(result).map_err(|e| bad_data("query", &e.to_string()))
}
