//! Which deployment owns a pod, read from its metadata alone.

use k8s_openapi::api::core::v1::Pod as KubePod;

/// The deployment that owns a pod through its ReplicaSet: the ReplicaSet's
/// name minus the pod-template-hash suffix, or, without an owner reference,
/// the pod name up to `-<pod-template-hash>-`.
pub fn owner_deployment(p: &KubePod) -> Option<String> {
    let meta = &p.metadata;
    let hash = meta
        .labels
        .as_ref()
        .and_then(|l| l.get("pod-template-hash"))
        .filter(|h| !h.is_empty());
    let owners = meta.owner_references.as_deref().unwrap_or(&[]);
    let controller = owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| owners.first());
    match controller {
        Some(o) if o.kind == "ReplicaSet" => {
            if let Some(h) = hash
                && let Some(name) = o.name.strip_suffix(&format!("-{h}"))
            {
                return Some(name.to_string());
            }
            // ReplicaSets of a deployment are `<deployment>-<hash>`, the hash
            // in the API's safe alphabet (no vowels, no 0/1/3).
            let (name, suffix) = o.name.rsplit_once('-')?;
            let safe = |c: char| "bcdfghjklmnpqrstvwxz2456789".contains(c);
            (!name.is_empty() && !suffix.is_empty() && suffix.chars().all(safe))
                .then(|| name.to_string())
        }
        Some(_) => None,
        None => {
            let pod_name = meta.name.as_deref()?;
            let marker = format!("-{}-", hash?);
            let at = pod_name.rfind(&marker)?;
            (at > 0).then(|| pod_name[..at].to_string())
        }
    }
}
