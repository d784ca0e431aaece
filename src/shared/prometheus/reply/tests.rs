use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/prometheus/",
            $name
        ))
        .as_bytes()
    };
}

fn by_service<'a>(series: &'a [Series], service: &str) -> &'a Series {
    series
        .iter()
        .find(|s| s.label("service") == Some(service))
        .unwrap()
}

#[test]
fn range_fixture_keeps_nan_inf_and_missing_steps() {
    let reply = parse_matrix(fixture!("query_range_p95_by_service.json")).unwrap();
    assert_eq!(reply.data.len(), 3);
    assert!(reply.warnings.is_empty());

    let gateway = by_service(&reply.data, "api-gateway");
    assert_eq!(gateway.points.len(), 5);
    assert_eq!(gateway.points[0], (1_795_255_200.0, 0.041));
    assert_eq!(gateway.last_value(), Some(0.131));

    let payment = by_service(&reply.data, "payment-service");
    assert_eq!(payment.unparseable, 0);
    let times: Vec<f64> = payment.points.iter().map(|p| p.0).collect();
    assert_eq!(
        times,
        [
            1_795_255_200.0,
            1_795_255_230.0,
            1_795_255_290.0,
            1_795_255_320.0
        ]
    );
    assert!(payment.points[1].1.is_nan());
    assert_eq!(payment.points[2].1, f64::INFINITY);
    assert_eq!(payment.points[3].1, 4.75);
}

#[test]
fn points_with_gaps_marks_the_missing_step() {
    let reply = parse_matrix(fixture!("query_range_p95_by_service.json")).unwrap();
    let payment = by_service(&reply.data, "payment-service");
    let filled = payment.points_with_gaps(30.0);
    assert_eq!(filled.len(), 5);
    assert_eq!(filled[2].0, 1_795_255_260.0);
    assert!(filled[2].1.is_nan());
    assert_eq!(filled[3], (1_795_255_290.0, f64::INFINITY));

    let gateway = by_service(&reply.data, "api-gateway");
    assert_eq!(gateway.points_with_gaps(30.0), gateway.points);
    // NaN != NaN, so compare the timestamps: no point may be added.
    let times = |points: Vec<(f64, f64)>| points.iter().map(|p| p.0).collect::<Vec<_>>();
    assert_eq!(
        times(payment.points_with_gaps(0.0)),
        times(payment.points.clone())
    );
}

#[test]
fn instant_fixture_gives_one_point_per_series() {
    let reply = parse_vector(fixture!("query_instant_error_ratio.json")).unwrap();
    assert_eq!(reply.data.len(), 2);
    let payment = by_service(&reply.data, "payment-service");
    assert_eq!(payment.points, [(1_795_255_320.781, 0.231)]);
    assert_eq!(
        by_service(&reply.data, "api-gateway").last_value(),
        Some(0.0008)
    );
}

#[test]
fn matrix_and_vector_reject_each_other() {
    let err = parse_matrix(fixture!("query_instant_error_ratio.json")).unwrap_err();
    assert_eq!(
        err,
        PromReplyError::UnexpectedResultType {
            expected: "matrix",
            found: "vector"
        }
    );
    let err = parse_vector(fixture!("query_range_p95_by_service.json")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "query returned a matrix, expected a vector"
    );
}

#[test]
fn empty_results_are_empty_not_errors() {
    let body = br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
    assert!(parse_matrix(body).unwrap().data.is_empty());
    let body = br#"{"status":"success","data":{"resultType":"vector","result":null}}"#;
    assert!(parse_vector(body).unwrap().data.is_empty());
}

#[test]
fn unparseable_values_are_counted_not_zeroed() {
    let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"job":"x"},"values":[[10,"1.5"],[20,"abc"],[30,2],[40,"-Inf"],[50,""]]}
    ]}}"#;
    let series = &parse_matrix(body).unwrap().data[0];
    assert_eq!(series.unparseable, 3);
    assert_eq!(series.points, [(10.0, 1.5), (40.0, f64::NEG_INFINITY)]);
}

