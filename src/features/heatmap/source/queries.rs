//! The PromQL behind each Heatmap metric.
//!
//! The defaults read both HTTP server histograms in common use: Micrometer's
//! `http_server_requests_seconds_*` (Spring Boot; `status` and `outcome`
//! labels) and the Prometheus clients' `http_request_duration_seconds_*`
//! (`status` or `code`). Each result series carries `opsdeck_service`: the
//! configured service label, else `job`, else `app`.
//!
//! A user template replaces a default; `{label}` becomes the configured
//! service label and `{range}` the rate window (e.g. `60s`).

use crate::shared::prometheus::Metric;
use std::collections::BTreeMap;
use std::time::Duration;

/// The label the default queries name services by.
pub const SERVICE: &str = "opsdeck_service";

const BUCKETS: &str =
    r#"{__name__=~"http_server_requests_seconds_bucket|http_request_duration_seconds_bucket"}"#;
const COUNTS: &str =
    r#"{__name__=~"http_server_requests_seconds_count|http_request_duration_seconds_count"}"#;
const COUNTS_5XX_STATUS: &str = r#"{__name__=~"http_server_requests_seconds_count|http_request_duration_seconds_count",status=~"5.."}"#;
const COUNTS_5XX_CODE: &str = r#"{__name__=~"http_server_requests_seconds_count|http_request_duration_seconds_count",code=~"5.."}"#;

/// The label keys that name a row, most specific first.
pub fn name_keys(service_label: &str) -> [&str; 4] {
    [SERVICE, service_label, "job", "app"]
}

/// The shortest rate window worth using at `step`: two steps, at least a
/// minute, so a scrape interval of up to 15s still leaves four samples.
pub fn rate_range(step: Duration) -> String {
    format!("{}s", (step.as_secs() * 2).max(60))
}

/// The query for `metric`: the user's template if any, else the default.
pub fn query_for(
    metric: Metric,
    overrides: &BTreeMap<Metric, String>,
    service_label: &str,
    range: &str,
) -> String {
    let template = overrides
        .get(&metric)
        .cloned()
        .unwrap_or_else(|| default_query(metric, service_label));
    template
        .replace("{label}", service_label)
        .replace("{range}", range)
}

/// Request rate of every latency bucket by service, for the drill-down.
pub fn buckets_query(service_label: &str, range: &str) -> String {
    let rate = with_service(&format!("rate({BUCKETS}[{range}])"), service_label);
    format!("sum by ({SERVICE}, le) ({rate})")
}

fn default_query(metric: Metric, label: &str) -> String {
    let sum_rate = |selector: &str| {
        let rate = with_service(&format!("rate({selector}[{{range}}])"), label);
        format!("sum by ({SERVICE}) ({rate})")
    };
    match metric {
        Metric::P95 | Metric::P99 => {
            let q = if metric == Metric::P95 {
                "0.95"
            } else {
                "0.99"
            };
            let rate = with_service(&format!("rate({BUCKETS}[{{range}}])"), label);
            format!("histogram_quantile({q}, sum by ({SERVICE}, le) ({rate}))")
        }
        // A service without any 5xx has no error series: `or ... * 0`
        // makes its ratio 0 rather than a gap. No traffic stays NaN (a gap).
        Metric::ErrorRatio => format!(
            "({} or {} or {} * 0) / {}",
            sum_rate(COUNTS_5XX_STATUS),
            sum_rate(COUNTS_5XX_CODE),
            sum_rate(COUNTS),
            sum_rate(COUNTS)
        ),
        Metric::Availability => {
            let up = with_service("avg_over_time(up[{range}])", label);
            format!("avg by ({SERVICE}) ({up})")
        }
        Metric::Rate => sum_rate(COUNTS),
    }
}

/// `expr` with `opsdeck_service` set from `app`, overwritten by `job`,
/// overwritten by the configured label: the first present one wins.
fn with_service(expr: &str, label: &str) -> String {
    let mut out = expr.to_string();
    for source in ["app", "job", label] {
        out = format!(r#"label_replace({out}, "{SERVICE}", "$1", "{source}", "(.+)")"#);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_the_range_and_name_services() {
        let q = query_for(Metric::P95, &BTreeMap::new(), "service", "60s");
        assert!(q.starts_with("histogram_quantile(0.95, sum by (opsdeck_service, le)"));
        assert!(q.contains("[60s]") && !q.contains("{range}"));
        assert!(q.contains(r#""opsdeck_service", "$1", "service", "(.+)""#));
        let e = query_for(Metric::ErrorRatio, &BTreeMap::new(), "service", "60s");
        assert!(e.contains(r#"status=~"5..""#) && e.contains(r#"code=~"5..""#));
        assert!(e.contains(" * 0) / sum by"));
    }

    #[test]
    fn overrides_get_label_and_range() {
        let mut o = BTreeMap::new();
        o.insert(
            Metric::Rate,
            "sum by ({label}) (rate(x[{range}]))".to_string(),
        );
        assert_eq!(
            query_for(Metric::Rate, &o, "app", "120s"),
            "sum by (app) (rate(x[120s]))"
        );
    }

    #[test]
    fn rate_range_is_at_least_a_minute() {
        assert_eq!(rate_range(Duration::from_secs(15)), "60s");
        assert_eq!(rate_range(Duration::from_secs(300)), "600s");
    }
}
