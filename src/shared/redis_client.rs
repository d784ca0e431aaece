//! Opening a Redis client from the config's words: a URL without its
//! password, the password resolved apart, and a CA file for `rediss://`.
//! The Queries tab's targets and the war room connect this one way.

use redis::{Client, IntoConnectionInfo, TlsCertificates};
use std::path::Path;

/// A client (no connection yet), or why not, with the password never in it.
pub async fn open(
    url: &str,
    password: Option<&str>,
    ca_file: Option<&Path>,
) -> Result<Client, String> {
    let invalid = |e: redis::RedisError| scrub(&format!("the URL is not valid: {e}"), password);
    let mut info = url.into_connection_info().map_err(invalid)?;
    if let Some(password) = password {
        let settings = info.redis_settings().clone().set_password(password);
        info = info.set_redis_settings(settings);
    }
    let Some(path) = ca_file else {
        return Client::open(info).map_err(invalid);
    };
    let ca = crate::shared::ca_file::read(path).await?;
    let certificates = TlsCertificates {
        client_tls: None,
        root_cert: Some(ca.pem),
    };
    Client::build_with_tls(info, certificates)
        .map_err(|e| scrub(&format!("ca_file {}: {e}", path.display()), password))
}

/// One line, with the password (when there is one) replaced by `***`.
pub fn scrub(text: &str, password: Option<&str>) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match password {
        Some(p) if !p.is_empty() => line.replace(p, "***"),
        _ => line,
    }
}
