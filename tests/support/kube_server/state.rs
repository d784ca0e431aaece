//! The server's store: objects by resource, namespace and name, one
//! cluster-wide resourceVersion counter, and the change history that watches
//! replay and follow.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::authz::ForbidRule;
use super::logs::{LogBuffer, LogKey};
use super::metrics::MetricsApi;
use super::recorded::RecordedRequest;
use super::resource::Res;
use super::status::{self, Failure};
use super::time;

/// The first resourceVersion handed out; lower ones are "too old".
const FIRST_RESOURCE_VERSION: u64 = 1000;
/// Changes kept for watches to resume from; older ones are compacted away.
const HISTORY_LIMIT: usize = 4096;

/// One write to a stored object, as watches see it.
#[derive(Debug)]
pub struct Change {
    pub res: Res,
    pub rv: u64,
    /// The object as it is now, or as it was when deleted (with the deletion's
    /// resourceVersion).
    pub object: Value,
    /// The object before the write; `None` for a creation. Watches with
    /// selectors need it to turn a MODIFIED into an ADDED or DELETED.
    pub before: Option<Value>,
    pub deleted: bool,
}

/// What open watches are told.
#[derive(Debug, Clone)]
pub enum Signal {
    Change(Arc<Change>),
    /// Every open watch answers a 410 `ERROR` and closes; `oldest` is the
    /// first resourceVersion still served.
    Expire {
        oldest: u64,
    },
    /// Every open watch that allows bookmarks sends one at `rv`.
    Bookmark {
        rv: u64,
    },
}

/// Everything the server knows; guarded by one mutex that is never held
/// across an `.await`.
pub struct Store {
    rv: u64,
    oldest_rv: u64,
    objects: BTreeMap<(Res, String, String), Value>,
    history: VecDeque<Arc<Change>>,
    signals: broadcast::Sender<Signal>,
    uid_counter: u64,
    pub logs: HashMap<LogKey, LogBuffer>,
    pub metrics: BTreeMap<(String, String), Value>,
    pub metrics_api: MetricsApi,
    pub forbidden: Vec<ForbidRule>,
    pub proxy_targets: HashMap<(String, String, String), String>,
    pub requests: Vec<RecordedRequest>,
    /// The user the bearer token authenticates as (used in 403 messages).
    pub user: String,
    /// What `/version` answers as `gitVersion` (default [`GIT_VERSION`]).
    ///
    /// [`GIT_VERSION`]: super::discovery::GIT_VERSION
    pub git_version: String,
    /// When true, deployment status follows its spec at once, as if the
    /// controller had finished the rollout.
    pub auto_rollout: bool,
    /// How long a real (not dry-run) PATCH or DELETE waits before it is
    /// answered: an API server under load, for actions still running.
    pub write_delay: Option<std::time::Duration>,
    /// How long a GET that is not a watch waits before it is answered: a
    /// relist that takes a while, as on a big cluster.
    pub read_delay: Option<std::time::Duration>,
}

/// The store shared by the HTTP handlers and the test-facing API.
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Store>>);

