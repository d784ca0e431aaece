//! Reaching an actuator: directly over HTTP, or through the Kubernetes API
//! server's pod proxy (a bastion that reaches only the API server still
//! sees every pod). Both answer a status and a body; errors never carry
//! the token.

use crate::core::action::Endpoint;
use crate::shared::bounded_body::{Capped, read_capped};
// kube sends raw requests (the pod proxy) as `http::Request`s.

use std::time::Duration;

/// The Kubernetes connection, once `run_kube` has one (`None` before).
pub type KubeLink = crate::shared::kube::ConnectionLink;

/// Largest actuator reply read. `/circuitbreakers` lists a few hundred
/// bytes a breaker, so even thousands of breakers stay under 1 MiB; a
/// bigger reply is a misbehaving endpoint, and reading stops there.
pub const MAX_BODY: usize = 4 << 20;

/// An HTTP status and body, whatever the status.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// How to reach actuators: one HTTP client, the Kubernetes client once
/// connected, the bearer token for direct URLs.
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    kube: KubeLink,
    token: Option<String>,
    timeout: Duration,
}

impl std::fmt::Debug for Transport {
    // Holds a token: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").finish_non_exhaustive()
    }
}

impl Transport {
    pub fn new(
        kube: KubeLink,
        token: Option<String>,
        timeout: Duration,
    ) -> Result<Transport, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Transport {
            http,
            kube,
            token,
            timeout,
        })
    }

    /// The Kubernetes connection the pod proxy goes through now, if any.
    pub fn kube_connection(&self) -> Option<crate::shared::kube::KubeConnection> {
        self.kube.borrow().clone()
    }

    /// `GET <base><suffix>`.
    pub async fn get(&self, endpoint: &Endpoint, suffix: &str) -> Result<Answer, String> {
        self.call(endpoint, "GET", suffix, None).await
    }

    /// `POST <base><suffix>` with a JSON body.
    pub async fn post_json(
        &self,
        endpoint: &Endpoint,
        suffix: &str,
        body: String,
    ) -> Result<Answer, String> {
        self.call(endpoint, "POST", suffix, Some(body)).await
    }

    async fn call(
        &self,
        endpoint: &Endpoint,
        method: &str,
        suffix: &str,
        body: Option<String>,
    ) -> Result<Answer, String> {
        let target = format!("{}{suffix}", endpoint.base());
        let work = async {
            match endpoint {
                Endpoint::Url { .. } => self.direct(method, &target, body).await,
                Endpoint::PodProxy { .. } => self.proxied(method, &target, body).await,
            }
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| Err(format!("no answer in {}s", self.timeout.as_secs())))
            .map_err(|e| crate::core::redact::redact(&e))
    }

    async fn direct(
        &self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<Answer, String> {
        let mut request = match method {
            "POST" => self.http.post(url),
            _ => self.http.get(url),
        }
        .header("Accept", "application/json");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let reply = request.send().await.map_err(|e| reqwest_error(&e))?;
        let status = reply.status().as_u16();
        let body = read_capped(reqwest::Body::from(reply), MAX_BODY)
            .await
            .map_err(|e| reqwest_error(&e))?;
        answer(status, body)
    }

    async fn proxied(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<Answer, String> {
        let client = self
            .kube
            .borrow()
            .as_ref()
            .map(|c| c.client.clone())
            .ok_or("Kubernetes is not connected (yet): the pod proxy needs it")?;
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("Accept", "application/json");
        if body.is_some() {
            request = request.header("Content-Type", "application/json");
        }
        let request = request
            .body(body.unwrap_or_default().into_bytes())
            .map_err(|e| format!("bad request: {e}"))?;
        let reply = client
            .send(request.map(kube::client::Body::from))
            .await
            .map_err(|e| format!("pod proxy: {e}"))?;
        let status = reply.status().as_u16();
        let body = read_capped(reply.into_body(), MAX_BODY)
            .await
            .map_err(|e| format!("pod proxy: {e}"))?;
        answer(status, body)
    }
}

/// A reply cut at `MAX_BODY` is an error, not a body to parse.
fn answer(status: u16, body: Capped) -> Result<Answer, String> {
    if body.cut {
        return Err(format!("HTTP {status}: {}", body.cut_note()));
    }
    Ok(Answer {
        status,
        body: body.bytes,
    })
}

/// reqwest's message with its cause chain (the cause says "connection refused").
fn reqwest_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
