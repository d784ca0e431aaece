//! A target's own CA file (`ca_file`), read when connecting (off the
//! runtime, with a deadline: `shared::file_read`). Checked here: the
//! drivers would take a file without a certificate as an empty trust
//! store and fail later with a vaguer error.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;

/// Largest CA file read: a whole public root bundle is about 250 KiB.
const MAX_CA_BYTES: u64 = 4 << 20;

/// The file as read, and the certificates in it (at least one).
pub struct CaFile {
    pub pem: Vec<u8>,
    pub certs: Vec<CertificateDer<'static>>,
}

/// Errors name the file: `ca_file <path>: <why>`.
pub async fn read(path: &Path) -> Result<CaFile, String> {
    let problem = |e: &dyn std::fmt::Display| format!("ca_file {}: {e}", path.display());
    let pem = crate::shared::file_read::read_small(
        path,
        MAX_CA_BYTES,
        crate::shared::file_read::READ_TIMEOUT,
    )
    .await
    .map_err(|e| problem(&e))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| problem(&e))?;
    if certs.is_empty() {
        return Err(problem(&"no PEM certificate in it"));
    }
    Ok(CaFile { pem, certs })
}
