//! The Prometheus source when Prometheus is down, slow, or answers
//! something unusable: the error reaches the health badge and the model
//! with Prometheus' own text, one printable line, and the last good grid
//! stays with its time.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use chrono::{DateTime, Utc};
use opsdeck::core::outbox::Report;
use opsdeck::core::source::SourceId;
use opsdeck::features::heatmap::source::{Poller, probe};
use opsdeck::model::Model;
use opsdeck::shared::prometheus::Metric;
use opsdeck::shared::prometheus::PromClient;
use opsdeck::shared::prometheus::PromSettings;
use opsdeck::update::Update;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::http::{Reply, json, param, serve, serve_recording};

fn settings(addr: SocketAddr) -> PromSettings {
    PromSettings {
        url: Some(format!("http://{addr}")),
        interval_secs: 1,
        ..PromSettings::default()
    }
}

/// The health error of one poll at `now`.
async fn poll_error(addr: SocketAddr, now: DateTime<Utc>) -> (Vec<Update>, String) {
    let mut poller = Poller::new(&settings(addr), 60).unwrap();
    let updates: Vec<Update> = poller
        .poll(now)
        .await
        .into_iter()
        .map(Update::from)
        .collect();
    let error = updates
        .iter()
        .find_map(|u| match u {
            Update::Health(h) if h.source == SourceId::Prometheus => h.error.clone(),
            _ => None,
        })
        .expect("a health report with an error");
    assert!(!error.chars().any(char::is_control), "{error:?}");
    (updates, error)
}

#[tokio::test]
async fn prometheus_down_is_connection_refused() {
    let closed = support::closed_port::ClosedPort::new();
    let (updates, error) = poll_error(closed.addr(), Utc::now()).await;
    assert!(
        error.to_lowercase().contains("connection refused"),
        "{error}"
    );
    assert!(error.contains("more queries failed"), "{error}");
    // Nothing but the failure is sent: no empty grid replaces good data.
    assert!(
        !updates
            .iter()
            .any(|u| matches!(u, Update::Alerts(_) | Update::Timeline(_)))
    );
}

#[tokio::test]
async fn status_error_carries_prometheus_text() {
    let addr = serve(|_| {
        json(
            400,
            r#"{"status":"error","errorType":"bad_data","error":"1:9: parse error: unexpected \u001b[31m\"}\""}"#,
        )
    });
    let (_, error) = poll_error(addr, Utc::now()).await;
    assert!(
        error.contains("Prometheus error (bad_data): 1:9: parse error: unexpected"),
        "{error}"
    );
    assert!(!error.contains('\u{1b}'), "{error}");
}

#[tokio::test]
async fn an_html_page_is_not_a_prometheus_reply() {
    let addr = serve(|_| {
        Some(Reply {
            status: 502,
            content_type: "text/html",
            body: "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>".into(),
        })
    });
    let (_, error) = poll_error(addr, Utc::now()).await;
    assert!(error.contains("not a Prometheus reply"), "{error}");
    assert!(error.contains("<title>502 Bad Gateway</title>"), "{error}");
}

#[tokio::test]
async fn a_hung_server_times_out_before_the_next_poll() {
    let addr = serve(|_| None);
    let interval = std::time::Duration::from_secs(u64::from(settings(addr).interval_secs));
    let timeout = opsdeck::shared::prometheus::request_timeout(interval);
    // The request gives up before the next poll is due, at every interval.
    for secs in [1, 2, 5, 15, 60, 600] {
        let i = std::time::Duration::from_secs(secs);
        let t = opsdeck::shared::prometheus::request_timeout(i);
        assert!(t < i, "{secs} s: {t:?}");
    }
    let started = std::time::Instant::now();
    let (_, error) = poll_error(addr, Utc::now()).await;
    let took = started.elapsed();
    assert!(error.contains("timed out"), "{error}");
    // The timeout ended it (not an early failure), and it ended it without
    // waiting on anything else; the upper margin allows a busy machine.
    assert!(took >= timeout, "{took:?} < {timeout:?}");
    assert!(took < timeout * 4, "{took:?}");
}

