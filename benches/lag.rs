//! Lag tab. Targets (issue 6): per poll cycle of 200 groups x 50
//! partitions, the model's work under 5 ms and a frame under 2 ms.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Options};
use opsdeck::features::lag::model::{Consumers, LagUpdate};
use opsdeck::features::lag::stats::{
    GroupDescription, GroupSnapshot, GroupState, PartitionOffsets, TopicPartition,
};
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const GROUPS: usize = 200;
const PARTITIONS: i32 = 50;

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_255_200, 0).unwrap()
}

/// Poll `i` of every group: log ends advance, committed offsets follow.
fn poll(i: i64) -> LagUpdate {
    let at = t0() + chrono::Duration::seconds(i * 5);
    let groups = (0..GROUPS)
        .map(|g| GroupSnapshot {
            group: format!("group-{g:03}"),
            at,
            description: Some(GroupDescription {
                id: format!("group-{g:03}"),
                state: GroupState::Stable,
                protocol_type: "consumer".into(),
                protocol: "range".into(),
                members: Vec::new(),
            }),
            partitions: (0..PARTITIONS)
                .map(|p| {
                    let high = 100_000 + i * 500 + i64::from(p);
                    PartitionOffsets {
                        tp: TopicPartition::new(format!("topic-{}", g % 20), p),
                        committed: Some(high - (g as i64 * 13 + i64::from(p)) % 2_000),
                        low: 0,
                        high,
                        owner: None,
                    }
                })
                .collect(),
            missing_topics: Vec::new(),
        })
        .collect();
    LagUpdate {
        cluster: "prod".into(),
        at,
        groups,
        dlq: Vec::new(),
        note: None,
        failures: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    // A model whose histories are full (10 minutes of polling, more than
    // it keeps); each iteration applies the next poll.
    let mut model = Consumers::default();
    for i in 0..120 {
        model.apply(opsdeck::core::clean::Clean::new(poll(i)));
    }
    let mut next = 120;
    c.bench_function("lag model: one poll of 200 groups x 50 partitions", |b| {
        b.iter_batched(
            || {
                next += 1;
                poll(next)
            },
            |update| black_box(model.apply(opsdeck::core::clean::Clean::new(update))),
            BatchSize::LargeInput,
        )
    });

    let mut app = App::new(
        opsdeck::config::defaults("dark", ColorSupport::TrueColor),
        Options::default(),
        t0(),
    );
    app.tab = Tab::Lag;
    app.update(Event::Resize {
        width: 200,
        height: 50,
    });
    for i in 0..30 {
        app.update(Event::Update(Update::from(poll(i))));
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test backend");
    c.bench_function("lag tab frame, 200 groups at 200x50", |b| {
        b.iter(|| {
            terminal
                .draw(|f| opsdeck::ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
