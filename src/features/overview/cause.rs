//! The probable-cause line: when several services are unhealthy, the one
//! downstream of the others, with the evidence. It names a service only
//! when the call graph points to exactly one; otherwise it says so.
//!
//! The call graph comes from breakers: a breaker in order-service that
//! protects calls to payment-service is the edge order-service →
//! payment-service.

use super::board::{Evidence, ServiceRow};
use crate::core::service::Condition;

/// What the line says.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cause {
    /// Fewer than two services are unhealthy: no line.
    #[default]
    Quiet,
    /// One unhealthy service every other unhealthy caller leads to.
    Probable {
        service: String,
        evidence: Vec<Evidence>,
        /// Unhealthy services that call it, directly or not, with theirs.
        callers: Vec<(String, Vec<Evidence>)>,
        /// Unhealthy services with no known call path to it.
        unexplained: Vec<String>,
    },
    /// The evidence points to no single service.
    NoSingle { unhealthy: Vec<String> },
}

/// Works out the line from the rows (unsorted, as indexed by `edges`)
/// and the (caller, callee) edges.
pub fn probable_cause(rows: &[ServiceRow], edges: &[(usize, usize)]) -> Cause {
    let bad: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].worst() == Condition::Crit)
        .collect();
    if bad.len() < 2 {
        return Cause::Quiet;
    }
    let is_bad = |i: usize| bad.contains(&i);
    // The unhealthy services that call no unhealthy service, and that at
    // least one unhealthy service reaches.
    let roots: Vec<(usize, Vec<usize>)> = bad
        .iter()
        .copied()
        .filter(|r| !edges.iter().any(|(a, b)| a == r && is_bad(*b)))
        .map(|r| (r, callers_of(r, edges, &bad)))
        .filter(|(_, callers)| !callers.is_empty())
        .collect();
    let names = |v: &[usize]| v.iter().map(|i| rows[*i].name.clone()).collect::<Vec<_>>();
    match roots.as_slice() {
        [(root, callers)] => Cause::Probable {
            service: rows[*root].name.clone(),
            evidence: rows[*root].evidence.clone(),
            callers: callers
                .iter()
                .map(|c| (rows[*c].name.clone(), rows[*c].evidence.clone()))
                .collect(),
            unexplained: names(
                &bad.iter()
                    .copied()
                    .filter(|i| i != root && !callers.contains(i))
                    .collect::<Vec<_>>(),
            ),
        },
        _ => {
            let mut unhealthy = names(&bad);
            unhealthy.sort();
            Cause::NoSingle { unhealthy }
        }
    }
}

/// Unhealthy services that reach `target` through calls, nearest first.
fn callers_of(target: usize, edges: &[(usize, usize)], bad: &[usize]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut frontier = vec![target];
    while let Some(t) = frontier.pop() {
        for (a, b) in edges {
            if *b == t && *a != target && bad.contains(a) && !found.contains(a) {
                found.push(*a);
                frontier.insert(0, *a);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(name: &str, bad: bool) -> ServiceRow {
        let mut r = ServiceRow {
            name: name.into(),
            ..ServiceRow::default()
        };
        if bad {
            r.alerts = (1, Condition::Crit);
            r.evidence.push(Evidence {
                at: chrono::Utc.with_ymd_and_hms(2026, 1, 1, 10, 2, 11).single(),
                text: format!("{name} went bad"),
            });
        }
        r
    }

    #[test]
    fn the_service_downstream_of_the_others_is_named_with_its_callers() {
        let rows = [
            row("api-gateway", true),
            row("order-service", true),
            row("payment-service", true),
            row("order-consumer", true),
            row("inventory-service", false),
        ];
        // api-gateway → order-service → payment-service; inventory healthy.
        let edges = [(0, 1), (1, 2), (1, 4)];
        match probable_cause(&rows, &edges) {
            Cause::Probable {
                service,
                callers,
                unexplained,
                evidence,
            } => {
                assert_eq!(service, "payment-service");
                assert_eq!(evidence[0].text, "payment-service went bad");
                let callers: Vec<&str> = callers.iter().map(|c| c.0.as_str()).collect();
                assert_eq!(callers, ["order-service", "api-gateway"]);
                assert_eq!(unexplained, ["order-consumer"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn two_roots_or_no_path_means_no_single_cause() {
        let rows = [row("a", true), row("b", true), row("c", true)];
        // a → b, and c alone: one root with a caller (b). Named.
        assert!(matches!(
            probable_cause(&rows, &[(0, 1)]),
            Cause::Probable { .. }
        ));
        // a → b and c → a? no: a → b, c → ... two separate chains.
        let rows4 = [
            row("a", true),
            row("b", true),
            row("c", true),
            row("d", true),
        ];
        assert_eq!(
            probable_cause(&rows4, &[(0, 1), (2, 3)]),
            Cause::NoSingle {
                unhealthy: ["a", "b", "c", "d"].map(String::from).to_vec()
            }
        );
        // No edges at all: nothing points anywhere.
        assert!(matches!(probable_cause(&rows, &[]), Cause::NoSingle { .. }));
    }

    #[test]
    fn one_unhealthy_service_is_no_line() {
        let rows = [row("a", true), row("b", false)];
        assert_eq!(probable_cause(&rows, &[(1, 0)]), Cause::Quiet);
    }
}
