//! `[warroom]`: the Redis a war room lives in.
//!
//! ```toml
//! [warroom]
//! redis_url = "rediss://redis.ops:6380/0"
//! password_env = "OPSDECK_ROOM_PASSWORD"   # or password_file
//! ca_file = "/etc/ssl/ops-ca.pem"
//! room = "inc-2041"
//! require_lock = false
//! ```

use super::Reader;
use super::queries::redis_url_problem;
use crate::core::room::check_room_name;
use crate::warroom::settings::WarroomSettings;
use std::path::PathBuf;
use toml_edit::Table;

const PRE: &str = "warroom.";

impl Reader<'_> {
    pub(super) fn warroom(&mut self, w: &Table, out: &mut WarroomSettings) {
        let keys = [
            "redis_url",
            "password_env",
            "password_file",
            "ca_file",
            "room",
            "require_lock",
            "history",
            "timeout_ms",
        ];
        self.check_keys_refusing_password(w, PRE, &keys);
        out.password = self.password_ref(w, PRE);
        let mut ca = String::new();
        self.string(w, PRE, "ca_file", &mut ca);
        out.ca_file = (!ca.is_empty()).then(|| PathBuf::from(ca));
        self.bool(w, PRE, "require_lock", &mut out.require_lock);
        self.int(w, PRE, "history", 100..=1_000_000, &mut out.history);
        self.int(w, PRE, "timeout_ms", 100..=60_000, &mut out.timeout_ms);
        let mut room = String::new();
        self.string(w, PRE, "room", &mut room);
        if !room.is_empty() {
            match check_room_name(&room) {
                Ok(()) => out.room = Some(room),
                Err(e) => self.report(w, PRE, "room", &e),
            }
        }
        let mut url = String::new();
        self.string(w, PRE, "redis_url", &mut url);
        if url.is_empty() {
            return;
        }
        match redis_url_problem(&url, out.ca_file.is_some()) {
            Some((key, problem)) => {
                let key = if key == "url" { "redis_url" } else { key };
                self.report(w, PRE, key, problem);
            }
            None => out.redis_url = Some(url),
        }
    }
}