#[test]
fn unparseable_instant_value_leaves_no_point() {
    let body = br#"{"status":"success","data":{"resultType":"vector","result":[
        {"metric":{},"value":[10,"n/a"]}
    ]}}"#;
    let series = &parse_vector(body).unwrap().data[0];
    assert_eq!(series.unparseable, 1);
    assert_eq!(series.last_value(), None);
}

#[test]
fn native_histograms_are_counted() {
    let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{},"histograms":[[10,{"count":"3","sum":"1","buckets":[]}]]}
    ]}}"#;
    let series = &parse_matrix(body).unwrap().data[0];
    assert_eq!(series.histogram_samples, 1);
    assert!(series.points.is_empty());
}

#[test]
fn scalar_and_string_results_parse() {
    let body = br#"{"status":"success","data":{"resultType":"scalar","result":[12.5,"+Inf"]}}"#;
    let reply = parse_query(body).unwrap();
    assert_eq!(
        reply.data,
        QueryResult::Scalar {
            timestamp: 12.5,
            value: Some(f64::INFINITY)
        }
    );
    let body = br#"{"status":"success","data":{"resultType":"string","result":[3,"hello"]}}"#;
    let reply = parse_query(body).unwrap();
    assert_eq!(
        reply.data,
        QueryResult::String {
            timestamp: 3.0,
            value: "hello".into()
        }
    );
    let body = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"x"]}}"#;
    let err = parse_matrix(body).unwrap_err();
    assert_eq!(
        err.to_string(),
        "query returned a scalar, expected a matrix"
    );
}

#[test]
fn unknown_result_type_is_bad_data() {
    let body = br#"{"status":"success","data":{"resultType":"table","result":[]}}"#;
    let err = parse_query(body).unwrap_err();
    assert_eq!(
        err,
        PromReplyError::BadData {
            endpoint: "query",
            reason: r#"unknown resultType "table""#.into()
        }
    );
}

#[test]
fn malformed_sample_pair_is_bad_data() {
    let body = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}"#;
    assert!(matches!(
        parse_matrix(body).unwrap_err(),
        PromReplyError::BadData {
            endpoint: "query",
            ..
        }
    ));
}

#[test]
fn error_fixture_keeps_type_and_text() {
    let err = parse_matrix(fixture!("error_bad_data.json")).unwrap_err();
    assert_eq!(
        err,
        PromReplyError::Api {
            error_type: "bad_data".into(),
            message: "1:25: parse error: unexpected right parenthesis ')'".into(),
            warnings: vec![],
        }
    );
    assert_eq!(
        err.to_string(),
        "Prometheus error (bad_data): 1:25: parse error: unexpected right parenthesis ')'"
    );
}

#[test]
fn warnings_are_kept_on_success_and_error() {
    let body = br#"{"status":"success","warnings":["result truncated"],"infos":["i"],
        "data":{"resultType":"vector","result":[]}}"#;
    let reply = parse_vector(body).unwrap();
    assert_eq!(reply.warnings, ["result truncated"]);
    assert_eq!(reply.infos, ["i"]);

    let body =
        br#"{"status":"error","errorType":"timeout","error":"query timed out","warnings":["w"]}"#;
    let PromReplyError::Api { warnings, .. } = parse_alerts(body).unwrap_err() else {
        panic!("expected an API error");
    };
    assert_eq!(warnings, ["w"]);
}

