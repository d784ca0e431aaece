//! The real binary in a real terminal (tmux): start, look, keys, quit, and
//! the terminal is given back on every way out.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::tmux::{Tmux, available, opsdeck_line, write_config};

#[test]
fn demo_starts_shows_help_exports_and_quits_cleanly() {
    if !available("demo_starts_shows_help_exports_and_quits_cleanly") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("demo", 100, 30);
    let log = xdg.path().join("opsdeck.log");
    tmux.run_line(&opsdeck_line(
        xdg.path(),
        &format!("demo --speed 20 --log-file {}", log.display()),
    ));

    tmux.wait_for("0 Overview", 30);
    tmux.keys(&["1"]);
    let pane = tmux.wait_for("OOMKilled", 30);
    assert!(pane.contains("opsdeck demo/production"), "header:\n{pane}");
    assert!(
        pane.contains("0 Overview")
            && pane.contains("1 Pods")
            && pane.contains("2 Heatmap")
            && pane.contains("3 Logs")
            && pane.contains("4 Breakers")
            && pane.contains("5 Queries")
            && pane.contains("6 Lag")
            && pane.contains("7 Timeline")
            && pane.contains("8 Console"),
        "tab bar:\n{pane}"
    );
    assert!(pane.contains("? Help"), "footer hints:\n{pane}");
    assert_eq!(tmux.display("#{alternate_on}"), "1");

    tmux.keys(&["?"]);
    tmux.wait_for("Help — Pods", 10);
    tmux.escape_until_gone("Help — Pods", 10);
    tmux.keys(&["7"]);
    tmux.wait_for("Timeline ", 10);

    tmux.keys(&["e"]);
    let pane = tmux.wait_for("timeline exported to", 10);
    let exported = std::fs::read_dir(xdg.path().join("state/opsdeck"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("timeline-")
        })
        .expect("an export file");
    let md = std::fs::read_to_string(&exported).unwrap();
    assert!(
        md.starts_with("# Incident timeline") && md.contains("OOMKilled"),
        "{md}"
    );
    assert!(pane.contains("timeline-"), "{pane}");

    tmux.keys(&["q"]);
    let pane = tmux.wait_for("EXITED:0", 10);
    assert!(
        !pane.contains("7 Timeline"),
        "the alternate screen was left:\n{pane}"
    );
    assert_eq!(tmux.display("#{alternate_on}"), "0");
    assert_eq!(tmux.child_pid(), None, "opsdeck has exited");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("demo incident starting") && log.contains("timeline exported"),
        "{log}"
    );
}

#[test]
fn a_broken_user_keymap_still_starts_and_says_what_is_wrong() {
    if !available("a_broken_user_keymap_still_starts_and_says_what_is_wrong") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    write_config(
        xdg.path(),
        "keymaps.toml",
        "[global]\nprepend_keymap = [\n  { on = \"x\", run = \"quitt\" },\n  { on = \"Q\", run = \"quit\" },\n]\n",
    );
    let tmux = Tmux::start("badkeymap", 120, 30);
    tmux.run_line(&opsdeck_line(xdg.path(), "demo"));
    let pane = tmux.wait_for("unknown command \"quitt\"", 30);
    assert!(
        pane.contains("keymaps.toml:3 global.prepend_keymap[0]"),
        "{pane}"
    );
    assert!(pane.contains("1 config problems"), "{pane}");
    tmux.keys(&["Q"]);
    tmux.wait_for("EXITED:0", 10);
}

#[test]
fn sigterm_and_sighup_give_the_terminal_back() {
    if !available("sigterm_and_sighup_give_the_terminal_back") {
        return;
    }
    for signal in ["TERM", "HUP"] {
        let xdg = tempfile::tempdir().unwrap();
        let tmux = Tmux::start(&format!("sig{signal}"), 100, 30);
        tmux.run_line(&opsdeck_line(xdg.path(), "demo --no-mouse"));
        tmux.wait_for("1 Pods", 30);
        let pid = tmux.child_pid().expect("opsdeck runs under the shell");
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        // "EXITED:$?" is on the typed line too: wait for the printed code.
        tmux.wait_for("EXITED:0", 10);
        assert_eq!(tmux.display("#{alternate_on}"), "0", "SIG{signal}");
    }
}

#[test]
fn a_tiny_terminal_is_told_it_is_too_small() {
    if !available("a_tiny_terminal_is_told_it_is_too_small") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("tiny", 60, 20);
    tmux.run_line(&opsdeck_line(xdg.path(), "demo"));
    tmux.wait_for("terminal too small: 80x24 needed", 30);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}

