//! The incremental pod rows against a full rebuild: any sequence of lists,
//! changes, deletions, events and metrics, under any view settings, leaves
//! the same rows, event rows and cursor as filtering and sorting it all.

use super::{PodColumn, PodFilter, PodsMode, PodsView};
use crate::core::clean::Clean;
use crate::core::service::{ServiceLinks, ServiceScope};
use crate::features::pods::model::{KubeEvent, KubeUpdate, Pod, PodMetrics, Workloads};
use proptest::prelude::*;

const STATUSES: [&str; 4] = ["Running", "CrashLoopBackOff", "Pending", "OOMKilled"];
const FILTERS: [&str; 5] = ["", "web", "!running", "-l app=a1", "-l app!=a0"];

fn pod(name: u8, status: usize, restarts: u32, app: u8, created: i64) -> Pod {
    Pod {
        name: format!("web-{name}"),
        namespace: format!("ns-{}", name % 3),
        deployment: Some(format!("a{app}")),
        status: STATUSES[status].into(),
        ready: u32::from(status == 0),
        total: 1,
        restarts,
        created: chrono::DateTime::from_timestamp(created, 0),
        node: (!name.is_multiple_of(4)).then(|| format!("node-{}", name % 5)),
        labels: [("app".to_string(), format!("a{app}"))].into(),
        ..Pod::default()
    }
}

#[derive(Debug, Clone)]
enum Op {
    List(Vec<Pod>),
    Changed(Vec<Pod>, Vec<u8>),
    Events(Vec<(u8, bool, i64)>),
    Metrics(Vec<(u8, u64)>),
    Select(usize),
}

fn a_pod() -> impl Strategy<Value = Pod> {
    (0u8..24, 0usize..4, 0u32..4, 0u8..4, 0i64..6).prop_map(|(n, s, r, a, c)| pod(n, s, r, a, c))
}

fn an_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => prop::collection::vec(a_pod(), 0..20).prop_map(Op::List),
        8 => (
            prop::collection::vec(a_pod(), 0..4),
            prop::collection::vec(0u8..24, 0..3)
        )
            .prop_map(|(up, del)| Op::Changed(up, del)),
        1 => prop::collection::vec((0u8..24, any::<bool>(), 0i64..9), 0..5).prop_map(Op::Events),
        1 => prop::collection::vec((0u8..24, 0u64..4), 0..24).prop_map(Op::Metrics),
        2 => (0usize..30).prop_map(Op::Select),
    ]
}

fn update(op: &Op) -> Option<KubeUpdate> {
    let key = |n: u8| (format!("ns-{}", n % 3), format!("web-{n}"));
    Some(match op {
        Op::List(pods) => KubeUpdate::Pods(pods.clone()),
        Op::Changed(up, del) => KubeUpdate::PodsChanged {
            upserted: up.clone(),
            deleted: del.iter().map(|&n| key(n)).collect(),
        },
        Op::Events(events) => KubeUpdate::Events(
            events
                .iter()
                .map(|&(n, warning, at)| KubeEvent {
                    namespace: key(n).0,
                    object_kind: "Pod".into(),
                    object_name: key(n).1,
                    warning,
                    last_seen: chrono::DateTime::from_timestamp(at, 0),
                    ..KubeEvent::default()
                })
                .collect(),
        ),
        Op::Metrics(ms) => KubeUpdate::Metrics(Ok(ms
            .iter()
            .map(|&(n, v)| PodMetrics {
                namespace: key(n).0,
                pod: key(n).1,
                cpu_millis: v,
                memory_bytes: 3 - v,
                at: None,
            })
            .collect())),
        Op::Select(_) => return None,
    })
}

fn a_view() -> impl Strategy<Value = PodsView> {
    (
        0usize..3,
        0usize..8,
        any::<bool>(),
        0usize..5,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(mode, sort, descending, filter, scoped, warnings_only)| PodsView {
                mode: [PodsMode::Pods, PodsMode::Events, PodsMode::Deployments][mode],
                sort: PodColumn::ALL[sort],
                descending,
                filter: PodFilter::parse(FILTERS[filter]),
                warnings_only,
                service: scoped.then(|| ServiceScope {
                    name: "a".into(),
                    links: ServiceLinks {
                        deployments: vec!["a1".into(), "a2".into()],
                        ..ServiceLinks::default()
                    },
                }),
                ..PodsView::default()
            },
        )
}

proptest! {
    #[test]
    fn changes_applied_one_by_one_give_the_rows_a_full_rebuild_gives(
        view in a_view(),
        ops in prop::collection::vec(an_op(), 1..40),
    ) {
        let (mut w, mut incremental) = (Workloads::default(), view.clone());
        let (mut w_full, mut full) = (Workloads::default(), view);
        for op in &ops {
            match update(op) {
                Some(u) => {
                    incremental.apply(&mut w, Clean::new(u.clone()));
                    w_full.apply(Clean::new(u));
                    full.refresh(&w_full);
                }
                None => {
                    let Op::Select(i) = op else { unreachable!() };
                    for v in [&mut incremental, &mut full] {
                        v.cursor.selected = *i;
                        let len = v.len();
                        v.cursor.clamp(len);
                    }
                }
            }
            prop_assert_eq!(incremental.rows(), full.rows(), "after {:?}", op);
            prop_assert_eq!(incremental.event_rows(), full.event_rows(), "after {:?}", op);
            prop_assert_eq!(incremental.cursor, full.cursor, "after {:?}", op);
        }
    }
}
