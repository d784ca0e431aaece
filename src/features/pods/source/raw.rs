//! Objects read leniently: a list or watch of `Raw<Pod>` never fails
//! because one object in it is malformed. Each object is parsed into its
//! typed form later, one by one, and a bad one is skipped with a warning.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// An object of kind `K` as the server sent it, with the metadata the
/// watcher needs (name, namespace, resourceVersion) read on its own.
pub struct Raw<K> {
    metadata: ObjectMeta,
    value: Value,
    kind: PhantomData<fn() -> K>,
}

impl<K> Raw<K> {
    /// `(namespace, name)`, the key the model uses.
    pub fn key(&self) -> (String, String) {
        (
            self.metadata.namespace.clone().unwrap_or_default(),
            self.metadata.name.clone().unwrap_or_default(),
        )
    }

    /// The raw JSON, for objects that have no typed form here (metrics).
    pub fn value(&self) -> &Value {
        &self.value
    }
}

impl<K: Resource<DynamicType = ()> + serde::de::DeserializeOwned> Raw<K> {
    /// The typed object, or `None` (with a warning naming it) when it does
    /// not parse.
    pub fn parse(self) -> Option<K> {
        let (namespace, name) = self.key();
        match serde_json::from_value(self.value) {
            Ok(object) => Some(object),
            Err(e) => {
                tracing::warn!(
                    "skipping malformed {} {namespace}/{name}: {e}",
                    K::kind(&())
                );
                None
            }
        }
    }
}

impl<K> Clone for Raw<K> {
    fn clone(&self) -> Self {
        Raw {
            metadata: self.metadata.clone(),
            value: self.value.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> fmt::Debug for Raw<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Raw")
            .field("namespace", &self.metadata.namespace)
            .field("name", &self.metadata.name)
            .finish_non_exhaustive()
    }
}

impl<'de, K> Deserialize<'de> for Raw<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let metadata = value
            .get("metadata")
            .and_then(|m| ObjectMeta::deserialize(m).ok())
            .unwrap_or_else(|| lenient_meta(&value));
        Ok(Raw {
            metadata,
            value,
            kind: PhantomData,
        })
    }
}

/// What can be saved from metadata that does not parse as a whole.
fn lenient_meta(value: &Value) -> ObjectMeta {
    let text = |key: &str| {
        value
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    ObjectMeta {
        name: text("name"),
        namespace: text("namespace"),
        resource_version: text("resourceVersion"),
        uid: text("uid"),
        ..ObjectMeta::default()
    }
}

impl<K: Resource<DynamicType = ()>> Resource for Raw<K> {
    type DynamicType = ();
    type Scope = K::Scope;

    fn kind(dt: &()) -> Cow<'_, str> {
        K::kind(dt)
    }

    fn group(dt: &()) -> Cow<'_, str> {
        K::group(dt)
    }

    fn version(dt: &()) -> Cow<'_, str> {
        K::version(dt)
    }

    fn plural(dt: &()) -> Cow<'_, str> {
        K::plural(dt)
    }

    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    #[test]
    fn a_malformed_object_still_has_a_key_and_fails_only_its_own_parse() {
        let list: Vec<Raw<Pod>> = serde_json::from_value(json!([
            {"metadata": {"name": "good", "namespace": "prod", "resourceVersion": "5"},
             "spec": {"containers": [{"name": "c"}]}},
            {"metadata": {"name": "bad", "namespace": "prod", "resourceVersion": "6", "labels": "not-a-map"},
             "status": {"containerStatuses": "nope"}},
        ]))
        .unwrap();
        assert_eq!(list[1].key(), ("prod".to_string(), "bad".to_string()));
        assert_eq!(list[1].meta().resource_version.as_deref(), Some("6"));
        let parsed: Vec<Option<Pod>> = list.into_iter().map(Raw::parse).collect();
        assert!(parsed[0].is_some());
        assert!(parsed[1].is_none());
    }

    #[test]
    fn it_speaks_for_its_kind() {
        assert_eq!(Raw::<Pod>::plural(&()), "pods");
        assert_eq!(
            Raw::<Pod>::url_path(&(), Some("prod")),
            "/api/v1/namespaces/prod/pods"
        );
    }
}
