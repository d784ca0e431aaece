//! Plans for a deployment's rollout: roll back to a revision (what
//! `kubectl rollout undo --to-revision` does), pause and resume.

use super::plan::{Scope, kubectl, target};
use crate::core::action::{Action, ActionPlan, ImageChange, Risk};
use crate::features::pods::model::Deployment;
use crate::features::pods::rollout::history::{self, short_image};

fn deployment<'a>(scope: &Scope<'a>, name: &str) -> Result<&'a Deployment, String> {
    scope
        .workloads
        .deployment(scope.namespace, name)
        .ok_or_else(|| format!("no deployment {name:?} in {}", scope.namespace))
}

/// Per container, in the order of the template now, then containers only
/// the target revision has.
fn image_changes(now: &[(String, String)], to: &[(String, String)]) -> Vec<ImageChange> {
    let find = |list: &[(String, String)], name: &str| {
        list.iter().find(|(c, _)| c == name).map(|(_, i)| i.clone())
    };
    let mut out: Vec<ImageChange> = now
        .iter()
        .map(|(c, image)| ImageChange {
            container: c.clone(),
            from: Some(image.clone()),
            to: find(to, c),
        })
        .collect();
    out.extend(
        to.iter()
            .filter(|(c, _)| find(now, c).is_none())
            .map(|(c, image)| ImageChange {
                container: c.clone(),
                from: None,
                to: Some(image.clone()),
            }),
    );
    out
}

/// `payment-service: payment-service:2.14.0 → payment-service:2.13.4`.
fn change_line(c: &ImageChange) -> String {
    let image = |i: &Option<String>| i.as_deref().map_or("(none)", short_image).to_string();
    if c.from == c.to {
        format!("{}: {} (unchanged)", c.container, image(&c.from))
    } else {
        format!("{}: {} → {}", c.container, image(&c.from), image(&c.to))
    }
}

/// Plans a rollback of `name` to `to` (by default the revision before the
/// current one), from the latest poll. Refused, with the reason, for a
/// paused deployment, one without revisions, the revision it runs, and a
/// revision whose ReplicaSet is gone.
pub fn rollback(scope: &Scope<'_>, name: &str, to: Option<u64>) -> Result<ActionPlan, String> {
    let d = deployment(scope, name)?;
    if d.paused {
        return Err(format!(
            "deploy/{name} is paused: a paused deployment cannot be rolled back; :rollout resume deploy/{name} first"
        ));
    }
    let revisions = history::history(scope.workloads, scope.namespace, name);
    let current = d.revision.ok_or_else(|| {
        format!("deploy/{name} has no revision annotation yet: nothing to roll back to")
    })?;
    let to = match to {
        Some(to) => to,
        None => history::previous(&revisions, Some(current)).ok_or_else(|| {
            format!("deploy/{name} has no revision before {current} to roll back to")
        })?,
    };
    if to == current {
        return Err(format!("deploy/{name} already runs revision {to}"));
    }
    let target_rs = revisions
        .iter()
        .find(|r| r.replica_set.revision == Some(to))
        .ok_or_else(|| {
            let kept: Vec<String> = revisions
                .iter()
                .filter_map(|r| r.replica_set.revision.map(|n| n.to_string()))
                .collect();
            format!(
                "revision {to} of deploy/{name} no longer exists (its ReplicaSet was pruned); revisions kept: {}",
                if kept.is_empty() { "none".into() } else { kept.join(", ") }
            )
        })?;
    let images = image_changes(&d.images, &target_rs.replica_set.images);
    let mut effect = format!("roll deploy/{name} back from revision {current} to {to}");
    for c in &images {
        effect.push('\n');
        effect.push_str(&change_line(c));
    }
    let cli = |revision: u64| {
        format!(
            "kubectl rollout undo deploy/{name} --to-revision={revision} -n {} --context {}",
            scope.namespace, scope.context
        )
    };
    let left = d.images.first().map_or("", |(_, i)| short_image(i));
    let mut plan = ActionPlan {
        action: Action::Rollback {
            deployment: name.into(),
            from_revision: current,
            to_revision: to,
            images: images.clone(),
            generation: d.generation,
        },
        target: target(scope, "deployment", name),
        effect,
        risk: Risk::Low,
        risk_reason: None,
        undo_text: format!("undo rolls forward to revision {current} ({left})"),
        undo: None,
        cli: cli(to),
        demanded: None,
    };
    // The inverse is planned again from a fresh poll when used (app/undo.rs).
    let mut inverse = plan.clone();
    inverse.action = Action::Rollback {
        deployment: name.into(),
        from_revision: to,
        to_revision: current,
        images: images
            .iter()
            .map(|c| ImageChange {
                container: c.container.clone(),
                from: c.to.clone(),
                to: c.from.clone(),
            })
            .collect(),
        generation: d.generation,
    };
    inverse.effect = format!("roll deploy/{name} forward to revision {current}");
    inverse.undo_text = format!("undo rolls back to revision {to} again");
    inverse.cli = cli(current);
    plan.undo = Some(Box::new(inverse));
    Ok(plan)
}

