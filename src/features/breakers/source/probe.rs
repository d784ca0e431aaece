//! `opsdeck check` for breakers: is `/circuitbreakers` exposed on each
//! actuator, and would a state change be accepted? The write probe sends
//! a body without `updateState`, which Spring refuses with 400 before
//! anything changes; 405 means write operations are off.

use super::fetch;
use super::transport::Transport;
use crate::core::action::Endpoint;
use crate::core::probe::ProbeRow;
use std::time::Instant;

/// The read and write probes of one actuator.
pub async fn probe_actuator(t: &Transport, endpoint: &Endpoint, label: &str) -> Vec<ProbeRow> {
    let started = Instant::now();
    let read = fetch::breakers(t, endpoint, label).await;
    let mut rows = vec![ProbeRow {
        check: format!("{label}: circuitbreakers endpoint"),
        ok: read.is_ok(),
        detail: match &read {
            Ok(list) => format!(
                "{} breaker(s): {}",
                list.len(),
                list.iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(e) => e.clone(),
        },
        took: started.elapsed(),
    }];
    let Some(first) = read.ok().and_then(|l| l.into_iter().next()) else {
        return rows;
    };
    let started = Instant::now();
    let path = crate::features::breakers::data::update_state_path("", &first.name);
    let answer = t.post_json(endpoint, &path, "{}".into()).await;
    let (ok, detail) = match answer {
        Ok(a) if a.status == 400 => (
            true,
            "write operation exposed (a body without updateState was refused, nothing changed)"
                .to_string(),
        ),
        Ok(a) if a.status == 405 => (
            false,
            "write operations are disabled (405): management.endpoint.circuitbreakers.access"
                .to_string(),
        ),
        Ok(a) if a.status == 401 || a.status == 403 => {
            (false, format!("not allowed to write ({})", a.status))
        }
        Ok(a) => (
            false,
            format!("unexpected answer to the write probe: HTTP {}", a.status),
        ),
        Err(e) => (false, e),
    };
    rows.push(ProbeRow {
        check: format!("{label}: state change allowed"),
        ok,
        detail,
        took: started.elapsed(),
    });
    rows
}

/// Every breaker source of the settings: each actuator URL, the pods the
/// discovery finds (the first three), and the Prometheus series.
pub async fn probe(
    b: &crate::features::breakers::settings::BreakerSettings,
    kubernetes: &crate::shared::kube::settings::KubeSettings,
    prometheus: &crate::shared::prometheus::PromSettings,
    overrides: &crate::shared::kube::KubeOverrides,
) -> Vec<ProbeRow> {
    let mut rows = Vec::new();
    let fail = |check: &str, detail: String| ProbeRow {
        check: check.to_string(),
        ok: false,
        detail,
        took: std::time::Duration::ZERO,
    };
    let token = match &b.bearer_token_env {
        Some(var) => match std::env::var(var) {
            Ok(t) => Some(t),
            Err(_) => {
                return vec![fail(
                    "token",
                    format!("breakers.bearer_token_env: {var} is not set"),
                )];
            }
        },
        None => None,
    };
    let (link_tx, link) = tokio::sync::watch::channel(None);
    let transport = match Transport::new(link, token, std::time::Duration::from_secs(5)) {
        Ok(t) => t,
        Err(e) => return vec![fail("HTTP client", e)],
    };
    for (name, actuator) in &b.actuators {
        let endpoint = actuator.endpoint();
        rows.extend(probe_actuator(&transport, &endpoint, name).await);
    }
    if let Some(d) = &b.discovery {
        match crate::shared::kube::connect(kubernetes, overrides).await {
            Ok(conn) => {
                let found = super::pods(&conn, d).await;
                let _ = link_tx.send(Some(conn));
                match found {
                    Ok(pods) => {
                        rows.push(ProbeRow {
                            check: format!("pods {}", d.selector),
                            ok: !pods.is_empty(),
                            detail: format!("{} running pod(s)", pods.len()),
                            took: std::time::Duration::ZERO,
                        });
                        for p in pods.iter().take(3) {
                            rows.extend(probe_actuator(&transport, &p.endpoint, &p.pod).await);
                        }
                    }
                    Err(e) => rows.push(fail(&format!("pods {}", d.selector), e)),
                }
            }
            Err(e) => rows.push(fail("Kubernetes (for discovery)", e)),
        }
    }
    if b.prometheus {
        let started = Instant::now();
        let answer = match crate::shared::prometheus::PromClient::new(prometheus) {
            Ok(c) => c.query(super::prom::QUERY, None).await,
            Err(e) => Err(e),
        };
        rows.push(match answer {
            Ok(reply) => {
                let n = super::prom::observations(&reply.data).len();
                ProbeRow {
                    check: "resilience4j_circuitbreaker_* series".into(),
                    ok: n > 0,
                    detail: if n > 0 {
                        format!("{n} breaker(s)")
                    } else {
                        "no series: is resilience4j-micrometer bound and scraped?".into()
                    },
                    took: started.elapsed(),
                }
            }
            Err(e) => fail("resilience4j_circuitbreaker_* series", e),
        });
    }
    rows
}
