//! Plans for resilience4j breakers: `POST /actuator/circuitbreakers/{name}`
//! with `{"updateState": ...}` on one instance or on every instance of a
//! service, each listed with its state before and after.

use crate::core::action::Endpoint;
use crate::core::action::UpdateState;
use crate::core::action::{Action, ActionPlan, BreakerCall, Place, Risk, Target};
use crate::features::breakers::data::{BreakerState, update_state_body, update_state_path};
use crate::features::breakers::model::BreakerRow;

/// Plans `update` on `rows` (instances of one service's breaker). Rows
/// already in the resulting state are left out; none left is an error.
pub fn breaker_update(
    rows: &[&BreakerRow],
    update: UpdateState,
    kube_context: &str,
) -> Result<ActionPlan, String> {
    let first = rows.first().ok_or("no breaker selected")?;
    let (service, breaker) = (&first.key.service, &first.key.breaker);
    let mut calls = Vec::new();
    for row in rows {
        if row.figures.state == crate::features::breakers::data::resulting_state(update) {
            continue;
        }
        let endpoint = row.endpoint.clone().ok_or_else(|| {
            format!(
                "{breaker} on {} is only seen through Prometheus: configure its actuator ([breakers] in config.toml) to change it",
                row.key.instance
            )
        })?;
        calls.push(BreakerCall {
            service: row.key.service.clone(),
            instance: row.key.instance.clone(),
            endpoint,
            update,
            from: row.figures.state.as_str().to_string(),
        });
    }
    if calls.is_empty() {
        return Err(format!(
            "{breaker} of {service} is already {}",
            crate::features::breakers::data::resulting_state(update).as_str()
        ));
    }
    plan_calls(breaker, calls, kube_context)
}

/// The undo of a breaker change, planned again from the latest poll: each
/// instance goes back to its earlier state, "from" is its state now, and
/// instances already there are left out. `now` gives an instance's state,
/// `None` when it is gone.
pub fn replan_undo(
    undo: &ActionPlan,
    now: impl Fn(&BreakerCall) -> Option<BreakerState>,
    kube_context: &str,
) -> Result<ActionPlan, String> {
    let Action::Breaker { breaker, calls } = &undo.action else {
        return Err("not a breaker change".into());
    };
    let mut fresh = Vec::new();
    for c in calls {
        let state = now(c).ok_or_else(|| format!("{} is gone", c.instance))?;
        if state == crate::features::breakers::data::resulting_state(c.update) {
            continue;
        }
        fresh.push(BreakerCall {
            from: state.as_str().to_string(),
            ..c.clone()
        });
    }
    if fresh.is_empty() {
        return Err(format!("every instance of {breaker} is already back"));
    }
    let mut plan = plan_with_undo(breaker, fresh, kube_context, false)?;
    plan.undo_text = "to go back again, plan the change anew".into();
    Ok(plan)
}

/// A plan for exactly these calls (also used for undo, where each instance
/// goes back to its own state).
pub fn plan_calls(
    breaker: &str,
    calls: Vec<BreakerCall>,
    kube_context: &str,
) -> Result<ActionPlan, String> {
    plan_with_undo(breaker, calls, kube_context, true)
}

