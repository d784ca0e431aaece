//! The HTTP side: one `reqwest` client with the configured headers and
//! token, GETs with a timeout, replies handed to `prom_reply`.

use super::reply::{self as prom_reply, Alert, BuildInfo, PromReplyError, Reply, Series};
use super::{Columns, PromSettings};
use crate::shared::body_preview::one_line;
use crate::shared::bounded_body::read_capped;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

/// Longest error text a health report carries.
const ERROR_CHARS: usize = 300;

/// Largest reply read. The Heatmap's replies (a few metrics by service over
/// a few hundred columns) are well under 1 MiB, a bucket query a few MiB;
/// past 16 MiB it is a runaway query or not Prometheus, and parsing it would
/// cost several times that again.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// A Prometheus HTTP API client for one server.
#[derive(Debug, Clone)]
pub struct PromClient {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
}

/// How long one request may take: well under the poll interval, so a hung
/// server cannot make polls pile up, and never more than ten seconds.
pub fn request_timeout(interval: Duration) -> Duration {
    (interval * 2 / 3).clamp(Duration::from_millis(500), Duration::from_secs(10))
}

impl PromClient {
    /// A client for `settings.url`, reading the bearer token from the named
    /// environment variable now. Errors name what is wrong, never a secret.
    pub fn new(settings: &PromSettings) -> Result<PromClient, String> {
        let token = match &settings.bearer_token_env {
            Some(var) => Some(
                std::env::var(var)
                    .map_err(|_| format!("prometheus.bearer_token_env: {var} is not set"))?,
            ),
            None => None,
        };
        PromClient::with_token(settings, token.as_deref())
    }

    /// A client with the bearer token given here (read from wherever the
    /// caller keeps secrets); `settings.bearer_token_env` is not read.
    pub fn with_token(settings: &PromSettings, token: Option<&str>) -> Result<PromClient, String> {
        let base = settings
            .url
            .clone()
            .ok_or_else(|| "prometheus.url is not set".to_string())?;
        let mut headers = HeaderMap::new();
        for (name, value) in &settings.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("prometheus.headers: {name:?} is not a header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("prometheus.headers.{name}: not a valid header value"))?;
            headers.insert(name, value);
        }
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
                .map_err(|_| "the bearer token is not a valid header value".to_string())?;
            // Keeps it out of reqwest's and our Debug output.
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let timeout = request_timeout(Duration::from_secs(u64::from(settings.interval_secs)));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", error_text(&e)))?;
        Ok(PromClient {
            http,
            base,
            timeout,
        })
    }

    /// `query_range` over `columns`, which must answer a matrix.
    pub async fn query_range(
        &self,
        expr: &str,
        columns: &Columns,
    ) -> Result<Reply<Vec<Series>>, String> {
        let params = [
            ("query", expr.to_string()),
            ("start", columns.start.to_string()),
            ("end", columns.end().to_string()),
            ("step", columns.step.to_string()),
        ];
        let body = self.get("/api/v1/query_range", &params).await?;
        prom_reply::parse_matrix(&body).map_err(|e| reply_error(&e))
    }

    /// An instant query at `time` (unix seconds) or now, which must answer
    /// a vector.
    pub async fn query(&self, expr: &str, time: Option<f64>) -> Result<Reply<Vec<Series>>, String> {
        let mut params = vec![("query", expr.to_string())];
        if let Some(t) = time {
            params.push(("time", t.to_string()));
        }
        let body = self.get("/api/v1/query", &params).await?;
        prom_reply::parse_vector(&body).map_err(|e| reply_error(&e))
    }

    pub async fn alerts(&self) -> Result<Reply<Vec<Alert>>, String> {
        let body = self.get("/api/v1/alerts", &[]).await?;
        prom_reply::parse_alerts(&body).map_err(|e| reply_error(&e))
    }

    pub async fn build_info(&self) -> Result<Reply<BuildInfo>, String> {
        let body = self.get("/api/v1/status/buildinfo", &[]).await?;
        prom_reply::parse_build_info(&body).map_err(|e| reply_error(&e))
    }

    /// The body whatever the HTTP status: Prometheus explains its 4xx and
    /// 5xx in the JSON envelope, and the parser reports anything else.
    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Vec<u8>, String> {
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| format!("prometheus.url: {e}"))?;
        if !params.is_empty() {
            url.query_pairs_mut().extend_pairs(params);
        }
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let body = read_capped(reqwest::Body::from(response), MAX_REPLY_BYTES)
            .await
            .map_err(|e| self.transport_error(&e))?;
        if body.cut {
            return Err(format!("HTTP {status}: {}", body.cut_note()));
        }
        if body.bytes.is_empty() && !status.is_success() {
            return Err(format!("HTTP {status} with an empty body"));
        }
        Ok(body.bytes)
    }

    fn transport_error(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            format!(
                "no answer within {:.1}s (timed out)",
                self.timeout.as_secs_f64()
            )
        } else {
            // reqwest's own message quotes the whole URL, query included,
            // which would crowd out the cause; name the kind instead.
            let kind = if e.is_connect() {
                "cannot connect"
            } else if e.is_body() || e.is_decode() {
                "reading the reply failed"
            } else {
                "request failed"
            };
            match std::error::Error::source(e) {
                Some(cause) => format!("{kind}: {}", error_text(cause)),
                None => kind.to_string(),
            }
        }
    }
}

/// A reply error as one printable line.
fn reply_error(e: &PromReplyError) -> String {
    one_line(&e.to_string(), ERROR_CHARS)
}

/// The error and its causes on one line, e.g. "error sending request for
/// url (...): client error (Connect): tcp connect error: Connection refused".
/// The URL holds the query, never the token (that travels in a header).
fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    one_line(&parts.join(": "), ERROR_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_stay_below_the_interval() {
        assert_eq!(
            request_timeout(Duration::from_secs(15)),
            Duration::from_secs(10)
        );
        assert_eq!(
            request_timeout(Duration::from_secs(3)),
            Duration::from_secs(2)
        );
        assert_eq!(
            request_timeout(Duration::from_secs(0)),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn a_missing_token_variable_is_named_and_nothing_else() {
        let settings = PromSettings {
            url: Some("http://127.0.0.1:9".into()),
            bearer_token_env: Some("OPSDECK_TEST_SURELY_UNSET_TOKEN".into()),
            ..PromSettings::default()
        };
        let err = PromClient::new(&settings).unwrap_err();
        assert_eq!(
            err,
            "prometheus.bearer_token_env: OPSDECK_TEST_SURELY_UNSET_TOKEN is not set"
        );
        let none = PromClient::new(&PromSettings::default()).unwrap_err();
        assert_eq!(none, "prometheus.url is not set");
    }
}
