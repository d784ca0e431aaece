//! How a session is opened: plain TCP, or TLS through rustls when the
//! target requires it. TLS verifies the server's certificate and name
//! against the Mozilla roots plus the target's CA file; there is no
//! "encrypt but trust anything" mode, so `sslmode=prefer` stays plain.

use super::target::PgTarget;
use std::future::Future;
use std::sync::Arc;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

pub(super) enum ConnectError {
    Driver(tokio_postgres::Error),
    /// The TLS settings cannot be used (a CA file that is missing or holds
    /// no certificate).
    Setup(String),
}

/// Whether this session uses TLS: the target says so, or the DSN says
/// `sslmode=require`.
pub(super) fn wants_tls(target: &PgTarget, config: &Config) -> bool {
    target.require_tls || config.get_ssl_mode() == SslMode::Require
}

/// Connects and drives the connection on its own task, which ends when
/// the client is dropped or the connection fails.
pub(super) async fn connect(target: &PgTarget, config: &Config) -> Result<Client, ConnectError> {
    let mut config = config.clone();
    if wants_tls(target, &config) {
        let tls = connector(target).await.map_err(ConnectError::Setup)?;
        config.ssl_mode(SslMode::Require);
        let (client, connection) = config.connect(tls).await.map_err(ConnectError::Driver)?;
        drive(connection);
        Ok(client)
    } else {
        config.ssl_mode(SslMode::Disable);
        let (client, connection) = config.connect(NoTls).await.map_err(ConnectError::Driver)?;
        drive(connection);
        Ok(client)
    }
}

fn drive<F: Future + Send + 'static>(connection: F) {
    // Its error also surfaces on the client's next call, where it is
    // reported with the target's name.
    tokio::spawn(async move {
        let _ = connection.await;
    });
}

async fn connector(target: &PgTarget) -> Result<MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &target.ca_file {
        for cert in crate::shared::ca_file::read(path).await?.certs {
            roots
                .add(cert)
                .map_err(|e| format!("ca_file {}: {e}", path.display()))?;
        }
    }
    // The provider is named here rather than installed process-wide, so
    // this works whatever else in opsdeck does or does not install.
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