fn plan_with_undo(
    breaker: &str,
    calls: Vec<BreakerCall>,
    kube_context: &str,
    with_undo: bool,
) -> Result<ActionPlan, String> {
    let first = calls.first().ok_or("nothing to change")?;
    let service = first.service.clone();
    let places = places(&calls, kube_context);
    let joined = |f: fn(&Place) -> String| {
        let mut all: Vec<String> = places.iter().map(f).collect();
        all.dedup();
        all.join(", ")
    };
    let namespace = joined(|p| p.namespace.clone());
    let context = joined(|p| p.context.clone().unwrap_or_else(|| "actuator".into()));
    let updates: Vec<UpdateState> = calls.iter().map(|c| c.update).collect();
    let same = updates.windows(2).all(|w| w[0] == w[1]);
    let head = if same {
        format!("{} {breaker} of {service}", first.update.as_str())
    } else {
        format!("return {breaker} of {service} to its earlier states")
    };
    let mut effect = format!("{head} on {} instance(s):", calls.len());
    for c in &calls {
        effect.push_str(&format!(
            "\n  {}: {} → {}",
            c.instance,
            c.from,
            crate::features::breakers::data::resulting_state(c.update).as_str()
        ));
    }
    let risky: Vec<&str> = updates
        .iter()
        .filter_map(|u| match u {
            UpdateState::ForceOpen => {
                Some("FORCE_OPEN rejects every call until someone closes the breaker by hand")
            }
            UpdateState::Disable => {
                Some("DISABLE lets every call through: nothing protects the caller any more")
            }
            UpdateState::Close => None,
        })
        .collect();
    let (risk, risk_reason) = match risky.first() {
        Some(why) => (Risk::High, Some(why.to_string())),
        None => (Risk::Low, None),
    };
    let inverse: Vec<BreakerCall> = calls
        .iter()
        .filter_map(|c| {
            let back = inverse_of(&BreakerState::parse(&c.from))?;
            Some(BreakerCall {
                update: back,
                from: crate::features::breakers::data::resulting_state(c.update)
                    .as_str()
                    .to_string(),
                ..c.clone()
            })
        })
        .collect();
    let undo_text = if inverse.is_empty() {
        "cannot be undone: the earlier state cannot be set through the actuator".to_string()
    } else if calls.iter().any(|c| {
        matches!(
            BreakerState::parse(&c.from),
            BreakerState::Open | BreakerState::HalfOpen
        )
    }) {
        "undo forces OPEN instances back open (FORCED_OPEN: they stay open until closed by hand)"
            .to_string()
    } else {
        "undo returns each instance to the state it had".to_string()
    };
    let cli = calls
        .iter()
        .map(|c| curl(c, breaker, kube_context))
        .collect::<Vec<_>>()
        .join("\n");
    let mut plan = ActionPlan {
        action: Action::Breaker {
            breaker: breaker.to_string(),
            calls,
        },
        target: Target {
            kind: "breaker".into(),
            name: breaker.to_string(),
            namespace,
            context,
            places,
        },
        effect,
        risk,
        risk_reason,
        undo_text,
        undo: None,
        cli,
        demanded: None,
    };
    if with_undo && !inverse.is_empty() {
        let mut undo = plan_with_undo(breaker, inverse, kube_context, false)?;
        undo.undo_text = "to go back again, plan the change anew".into();
        plan.undo = Some(Box::new(undo));
    }
    Ok(plan)
}

/// Where the calls land: a pod proxy call in its namespace of the watched
/// cluster; a URL where the config labels it (its service, in no known
/// environment, when it does not).
fn places(calls: &[BreakerCall], kube_context: &str) -> Vec<Place> {
    let mut counted: std::collections::BTreeMap<(Option<String>, String), usize> =
        std::collections::BTreeMap::new();
    for c in calls {
        let key = match &c.endpoint {
            Endpoint::PodProxy { namespace, .. } => {
                (Some(kube_context.to_string()), namespace.clone())
            }
            Endpoint::Url {
                context, namespace, ..
            } => (
                context.clone(),
                namespace.clone().unwrap_or_else(|| c.service.clone()),
            ),
        };
        *counted.entry(key).or_default() += 1;
    }
    counted
        .into_iter()
        .map(|((context, namespace), count)| Place {
            context,
            namespace,
            count,
        })
        .collect()
}

/// The change that brings a breaker back to `state`, if the actuator has one.
/// OPEN and HALF_OPEN cannot be set: forcing open is the closest.
fn inverse_of(state: &BreakerState) -> Option<UpdateState> {
    match state {
        BreakerState::Closed => Some(UpdateState::Close),
        BreakerState::Open | BreakerState::HalfOpen | BreakerState::ForcedOpen => {
            Some(UpdateState::ForceOpen)
        }
        BreakerState::Disabled => Some(UpdateState::Disable),
        BreakerState::MetricsOnly | BreakerState::Unknown(_) => None,
    }
}

/// What a human would paste for one call.
fn curl(c: &BreakerCall, breaker: &str, kube_context: &str) -> String {
    let body = update_state_body(c.update);
    let path = update_state_path(&c.endpoint.base(), breaker);
    match &c.endpoint {
        Endpoint::Url { .. } => {
            format!("curl -X POST -H 'Content-Type: application/json' -d '{body}' {path}")
        }
        Endpoint::PodProxy { .. } => {
            format!("echo '{body}' | kubectl --context {kube_context} create --raw {path} -f -")
        }
    }
}
