//! Carries out offset resets: the dry run re-reads the group from the
//! broker (state, offsets, and for a time the offsets it maps to) and says
//! what would move; execution commits only while the group is Empty and
//! reads the offsets back.

use super::plan::Spec;
use crate::core::action::{Action, ActionPlan, OffsetMove};
use crate::core::executor::{Check, Executor};
use crate::features::lag::actions::{PlanRow, ResetPlan, ResetSpec};
use crate::features::lag::source::ClusterConfig;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

pub struct KafkaExecutor {
    clusters: BTreeMap<String, ClusterConfig>,
}

impl KafkaExecutor {
    pub fn new(clusters: impl IntoIterator<Item = ClusterConfig>) -> Self {
        KafkaExecutor {
            clusters: clusters.into_iter().map(|c| (c.name.clone(), c)).collect(),
        }
    }

    fn cluster(&self, name: &str) -> Result<&ClusterConfig, String> {
        self.clusters
            .get(name)
            .ok_or_else(|| format!("no Kafka cluster {name:?} is configured"))
    }
}

/// The plan's parts, or why it is not an offset reset.
fn parts(plan: &ActionPlan) -> Result<(&str, &str, &str, &str, &[OffsetMove]), String> {
    match &plan.action {
        Action::ResetOffsets {
            cluster,
            group,
            topic,
            spec,
            moves,
        } => Ok((cluster, group, topic, spec, moves)),
        _ => Err("the Kafka executor only resets offsets".into()),
    }
}

fn reset_plan(group: &str, topic: &str, moves: &[OffsetMove]) -> ResetPlan {
    ResetPlan {
        group: group.into(),
        topic: topic.into(),
        rows: moves
            .iter()
            .map(|m| PlanRow {
                partition: m.partition,
                current: m.current,
                new: m.new,
                low: m.low,
                high: m.high,
            })
            .collect(),
    }
}

fn describe_rows(rows: &[PlanRow]) -> String {
    rows.iter()
        .map(|r| {
            let current = r.current.map_or("none".to_string(), |c| c.to_string());
            format!("p{} {current}→{}", r.partition, r.new)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Executor for KafkaExecutor {
    fn permission<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async {
            Check::Unsupported("the broker checks its ACLs when the offsets are committed".into())
        })
    }

    /// Re-reads the group now: refused unless Empty; lists the moves.
    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let (cluster, group, topic, spec, _) = match parts(plan) {
                Ok(p) => p,
                Err(e) => return Check::Refused(e),
            };
            let cluster = match self.cluster(cluster) {
                Ok(c) => c,
                Err(e) => return Check::Refused(e),
            };
            let spec = match Spec::parse(spec) {
                Ok(Spec::At(t)) => ResetSpec::Timestamp(t),
                // Offsets are as planned: only the state and current offsets matter now.
                _ => ResetSpec::Shift(0),
            };
            match super::commit::plan(cluster, group, topic, &spec).await {
                Ok(p) => match p.refusal {
                    Some(why) => Check::Refused(why),
                    None if matches!(spec, ResetSpec::Timestamp(_)) => Check::Passed(format!(
                        "group is Empty; would move {}",
                        describe_rows(&p.plan.rows)
                    )),
                    None => Check::Passed(format!(
                        "group is Empty; committed now: {}",
                        p.plan
                            .rows
                            .iter()
                            .map(|r| format!(
                                "p{} {}",
                                r.partition,
                                r.current.map_or("none".to_string(), |c| c.to_string())
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                },
                Err(e) => Check::Refused(e.to_string()),
            }
        })
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let (cluster, group, topic, spec, moves) = parts(plan)?;
            let cluster = self.cluster(cluster)?;
            let to_commit = match Spec::parse(spec) {
                Ok(Spec::At(t)) => {
                    super::commit::plan(cluster, group, topic, &ResetSpec::Timestamp(t))
                        .await
                        .map_err(|e| e.to_string())?
                        .plan
                }
                _ => reset_plan(group, topic, moves),
            };
            let committed = super::commit::execute(cluster, &to_commit)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "committed {}",
                committed
                    .iter()
                    .map(|(p, o)| format!(
                        "p{p}={}",
                        o.map_or("none".to_string(), |o| o.to_string())
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}