#[test]
fn check_reports_problems_and_fails() {
    let xdg = tempfile::tempdir().unwrap();
    write_config(xdg.path(), "config.toml", "[ui]\nthme = \"dark\"\n");
    let run = |xdg: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("check")
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .output()
            .unwrap()
    };
    let out = run(xdg.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("ui.thme") && stdout.contains("unknown key"),
        "{stdout}"
    );
    assert!(stdout.contains("config.toml  2"), "line column:\n{stdout}");

    write_config(xdg.path(), "config.toml", "[ui]\ntheme = \"light\"\n");
    let out = run(xdg.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn restart_from_the_command_line_is_confirmed_audited_and_the_demo_recovers() {
    if !available("restart_from_the_command_line_is_confirmed_audited_and_the_demo_recovers") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("restart", 110, 34);
    // At 3x the script's own recovery (the pipeline's rollback: "3/3
    // ready" at 290 s, the breaker closing at 305 s) comes 96 s after the
    // start: what the test sees before then, the restart caused.
    let started = std::time::Instant::now();
    let scripted = |at_secs: u64| {
        let left = std::time::Duration::from_secs(at_secs / 3).saturating_sub(started.elapsed());
        let secs = left.as_secs().saturating_sub(5);
        assert!(secs > 0, "no time left before the script's own recovery");
        secs
    };
    tmux.run_line(&opsdeck_line(xdg.path(), "demo --speed 3 --no-loop"));
    tmux.wait_for("0 Overview", 30);
    tmux.keys(&["1"]);
    tmux.wait_for("CrashLoopBackOff", 60);
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "restart deploy/payment-service"]);
    tmux.keys(&["Enter"]);
    let pane = tmux.wait_for("type \"production/payment-service\" to confirm", 10);
    assert!(
        pane.contains(
            "kubectl --context demo -n production rollout restart deploy/payment-service"
        ),
        "{pane}"
    );
    tmux.keys(&["y"]);
    // The y is in the name field: proof it was read, and did not confirm.
    let pane = tmux.wait_for("> y_", 10);
    assert!(
        !pane.contains("done: restart"),
        "y must not confirm a protected target:\n{pane}"
    );
    tmux.keys(&["BSpace"]);
    tmux.keys(&["-l", "production/payment-service"]);
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait_for("done: restart", 10);
    tmux.escape_until_gone("Enter or Esc closes", 10);
    tmux.keys(&["7"]);
    let pane = tmux.wait_for("deployment payment-service 3/3 ready", scripted(290));
    assert!(pane.contains("opsdeck"), "{pane}");
    tmux.wait_for("HALF_OPEN → CLOSED", scripted(305));
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);

    let audit = std::fs::read_to_string(xdg.path().join("state/opsdeck/audit.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["started", "ok"], "{audit}");
    assert_eq!(events[1]["plan"]["action"]["deployment"], "payment-service");
}

#[test]
fn closing_the_demo_breaker_on_every_pod_is_planned_confirmed_and_shown() {
    if !available("closing_the_demo_breaker_on_every_pod_is_planned_confirmed_and_shown") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("breakers", 140, 40);
    // At 3x the script closes the breaker itself at 305 s of the story,
    // 101 s after the start: a close seen before then, the action made.
    let started = std::time::Instant::now();
    let before_the_script = || {
        let left = std::time::Duration::from_secs(305 / 3).saturating_sub(started.elapsed());
        let secs = left.as_secs().saturating_sub(5);
        assert!(secs > 0, "no time left before the script's own close");
        secs
    };
    tmux.run_line(&opsdeck_line(xdg.path(), "demo --speed 3 --no-loop"));
    tmux.wait_for("0 Overview", 30);
    tmux.keys(&["1"]);
    tmux.wait_for("CrashLoopBackOff", 60);
    tmux.keys(&["4"]);
    tmux.wait_for("open ", 30);
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "payment"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["C"]);
    let pane = tmux.wait_for("CLOSE paymentService of order-service", 10);
    assert!(
        pane.contains("kubectl --context demo create --raw"),
        "{pane}"
    );
    // production is a protected namespace: the breaker's name must be typed.
    tmux.wait_for("to confirm", 10);
    tmux.keys(&["-l", "production/paymentService"]);
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait_for("done:", 10);
    tmux.escape_until_gone("Enter or Esc closes", 10);
    tmux.keys(&["7"]);
    tmux.wait_for("→ CLOSED", before_the_script());
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}

