//! The kubeconfig that points a client at the test server.

use super::routes::TOKEN;

/// One cluster, one bearer-token user and one context, all named `test`;
/// `namespace` is the context's default namespace.
pub fn yaml(base_url: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {base_url}
users:
- name: test
  user:
    token: {TOKEN}
contexts:
- name: test
  context:
    cluster: test
    user: test
    namespace: {namespace}
current-context: test
preferences: {{}}
"
    )
}
