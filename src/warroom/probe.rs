//! `opsdeck check` for the war room: can this console reach the room's
//! Redis, and may it run the scripts its locks need (an ACL can forbid
//! EVAL, and then every lock would go unanswered).

use super::link::Link;
use super::settings::WarroomSettings;
use crate::core::probe::ProbeRow;
use std::time::Instant;

pub async fn probe(settings: &WarroomSettings) -> Vec<ProbeRow> {
    let mut link = Link::new(settings.clone());
    let mut rows = Vec::new();
    let started = Instant::now();
    let ping = link.run::<String>(&redis::cmd("PING")).await;
    let connected = ping.is_ok();
    rows.push(ProbeRow {
        check: "connect".into(),
        ok: connected,
        detail: match ping {
            Ok(_) => settings.redis_url.clone().unwrap_or_default(),
            Err(e) => e,
        },
        took: started.elapsed(),
    });
    if !connected {
        return rows;
    }
    let started = Instant::now();
    let mut eval = redis::cmd("EVAL");
    eval.arg("return redis.call('TIME')[1]").arg(0);
    let scripts = link.run::<redis::Value>(&eval).await;
    rows.push(ProbeRow {
        check: "locks (EVAL)".into(),
        ok: scripts.is_ok(),
        detail: match scripts {
            Ok(_) => "scripts run: locks and heartbeats work".into(),
            Err(e) => format!("{e}: the room's locks need EVAL"),
        },
        took: started.elapsed(),
    });
    rows
}