#[test]
fn terminating_the_demo_blocking_chain_root_is_typed_confirmed_and_the_chain_ends() {
    if !available("terminating_the_demo_blocking_chain_root_is_typed_confirmed_and_the_chain_ends")
    {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("queries", 120, 36);
    // At 3x the script ends the chain itself at 350 s of the story, 116 s
    // after the start: an end seen before then, the terminate made.
    let started = std::time::Instant::now();
    let before_the_script = || {
        let left = std::time::Duration::from_secs(350 / 3).saturating_sub(started.elapsed());
        let secs = left.as_secs().saturating_sub(5);
        assert!(secs > 0, "no time left before the script ends the chain");
        secs
    };
    tmux.run_line(&opsdeck_line(xdg.path(), "demo --speed 3 --no-loop"));
    tmux.wait_for("0 Overview", 30);
    tmux.keys(&["1"]);
    tmux.wait_for("CrashLoopBackOff", 60);
    tmux.keys(&["5", "l"]);
    let pane = tmux.wait_for("◀ blocks", 60);
    // The root's pid is random in the demo: read it off the tree.
    let root: String = pane
        .lines()
        .find_map(|l| {
            let at = l.find(" ◀ blocks")?;
            let digits: String = l[..at]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            Some(digits.chars().rev().collect())
        })
        .unwrap();
    assert!(!root.is_empty(), "{pane}");
    tmux.keys(&["g", "X"]);
    let pane = tmux.wait_for("to confirm", 10);
    assert!(
        pane.contains(&format!("terminate pid {root} on orders-db")),
        "{pane}"
    );
    assert!(
        pane.contains("CREATE INDEX orders_status_created_idx"),
        "{pane}"
    );
    tmux.keys(&["y"]);
    // The y is in the name field: proof it was read, and did not confirm.
    let pane = tmux.wait_for("> y_", 10);
    assert!(
        !pane.contains("done: terminate"),
        "y must not confirm a terminate:\n{pane}"
    );
    // The y went into the name field.
    tmux.keys(&["BSpace"]);
    tmux.keys(&["-l", &root]);
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait_for("done: terminate", 10);
    tmux.keys(&["Escape"]);
    tmux.wait_for("no lock waits", before_the_script());
    tmux.keys(&["7"]);
    tmux.wait_for(
        "orders-db: no blocked backends any more",
        before_the_script(),
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}

#[test]
fn a_recording_killed_mid_write_replays_up_to_its_last_frame() {
    if !available("a_recording_killed_mid_write_replays_up_to_its_last_frame") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let file = xdg.path().join("incident.odr");
    let tmux = Tmux::start("record", 160, 48);
    tmux.run_line(&opsdeck_line(
        xdg.path(),
        &format!("demo --speed 10 --record {}", file.display()),
    ));
    tmux.wait_for("REC ", 30);
    tmux.keys(&["7", "n"]);
    tmux.wait_for("note:", 10);
    tmux.keys(&["seen from the war room", "Enter"]);
    tmux.wait_for("seen from the war room", 10);
    // Two flushes after the note, then no chance to finish the file.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let pid = tmux.child_pid().expect("opsdeck runs under the shell");
    assert!(
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    tmux.wait_for("EXITED:137", 10);

    let rec = opsdeck::recording::Recording::open(&file).expect("the file opens after kill -9");
    assert_eq!(rec.header.context, "demo");
    assert!(rec.frames.len() >= 2, "{} frames", rec.frames.len());
    assert_eq!(rec.corrupt, 0);

    tmux.run_line("clear");
    tmux.run_line(&opsdeck_line(
        xdg.path(),
        &format!("replay {}", file.display()),
    ));
    tmux.wait_for("REPLAY 1x", 30);
    tmux.keys(&[">", ">", ">", ">", ">", ">", "7"]);
    tmux.wait_for("seen from the war room", 30);
    tmux.wait_for("ended", 60);
    tmux.keys(&[":", "restart deploy/payment-service", "Enter"]);
    tmux.wait_for("replay: actions are not run", 10);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}

#[test]
fn the_demo_starts_on_the_overview_scopes_a_service_and_follows_a_timeline_entry() {
    if !available("the_demo_starts_on_the_overview_scopes_a_service_and_follows_a_timeline_entry") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("overview", 80, 24);
    tmux.run_line(&opsdeck_line(xdg.path(), "demo --speed 10 --no-loop"));
    tmux.wait_for("Services (", 30);
    // Once the breaker opens (85 s of the story), payment-service is the
    // probable cause and the first row.
    let pane = tmux.wait_for("probable cause: payment-service", 30);
    let first = pane
        .lines()
        .skip_while(|l| !l.contains("SERVICE"))
        .nth(1)
        .unwrap_or_default();
    assert!(first.contains("payment-service"), "{pane}");

    // Enter scopes the Pods tab to its pods.
    tmux.keys(&["Enter"]);
    let pane = tmux.wait_for("service: payment-service", 10);
    assert!(pane.contains("payment-service-"), "{pane}");
    assert!(!pane.contains("order-service-"), "{pane}");
    assert!(!pane.contains("api-gateway-"), "{pane}");
    tmux.keys(&["Escape"]);
    tmux.escape_until_gone("service: payment-service", 10);

    // Enter on the Timeline's blocking-chain entry: the Queries tab's
    // Blocking view, the root selected (the footer names it).
    tmux.keys(&["7"]);
    tmux.wait_for("blocking chain", 30);
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "blocking chain"]);
    tmux.keys(&["Enter", "Enter"]);
    let pane = tmux.wait_for("orders-db pid ", 10);
    assert!(
        pane.contains("Blocking") || pane.contains("blocking"),
        "{pane}"
    );
    assert!(pane.contains("◀ blocks"), "{pane}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}

#[test]
fn two_demo_consoles_in_one_room_see_each_others_notes_and_actions() {
    let test = "two_demo_consoles_in_one_room_see_each_others_notes_and_actions";
    if !available(test) {
        return;
    }
    let Some(url) = support::live::server_env("OPSDECK_TEST_REDIS_URL", "Redis") else {
        return;
    };
    let room = format!("e2e-{}", std::process::id());
    let config = format!("[warroom]\nredis_url = \"{url}\"\n");
    let (xa, xb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_config(xa.path(), "config.toml", &config);
    write_config(xb.path(), "config.toml", &config);
    let a = Tmux::start("room-a", 120, 30);
    let b = Tmux::start("room-b", 120, 30);
    a.run_line(&opsdeck_line(xa.path(), &format!("demo --room {room}")));
    a.wait_for(&format!("ROOM {room}·1"), 30);
    b.run_line(&opsdeck_line(xb.path(), &format!("demo --room {room}")));
    b.wait_for(&format!("ROOM {room}·2"), 30);
    a.keys(&["7"]);
    a.wait_for("joined the room", 15);
    a.keys(&[":"]);
    a.keys(&["-l", "note failover of orders-db started"]);
    a.keys(&["Enter"]);
    b.keys(&["7"]);
    b.wait_for("failover of orders-db started", 10);
    // An action in one console: its outcome in the other's Timeline, and
    // the other's plan of the same is refused by the shared cooldown.
    a.keys(&[":"]);
    a.keys(&["-l", "restart deploy/payment-service"]);
    a.keys(&["Enter"]);
    a.wait_for("war room      no other console is on it", 10);
    a.keys(&["-l", "production/payment-service"]);
    a.keys(&["Tab", "Enter"]);
    a.wait_for("done: restart", 10);
    b.wait_for("ran restart every pod of deploy/payment-service", 10);
    b.keys(&[":"]);
    b.keys(&["-l", "restart deploy/payment-service"]);
    b.keys(&["Enter"]);
    let pane = b.wait_for("refused — war room: ran by", 10);
    assert!(pane.contains("cooldown: wait"), "{pane}");
    b.escape_until_gone("Enter or Esc closes", 10);
    // Leaving is seen at once, not when the heartbeat goes stale.
    b.keys(&["q"]);
    b.wait_for("EXITED:0", 10);
    a.escape_until_gone("Enter or Esc closes", 10);
    a.wait_for("left the room", 10);
    a.keys(&["q"]);
    a.wait_for("EXITED:0", 10);
}

#[test]
fn rolling_back_payment_service_in_the_demo_shows_both_images_and_the_kubectl_command() {
    if !available(
        "rolling_back_payment_service_in_the_demo_shows_both_images_and_the_kubectl_command",
    ) {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("rollback", 160, 48);
    tmux.run_line(&opsdeck_line(xdg.path(), "demo --speed 10 --no-loop"));
    tmux.wait_for("0 Overview", 30);
    tmux.keys(&[":", "rollback deploy/payment-service", "Enter"]);
    let pane = tmux.wait_for("--to-revision=13", 10);
    assert!(
        pane.contains("roll deploy/payment-service back from revision 14 to 13"),
        "{pane}"
    );
    assert!(
        pane.contains("payment-service: payment-service:2.14.0 → payment-service:2.13.4"),
        "{pane}"
    );
    assert!(
        pane.contains("kubectl rollout undo deploy/payment-service --to-revision=13 -n production"),
        "{pane}"
    );
    // production is protected: the name is typed, then Confirm pressed.
    tmux.wait_for("dry run", 10);
    tmux.keys(&["-l", "production/payment-service"]);
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait_for("rolled back to revision 13", 20);
    tmux.escape_until_gone("rolled back to revision 13", 10);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}
