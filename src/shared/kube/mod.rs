//! The Kubernetes connection the features share: connecting from a
//! kubeconfig, RBAC questions (`SelfSubjectAccessReview`), readable errors,
//! the `[kubernetes]` settings, and the link that tells every part which
//! connection is current.

pub mod access;
pub mod connect;
pub mod errors;
mod owner;
pub mod settings;

pub use connect::{KubeConnection, KubeOverrides, connect, list_contexts};
pub use owner::owner_deployment;

/// The connection of the scope being watched, for the parts that reach the
/// cluster on their own (log streams, breakers through the pod proxy): they
/// follow `:ctx` and `:ns` by reading it. `None` until connected.
pub type ConnectionLink = tokio::sync::watch::Receiver<Option<KubeConnection>>;
