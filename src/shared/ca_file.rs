//! A target's own CA file (`ca_file`), read when connecting. Checked here:
//! the drivers would take a file without a certificate as an empty trust
//! store and fail later with a vaguer error.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;

/// The file as read, and the certificates in it (at least one).
pub struct CaFile {
    pub pem: Vec<u8>,
    pub certs: Vec<CertificateDer<'static>>,
}

/// Errors name the file: `ca_file <path>: <why>`.
pub fn read(path: &Path) -> Result<CaFile, String> {
    let problem = |e: &dyn std::fmt::Display| format!("ca_file {}: {e}", path.display());
    let pem = std::fs::read(path).map_err(|e| problem(&e))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| problem(&e))?;
    if certs.is_empty() {
        return Err(problem(&"no PEM certificate in it"));
    }
    Ok(CaFile { pem, certs })
}
