//! The Heatmap end to end against a real Prometheus (started by
//! tests/run-all.sh, scraping the exporter this test serves): the grid cells
//! are exactly what Prometheus computes for the same query at the same
//! time, the climbing service sorts first and turns bad, and its alert shows
//! as firing with a Timeline entry.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::core::source::Severity;
use opsdeck::features::heatmap::model::{Level, service_name};
use opsdeck::features::heatmap::source::queries::{name_keys, query_for, rate_range};
use opsdeck::features::heatmap::source::{probe, spawn};
use opsdeck::model::Model;
use opsdeck::shared::prometheus::PromClient;
use opsdeck::shared::prometheus::PromSettings;
use opsdeck::shared::prometheus::{Metric, Window};
use opsdeck::update::Update;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The Prometheus URL and the exporter's targets file from run-all.sh, or
/// None (skip) outside CI.
fn environment() -> Option<(String, std::path::PathBuf)> {
    let url = std::env::var("OPSDECK_TEST_PROMETHEUS_URL").ok();
    let targets = std::env::var("OPSDECK_TEST_EXPORTER_TARGETS").ok();
    match (url, targets) {
        (Some(url), Some(targets)) => Some((url, targets.into())),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "OPSDECK_TEST_PROMETHEUS_URL and OPSDECK_TEST_EXPORTER_TARGETS must be set under CI (run tests/run-all.sh)"
            )
        }
        _ => {
            support::live::skipped(
                "OPSDECK_TEST_PROMETHEUS_URL is unset; tests/run-all.sh starts a Prometheus",
            );
            None
        }
    }
}

/// The column a comparison may use: its time is far enough behind the
/// poll that every sample Prometheus will ever have for it is in.
fn settled_cell(model: &Model, metric: Metric, service: &str) -> Option<(usize, f64)> {
    let grid = model.heatmap.data.grid(metric)?;
    let fetched = model.heatmap.data.fetched_at(metric)?.timestamp() as f64;
    let row = grid.rows.iter().find(|r| r.service == service)?;
    (0..grid.columns.count)
        .rev()
        .filter(|&c| grid.columns.time_of(c) <= fetched - 3.0)
        .find_map(|c| row.cells[c].map(|v| (c, v)))
}

/// One exporter for every test of this binary: each would otherwise
/// write its own address over the other's in Prometheus' targets file.
fn exporter(targets: &std::path::Path) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        support::exporter::start(targets);
    });
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heatmap_matches_prometheus_and_the_alert_fires() {
    let Some((url, targets)) = environment() else {
        return;
    };
    exporter(&targets);
    let settings = PromSettings {
        url: Some(url),
        interval_secs: 2,
        window: Window::M15,
        ..PromSettings::default()
    };
    let (tx, mut rx) = opsdeck::transport::channel(256, 100_000);
    let task = spawn(settings.clone(), opsdeck::transport::outbox(&tx));
    let mut model = Model::default();
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut last_error = None;
    let ready = loop {
        assert!(
            Instant::now() < deadline,
            "the heatmap never showed the incident; last error {last_error:?}; payments p95 {:?}; alerts {:?}",
            settled_cell(&model, Metric::P95, "payments"),
            model.heatmap.data.alerts
        );
        let Ok(Some(update)) = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await
        else {
            panic!("the source stopped sending");
        };
        let end_of_poll = matches!(update, Update::Health(_));
        model.apply(update);
        if !end_of_poll {
            continue;
        }
        last_error = model.heatmap.data.error.as_ref().map(|e| e.data.clone());
        let p95_bad = settled_cell(&model, Metric::P95, "payments").is_some_and(|(_, v)| v >= 0.5);
        let errors =
            settled_cell(&model, Metric::ErrorRatio, "payments").is_some_and(|(_, v)| v > 0.001);
        let orders_clean = settled_cell(&model, Metric::ErrorRatio, "orders").is_some();
        let firing = model
            .heatmap
            .data
            .firing()
            .any(|a| a.name == "PaymentsErrors");
        if p95_bad && errors && orders_clean && firing {
            break model;
        }
    };
    task.abort();
    let model = ready;

    // The climbing service leads the p95 grid and is coloured bad.
    let grid = model.heatmap.data.grid(Metric::P95).unwrap();
    assert_eq!(grid.rows[0].service, "payments", "{:?}", grid.rows);
    let (col, _) = settled_cell(&model, Metric::P95, "payments").unwrap();
    assert!(matches!(
        grid.level(&grid.rows[0], col, &model.heatmap.data.slos),
        Level::Bad | Level::Infinite
    ));
    // No 5xx at all is a ratio of 0, not a gap.
    assert_eq!(
        settled_cell(&model, Metric::ErrorRatio, "orders")
            .unwrap()
            .1,
        0.0
    );

    // Every settled cell equals Prometheus' own answer at that instant.
    let client = PromClient::new(&settings).unwrap();
    let keys = name_keys(&settings.service_label);
    let step = Duration::from_secs_f64(grid.columns.step);
    let mut compared = 0;
    for metric in Metric::ALL {
        let g = model.heatmap.data.grid(metric).unwrap();
        let expr = query_for(
            metric,
            &BTreeMap::new(),
            &settings.service_label,
            &rate_range(step),
        );
        for service in ["api-gateway", "orders", "payments", "opsdeck-test"] {
            let Some((c, cell)) = settled_cell(&model, metric, service) else {
                continue;
            };
            let reply = client
                .query(&expr, Some(g.columns.time_of(c)))
                .await
                .unwrap();
            let direct = reply
                .data
                .iter()
                .find(|s| service_name(&s.labels, &keys) == service)
                .and_then(|s| s.last_value())
                .unwrap_or_else(|| panic!("{metric:?} {service}: no direct value"));
            assert!(
                same(cell, direct),
                "{metric:?} {service}: heatmap {cell}, Prometheus {direct}"
            );
            compared += 1;
        }
    }
    // p95, p99, error ratio and rate of three services; availability of the job.
    assert!(compared >= 13, "compared only {compared} cells");

    // The drill-down splits the climbing service's requests over its buckets.
    let drill = model.heatmap.data.drill_down("payments").unwrap();
    let shares: f64 = drill.rows.iter().filter_map(|r| r.cells[col]).sum();
    assert!((shares - 1.0).abs() < 1e-6, "shares add up to {shares}");
    assert_eq!(drill.rows.last().unwrap().le, f64::INFINITY);

    // The alert: firing, critical, about payments, on the Timeline and in the header.
    let alert = model
        .heatmap
        .data
        .firing()
        .find(|a| a.name == "PaymentsErrors")
        .unwrap();
    assert_eq!(
        (alert.severity, alert.service.as_str()),
        (Severity::Crit, "payments")
    );
    assert_eq!(alert.summary, "payments answers 5xx");
    assert!(alert.since.is_some());
    assert!(model.alerts.iter().any(|a| a.name == "PaymentsErrors"));
    let entries: Vec<&str> = model
        .timeline
        .entries()
        .iter()
        .map(|e| e.text.as_str())
        .filter(|t| t.contains("PaymentsErrors"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].starts_with("alert PaymentsErrors firing for payments since "));

    // `opsdeck check` sees the same server and queries.
    let rows = probe(&settings).await;
    for what in [
        "buildinfo",
        "p95",
        "error_ratio",
        "availability",
        "rate",
        "buckets",
        "alerts",
    ] {
        let row = rows.iter().find(|r| r.what == what).unwrap();
        assert!(row.ok, "{row:?}");
    }
}

