//! A Kubernetes API test server for integration tests: plain HTTP on
//! 127.0.0.1, speaking the real API's paths, query parameters, reply shapes,
//! watch streams and `Status` errors for pods, deployments (with scale),
//! ReplicaSets, events, pod logs, pod proxy, SelfSubjectAccessReview and metrics.k8s.io.
//!
//! Tests build a real client from [`KubeTestServer::write_kubeconfig`], then
//! play the cluster's part through the methods below (pods changing, logs
//! arriving, permissions denied, history compacted) and assert on the
//! server's state and on [`KubeTestServer::requests`].
//!
//! ```text
//! let server = KubeTestServer::start().await;
//! let kubeconfig = server.write_kubeconfig(dir.path(), "production");
//! server.add_pod(serde_json::from_str(include_str!("fixtures/kube/pod-oomkilled-crashloop.json"))?);
//! server.forbid("patch", "deployments/scale", "production");
//! // ... run opsdeck's kube source against `kubeconfig` ...
//! server.update_pod("production", "payment-service-7d9f8c6b5-x2k4p", |p| {
//!     p["status"]["phase"] = "Failed".into();
//! });
//! assert!(server.requests().iter().all(|r| !r.is_mutating() || r.is_dry_run()));
//! ```
//!
//! Known differences from a real API server: objects are deleted at once
//! (pods after one graceful MODIFIED), there is one snapshot (exact reads of
//! older versions answer 410), JSON patch knows add, remove, replace and test, and open
//! watches get no periodic bookmarks (see [`KubeTestServer::send_bookmarks`]).

mod authz;
mod deployment;
mod discovery;
mod kubeconfig;
mod logs;
mod metrics;
mod objects;
pub mod patch;
mod proxy;
mod recorded;
pub mod resource;
mod routes;
mod scale;
pub mod selector;
mod state;
pub mod status;
pub mod time;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::task::JoinHandle;

pub use authz::ForbidRule;
pub use discovery::GIT_VERSION;
pub use metrics::MetricsApi;
pub use recorded::RecordedRequest;
pub use routes::TOKEN;

use resource::Res;
use state::{Shared, names};

/// A running test API server; stops serving when dropped.
pub struct KubeTestServer {
    addr: SocketAddr,
    shared: Shared,
    task: JoinHandle<()>,
}

