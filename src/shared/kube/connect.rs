//! Which cluster, as whom, in which namespace: a `kube::Client` from the
//! `[kubernetes]` settings and the command line, the way kubectl finds it
//! (an explicit kubeconfig, else `KUBECONFIG`, else `~/.kube/config`, else
//! the in-cluster service account).

use super::errors::chain;
use crate::shared::kube::settings::KubeSettings;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::path::PathBuf;
use std::time::Duration;

/// Bound on establishing a TCP/TLS connection to the API server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Name used for the in-cluster service account "context".
pub const IN_CLUSTER: &str = "in-cluster";

/// Command-line choices; each one, when given, beats the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeOverrides {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
}

/// A client for one context and the namespace opsdeck watches there.
#[derive(Clone)]
pub struct KubeConnection {
    pub client: Client,
    pub context: String,
    /// `None` means all namespaces.
    pub namespace: Option<String>,
    /// How this connection was chosen, to make another (`:ctx`).
    pub(crate) choice: Choice,
}

impl std::fmt::Debug for KubeConnection {
    // The client holds credentials: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeConnection")
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// The inputs of `connect`, kept to switch context later.
#[derive(Debug, Clone, Default)]
pub(crate) struct Choice {
    pub settings: KubeSettings,
    pub overrides: KubeOverrides,
}

impl Choice {
    /// True when the user named a scope (namespace or all), which then
    /// survives a context switch; otherwise each context's own namespace is used.
    pub fn namespace_is_explicit(&self) -> bool {
        self.overrides.namespace.is_some()
            || self.overrides.all_namespaces
            || self.settings.namespace.is_some()
            || self.settings.all_namespaces
    }
}

/// Builds a client as the settings and overrides say. The error says what
/// to fix (file, context, server address).
pub async fn connect(
    settings: &KubeSettings,
    overrides: &KubeOverrides,
) -> Result<KubeConnection, String> {
    let choice = Choice {
        settings: settings.clone(),
        overrides: overrides.clone(),
    };
    let (mut config, context) = match read_kubeconfig(settings, overrides)? {
        Some((kubeconfig, origin)) => {
            let context = overrides
                .context
                .clone()
                .or_else(|| settings.context.clone())
                .or_else(|| kubeconfig.current_context.clone())
                .ok_or_else(|| format!("{origin} has no current-context; pass --context"))?;
            if !kubeconfig.contexts.iter().any(|c| c.name == context) {
                let known: Vec<&str> = kubeconfig
                    .contexts
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect();
                return Err(format!(
                    "context {context:?} is not in {origin} (contexts: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
            let options = KubeConfigOptions {
                context: Some(context.clone()),
                ..KubeConfigOptions::default()
            };
            let config = Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| format!("context {context:?} in {origin}: {}", chain(&e)))?;
            (config, context)
        }
        None => {
            let config = Config::incluster().map_err(|e| {
                format!(
                    "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not in a cluster: {}",
                    chain(&e)
                )
            })?;
            (config, IN_CLUSTER.to_string())
        }
    };
    // kube retries 429/503/504 up to 15 times by default, with backoff
    // growing to minutes: a down API server must show as an error now, and
    // opsdeck's watchers have their own backoff.
    config.default_retry = false;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    let namespace = if overrides.namespace.is_some() {
        overrides.namespace.clone()
    } else if overrides.all_namespaces || settings.all_namespaces {
        None
    } else {
        Some(
            settings
                .namespace
                .clone()
                .unwrap_or_else(|| config.default_namespace.clone()),
        )
    };
    let client = Client::try_from(config).map_err(|e| {
        format!(
            "cannot build a client for context {context:?}: {}",
            chain(&e)
        )
    })?;
    Ok(KubeConnection {
        client,
        context,
        namespace,
        choice,
    })
}

/// Another connection like `conn` to `context`, from the same kubeconfig.
/// `keep` is the scope to keep (`Some(None)` for all namespaces); `None`
/// takes the new context's own namespace.
pub async fn reconnect(
    conn: &KubeConnection,
    context: &str,
    keep: Option<Option<String>>,
) -> Result<KubeConnection, String> {
    let mut settings = conn.choice.settings.clone();
    let mut overrides = conn.choice.overrides.clone();
    overrides.context = Some(context.to_string());
    match keep {
        Some(scope) => {
            overrides.all_namespaces = scope.is_none();
            overrides.namespace = scope;
        }
        None => {
            overrides.namespace = None;
            overrides.all_namespaces = false;
            settings.namespace = None;
            settings.all_namespaces = false;
        }
    }
    let mut next = connect(&settings, &overrides).await?;
    // Keep what the user chose originally, for the next switch.
    next.choice = conn.choice.clone();
    Ok(next)
}

/// The context names of the kubeconfig opsdeck would use (for `:ctx`
/// completion); empty when there is none or it does not parse.
pub fn list_contexts(settings: &KubeSettings, overrides: &KubeOverrides) -> Vec<String> {
    match read_kubeconfig(settings, overrides) {
        Ok(Some((kubeconfig, _))) => kubeconfig.contexts.into_iter().map(|c| c.name).collect(),
        _ => Vec::new(),
    }
}

/// The kubeconfig and where it came from, or `None` when there is none to
/// read and opsdeck may be running inside a cluster.
fn read_kubeconfig(
    settings: &KubeSettings,
    overrides: &KubeOverrides,
) -> Result<Option<(Kubeconfig, String)>, String> {
    if let Some(path) = overrides
        .kubeconfig
        .as_ref()
        .or(settings.kubeconfig.as_ref())
    {
        let origin = path.display().to_string();
        return Kubeconfig::read_from(path)
            .map(|k| Some((k, origin.clone())))
            .map_err(|e| format!("kubeconfig {origin}: {}", chain(&e)));
    }
    match Kubeconfig::from_env() {
        Ok(Some(k)) => return Ok(Some((k, "$KUBECONFIG".into()))),
        Ok(None) => {}
        Err(e) => return Err(format!("kubeconfig from $KUBECONFIG: {}", chain(&e))),
    }
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let path = PathBuf::from(home).join(".kube").join("config");
    if !path.exists() {
        return Ok(None);
    }
    let origin = path.display().to_string();
    Kubeconfig::read_from(&path)
        .map(|k| Some((k, origin.clone())))
        .map_err(|e| format!("kubeconfig {origin}: {}", chain(&e)))
}
