//! Backend text that would act on a terminal (ESC [ 2 J, an OSC 52
//! clipboard write, a bidi override, C1 controls) never reaches it raw:
//! not in what `opsdeck check` prints, not in a Markdown export a `cat`
//! would show, not in the bytes the live screen sends to a terminal. The
//! text around it stays readable, with visible marks.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use chrono::{TimeZone, Utc};
use opsdeck::core::source::Severity;
use opsdeck::core::timeline::{Origin, TimelineEntry};
use opsdeck::features::timeline::model::Timeline;
use opsdeck::model::Model;
use serde_json::json;
use support::actuator_server::{ActuatorServer, BreakerConfig, Config};
use support::kube_server::KubeTestServer;
use support::mongo_server::{MongoServer, MongoServerOptions, Privileges};
use support::tmux::{Tmux, opsdeck_check, opsdeck_line, write_config};

const NS: &str = "production";

/// Every trick at once, between words that must stay visible.
fn hostile(word: &str) -> String {
    format!(
        "{word}-a\x1b[2J{word}-b\x1b]52;c;ZWNobyBwd25lZA==\x07{word}-c\u{202E}{word}-d\u{9b}31m{word}-e"
    )
}

/// No ESC, BEL or other C0 control (but the line break), no C1, no raw
/// bidi override or isolate.
fn assert_terminal_safe(text: &str) {
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n')
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        assert!(
            !bad,
            "{c:?} at byte {i}: {:?}",
            &text[i.saturating_sub(40)..]
        );
    }
    assert!(!text.contains("52;c;"), "the OSC 52 payload survived");
}

/// The words of `hostile(word)` are there, with the marks that stand for
/// what was removed.
fn assert_visible(text: &str, word: &str) {
    for part in ["a", "b", "c", "d", "e"] {
        assert!(
            text.contains(&format!("{word}-{part}")),
            "{word}-{part} in {text}"
        );
    }
    assert!(
        text.contains(&format!("{word}-b\u{241B}{word}-c\u{FFFD}{word}-d\u{241B}")),
        "marks for {word} in {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_prints_no_escape_sequence_from_any_backend() {
    let server = KubeTestServer::start().await;
    server.set_git_version(&hostile("kubever"));
    server.set_user(&hostile("kubeuser"));
    server.forbid("delete", "pods", NS);
    server.add_deployment(json!({
        "metadata": {"name": "payment-service", "namespace": NS},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "payment-service"}},
                 "template": {"metadata": {"labels": {"app": "payment-service"}},
                              "spec": {"containers": [{"name": "app", "image": "registry.example/p:1"}]}}},
    }));
    let actuator = ActuatorServer::start(
        Config::new("order-service").breaker(&hostile("breaker"), BreakerConfig::default()),
    );
    let mongo = MongoServer::start(MongoServerOptions {
        privileges: Some(Privileges {
            user: hostile("mongouser"),
            db: "admin".into(),
            roles: vec!["clusterMonitor".into()],
            cluster_actions: vec!["inprog".into()],
        }),
        ..MongoServerOptions::default()
    });

    let xdg = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(xdg.path(), NS);
    write_config(
        xdg.path(),
        "config.toml",
        &format!(
            "[breakers]\ninterval_secs = 1\n\n[breakers.actuators]\norder-service = \"{}\"\n\n\
             [queries.mongo.shop]\nuri = \"{}\"\n",
            actuator.base_url(),
            mongo.uri()
        ),
    );
    let out = opsdeck_check(xdg.path(), Some(&kubeconfig)).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("api server"), "{stdout}");
    assert_terminal_safe(&stdout);
    for word in ["kubever", "kubeuser", "breaker", "mongouser"] {
        assert_visible(&stdout, word);
    }
    // The breaker's name reached the service map too, made safe the same way.
    assert!(stdout.contains("services ("), "{stdout}");
}

/// The bytes opsdeck writes to a real terminal (tmux's pipe-pane, not a
/// test buffer, which ratatui filters on its own) carry no title, no
/// clipboard write, no DCS and no bidi override from a breaker's name:
/// only the marks the sanitizer put in their place.
#[test]
fn the_live_screen_is_sent_no_escape_sequence_from_a_backend() {
    if !support::tmux::available("the_live_screen_is_sent_no_escape_sequence_from_a_backend") {
        return;
    }
    // One trick per breaker: each name fits the BREAKER column even unsanitized.
    let names = [
        "a\x1b]0;pwned\x07b",
        "c\x1b]52;c;ZWNo\x07d",
        "e\u{202E}f",
        "g\x1bP+q\x1b\\h",
        "i\u{9b}j",
    ];
    let config = names.iter().fold(Config::new("order-service"), |c, name| {
        c.breaker(name, BreakerConfig::default())
    });
    let actuator = ActuatorServer::start(config);
    let xdg = tempfile::tempdir().unwrap();
    write_config(
        xdg.path(),
        "config.toml",
        &format!(
            "[kubernetes]\nenabled = false\n\n[breakers]\ninterval_secs = 1\n\n\
             [breakers.actuators]\norder-service = \"{}\"\n",
            actuator.base_url()
        ),
    );
    let written = xdg.path().join("terminal.bytes");
    let tmux = Tmux::start("hostile", 120, 32);
    tmux.record_output(&written);
    tmux.run_line(&format!(
        "KUBECONFIG=/nonexistent {}",
        opsdeck_line(xdg.path(), "")
    ));
    tmux.wait_for("1 Pods", 20);
    tmux.keys(&["4"]);
    tmux.wait_for("CLOSED", 30);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);

    let bytes = String::from_utf8_lossy(&std::fs::read(&written).unwrap()).into_owned();
    // The marks stand where the escapes were: title, clipboard, bidi, DCS, C1.
    support::hostile::assert_sanitized(
        &bytes,
        &["pwned", "52;c;", "\u{202E}", "P+q"],
        &[
            "a\u{241B}b",
            "c\u{241B}d",
            "e\u{FFFD}f",
            "g\u{241B}h",
            "i\u{241B}j",
        ],
    );
}

#[test]
fn markdown_exports_hold_no_escape_sequence() {
    let at = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
    let entries = [
        TimelineEntry::new(
            at,
            Severity::Crit,
            Origin::Note(hostile("noteuser")),
            hostile("event"),
        ),
        TimelineEntry::new(
            at,
            Severity::Info,
            Origin::Opsdeck,
            format!("done: {}", hostile("outcome")),
        ),
    ];
    let mut timeline = Timeline::default();
    let mut model = Model::default();
    for e in entries {
        timeline.push(e.clone());
        model.push_entry(e);
    }

    let md = timeline.to_markdown(at);
    assert_terminal_safe(&md);
    for word in ["noteuser", "event", "outcome"] {
        assert_visible(&md, word);
    }

    let draft = opsdeck::postmortem::markdown(
        &model,
        &opsdeck::postmortem::Source {
            context: &hostile("context"),
            from: &hostile("recording"),
            written_at: at,
        },
    );
    assert_terminal_safe(&draft);
    for word in ["noteuser", "event", "outcome", "context", "recording"] {
        assert_visible(&draft, word);
    }
}
