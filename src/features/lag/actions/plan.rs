//! Plans for resetting a consumer group's offsets on one topic, worked out
//! from the latest poll: every partition's current → new offset and the
//! messages skipped or replayed. Always high risk (typed name); undo
//! commits the offsets found before.

use crate::core::action::{Action, ActionPlan, OffsetMove, Risk, Target};
use crate::features::lag::actions::ResetTarget;
use crate::features::lag::actions::plan_reset;
use crate::features::lag::stats::GroupSnapshot;

/// What the user asked for, parsed from `earliest`, `latest`, `shift -500`
/// or a time like `2026-11-21T10:00:00Z`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    Earliest,
    Latest,
    Shift(i64),
    At(chrono::DateTime<chrono::Utc>),
}

impl Spec {
    pub fn parse(text: &str) -> Result<Spec, String> {
        let text = text.trim();
        let usage = || {
            format!(
                "reset to what? earliest, latest, shift <±n>, or a time like 2026-11-21T10:00:00Z, not {text:?}"
            )
        };
        match text {
            "earliest" => Ok(Spec::Earliest),
            "latest" => Ok(Spec::Latest),
            _ => {
                if let Some(n) = text.strip_prefix("shift") {
                    return n.trim().parse().map(Spec::Shift).map_err(|_| usage());
                }
                chrono::DateTime::parse_from_rfc3339(text)
                    .map(|t| Spec::At(t.with_timezone(&chrono::Utc)))
                    .map_err(|_| usage())
            }
        }
    }