/// The rollout detail's new versus old, from the real Prometheus: the
/// exporter serves two revisions of `checkout` by `pod_template_hash`,
/// the new one slow and failing 20 % of requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_revision_gets_its_own_p95_and_error_ratio_from_prometheus() {
    use opsdeck::features::pods::model::KubeUpdate;
    use opsdeck::features::pods::settings::RolloutSettings;
    use support::exporter::{CHECKOUT_NEW, CHECKOUT_OLD};
    let Some((url, targets)) = environment() else {
        return;
    };
    exporter(&targets);
    let settings = PromSettings {
        url: Some(url),
        interval_secs: 2,
        ..PromSettings::default()
    };
    let (tx, mut rx) = opsdeck::transport::channel(256, 1000);
    let task = tokio::spawn(opsdeck::features::pods::source::revisions::run(
        settings,
        RolloutSettings::default(),
        opsdeck::transport::outbox(&tx),
    ));
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = None;
    let (old, new) = loop {
        assert!(
            Instant::now() < deadline,
            "no figures for both revisions of checkout; last answer {last:?}"
        );
        let Ok(Some(update)) = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await
        else {
            continue;
        };
        let Update::Kube(k) = update else { continue };
        let KubeUpdate::RevisionMetrics(answer) = k.into_inner() else {
            continue;
        };
        let rows = answer.clone().unwrap_or_default();
        let of = |hash: &str| {
            rows.iter()
                .find(|r| r.service == "checkout" && r.version == hash)
                .cloned()
        };
        if let (Some(old), Some(new)) = (of(CHECKOUT_OLD), of(CHECKOUT_NEW))
            && old.p95_secs.is_some()
            && new.error_ratio.is_some_and(|e| e > 0.0)
        {
            break (old, new);
        }
        last = Some(answer);
    };
    task.abort();
    let (old_errors, new_errors) = (old.error_ratio.unwrap(), new.error_ratio.unwrap());
    assert!(old_errors.abs() < 1e-9, "old revision errors {old_errors}");
    assert!(
        (new_errors - 0.2).abs() < 0.02,
        "new revision errors {new_errors}"
    );
    let (old_p95, new_p95) = (old.p95_secs.unwrap(), new.p95_secs.unwrap());
    // Interpolated in the buckets the shares fill: 0.05–0.1 s and 0.1–0.25 s.
    assert!(
        old_p95 > 0.05 && old_p95 < 0.1,
        "old revision p95 {old_p95}"
    );
    assert!(
        new_p95 > 0.1 && new_p95 < 0.25,
        "new revision p95 {new_p95}"
    );
}
