//! What several features share that is not pure vocabulary: the
//! Kubernetes connection, CA files, previews of reply bodies, and the one
//! way opsdeck creates the files it writes. Imports only `core`.

pub mod body_preview;
pub mod bounded_body;
pub mod ca_file;
pub mod color;
pub mod feature;
pub mod fed;
pub mod file_read;
pub mod format;
pub mod kube;
pub mod private_file;
pub mod prometheus;
pub mod redis_client;
pub mod secret;
pub mod theme;
