//! Drives the real binary inside a private tmux server.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Whether tmux can be used; under `CI=true` its absence is a failure.
pub fn available(test: &str) -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: tmux is not installed, and CI=true forbids skipping");
        }
        super::live::skipped(&format!(
            "{test}: tmux is not installed (tests/run-all.sh installs it)"
        ));
    }
    ok
}

/// One tmux server with one pane running a plain shell.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("opsdeck-test-{name}-{}", std::process::id());
        let t = Tmux { socket };
        let status = t
            .cmd()
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "main",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg("env PS1='$ ' TERM=tmux-256color bash --norc --noprofile")
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        t
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// Types a shell command line and presses Enter.
    pub fn run_line(&self, line: &str) {
        self.keys(&["-l", line]);
        self.keys(&["Enter"]);
    }

    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "main"])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    /// Escape, then waits until `gone` has left the screen: a key sent at
    /// once after Escape reads as Alt+key, as in any terminal, and a fixed
    /// pause is too short on a busy machine.
    pub fn escape_until_gone(&self, gone: &str, secs: u64) {
        self.keys(&["Escape"]);
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let pane = self.capture();
            if !pane.contains(gone) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{gone:?} still on screen {secs} s after Escape:\n{pane}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Appends every byte the pane's programs write to `file`: what a
    /// terminal is really sent, escape sequences and all, where
    /// [`Self::capture`] shows only what tmux made of it.
    pub fn record_output(&self, file: &Path) {
        let status = self
            .cmd()
            .args(["pipe-pane", "-O", "-t", "main"])
            .arg(format!("cat >> '{}'", file.display()))
            .status()
            .expect("pipe-pane");
        assert!(status.success(), "tmux pipe-pane failed");
    }

    pub fn capture(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "main"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        let out = self
            .cmd()
            .args(["display-message", "-p", "-t", "main", format])
            .output()
            .expect("display");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the pane shows `needle`; panics with the pane after `secs`.
    pub fn wait_for(&self, needle: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let pane = self.capture();
            if pane.contains(needle) {
                return pane;
            }
            if Instant::now() > deadline {
                panic!("{needle:?} did not appear within {secs} s; pane:\n{pane}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the program running under the pane's shell.
    pub fn child_pid(&self) -> Option<u32> {
        let shell = self.display("#{pane_pid}");
        let out = Command::new("pgrep").args(["-P", &shell]).output().ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// A shell line that runs opsdeck with private XDG dirs and prints its exit code.
/// Writes `name` (`config.toml`, `keymaps.toml`) into the opsdeck config
/// directory under `xdg`, as `opsdeck_line` and `opsdeck_check` read it.
pub fn write_config(xdg: &Path, name: &str, contents: &str) {
    let dir = xdg.join("config/opsdeck");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), contents).unwrap();
}

/// Runs `opsdeck check` with the config under `xdg` and, if given, a
/// kubeconfig; on a blocking thread, since it samples live sources.
pub async fn opsdeck_check(xdg: &Path, kubeconfig: Option<&Path>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    command
        .arg("check")
        .env("XDG_CONFIG_HOME", xdg.join("config"));
    if let Some(k) = kubeconfig {
        command.env("KUBECONFIG", k);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

pub fn opsdeck_line(xdg: &Path, args: &str) -> String {
    format!(
        "XDG_CONFIG_HOME={0}/config XDG_STATE_HOME={0}/state {1} {args}; echo EXITED:$?",
        xdg.display(),
        env!("CARGO_BIN_EXE_opsdeck")
    )
}
