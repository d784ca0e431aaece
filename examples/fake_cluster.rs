//! The Kubernetes test API server with N pods, for `benches/first_table.sh`
//! and `benches/terminal_bytes.sh`: `fake_cluster N DIR [CHURN_MS]` writes
//! DIR/kubeconfig, prints its path and serves until killed; with CHURN_MS,
//! one pod's restart count goes up every CHURN_MS milliseconds, round robin.

#[allow(dead_code, unused_imports)]
#[path = "../tests/support/kube_server/mod.rs"]
mod kube_server;

use serde_json::json;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: fake_cluster N DIR");
    let dir = std::path::PathBuf::from(args.next().expect("usage: fake_cluster N DIR"));
    let server = kube_server::KubeTestServer::start().await;
    for d in 0..(n / 25).max(1) {
        let name = format!("service-{d:03}");
        server.add_deployment(json!({
            "metadata": {"name": name, "namespace": "bench"},
            "spec": {"replicas": 25, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": name, "image": "registry.example/svc:1"}]}}},
        }));
    }
    for i in 0..n {
        let app = format!("service-{:03}", i / 25);
        server.add_pod(json!({
            // Created well before the run, as on a real cluster: an age in
            // days does not tick every second and rewrite every row.
            "metadata": {"name": format!("{app}-5c6d7e8f9-{i:05}"), "namespace": "bench",
                         "creationTimestamp": "2026-11-21T07:00:00Z",
                         "labels": {"app": app, "pod-template-hash": "5c6d7e8f9"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-5c6d7e8f9"), "uid": "u", "controller": true}]},
            "spec": {"nodeName": format!("node-{}", i % 50), "containers": [{"name": app, "image": "registry.example/svc:1",
                     "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": app, "image": "registry.example/svc:1", "imageID": "",
                       "ready": true, "restartCount": (i % 7), "state": {"running": {"startedAt": "2026-11-21T07:00:09Z"}}}]},
        }));
    }
    let churn: Option<u64> = args.next().and_then(|a| a.parse().ok());
    let path = server.write_kubeconfig(&dir, "bench");
    println!("{}", path.display());
    let Some(ms) = churn else {
        std::future::pending::<()>().await;
        return;
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(ms));
    for i in (0..n).cycle() {
        tick.tick().await;
        let name = format!("service-{:03}-5c6d7e8f9-{i:05}", i / 25);
        server.update_pod("bench", &name, |pod| {
            let count = &mut pod["status"]["containerStatuses"][0]["restartCount"];
            *count = json!(count.as_i64().unwrap_or(0) + 1);
        });
    }
}
