//! Plans for Kubernetes actions (scale, rollout restart, delete pod).

use crate::core::action::{Action, ActionPlan, Risk, Target};
use crate::features::pods::model::Workloads;

/// Where plans are made: the scope actions apply in.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub context: &'a str,
    pub namespace: &'a str,
    pub workloads: &'a Workloads,
}

pub(super) fn kubectl(scope: &Scope<'_>, rest: &str) -> String {
    format!(
        "kubectl --context {} -n {} {rest}",
        scope.context, scope.namespace
    )
}

pub(super) fn target(scope: &Scope<'_>, kind: &str, name: &str) -> Target {
    Target::one(kind, name, scope.namespace, scope.context)
}

/// A scale up by more than this factor, and by at least `BIG_STEP` pods,
/// is more likely a typo (`30` for `3`) than a plan.
const BIG_FACTOR: u32 = 3;
const BIG_STEP: u32 = 10;

/// Scaling to 0 stops the service; a scale up far past what runs now can
/// exhaust the cluster and flood its API server with pods. Both are typed.
fn scale_risk(from: u32, to: u32) -> (Risk, Option<String>) {
    if to == 0 {
        return (
            Risk::High,
            Some("scaling to 0 stops the service".to_string()),
        );
    }
    if to > from.saturating_mul(BIG_FACTOR) && to - from >= BIG_STEP {
        let now = match from {
            0 => "where none run".to_string(),
            _ => format!("is over {BIG_FACTOR}x the {from} running"),
        };
        return (
            Risk::High,
            Some(format!(
                "{to} replicas {now}: check the number, it can exhaust the cluster"
            )),
        );
    }
    (Risk::Low, None)
}

/// Plans `kubectl scale`; scaling to 0 or far up is high risk; undo scales
/// back.
pub fn scale(scope: &Scope<'_>, deployment: &str, to: u32) -> Result<ActionPlan, String> {
    let d = scope
        .workloads
        .deployment(scope.namespace, deployment)
        .ok_or_else(|| format!("no deployment {deployment:?} in {}", scope.namespace))?;
    let from = d.replicas;
    if from == to {
        return Err(format!("deploy/{deployment} already has {to} replicas"));
    }
    let (risk, risk_reason) = scale_risk(from, to);
    let mut plan = ActionPlan {
        action: Action::Scale {
            deployment: deployment.into(),
            from,
            to,
        },
        target: target(scope, "deployment", deployment),
        effect: format!("scale deploy/{deployment} from {from} to {to} replicas"),
        risk,
        risk_reason,
        undo_text: format!("undo scales back to {from} replicas"),
        undo: None,
        cli: kubectl(scope, &format!("scale deploy/{deployment} --replicas={to}")),
        demanded: None,
    };
    let mut inverse = plan.clone();
    inverse.action = Action::Scale {
        deployment: deployment.into(),
        from: to,
        to: from,
    };
    inverse.effect = format!("scale deploy/{deployment} from {to} back to {from} replicas");
    inverse.undo_text = format!("undo scales to {to} replicas again");
    inverse.cli = kubectl(
        scope,
        &format!("scale deploy/{deployment} --replicas={from}"),
    );
    // Back to a count that ran is no typo; back to 0 still stops the service.
    (inverse.risk, inverse.risk_reason) = if from == 0 {
        scale_risk(to, 0)
    } else {
        (Risk::Low, None)
    };
    plan.undo = Some(Box::new(inverse));
    Ok(plan)
}

/// Plans `kubectl rollout restart` (the restartedAt annotation patch).
pub fn rollout_restart(scope: &Scope<'_>, deployment: &str) -> Result<ActionPlan, String> {
    let d = scope
        .workloads
        .deployment(scope.namespace, deployment)
        .ok_or_else(|| format!("no deployment {deployment:?} in {}", scope.namespace))?;
    Ok(ActionPlan {
        action: Action::RolloutRestart {
            deployment: deployment.into(),
        },
        target: target(scope, "deployment", deployment),
        effect: format!(
            "restart every pod of deploy/{deployment} ({} replicas), one by one",
            d.replicas
        ),
        risk: Risk::Low,
        risk_reason: None,
        undo_text: "cannot be undone: the old pods are replaced".into(),
        undo: None,
        cli: kubectl(scope, &format!("rollout restart deploy/{deployment}")),
        demanded: None,
    })
}

