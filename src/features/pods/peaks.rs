//! Pods that restarted or were terminated this session, for the
//! post-mortem. They are kept after the pod is gone (whether it is, the
//! watched pods tell): a rollback or a restart deletes the very pods that
//! crashed.

use super::model::{Pod, Termination};
use std::collections::BTreeMap;

/// Pods kept at most; past it, new ones are left out and the post-mortem
/// says so. A crash loop across a whole fleet is told by the first few
/// hundred.
pub const MAX_TROUBLED: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct PodPeaks {
    /// By (namespace, name).
    pub troubled: BTreeMap<(String, String), Trouble>,
    /// A troubled pod was left out for `MAX_TROUBLED`.
    pub full: bool,
}

/// What one pod went through, as last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Trouble {
    pub restarts: u32,
    pub last_termination: Option<Termination>,
}

impl PodPeaks {
    /// Pods a list or a watch event brought.
    pub fn note<'a>(&mut self, pods: impl IntoIterator<Item = &'a Pod>) {
        for pod in pods {
            if pod.restarts == 0 && pod.last_termination.is_none() {
                continue;
            }
            let key = (pod.namespace.clone(), pod.name.clone());
            if !self.troubled.contains_key(&key) && self.troubled.len() >= MAX_TROUBLED {
                self.full = true;
                continue;
            }
            let trouble = self.troubled.entry(key).or_insert(Trouble {
                restarts: 0,
                last_termination: None,
            });
            trouble.restarts = trouble.restarts.max(pod.restarts);
            if pod.last_termination.is_some() {
                trouble.last_termination.clone_from(&pod.last_termination);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, restarts: u32, reason: Option<&str>) -> Pod {
        Pod {
            name: name.into(),
            namespace: "prod".into(),
            restarts,
            last_termination: reason.map(|r| Termination {
                reason: r.into(),
                exit_code: 137,
                finished_at: None,
            }),
            ..Pod::default()
        }
    }

    fn key(name: &str) -> (String, String) {
        ("prod".into(), name.into())
    }

    #[test]
    fn a_crashed_pod_is_kept_with_its_worst() {
        let mut peaks = PodPeaks::default();
        peaks.note(&[pod("web-a", 0, None), pod("pay-a", 5, Some("OOMKilled"))]);
        // A later event without the termination keeps the one seen.
        peaks.note(&[pod("pay-a", 5, None)]);
        assert_eq!(peaks.troubled.len(), 1, "a healthy pod is not kept");
        let pay = &peaks.troubled[&key("pay-a")];
        assert_eq!(pay.restarts, 5);
        assert_eq!(pay.last_termination.as_ref().unwrap().reason, "OOMKilled");
    }

    #[test]
    fn past_the_bound_new_pods_are_left_out_and_that_is_known() {
        let mut peaks = PodPeaks::default();
        let pods: Vec<Pod> = (0..MAX_TROUBLED + 3)
            .map(|i| pod(&format!("p{i}"), 1, None))
            .collect();
        peaks.note(&pods);
        assert_eq!(peaks.troubled.len(), MAX_TROUBLED);
        assert!(peaks.full);
        // A pod already kept still updates.
        peaks.note(&[pod("p0", 9, None)]);
        assert_eq!(peaks.troubled[&key("p0")].restarts, 9);
    }
}