#[tokio::test]
async fn the_last_good_grid_survives_a_failed_poll() {
    let failing = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&failing);
    let addr = serve(move |target| {
        if f.load(Ordering::SeqCst) {
            return json(
                503,
                r#"{"status":"error","errorType":"unavailable","error":"TSDB not ready"}"#,
            );
        }
        if target.starts_with("/api/v1/alerts") {
            return json(200, r#"{"status":"success","data":{"alerts":[]}}"#);
        }
        let end = param(target, "end").unwrap();
        json(
            200,
            format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"service":"orders","le":"+Inf"}},"values":[[{end},"0.25"]]}}]}}}}"#
            ),
        )
    });
    let mut poller = Poller::new(&settings(addr), 60).unwrap();
    let mut model = Model::default();
    let t0 = Utc::now();
    for u in poller.poll(t0).await {
        model.apply(u.into());
    }
    assert!(model.heatmap.data.error.is_none());
    let last = |m: &Model| {
        m.heatmap.data.grid(Metric::P95).unwrap().rows[0]
            .last_value()
            .map(|(_, v)| v)
    };
    assert_eq!(last(&model), Some(0.25));
    assert_eq!(
        model.heatmap.data.grid(Metric::P95).unwrap().rows[0].service,
        "orders"
    );
    assert_eq!(
        model.heatmap.data.drill_down("orders").unwrap().rows[0]
            .cells
            .last(),
        Some(&Some(1.0))
    );

    failing.store(true, Ordering::SeqCst);
    let t1 = t0 + chrono::Duration::seconds(15);
    for u in poller.poll(t1).await {
        model.apply(u.into());
    }
    let error = &model.heatmap.data.error.as_ref().unwrap().data;
    assert!(
        error.contains("Prometheus error (unavailable): TSDB not ready"),
        "{error}"
    );
    assert_eq!(last(&model), Some(0.25));
    assert_eq!(model.heatmap.data.fetched_at(Metric::P95), Some(t0));
    let health = model.health.get(SourceId::Prometheus).unwrap();
    assert_eq!(health.last_ok, Some(t0));
}

#[tokio::test]
async fn probe_names_the_query_that_returns_nothing() {
    let addr = serve(|target| {
        if target.starts_with("/api/v1/status/buildinfo") {
            return json(200, r#"{"status":"success","data":{"version":"2.42.0"}}"#);
        }
        if target.starts_with("/api/v1/alerts") {
            return json(200, r#"{"status":"success","data":{"alerts":[]}}"#);
        }
        json(
            200,
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
        )
    });
    let rows = probe(&settings(addr)).await;
    let by = |w: &str| rows.iter().find(|r| r.what == w).unwrap();
    assert!(by("buildinfo").ok && by("buildinfo").detail == "Prometheus 2.42.0");
    assert!(!by("p95").ok);
    assert_eq!(by("error_ratio").detail, "error_ratio returns no series");
    assert_eq!(by("alerts").detail, "0 active");
}

#[tokio::test]
async fn the_token_and_headers_are_sent_and_never_shown() {
    let (addr, heads) = serve_recording(|_| {
        json(
            401,
            r#"{"status":"error","errorType":"unauthorized","error":"bad token"}"#,
        )
    });
    let mut s = settings(addr);
    s.headers.insert("X-Scope-OrgID".into(), "payments".into());
    let client = PromClient::with_token(&s, Some("tok-3f9a")).unwrap();
    let error = client.alerts().await.unwrap_err();
    assert_eq!(error, "Prometheus error (unauthorized): bad token");
    let head = heads.lock().unwrap()[0].to_lowercase();
    assert!(
        head.contains("authorization: bearer tok-3f9a\r\n"),
        "{head}"
    );
    assert!(head.contains("x-scope-orgid: payments\r\n"), "{head}");
    assert!(!format!("{client:?}").contains("tok-3f9a"));
}

#[tokio::test]
async fn spawn_without_a_url_reports_once_and_stops() {
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let task = opsdeck::features::heatmap::source::spawn(PromSettings::default(), tx);
    let Some(Report::Health(h)) = rx.recv().await else {
        panic!("expected a health report");
    };
    assert_eq!(h.error.as_deref(), Some("prometheus.url is not set"));
    assert!(rx.recv().await.is_none());
    task.await.unwrap();
}

#[tokio::test]
async fn spawn_polls_at_the_interval_until_the_receiver_goes() {
    let addr = serve(|target| {
        if target.starts_with("/api/v1/alerts") {
            return json(200, r#"{"status":"success","data":{"alerts":[]}}"#);
        }
        json(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        )
    });
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let task = opsdeck::features::heatmap::source::spawn(settings(addr), tx);
    let mut healthy = 0;
    while healthy < 2 {
        if let Some(Report::Health(h)) = rx.recv().await {
            assert_eq!(h.error, None);
            healthy += 1;
        }
    }
    drop(rx);
    tokio::time::timeout(std::time::Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn an_endless_reply_is_read_up_to_the_bound_only() {
    use opsdeck::shared::prometheus::MAX_REPLY_BYTES;
    use std::time::Duration;
    let (addr, sent) = support::http::serve_endless(
        r#"{"status":"success","data":{"resultType":"vector","result":["#,
        r#"{"metric":{"pod":"a"},"value":[1,"1"]},"#,
    );
    let client = PromClient::with_token(
        &PromSettings {
            interval_secs: 15, // a 10 s timeout: the bound, not the clock, ends the read
            ..settings(addr)
        },
        None,
    )
    .unwrap();
    let started = std::time::Instant::now();
    let err = client.query("up", None).await.unwrap_err();
    assert_eq!(
        err,
        format!(
            "HTTP 200 OK: the reply is larger than 16 MiB [cut at {MAX_REPLY_BYTES} bytes], not read"
        )
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Give the server a moment to notice the closed connection.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = sent.load(Ordering::Relaxed);
    // The bound plus what the sockets' buffers held, never the whole stream.
    assert!(
        sent < (MAX_REPLY_BYTES as u64) + (32 << 20),
        "{sent} bytes were sent"
    );
}
