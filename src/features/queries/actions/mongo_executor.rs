//! Carries out MongoDB plans: a fresh look at the op, then `killOp`, with a
//! client of its own. The permission check is the login's `killop`
//! action; the dry run is the fresh look.

use super::plan::parse_opid;
use crate::core::action::{Action, ActionPlan};
use crate::core::executor::{Check, Executor};
use crate::features::queries::mongo::{Access, CurrentOp, MongoClient, OpId};
use crate::features::queries::settings::MongoTargetSettings;
use crate::features::queries::source::mongo::target;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

/// The executor of MongoDB plans, for the configured targets.
pub struct MongoExecutor {
    targets: BTreeMap<String, MongoTargetSettings>,
}

impl MongoExecutor {
    pub fn new(targets: &[MongoTargetSettings]) -> Self {
        MongoExecutor {
            targets: targets
                .iter()
                .map(|t| (t.name.clone(), t.clone()))
                .collect(),
        }
    }

    async fn client(&self, plan: &ActionPlan) -> Result<(MongoClient, OpId), String> {
        let Action::MongoKillOp {
            target: name, opid, ..
        } = &plan.action
        else {
            return Err("the MongoDB executor only kills ops".into());
        };
        let settings = self
            .targets
            .get(name)
            .ok_or_else(|| format!("{name} is not a configured MongoDB target"))?;
        let password = settings.password.resolve().await?;
        let client = MongoClient::connect(&target(settings, password))
            .await
            .map_err(|e| e.to_string())?;
        Ok((client, parse_opid(opid)))
    }
}

impl Executor for MongoExecutor {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let (client, _) = match self.client(plan).await {
                Ok(c) => c,
                Err(e) => return Check::Refused(e),
            };
            match client.privileges().await {
                Ok(p) => match p.killop {
                    Access::Granted => Check::Passed(format!(
                        "{} has the killop action",
                        p.user.as_deref().unwrap_or("the login")
                    )),
                    Access::Missing => Check::Refused(format!(
                        "{} lacks the killop action on the cluster (grant clusterMonitor + killop, e.g. the clusterManager role)",
                        p.user.as_deref().unwrap_or("the login")
                    )),
                    Access::Unknown => {
                        Check::Unsupported("auth is off: there are no privileges to check".into())
                    }
                },
                Err(e) => Check::NoAnswer(format!("cannot read the login's privileges: {e}")),
            }
        })
    }

    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let (client, opid) = match self.client(plan).await {
                Ok(c) => c,
                Err(e) => return Check::Refused(e),
            };
            match client.op(&opid).await {
                Ok(Some(op)) => match same_op(plan, &op) {
                    Err(e) => Check::Refused(e),
                    Ok(()) => Check::Passed(format!(
                        "op {opid} is still running ({} on {}, {}s)",
                        op.op, op.ns, op.secs_running
                    )),
                },
                Ok(None) => Check::Refused(format!("op {opid} has finished")),
                Err(e) => Check::Refused(e.to_string()),
            }
        })
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let (client, opid) = self.client(plan).await?;
            let Some(now) = client.op(&opid).await.map_err(|e| e.to_string())? else {
                return Err(format!(
                    "op {opid} had already finished; nothing was killed"
                ));
            };
            same_op(plan, &now)?;
            client.kill_op(&opid).await.map_err(|e| e.to_string())?;
            match client.op(&opid).await {
                Ok(None) => Ok(format!("killOp {opid}: the op is gone")),
                _ => Ok(format!(
                    "killOp {opid} sent; the op stops at its next interrupt check"
                )),
            }
        })
    }
}

/// How far apart two readings of one op's start may be: `secs_running` is
/// whole seconds, read at two times.
const START_SLACK_SECS: i64 = 3;

/// Whether `now` is the op the plan showed: an opid is a counter that can
/// come round to a later op, on another namespace or started later.
fn same_op(plan: &ActionPlan, now: &CurrentOp) -> Result<(), String> {
    let Action::MongoKillOp {
        opid,
        ns,
        op,
        started,
        ..
    } = &plan.action
    else {
        return Err("the MongoDB executor only kills ops".into());
    };
    if &now.ns != ns || &now.op != op {
        return Err(format!(
            "op {opid} is now another op ({} on {}, planned {op} on {ns}); nothing was killed",
            now.op, now.ns
        ));
    }
    let started_now = chrono::Utc::now() - chrono::Duration::seconds(now.secs_running);
    if let Some(planned) = started
        && (started_now - *planned).num_seconds().abs() > START_SLACK_SECS
    {
        return Err(format!(
            "op {opid} started at {}, not at {} as planned: another op; nothing was killed",
            started_now.format("%H:%M:%S"),
            planned.format("%H:%M:%S")
        ));
    }
    Ok(())
}