impl Shared {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(Store::new())))
    }

    /// Locks the store. A test that panicked inside an `update_pod` closure
    /// leaves the data consistent enough to keep serving, so poisoning is
    /// ignored.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store {
    fn new() -> Self {
        let (signals, _) = broadcast::channel(1024);
        Self {
            rv: FIRST_RESOURCE_VERSION,
            oldest_rv: FIRST_RESOURCE_VERSION,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            signals,
            uid_counter: 0,
            logs: HashMap::new(),
            metrics: BTreeMap::new(),
            metrics_api: MetricsApi::Available,
            forbidden: Vec::new(),
            proxy_targets: HashMap::new(),
            requests: Vec::new(),
            user: "test-user".to_string(),
            git_version: super::discovery::GIT_VERSION.to_string(),
            auto_rollout: true,
            write_delay: None,
            read_delay: None,
        }
    }

    /// The current resourceVersion, as lists report it.
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// Watches and continue tokens from before this version get 410.
    pub fn oldest_resource_version(&self) -> u64 {
        self.oldest_rv
    }

    pub fn get(&self, res: Res, ns: &str, name: &str) -> Option<&Value> {
        self.objects.get(&(res, ns.to_string(), name.to_string()))
    }

    /// Objects of `res`, in one namespace or all, ordered by namespace and name.
    pub fn list(&self, res: Res, ns: Option<&str>) -> Vec<&Value> {
        self.objects
            .iter()
            .filter(|((r, n, _), _)| *r == res && ns.is_none_or(|ns| ns == n))
            .map(|(_, object)| object)
            .collect()
    }

    /// Stores a new object: fills the metadata the server owns (uid,
    /// creationTimestamp, resourceVersion, kind) and emits ADDED.
    pub fn create(&mut self, res: Res, mut object: Value) -> Result<Value, Failure> {
        let (_, name) = names(&object);
        if name.is_empty() {
            return Err(status::invalid(
                res.kind(),
                res.group(),
                "",
                "metadata.name",
                "Required value: name or generateName is required",
            ));
        }
        self.fill_server_fields(res, &mut object);
        let (ns, _) = names(&object);
        if self.get(res, &ns, &name).is_some() {
            return Err(status::already_exists(res, &name));
        }
        Ok(self.commit(res, object, None))
    }

    /// Fills what the API server sets on create, without storing (also used
    /// for dry runs).
    pub fn fill_server_fields(&mut self, res: Res, object: &mut Value) {
        object["apiVersion"] = json!(res.api_version());
        object["kind"] = json!(res.kind());
        let meta = &mut object["metadata"];
        if meta.get("namespace").is_none() {
            meta["namespace"] = json!("default");
        }
        if meta.get("uid").is_none() {
            self.uid_counter += 1;
            meta["uid"] = json!(format!("00000000-0000-4000-8000-{:012x}", self.uid_counter));
        }
        if meta.get("creationTimestamp").is_none() {
            meta["creationTimestamp"] = json!(time::now());
        }
    }

    /// Replaces a stored object with `object` (same namespace and name),
    /// bumps its resourceVersion and emits MODIFIED. Returns the stored copy.
    pub fn replace(&mut self, res: Res, object: Value) -> Option<Value> {
        let (ns, name) = names(&object);
        let before = self.get(res, &ns, &name)?.clone();
        Some(self.commit(res, object, Some(before)))
    }

    /// Removes an object and emits DELETED; returns its final state.
    pub fn delete(&mut self, res: Res, ns: &str, name: &str) -> Option<Value> {
        let mut object = self
            .objects
            .remove(&(res, ns.to_string(), name.to_string()))?;
        self.rv += 1;
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.record(Change {
            res,
            rv: self.rv,
            object: object.clone(),
            before: None,
            deleted: true,
        });
        Some(object)
    }

    fn commit(&mut self, res: Res, mut object: Value, before: Option<Value>) -> Value {
        self.rv += 1;
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let (ns, name) = names(&object);
        self.objects.insert((res, ns, name), object.clone());
        self.record(Change {
            res,
            rv: self.rv,
            object: object.clone(),
            before,
            deleted: false,
        });
        object
    }

    fn record(&mut self, change: Change) {
        let change = Arc::new(change);
        self.history.push_back(Arc::clone(&change));
        while self.history.len() > HISTORY_LIMIT {
            if let Some(dropped) = self.history.pop_front() {
                self.oldest_rv = dropped.rv;
            }
        }
        // No receivers is normal: nobody is watching.
        let _ = self.signals.send(Signal::Change(change));
    }

    /// Changes after `rv` still in the history, and a receiver for the ones
    /// to come; taken under one lock so none is missed or seen twice.
    pub fn follow_from(&self, rv: u64) -> (Vec<Arc<Change>>, broadcast::Receiver<Signal>) {
        let backlog = self
            .history
            .iter()
            .filter(|change| change.rv > rv)
            .cloned()
            .collect();
        (backlog, self.signals.subscribe())
    }

    /// Compacts all history: open watches get 410 now, and watches or
    /// continue tokens from any earlier version get 410 later.
    pub fn expire(&mut self) {
        self.rv += 1;
        self.oldest_rv = self.rv;
        self.history.clear();
        let _ = self.signals.send(Signal::Expire {
            oldest: self.oldest_rv,
        });
    }

    /// Asks open watches to send a BOOKMARK.
    pub fn bookmark(&self) {
        let _ = self.signals.send(Signal::Bookmark { rv: self.rv });
    }
}

/// `(namespace, name)` of an object; empty strings when absent.
pub fn names(object: &Value) -> (String, String) {
    let meta = &object["metadata"];
    let text = |key: &str| meta[key].as_str().unwrap_or_default().to_string();
    (text("namespace"), text("name"))
}
