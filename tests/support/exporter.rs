//! A test exporter for the live Prometheus test: a few services' HTTP
//! latency histograms and request counters, as Micrometer (Spring Boot) and
//! the Prometheus client libraries write them, advancing with wall-clock
//! time. `payments` gets slower and answers more 5xx as time goes on.

use super::http::{Reply, serve_on};
use std::fmt::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::Mutex;
use std::time::Instant;

/// Bucket bounds, seconds; the last slot of a share vector is `+Inf`.
const LE: [f64; 6] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
/// A representative latency of each slot, for `_sum`.
const MID: [f64; 7] = [0.03, 0.07, 0.17, 0.37, 0.75, 1.7, 4.0];

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Micrometer,
    Client,
}

struct Service {
    name: &'static str,
    style: Style,
    rps: f64,
    normal: [f64; 7],
    climbs: bool,
    /// The revision its pods run (`pod_template_hash`), and the share of
    /// requests it answers with a 5xx: two revisions of one service
    /// side by side, for the rollout detail's new versus old.
    revision: Option<(&'static str, f64)>,
    /// Cumulative observations per slot, for status 200 and 503.
    counts: [[f64; 7]; 2],
}

impl Service {
    /// Shares of requests per slot and the 5xx ratio, `t` seconds in.
    fn now(&self, t: f64) -> ([f64; 7], f64) {
        if !self.climbs {
            return (self.normal, self.revision.map_or(0.0, |(_, errors)| errors));
        }
        let slow = (t / 20.0).min(0.9);
        let degraded = [0.0, 0.0, 0.0, 0.0, 0.2, 0.7, 0.1];
        let shares = std::array::from_fn(|i| self.normal[i] * (1.0 - slow) + degraded[i] * slow);
        (shares, (t / 40.0).min(0.5))
    }
}

struct State {
    started: Instant,
    last: Instant,
    services: Vec<Service>,
}

/// The two revisions of `checkout` the exporter serves.
pub const CHECKOUT_OLD: &str = "5f6b7c8d9";
pub const CHECKOUT_NEW: &str = "7d9f8c6b5";

/// Serves `/metrics` on a port the system picks, for the rest of the test
/// process, and tells Prometheus where by writing its `file_sd` targets
/// file: no port number is agreed on in advance, so none can be taken
/// meanwhile.
pub fn start(targets: &std::path::Path) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Written whole, then renamed: Prometheus never reads half a file.
    let staged = targets.with_extension("json.new");
    std::fs::write(&staged, format!("[{{\"targets\": [\"{addr}\"]}}]\n")).unwrap();
    std::fs::rename(&staged, targets).unwrap();
    let service = |name, style, rps, normal, climbs| Service {
        name,
        style,
        rps,
        normal,
        climbs,
        revision: None,
        counts: [[0.0; 7]; 2],
    };
    let revision = |hash, errors, normal| Service {
        revision: Some((hash, errors)),
        ..service("checkout", Style::Micrometer, 20.0, normal, false)
    };
    let now = Instant::now();
    let state = Mutex::new(State {
        started: now,
        last: now,
        services: vec![
            service(
                "api-gateway",
                Style::Micrometer,
                50.0,
                [0.7, 0.25, 0.05, 0.0, 0.0, 0.0, 0.0],
                false,
            ),
            service(
                "orders",
                Style::Client,
                20.0,
                [0.2, 0.4, 0.3, 0.1, 0.0, 0.0, 0.0],
                false,
            ),
            service(
                "payments",
                Style::Micrometer,
                10.0,
                [0.3, 0.4, 0.25, 0.05, 0.0, 0.0, 0.0],
                true,
            ),
            // The old revision fast and healthy; the new one slower and
            // failing one request in five (still within the heatmap's
            // SLO on p95, so the climbing `payments` stays the worst).
            revision(CHECKOUT_OLD, 0.0, [0.7, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0]),
            revision(CHECKOUT_NEW, 0.2, [0.2, 0.5, 0.3, 0.0, 0.0, 0.0, 0.0]),
        ],
    });
    serve_on(listener, move |_| {
        let mut state = state.lock().unwrap();
        Some(Reply {
            status: 200,
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: scrape(&mut state),
        })
    })
}

fn scrape(state: &mut State) -> String {
    let now = Instant::now();
    let dt = (now - state.last).as_secs_f64();
    let t = (now - state.started).as_secs_f64();
    state.last = now;
    let mut micrometer = String::from(
        "# HELP http_server_requests_seconds  \n# TYPE http_server_requests_seconds histogram\n",
    );
    let mut client = String::from(
        "# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n",
    );
    for s in &mut state.services {
        let (shares, errors) = s.now(t);
        for (status, part) in [(0, 1.0 - errors), (1, errors)] {
            for (count, share) in s.counts[status].iter_mut().zip(shares) {
                *count += s.rps * dt * part * share;
            }
        }
        for (status, code) in [(0, "200"), (1, "503")] {
            let counts = s.counts[status];
            let total: f64 = counts.iter().sum();
            let sum: f64 = counts.iter().zip(MID).map(|(c, m)| c * m).sum();
            let (out, name, labels, tail) = match s.style {
                Style::Micrometer => {
                    let outcome = if code == "200" {
                        "SUCCESS"
                    } else {
                        "SERVER_ERROR"
                    };
                    let hash = s
                        .revision
                        .map(|(h, _)| format!(r#"pod_template_hash="{h}","#))
                        .unwrap_or_default();
                    (
                        &mut micrometer,
                        "http_server_requests_seconds",
                        format!(
                            r#"application="{0}",exception="None",method="POST",outcome="{outcome}",{hash}service="{0}",status="{code}",uri="/api/{0}","#,
                            s.name
                        ),
                        ",",
                    )
                }
                Style::Client => (
                    &mut client,
                    "http_request_duration_seconds",
                    format!(r#"code="{code}",method="get",service="{}","#, s.name),
                    "",
                ),
            };
            let mut cumulative = 0.0;
            for (i, le) in LE.iter().enumerate() {
                cumulative += counts[i];
                writeln!(
                    out,
                    "{name}_bucket{{{labels}le=\"{le}\"{tail}}} {cumulative}"
                )
                .unwrap();
            }
            writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"{tail}}} {total}").unwrap();
            let plain = labels.trim_end_matches(',');
            let plain_tail = if tail.is_empty() { "" } else { "," };
            writeln!(out, "{name}_count{{{plain}{plain_tail}}} {total}").unwrap();
            writeln!(out, "{name}_sum{{{plain}{plain_tail}}} {sum}").unwrap();
        }
    }
    micrometer + &client
}