/// Plans `kubectl delete pod`; its controller (if any) makes a new one.
pub fn delete_pod(scope: &Scope<'_>, pod: &str) -> Result<ActionPlan, String> {
    let p = scope
        .workloads
        .pod(scope.namespace, pod)
        .ok_or_else(|| format!("no pod {pod:?} in {}", scope.namespace))?;
    let (risk, reason, undo_text) = match &p.deployment {
        Some(d) => (
            Risk::Low,
            None,
            format!("cannot be undone; deploy/{d} creates a replacement pod"),
        ),
        None => (
            Risk::High,
            Some("no controller owns this pod: it will not come back".to_string()),
            "cannot be undone: nothing recreates this pod".to_string(),
        ),
    };
    Ok(ActionPlan {
        action: Action::DeletePod { pod: pod.into() },
        target: target(scope, "pod", pod),
        effect: format!("delete pod {pod} ({})", p.status),
        risk,
        risk_reason: reason,
        undo_text,
        undo: None,
        cli: kubectl(scope, &format!("delete pod {pod}")),
        demanded: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::pods::model::{Deployment, Pod};

    fn workloads() -> Workloads {
        Workloads::with(
            vec![Deployment {
                name: "order-consumer".into(),
                namespace: "production".into(),
                replicas: 3,
                ready: 3,
                ..Default::default()
            }],
            vec![
                Pod {
                    name: "order-consumer-1".into(),
                    namespace: "production".into(),
                    deployment: Some("order-consumer".into()),
                    status: "Running".into(),
                    restarts: 0,
                    ..Default::default()
                },
                Pod {
                    name: "debug-shell".into(),
                    namespace: "production".into(),
                    deployment: None,
                    status: "Running".into(),
                    restarts: 0,
                    ..Default::default()
                },
            ],
        )
    }

    fn scope(w: &Workloads) -> Scope<'_> {
        Scope {
            context: "prod-eu",
            namespace: "production",
            workloads: w,
        }
    }

    #[test]
    fn scale_plans_the_exact_kubectl_command_and_its_inverse() {
        let w = workloads();
        let plan = scale(&scope(&w), "order-consumer", 6).unwrap();
        assert_eq!(
            plan.cli,
            "kubectl --context prod-eu -n production scale deploy/order-consumer --replicas=6"
        );
        assert_eq!(
            plan.effect,
            "scale deploy/order-consumer from 3 to 6 replicas"
        );
        assert_eq!(plan.risk, Risk::Low);
        let undo = plan.undo.unwrap();
        assert_eq!(
            undo.action,
            Action::Scale {
                deployment: "order-consumer".into(),
                from: 6,
                to: 3
            }
        );
        assert!(undo.cli.ends_with("--replicas=3"));
    }

    #[test]
    fn a_scale_far_past_what_runs_is_high_risk_and_its_undo_is_not() {
        let w = workloads();
        let far = scale(&scope(&w), "order-consumer", 30).unwrap();
        assert_eq!(far.risk, Risk::High);
        assert!(
            far.risk_reason.as_deref().unwrap().contains("30 replicas"),
            "{:?}",
            far.risk_reason
        );
        assert_eq!(far.undo.unwrap().risk, Risk::Low);
        // Within 3x, or fewer than 10 more pods: an ordinary scale up.
        assert_eq!(
            scale(&scope(&w), "order-consumer", 9).unwrap().risk,
            Risk::Low
        );
        assert_eq!(
            scale(&scope(&w), "order-consumer", 12).unwrap().risk,
            Risk::Low
        );
        assert_eq!(
            scale(&scope(&w), "order-consumer", 13).unwrap().risk,
            Risk::High
        );
    }

    #[test]
    fn scale_to_zero_is_high_risk() {
        let w = workloads();
        assert_eq!(
            scale(&scope(&w), "order-consumer", 0).unwrap().risk,
            Risk::High
        );
        assert!(
            scale(&scope(&w), "order-consumer", 3).is_err(),
            "no-op scale"
        );
        assert!(
            scale(&scope(&w), "nope", 3)
                .unwrap_err()
                .contains("no deployment \"nope\"")
        );
    }

    #[test]
    fn restart_and_delete_cannot_be_undone_and_say_so() {
        let w = workloads();
        let r = rollout_restart(&scope(&w), "order-consumer").unwrap();
        assert_eq!(
            r.cli,
            "kubectl --context prod-eu -n production rollout restart deploy/order-consumer"
        );
        assert!(r.undo.is_none() && r.undo_text.starts_with("cannot be undone"));
        let d = delete_pod(&scope(&w), "order-consumer-1").unwrap();
        assert_eq!(d.risk, Risk::Low);
        assert_eq!(
            delete_pod(&scope(&w), "debug-shell").unwrap().risk,
            Risk::High,
            "an unowned pod is gone for good"
        );
    }
}