/// Plans `kubectl rollout pause` (`pause`) or `resume`; the undo does the other.
pub fn pause(scope: &Scope<'_>, name: &str, pause: bool) -> Result<ActionPlan, String> {
    let d = deployment(scope, name)?;
    if d.paused == pause {
        let state = if pause {
            "already paused"
        } else {
            "not paused"
        };
        return Err(format!("deploy/{name} is {state}"));
    }
    let plan = |pause: bool| {
        let (verb, effect) = if pause {
            (
                "pause",
                format!("pause the rollout of deploy/{name}: template changes wait until resumed"),
            )
        } else {
            ("resume", format!("resume the rollout of deploy/{name}"))
        };
        ActionPlan {
            action: Action::RolloutPause {
                deployment: name.into(),
                pause,
            },
            target: target(scope, "deployment", name),
            effect,
            risk: Risk::Low,
            risk_reason: None,
            undo_text: format!("undo {}s it", if pause { "resume" } else { "pause" }),
            undo: None,
            cli: kubectl(scope, &format!("rollout {verb} deploy/{name}")),
            demanded: None,
        }
    };
    let mut p = plan(pause);
    p.undo = Some(Box::new(plan(!pause)));
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::Clean;
    use crate::features::pods::model::{KubeUpdate, ReplicaSet, Workloads};

    fn images(tag: &str) -> Vec<(String, String)> {
        vec![
            (
                "payment-service".into(),
                format!("registry.example/payment-service:{tag}"),
            ),
            ("envoy".into(), "registry.example/envoy:1.30.2".into()),
        ]
    }

    fn workloads(paused: bool) -> Workloads {
        let d = Deployment {
            name: "payment-service".into(),
            namespace: "production".into(),
            replicas: 3,
            revision: Some(14),
            images: images("2.14.0"),
            paused,
            generation: 21,
            ..Deployment::default()
        };
        let rs = |revision: u64, tag: &str| ReplicaSet {
            name: format!("payment-service-{revision}"),
            namespace: "production".into(),
            deployment: Some("payment-service".into()),
            revision: Some(revision),
            images: images(tag),
            ..ReplicaSet::default()
        };
        let mut w = Workloads::with(vec![d], vec![]);
        w.apply(Clean::new(KubeUpdate::ReplicaSets(vec![
            rs(14, "2.14.0"),
            rs(13, "2.13.4"),
            rs(11, "2.12.0"),
        ])));
        w
    }

    fn scope(w: &Workloads) -> Scope<'_> {
        Scope {
            context: "prod-eu",
            namespace: "production",
            workloads: w,
        }
    }

    #[test]
    fn a_rollback_plan_names_the_revisions_the_images_and_the_kubectl_command() {
        let w = workloads(false);
        let plan = rollback(&scope(&w), "payment-service", None).unwrap();
        assert_eq!(
            plan.effect,
            "roll deploy/payment-service back from revision 14 to 13\n\
             payment-service: payment-service:2.14.0 → payment-service:2.13.4\n\
             envoy: envoy:1.30.2 (unchanged)"
        );
        assert_eq!(
            plan.cli,
            "kubectl rollout undo deploy/payment-service --to-revision=13 -n production --context prod-eu"
        );
        assert_eq!(plan.confirm_text(), "production/payment-service");
        let undo = plan.undo.unwrap();
        assert!(matches!(
            undo.action,
            Action::Rollback {
                from_revision: 13,
                to_revision: 14,
                ..
            }
        ));
        assert!(undo.cli.contains("--to-revision=14"));
        let chosen = rollback(&scope(&w), "payment-service", Some(11)).unwrap();
        assert!(
            chosen
                .effect
                .contains("payment-service:2.14.0 → payment-service:2.12.0")
        );
    }

    #[test]
    fn rollbacks_that_cannot_be_planned_say_why() {
        let w = workloads(false);
        let s = scope(&w);
        assert_eq!(
            rollback(&s, "payment-service", Some(12)).unwrap_err(),
            "revision 12 of deploy/payment-service no longer exists (its ReplicaSet was pruned); revisions kept: 14, 13, 11"
        );
        assert!(
            rollback(&s, "payment-service", Some(14))
                .unwrap_err()
                .contains("already runs revision 14")
        );
        assert!(
            rollback(&s, "nope", None)
                .unwrap_err()
                .contains("no deployment")
        );
        let paused = workloads(true);
        assert!(
            rollback(&scope(&paused), "payment-service", None)
                .unwrap_err()
                .contains("is paused")
        );
        let mut bare = workloads(false);
        bare.deployments
            .values_mut()
            .for_each(|d| d.revision = None);
        assert!(
            rollback(&scope(&bare), "payment-service", None)
                .unwrap_err()
                .contains("no revision annotation")
        );
    }

    #[test]
    fn pause_and_resume_undo_each_other() {
        let w = workloads(false);
        let p = pause(&scope(&w), "payment-service", true).unwrap();
        assert_eq!(
            p.cli,
            "kubectl --context prod-eu -n production rollout pause deploy/payment-service"
        );
        assert_eq!(
            p.undo.unwrap().action,
            Action::RolloutPause {
                deployment: "payment-service".into(),
                pause: false
            }
        );
        assert!(
            pause(&scope(&w), "payment-service", false)
                .unwrap_err()
                .contains("not paused")
        );
    }
}