    pub fn text(&self) -> String {
        match self {
            Spec::Earliest => "earliest".into(),
            Spec::Latest => "latest".into(),
            Spec::Shift(n) => format!("shift {n:+}"),
            Spec::At(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    fn tool_flag(&self) -> String {
        match self {
            Spec::Earliest => "--to-earliest".into(),
            Spec::Latest => "--to-latest".into(),
            Spec::Shift(n) => format!("--shift-by {n}"),
            Spec::At(t) => format!("--to-datetime {}", t.format("%Y-%m-%dT%H:%M:%S%.3f")),
        }
    }
}

/// Plans the reset of `topic` (or the group's only topic) in `cluster`.
pub fn reset_offsets(
    cluster: &str,
    bootstrap: &str,
    snapshot: &GroupSnapshot,
    topic: Option<&str>,
    spec: &Spec,
) -> Result<ActionPlan, String> {
    let group = &snapshot.group;
    let topics = snapshot.topics();
    let topic = match (topic, topics.as_slice()) {
        (Some(t), _) if topics.contains(&t) => t.to_string(),
        (Some(t), _) => return Err(format!("group {group} has no partitions of topic {t:?}")),
        (None, [only]) => only.to_string(),
        (None, []) => return Err(format!("group {group} has no offsets on any topic")),
        (None, many) => {
            return Err(format!(
                "group {group} reads {} topics: name one (reset <to> <topic>): {}",
                many.len(),
                many.join(", ")
            ));
        }
    };
    let moves: Vec<OffsetMove> = match spec {
        Spec::At(_) => Vec::new(),
        _ => {
            let target = match spec {
                Spec::Earliest => ResetTarget::Earliest,
                Spec::Latest => ResetTarget::Latest,
                Spec::Shift(n) => ResetTarget::Shift(*n),
                Spec::At(_) => ResetTarget::Latest,
            };
            let plan = plan_reset(snapshot, &topic, &target).map_err(|e| format!("{e:?}"))?;
            if !plan.changes_anything() {
                return Err(format!(
                    "group {group} on {topic} is already at {}",
                    spec.text()
                ));
            }
            plan.rows
                .iter()
                .map(|r| OffsetMove {
                    partition: r.partition,
                    current: r.current,
                    new: r.new,
                    low: r.low,
                    high: r.high,
                })
                .collect()
        }
    };
    let cli = format!(
        "kafka-consumer-groups.sh --bootstrap-server {bootstrap} --group {group} --topic {topic} --reset-offsets {} --execute",
        spec.tool_flag()
    );
    Ok(plan_moves(
        cluster,
        group,
        &topic,
        &spec.text(),
        moves,
        cli,
        true,
    ))
}

/// The undo of a reset, planned again from the latest poll: each partition
/// goes back to its offset from before the reset, and "current" is what
/// the group has committed since, so the plan shows what it really replays
/// or skips now. An offset retention has deleted goes to the log start.
pub fn replan_undo(
    snapshot: &GroupSnapshot,
    cluster: &str,
    undo: &ActionPlan,
) -> Result<ActionPlan, String> {
    let Action::ResetOffsets {
        group,
        topic,
        moves,
        ..
    } = &undo.action
    else {
        return Err("not an offset reset".into());
    };
    let moves = moves
        .iter()
        .map(|m| {
            let now = snapshot
                .topic(topic)
                .find(|p| p.tp.partition == m.partition)
                .ok_or_else(|| {
                    format!(
                        "partition {} of {topic} is not in the latest poll",
                        m.partition
                    )
                })?;
            Ok(OffsetMove {
                partition: m.partition,
                current: now.committed,
                new: m.new.clamp(now.low, now.high.max(now.low)),
                low: now.low,
                high: now.high,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut plan = plan_moves(
        cluster,
        group,
        topic,
        "undo",
        moves,
        undo.cli.clone(),
        false,
    );
    plan.undo_text = "to go back again, plan the reset anew".into();
    Ok(plan)
}

/// A plan for exactly these moves (undo commits the offsets found before).
pub fn plan_moves(
    cluster: &str,
    group: &str,
    topic: &str,
    spec: &str,
    moves: Vec<OffsetMove>,
    cli: String,
    with_undo: bool,
) -> ActionPlan {
    let delta = |m: &OffsetMove| m.new - m.current.unwrap_or(m.low);
    let skipped: i64 = moves.iter().map(|m| delta(m).max(0)).sum();
    let replayed: i64 = moves.iter().map(|m| (-delta(m)).max(0)).sum();
    let mut effect = if moves.is_empty() {
        format!(
            "reset {group} on {topic} to the first offset at or after {spec} on each partition (looked up when it runs; the dry run lists them)"
        )
    } else {
        format!(
            "reset {group} on {topic} to {spec}: {} partition(s), skips {skipped}, replays {replayed} messages",
            moves.len()
        )
    };
    for m in &moves {
        let current = m.current.map_or("none".to_string(), |c| c.to_string());
        let d = delta(m);
        let what = match d {
            0 => "no change".to_string(),
            d if d > 0 => format!("skips {d}"),
            d => format!("replays {}", -d),
        };
        effect.push_str(&format!(
            "\n  p{}: {current} → {} ({what})",
            m.partition, m.new
        ));
    }
    let restorable: Vec<OffsetMove> = moves
        .iter()
        .filter_map(|m| {
            m.current.map(|before| OffsetMove {
                current: Some(m.new),
                new: before,
                ..m.clone()
            })
        })
        .collect();
    let unrestorable = moves.iter().filter(|m| m.current.is_none()).count();
    let undo_text = if moves.is_empty() {
        // The offsets for a time are looked up when it runs: there is no
        // "before" to go back to from here.
        "cannot be undone with u: note the offsets the dry run lists to go back by hand".to_string()
    } else if unrestorable > 0 {
        format!(
            "undo commits the offsets found now; {unrestorable} partition(s) had none and keep the new offset"
        )
    } else {
        "undo commits the offsets found now, partition by partition".to_string()
    };
    let mut plan = ActionPlan {
        action: Action::ResetOffsets {
            cluster: cluster.into(),
            group: group.into(),
            topic: topic.into(),
            spec: spec.into(),
            moves,
        },
        target: Target::one("consumergroup", group, topic, cluster),
        effect,
        risk: Risk::High,
        risk_reason: Some("moving committed offsets skips or replays messages".into()),
        undo_text,
        undo: None,
        cli,
        demanded: None,
    };
    if with_undo && !restorable.is_empty() {
        let undo_cli = "commit the offsets listed above (kafka-consumer-groups.sh --reset-offsets --from-file)".to_string();
        let mut undo = plan_moves(cluster, group, topic, "undo", restorable, undo_cli, false);
        undo.undo_text = "to go back again, plan the reset anew".into();
        plan.undo = Some(Box::new(undo));
    }
    plan
}
