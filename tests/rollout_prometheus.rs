//! The rollout detail's per-revision figures from a Prometheus HTTP API:
//! the queries sent, the reply turned into one row per revision, and
//! series without the version label turned into what to add.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::features::pods::model::{KubeUpdate, RevisionMetrics};
use opsdeck::features::pods::settings::RolloutSettings;
use opsdeck::features::pods::source::revisions;
use opsdeck::shared::prometheus::PromSettings;
use opsdeck::update::Update;
use std::time::Duration;
use support::http::{json, param, serve_recording};

fn vector(rows: &[(&str, Option<&str>, &str)]) -> String {
    let result: Vec<String> = rows
        .iter()
        .map(|(service, hash, value)| {
            let hash = hash
                .map(|h| format!(r#","pod_template_hash":"{h}""#))
                .unwrap_or_default();
            format!(
                r#"{{"metric":{{"service":"{service}"{hash}}},"value":[1764900000,"{value}"]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        result.join(",")
    )
}

async fn first_answer(labelled: bool) -> (Result<Vec<RevisionMetrics>, String>, Vec<String>) {
    let hash = move |h| labelled.then_some(h);
    let (addr, heads) = serve_recording(move |target| {
        let query = param(target, "query").unwrap_or_default();
        if query.starts_with("histogram_quantile") {
            json(
                200,
                vector(&[
                    ("payment-service", hash("7d9f8c6b5"), "2.8"),
                    ("payment-service", hash("5f6b7c8d9"), "0.18"),
                ]),
            )
        } else {
            json(
                200,
                vector(&[
                    ("payment-service", hash("7d9f8c6b5"), "0.094"),
                    ("payment-service", hash("5f6b7c8d9"), "0.001"),
                ]),
            )
        }
    });
    let prom = PromSettings {
        url: Some(format!("http://{addr}")),
        interval_secs: 1,
        ..PromSettings::default()
    };
    let (tx, mut rx) = opsdeck::transport::channel(16, 1000);
    let task = tokio::spawn(revisions::run(
        prom,
        RolloutSettings::default(),
        opsdeck::transport::outbox(&tx),
    ));
    let update = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    task.abort();
    let answer = match update {
        Update::Kube(k) => match k.into_inner() {
            KubeUpdate::RevisionMetrics(r) => r,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let sent = heads.lock().unwrap().clone();
    (answer, sent)
}

#[tokio::test]
async fn each_revision_gets_its_p95_and_error_ratio() {
    let (answer, sent) = first_answer(true).await;
    let rows = answer.unwrap();
    assert_eq!(
        rows,
        [
            RevisionMetrics {
                service: "payment-service".into(),
                version: "5f6b7c8d9".into(),
                p95_secs: Some(0.18),
                error_ratio: Some(0.001)
            },
            RevisionMetrics {
                service: "payment-service".into(),
                version: "7d9f8c6b5".into(),
                p95_secs: Some(2.8),
                error_ratio: Some(0.094)
            },
        ]
    );
    assert!(
        sent.iter().any(|h| h.contains("pod_template_hash")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn series_without_the_version_label_say_what_to_add() {
    let (answer, _) = first_answer(false).await;
    assert_eq!(
        answer.unwrap_err(),
        "no per-revision series: add `pod-template-hash` (as `pod_template_hash`) to the query's `by`"
    );
}