#[test]
fn html_proxy_page_is_quoted_safely() {
    let body =
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\x1b[2J\n<body>nginx</body></html>";
    let err = parse_matrix(body).unwrap_err();
    let PromReplyError::NotEnvelope { preview, .. } = &err else {
        panic!("expected NotEnvelope, got {err:?}");
    };
    assert!(preview.starts_with("<html> <head><title>502 Bad Gateway</title></head>"));
    assert!(!preview.chars().any(char::is_control));
    assert!(err.to_string().starts_with("not a Prometheus reply ("));
    assert!(err.to_string().contains("body starts: <html>"));
}

#[test]
fn empty_body_and_foreign_json_are_not_envelopes() {
    let err = parse_query(b"").unwrap_err();
    assert!(err.to_string().ends_with("empty body"), "{err}");

    let err = parse_query(br#"{"message":"Unauthorized"}"#).unwrap_err();
    let PromReplyError::NotEnvelope { reason, preview } = err else {
        panic!("expected NotEnvelope");
    };
    assert!(reason.contains("missing field `status`"), "{reason}");
    assert_eq!(preview, r#"{"message":"Unauthorized"}"#);

    let err = parse_query(br#"{"status":"partial"}"#).unwrap_err();
    assert!(
        matches!(err, PromReplyError::NotEnvelope { ref reason, .. } if reason == r#"unknown status "partial""#)
    );
}

#[test]
fn success_without_data_is_bad_data() {
    let err = parse_build_info(br#"{"status":"success"}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected buildinfo data from Prometheus: no data in a success reply"
    );
}

#[test]
fn build_info_parses() {
    let body = br#"{"status":"success","data":{"version":"2.45.3","revision":"abc123",
        "branch":"HEAD","buildUser":"root@host","buildDate":"20240123-10:10:10","goVersion":"go1.21.6"}}"#;
    let info = parse_build_info(body).unwrap().data;
    assert_eq!(info.version, "2.45.3");
    assert_eq!(info.revision, "abc123");
    assert_eq!(info.build_user, "root@host");
    assert_eq!(info.build_date, "20240123-10:10:10");
    assert_eq!(info.go_version, "go1.21.6");
}

#[test]
fn alerts_fixture_parses() {
    let alerts = parse_alerts(fixture!("alerts.json")).unwrap().data;
    assert_eq!(alerts.len(), 2);

    let high = &alerts[0];
    assert_eq!(high.name, "HighErrorRate");
    assert_eq!(high.state, AlertState::Firing);
    assert_eq!(high.severity(), Some("critical"));
    assert_eq!(high.label_any(&["app", "service"]), Some("payment-service"));
    assert_eq!(high.value, Some(0.231));
    assert_eq!(high.value_raw.as_deref(), Some("2.31e-01"));
    assert_eq!(high.summary(), Some("High error rate detected"));
    assert_eq!(
        high.description(),
        Some("Error rate is 0.231 errors per second")
    );
    let active = high.active_at.unwrap();
    assert_eq!(active.to_rfc3339(), "2026-11-21T10:02:13.431245678+00:00");

    let pool = &alerts[1];
    assert_eq!(pool.state, AlertState::Pending);
    assert_eq!(pool.label("service"), Some("order-service"));
    assert_eq!(
        pool.active_at.unwrap().timestamp_millis(),
        1_795_255_491_002
    );
}

#[test]
fn odd_alert_fields_degrade_per_field() {
    let body = br#"{"status":"success","data":{"alerts":[
        {"labels":{},"state":"silenced","activeAt":"0001-01-01T00:00:00Z","value":"bogus"},
        {"labels":{"alertname":"A"},"state":"inactive","activeAt":"yesterday","value":3}
    ]}}"#;
    let alerts = parse_alerts(body).unwrap().data;
    assert_eq!(alerts[0].name, "");
    assert_eq!(alerts[0].state, AlertState::Unknown("silenced".into()));
    assert_eq!(alerts[0].active_at, None);
    assert_eq!(alerts[0].value, None);
    assert_eq!(alerts[0].value_raw.as_deref(), Some("bogus"));
    assert_eq!(alerts[1].state, AlertState::Inactive);
    assert_eq!(alerts[1].active_at, None);
    assert_eq!(alerts[1].value, Some(3.0));
    assert_eq!(alerts[0].summary(), None);
}

#[test]
fn sample_values_read_go_formatting() {
    use super::series::parse_sample_value;
    assert!(parse_sample_value("NaN").unwrap().is_nan());
    assert_eq!(parse_sample_value("+Inf"), Some(f64::INFINITY));
    assert_eq!(parse_sample_value("-Inf"), Some(f64::NEG_INFINITY));
    assert_eq!(parse_sample_value("1e-05"), Some(0.00001));
    assert_eq!(parse_sample_value("1,5"), None);
    assert_eq!(parse_sample_value(" 1"), None);
}
