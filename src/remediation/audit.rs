//! The append-only audit log: one JSON line per attempt, each written and
//! fsync'd before the action is reported done.

use super::guard::Decision;
use crate::core::action::ActionPlan;
use crate::shared::private_file;
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What happened to an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    Refused,
    Cancelled,
    /// About to execute: written first so a crash mid-action leaves a trace.
    Started,
    Ok,
    Failed,
    TimedOut,
    /// opsdeck left while it ran: its outcome is unknown.
    Abandoned,
}

/// One line of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRecord<'a> {
    pub time: DateTime<Utc>,
    pub user: &'a str,
    pub host: &'a str,
    pub context: &'a str,
    pub event: AuditEvent,
    pub plan: &'a ActionPlan,
    pub guards: &'a [Decision],
    pub result: Option<&'a str>,
}

/// The audit file, opened once at start-up to prove it is writable.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// Creates the file (mode 0600) and its directory if needed. A file
    /// open to others is narrowed to 0600, and a symlink is refused: the
    /// error is why every action will be refused.
    pub fn open(path: &Path) -> Result<AuditLog, String> {
        if let Some(dir) = path.parent() {
            crate::shared::private_file::create_dirs(dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        private_file::open_append(path)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and waits until it is on disk.
    pub fn append(&self, record: &AuditRecord<'_>) -> Result<(), String> {
        let mut line = serde_json::to_string(record).map_err(|e| e.to_string())?;
        line.push('\n');
        // Opened again each time, with the same checks: a symlink put in
        // its place after start-up is refused too.
        let mut file = private_file::open_append(&self.path)?;
        file.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        file.sync_data()
            .map_err(|e| format!("fsync {}: {e}", self.path.display()))
    }
}

/// Who acts, for audit lines: the account the process runs as, from the
/// system's user database; `$USER` / `$LOGNAME` only if that has no name
/// (a service or `su -c` often leaves them unset).
pub fn user_name() -> String {
    whoami::username()
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| {
            ["USER", "LOGNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// This machine's host name, for audit lines.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::pods::actions::plan::{Scope, scale};
    use crate::features::pods::model::{Deployment, Workloads};
    use crate::remediation::guard::{Decision, Step};

    #[test]
    fn the_user_is_the_account_the_process_runs_as() {
        // `id -un` asks the user database, as an operator would.
        let id = std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap();
        let account = String::from_utf8(id.stdout).unwrap();
        assert_eq!(user_name(), account.trim());
    }
    use std::os::unix::fs::PermissionsExt;

    fn scale_plan() -> ActionPlan {
        let w = Workloads::with(
            vec![Deployment {
                name: "api".into(),
                namespace: "dev".into(),
                replicas: 1,
                ready: 1,
                ..Default::default()
            }],
            vec![],
        );
        scale(
            &Scope {
                context: "c",
                namespace: "dev",
                workloads: &w,
            },
            "api",
            2,
        )
        .unwrap()
    }

    #[test]
    fn lines_are_appended_as_json_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        let plan = scale_plan();
        let guards = [Decision::pass(Step::ReadOnly, "off")];
        for event in [AuditEvent::Started, AuditEvent::Ok] {
            let r = AuditRecord {
                time: Utc::now(),
                user: "ana",
                host: "bastion",
                context: "c",
                event,
                plan: &plan,
                guards: &guards,
                result: Some("scaled"),
            };
            log.append(&r).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["event"], "ok");
        assert_eq!(lines[1]["plan"]["action"]["kind"], "scale");
        assert_eq!(
            lines[1]["plan"]["cli"],
            "kubectl --context c -n dev scale deploy/api --replicas=2"
        );
        assert_eq!(lines[0]["guards"][0]["step"], "read_only");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_log_open_to_others_is_narrowed_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "{}\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        AuditLog::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
    }

    #[test]
    fn a_symlink_is_refused_at_open_and_when_appending() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.jsonl");
        std::fs::write(&target, "").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = AuditLog::open(&link).unwrap_err();
        assert!(err.contains("link.jsonl is a symlink: refused"), "{err}");

        // Swapped in after start-up: the append is refused as well.
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let plan = scale_plan();
        let record = AuditRecord {
            time: Utc::now(),
            user: "ana",
            host: "bastion",
            context: "c",
            event: AuditEvent::Started,
            plan: &plan,
            guards: &[],
            result: None,
        };
        let err = log.append(&record).unwrap_err();
        assert!(err.contains("is a symlink: refused"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    }

    #[test]
    fn an_unwritable_place_is_an_error_at_open() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("audit.jsonl")).unwrap();
        let err = AuditLog::open(&dir.path().join("audit.jsonl")).unwrap_err();
        assert!(err.contains("audit.jsonl"), "{err}");
    }
}