impl Drop for KubeTestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl KubeTestServer {
    /// Binds an ephemeral port on 127.0.0.1 and starts serving on the
    /// current tokio runtime.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding an ephemeral loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Shared::new();
        let app = axum::Router::new()
            .fallback(routes::handle)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the test API server stopped with an error");
        });
        Self { addr, shared, task }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:{port}`, the cluster's `server`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A kubeconfig with context `test` (server = [`Self::base_url`], bearer
    /// token [`TOKEN`]) whose default namespace is `namespace`.
    pub fn kubeconfig_yaml(&self, namespace: &str) -> String {
        kubeconfig::yaml(&self.base_url(), namespace)
    }

    /// Writes [`Self::kubeconfig_yaml`] to `dir/kubeconfig` and returns the path.
    pub fn write_kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, self.kubeconfig_yaml(namespace))
            .expect("writing the kubeconfig into the test's directory");
        path
    }

    // ----- what the cluster does on its own -----

    /// Creates a pod (e.g. a fixture); the server sets `resourceVersion` and
    /// fills uid/creationTimestamp if missing. Watches see ADDED. Returns the
    /// stored pod.
    pub fn add_pod(&self, pod: Value) -> Value {
        self.add(Res::Pods, pod)
    }

    /// Changes a pod as the kubelet would (status, restarts...); bumps its
    /// resourceVersion and emits MODIFIED unless nothing changed.
    pub fn update_pod(&self, ns: &str, name: &str, change: impl FnOnce(&mut Value)) -> Value {
        self.update(Res::Pods, ns, name, change)
    }

    /// Removes a pod at once (no graceful MODIFIED first), emits DELETED and
    /// ends its log follows. Returns its final state, if it existed.
    pub fn delete_pod(&self, ns: &str, name: &str) -> Option<Value> {
        let mut store = self.shared.lock();
        let gone = store.delete(Res::Pods, ns, name);
        logs::end_pod_streams(&mut store, ns, name);
        gone
    }

    /// Creates a deployment; generation 1 and, with auto-rollout (the
    /// default), a status matching its spec.
    pub fn add_deployment(&self, deployment: Value) -> Value {
        let mut deployment = deployment;
        deployment::on_create(&mut deployment, self.shared.lock().auto_rollout);
        self.add(Res::Deployments, deployment)
    }

    /// Changes a deployment as its controller would (status during a
    /// rollout...); a spec change bumps `metadata.generation`.
    pub fn update_deployment(
        &self,
        ns: &str,
        name: &str,
        change: impl FnOnce(&mut Value),
    ) -> Value {
        self.update(Res::Deployments, ns, name, change)
    }

    /// GETs that are not watches (lists, relists) are answered only after
    /// `delay`.
    pub fn set_read_delay(&self, delay: Option<std::time::Duration>) {
        self.shared.lock().read_delay = delay;
    }

    /// Real PATCH and DELETE calls are answered only after `delay`.
    pub fn set_write_delay(&self, delay: Option<std::time::Duration>) {
        self.shared.lock().write_delay = delay;
    }

    /// When on (the default), a deployment's status follows its spec at
    /// once; when off, scale and restart only bump the generation and the
    /// test drives the status with [`Self::update_deployment`].
    pub fn set_auto_rollout(&self, on: bool) {
        self.shared.lock().auto_rollout = on;
    }

    /// Creates a ReplicaSet (a deployment's revision, e.g. from
    /// `replicasets-payment-service.json`); watches see ADDED.
    pub fn add_replica_set(&self, replica_set: Value) -> Value {
        self.add(Res::ReplicaSets, replica_set)
    }

    /// Changes a ReplicaSet as the deployment controller would (its
    /// revision on a rollback, its replicas during a rollout).
    pub fn update_replica_set(
        &self,
        ns: &str,
        name: &str,
        change: impl FnOnce(&mut Value),
    ) -> Value {
        self.update(Res::ReplicaSets, ns, name, change)
    }

    /// Removes a ReplicaSet, as `revisionHistoryLimit` prunes one.
    pub fn delete_replica_set(&self, ns: &str, name: &str) -> Option<Value> {
        self.shared.lock().delete(Res::ReplicaSets, ns, name)
    }

    /// Records a core/v1 Event (e.g. from `events-warning.json` items).
    pub fn add_event(&self, event: Value) -> Value {
        self.add(Res::Events, event)
    }

    /// Sets a pod's metrics as `(container, cpu, memory)`, e.g.
    /// `[("payment-service", "498m", "505Mi")]`.
    pub fn set_pod_metrics(&self, ns: &str, pod: &str, containers: &[(&str, &str, &str)]) {
        self.shared.lock().set_pod_metrics(ns, pod, containers);
    }

    /// Installs, removes or breaks the metrics API.
    pub fn set_metrics_api(&self, mode: MetricsApi) {
        self.shared.lock().metrics_api = mode;
    }

    /// Compacts the watch history: open watches get a 410 Expired `ERROR`
    /// event and close, and any watch or list continuation from an earlier
    /// resourceVersion gets 410 too, so clients relist.
    pub fn expire_watches(&self) {
        self.shared.lock().expire();
    }

    /// Sends a BOOKMARK at the current resourceVersion on every open watch
    /// that asked for bookmarks.
    pub fn send_bookmarks(&self) {
        self.shared.lock().bookmark();
    }

    /// Denies `verb` on `resource` in `namespace` (see [`ForbidRule`] for the
    /// forms): such calls answer the real 403 Status, and access reviews for
    /// them answer `allowed: false` with the reason.
    pub fn forbid(&self, verb: &str, resource: &str, namespace: &str) {
        self.shared.lock().forbidden.push(ForbidRule {
            verb: verb.to_string(),
            resource: resource.to_string(),
            namespace: namespace.to_string(),
        });
    }

    /// Removes every forbid rule.
    pub fn allow_all(&self) {
        self.shared.lock().forbidden.clear();
    }

    /// The user name the token stands for, as 403 messages and review
    /// reasons print it (default `test-user`).
    pub fn set_user(&self, name: &str) {
        self.shared.lock().user = name.to_string();
    }

    /// What `/version` answers as `gitVersion`.
    pub fn set_git_version(&self, version: &str) {
        self.shared.lock().git_version = version.to_string();
    }

    /// Appends a log line (no trailing newline) to a container's log,
    /// stamped now; followers receive it at once.
    pub fn push_log(&self, ns: &str, pod: &str, container: &str, line: &str) {
        self.shared.lock().push_log(ns, pod, container, line);
    }

    /// A line stamped `secs_ago` seconds before now, as from a stream
    /// that has fallen behind.
    pub fn push_late_log(&self, ns: &str, pod: &str, container: &str, line: &str, secs_ago: u64) {
        let at = std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago);
        self.shared.lock().push_log_at(ns, pod, container, line, at);
    }

    /// How many `follow=true` streams of a container are open (a closed
    /// connection is noticed when the next line is written to it).
    pub fn log_followers(&self, ns: &str, pod: &str, container: &str) -> usize {
        self.shared.lock().log_followers(ns, pod, container)
    }

    /// The container stopped: `follow=true` streams of it end.
    pub fn end_log_stream(&self, ns: &str, pod: &str, container: &str) {
        self.shared.lock().end_log(ns, pod, container);
    }

    /// The container restarted: its lines so far become the `previous=true`
    /// log and its follows end.
    pub fn restart_container_log(&self, ns: &str, pod: &str, container: &str) {
        self.shared.lock().restart_log(ns, pod, container);
    }

    /// Routes `.../pods/{pod}:{port}/proxy/{path}` to `url/{path}`.
    pub fn set_pod_proxy_target(&self, ns: &str, pod: &str, port: u16, url: &str) {
        self.shared.lock().proxy_targets.insert(
            (ns.to_string(), pod.to_string(), port.to_string()),
            url.to_string(),
        );
    }

    // ----- inspection -----

    /// A stored pod, if it exists.
    pub fn pod(&self, ns: &str, name: &str) -> Option<Value> {
        self.shared.lock().get(Res::Pods, ns, name).cloned()
    }

    /// A stored deployment; panics when absent, which is a test bug.
    pub fn deployment(&self, ns: &str, name: &str) -> Value {
        self.shared
            .lock()
            .get(Res::Deployments, ns, name)
            .cloned()
            .unwrap_or_else(|| panic!("no deployment {ns}/{name} on the test API server"))
    }

    /// Every request received so far, in order (unauthenticated ones too).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests, e.g. after a test's setup phase.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The cluster's current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.lock().resource_version()
    }

    fn add(&self, res: Res, object: Value) -> Value {
        let (ns, name) = names(&object);
        self.shared
            .lock()
            .create(res, object)
            .unwrap_or_else(|e| panic!("adding {res:?} {ns}/{name}: {}", e.message))
    }

    fn update(&self, res: Res, ns: &str, name: &str, change: impl FnOnce(&mut Value)) -> Value {
        let mut store = self.shared.lock();
        let current = store
            .get(res, ns, name)
            .cloned()
            .unwrap_or_else(|| panic!("no {res:?} {ns}/{name} on the test API server"));
        let mut updated = current.clone();
        change(&mut updated);
        assert_eq!(
            names(&updated),
            names(&current),
            "an update cannot rename an object"
        );
        if res == Res::Deployments {
            deployment::reconcile(&current, &mut updated, store.auto_rollout);
        }
        if updated == current {
            return current;
        }
        store
            .replace(res, updated)
            .expect("the object was read under the same lock")
    }
}
