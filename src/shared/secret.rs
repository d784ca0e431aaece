//! A password named by the config, never written in it: an environment
//! variable or a file, read when it is needed.

use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Secret {
    #[default]
    None,
    /// The name of an environment variable.
    Env(String),
    /// A file holding the password (a trailing newline is dropped).
    File(PathBuf),
}

impl Secret {
    /// The password, or why it cannot be read (which never contains it).
    pub fn resolve(&self) -> Result<Option<String>, String> {
        match self {
            Secret::None => Ok(None),
            Secret::Env(var) => match std::env::var(var) {
                Ok(v) => Ok(Some(v)),
                Err(_) => Err(format!("password_env: {var} is not set")),
            },
            Secret::File(path) => std::fs::read_to_string(path)
                .map(|s| Some(s.trim_end_matches(['\r', '\n']).to_string()))
                .map_err(|e| format!("password_file {}: {e}", path.display())),
        }
    }
}
