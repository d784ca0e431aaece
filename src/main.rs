use clap::Parser;
// File names and errors (a recording's decode error quotes it) are made
// safe before they reach the terminal.
use opsdeck::app::{App, Options};
use opsdeck::cli::{Cli, Mode};
use opsdeck::config::{self, Locations};
use opsdeck::core::action::Backend;
use opsdeck::core::executor::Executor;
use opsdeck::core::room::{RoomRequest, check_room_name};
use opsdeck::core::sanitize::safe;
use opsdeck::demo::executor::DemoExecutor;
use opsdeck::demo::{self, DemoOptions};
use opsdeck::remediation::audit::{AuditLog, host_name, user_name};
use opsdeck::remediation::executor::{Deferred, Router};
use opsdeck::remediation::run::Services;
use opsdeck::runtime::SourceControl;
use opsdeck::shared::color::ColorSupport;
use opsdeck::shared::kube::KubeOverrides;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Capacity of the update channel; sources wait (never the UI) when it is full.
const UPDATE_CHANNEL: usize = 4096;
/// Log lines waiting for the app; past this, batches are dropped and counted.
const LOG_LINES_QUEUED: usize = 50_000;

fn main() -> color_eyre::Result<()> {
    let cli = Cli::parse();
    install_hooks()?;
    let loc = Locations::new(cli.global.config.clone());
    let loaded = config::load(&loc, cli.global.theme.as_deref(), ColorSupport::from_env());

    if let Some(Mode::Check) = cli.command {
        let probes = probe_sources(&loaded.settings, &cli)?;
        let (report, ok) = opsdeck::check::report(&loc, &loaded, &probes);
        print!("{report}");
        if probes.iter().any(|p| p.rows.iter().any(|r| r.ok)) {
            print!("{}", opsdeck::check::printable(&service_map(loaded, &cli)?));
        }
        std::process::exit(if ok { 0 } else { 1 });
    }

    if let Some(Mode::Export(args)) = &cli.command {
        std::process::exit(export_postmortem(args, loaded));
    }

    opsdeck::logging::init(cli.global.log_file.as_deref())?;
    for problem in &loaded.problems {
        tracing::warn!("{problem}");
    }
    let replay = match &cli.command {
        Some(Mode::Replay(args)) => match opsdeck::recording::Recording::open(&args.file) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!(
                    "{}",
                    safe(&format!("opsdeck replay: {}: {e}", args.file.display()))
                );
                std::process::exit(2);
            }
        },
        _ => None,
    };
    let options = Options {
        replay: replay.is_some(),
        readonly: cli.global.readonly || replay.is_some(),
        mouse: !cli.global.no_mouse && loaded.settings.mouse,
        user: user_name(),
        host: host_name(),
        session: String::new(),
    };
    let room = match room_to_join(&cli, &loaded.settings, replay.is_some()) {
        Ok(room) => room,
        Err(e) => {
            eprintln!("opsdeck: {e}");
            std::process::exit(2);
        }
    };
    let mut app = App::new(loaded, options, chrono::Utc::now());
    if cli.command.is_none() && app.settings.prometheus.url.is_some() {
        app.prom_window = Some(app.settings.prometheus.window);
    }

    let audit_path = app
        .settings
        .audit_log
        .clone()
        .unwrap_or_else(|| opsdeck::config::paths::state_dir().join("audit.jsonl"));
    let audit = match AuditLog::open(&audit_path) {
        Ok(log) => Some(log),
        Err(e) => {
            tracing::error!("audit log unwritable, every action will be refused: {e}");
            app.audit_error = Some(e);
            None
        }
    };
    let timeout = Duration::from_secs(u64::from(app.settings.action_timeout_secs));

    let settings = app.settings.clone();
    let warroom = settings.warroom.clone();
    if settings.kubernetes.enabled == Some(false) && cli.command.is_none() {
        app.model
            .health
            .set_off(opsdeck::core::source::SourceId::Kubernetes);
    }
    let overrides = KubeOverrides {
        kubeconfig: None,
        context: cli.global.context.clone(),
        namespace: cli.global.namespace.clone(),
        all_namespaces: cli.global.all_namespaces,
    };
    let mut control = SourceControl::default();
    let header = recording_header(&cli, &settings, &loc);
    let recorder = match &cli.global.record {
        Some(path) => {
            let (path, numbered) = if path.as_os_str().is_empty() {
                let default = opsdeck::core::replay::recording_path(
                    &opsdeck::config::paths::state_dir(),
                    header.started_at,
                    &header.context,
                );
                (default, true)
            } else {
                (path.clone(), false)
            };
            let started = if numbered {
                opsdeck::recording::Recorder::start_numbered(&path, &header)
            } else {
                opsdeck::recording::Recorder::start(&path, &header)
            };
            match started {
                Ok(r) => Some(r),
                Err(e) => {
                    eprintln!(
                        "{}",
                        safe(&format!(
                            "opsdeck: cannot record to {}: {e}",
                            path.display()
                        ))
                    );
                    std::process::exit(2);
                }
            }
        }
        None => None,
    };
    let recording = opsdeck::recording::Session { recorder, header };

    // The app loop runs on this thread (`block_on`) and blocking calls on
    // tokio's blocking pool, so the sources, which wait on sockets, need
    // one worker, not one per core: on a 64-core bastion that was 64
    // threads, and each thread's malloc arena kept what it freed (at
    // 5,000 pods, 52 MB resident with two workers, 47 MB with one).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (tx, rx) = opsdeck::transport::channel(UPDATE_CHANNEL, LOG_LINES_QUEUED);
        let tx_room = tx.clone();
        if let Some(r) = &recording.recorder {
            rx.set_tap(Some(r.tap()));
        }
        let executor: Arc<dyn Executor> = if let Some(Mode::Demo(args)) = &cli.command {
            tracing::info!(
                seed = args.seed,
                speed = args.speed,
                "demo incident starting"
            );
            let (actions_tx, actions_rx) = mpsc::channel(8);
            let options = DemoOptions {
                seed: args.seed,
                speed: args.speed,
                looping: !args.no_loop,
                log_rate: args.firehose.unwrap_or(args.log_rate),
            };
            demo::spawn(options, tx, actions_rx);
            Arc::new(DemoExecutor::new(actions_tx))
        } else if let Some(recording) = replay {
            // No executor: a replay shows what was done, it does nothing.
            control.replay = Some(opsdeck::recording::player::spawn(recording, tx));
            Arc::new(Router::new())
        } else {
            Arc::new(start_live(settings, overrides, tx, &mut control))
        };
        if !app.options.replay && warroom.redis_url.is_some() {
            let room_handle = opsdeck::warroom::spawn(warroom, app.me(), tx_room);
            if let Some(name) = room {
                room_handle.request(RoomRequest::Join(name));
            }
            control.room = Some(room_handle);
        }
        let services = Services {
            executor,
            audit,
            user: user_name(),
            host: host_name(),
            timeout,
        };
        opsdeck::runtime::run(app, rx, services, control, recording).await
    })?;
    runtime.shutdown_background();
    Ok(())
}

/// The room to join at start: `--room`, else `[warroom] room`. A room
/// without a Redis to keep it in is an error, not a silent solo console.
fn room_to_join(
    cli: &Cli,
    settings: &opsdeck::config::settings::Settings,
    replay: bool,
) -> Result<Option<String>, String> {
    let wanted = cli
        .global
        .room
        .clone()
        .or_else(|| settings.warroom.room.clone());
    let Some(name) = wanted.filter(|_| !replay) else {
        return Ok(None);
    };
    check_room_name(&name).map_err(|e| format!("--room {}: {e}", safe(&name)))?;
    if settings.warroom.redis_url.is_none() {
        return Err("--room needs [warroom] redis_url in the config".into());
    }
    Ok(Some(name))
}

/// `opsdeck export FILE [--out PATH]`: the recording applied to a console
/// with no terminal, then its post-mortem draft. Returns the exit code.
fn export_postmortem(args: &opsdeck::cli::ExportArgs, loaded: opsdeck::config::Loaded) -> i32 {
    let rec = match opsdeck::recording::Recording::open(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "{}",
                safe(&format!("opsdeck export: {}: {e}", args.file.display()))
            );
            return 2;
        }
    };
    let options = Options {
        replay: true,
        readonly: true,
        mouse: false,
        user: user_name(),
        host: host_name(),
        session: String::new(),
    };
    let mut app = App::new(loaded, options, rec.start());
    let damaged = opsdeck::recording::tap::apply_all(&mut app, &rec);
    if damaged > 0 || rec.truncated {
        eprintln!(
            "opsdeck export: {} damaged frame(s) skipped{}",
            damaged,
            if rec.truncated {
                "; the file is truncated"
            } else {
                ""
            }
        );
    }
    let from = args.file.display().to_string();
    let source = opsdeck::postmortem::Source {
        context: &rec.header.context,
        from: &from,
        written_at: chrono::Utc::now(),
    };
    let draft = opsdeck::postmortem::markdown(&app.model, &source);
    let Some(out) = &args.out else {
        print!("{draft}");
        return 0;
    };
    use std::io::Write;
    let written = opsdeck::shared::private_file::create_new(out)
        .and_then(|mut f| f.write_all(draft.as_bytes()));
    match written {
        Ok(()) => {
            eprintln!(
                "{}",
                safe(&format!("post-mortem draft written to {}", out.display()))
            );
            0
        }
        Err(e) => {
            eprintln!(
                "{}",
                safe(&format!("opsdeck export: {}: {e}", out.display()))
            );
            2
        }
    }
}

/// What a recording says about where it was made: the context, which
/// sources were configured (not their addresses), a digest of the config.
fn recording_header(
    cli: &Cli,
    settings: &opsdeck::config::settings::Settings,
    loc: &Locations,
) -> opsdeck::recording::Header {
    let demo = matches!(cli.command, Some(Mode::Demo(_)));
    let context = if demo {
        "demo".to_string()
    } else {
        cli.global
            .context
            .clone()
            .or_else(|| settings.kubernetes.context.clone())
            .unwrap_or_else(|| "current".into())
    };
    let mut sources = Vec::new();
    if demo || settings.kubernetes.enabled != Some(false) {
        sources.push("kubernetes".to_string());
    }
    if demo || settings.prometheus.url.is_some() {
        sources.push("prometheus".into());
    }
    if demo || settings.breakers.enabled() {
        sources.push("actuator".into());
    }
    if demo || !settings.kafka.clusters.is_empty() {
        sources.push("kafka".into());
    }
    if demo || settings.queries.enabled() {
        sources.push("queries".into());
    }
    let config_digest = std::fs::read(&loc.config_file)
        .map(|b| format!("crc32:{:08x}", crc32fast::hash(&b)))
        .unwrap_or_else(|_| "no config file".into());
    opsdeck::recording::Header {
        format_version: opsdeck::core::FORMAT_VERSION,
        opsdeck_version: env!("CARGO_PKG_VERSION").into(),
        started_at: chrono::Utc::now(),
        context,
        sources,
        config_digest,
    }
}

/// Starts every configured source and routes each action kind to its
/// executor. Without Kubernetes the other sources still run; breakers then
/// read their configured actuators only, and cluster actions are refused as
/// unconfigured.
fn start_live(
    settings: opsdeck::config::settings::Settings,
    overrides: KubeOverrides,
    tx: opsdeck::transport::UpdateTx,
    control: &mut SourceControl,
) -> Router {
    if settings.prometheus.url.is_some() {
        let (window_tx, window_rx) = tokio::sync::watch::channel((
            settings.prometheus.window,
            opsdeck::features::heatmap::source::DEFAULT_COLUMNS,
        ));
        control.prom_view = Some(window_tx);
        tokio::spawn(opsdeck::live::run_prometheus(
            settings.prometheus.clone(),
            tx.clone(),
            window_rx,
        ));
    }
    opsdeck::live::start_revisions(&settings, &tx);
    let (link_tx, link_rx) = tokio::sync::watch::channel(None);
    let mut router = Router::new();
    if let Some(b) = opsdeck::live::start_breakers(&settings, link_rx, tx.clone()) {
        router = router.with(Backend::Actuator, b);
    }
    if let Some(k) = opsdeck::live::start_kafka(&settings, tx.clone()) {
        router = router.with(Backend::Kafka, k);
    }
    let (mut router, order) = opsdeck::live::start_queries(&settings, tx.clone(), router);
    control.queries_order = order;
    if settings.kubernetes.enabled != Some(false) {
        let deferred = Arc::new(Deferred::new("Kubernetes"));
        let (scope_tx, scope_rx) = mpsc::unbounded_channel();
        control.scope = Some(scope_tx);
        let (logs_tx, logs_rx) = mpsc::unbounded_channel();
        control.logs = Some(logs_tx);
        tokio::spawn(opsdeck::live::run_kube(
            settings,
            overrides,
            tx,
            deferred.clone(),
            scope_rx,
            logs_rx,
            link_tx,
        ));
        router = router.with(Backend::Kubernetes, deferred);
    }
    router
}

/// color-eyre reports, with the terminal restored first so they are readable.
fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    eyre_hook.install()?;
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        opsdeck::terminal::restore();
        panic_hook(info);
    }));
    Ok(())
}

/// One probe table per configured source; a source nobody configured is
/// probed too, but its failure does not fail `check`.
/// How long `check` listens to the sources to link services.
const SERVICE_SAMPLE: Duration = Duration::from_secs(5);

/// `check`'s service map: the live sources run for a few seconds into a
/// console with no terminal, then the map the Overview derived is printed.
fn service_map(loaded: opsdeck::config::Loaded, cli: &Cli) -> color_eyre::Result<String> {
    let overrides = KubeOverrides {
        kubeconfig: None,
        context: cli.global.context.clone(),
        namespace: cli.global.namespace.clone(),
        all_namespaces: cli.global.all_namespaces,
    };
    let settings = loaded.settings.clone();
    let mut app = App::new(loaded, Options::default(), chrono::Utc::now());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (tx, mut rx) = opsdeck::transport::channel(UPDATE_CHANNEL, LOG_LINES_QUEUED);
        let mut control = SourceControl::default();
        let _router = start_live(settings, overrides, tx, &mut control);
        let deadline = tokio::time::Instant::now() + SERVICE_SAMPLE;
        while let Ok(Some(u)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            app.update(opsdeck::app::Event::Update(u));
        }
    });
    runtime.shutdown_background();
    let map = &app.model.overview.map;
    Ok(format!(
        "\nservices ({} linked from {} s of data; [services] in config.toml changes a link):\n{}",
        map.services.len(),
        SERVICE_SAMPLE.as_secs(),
        map.describe()
    ))
}

fn probe_sources(
    settings: &opsdeck::config::settings::Settings,
    cli: &Cli,
) -> color_eyre::Result<Vec<opsdeck::check::SourceProbes>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut probes = Vec::new();
    let ks = &settings.kubernetes;
    if ks.enabled != Some(false) {
        let overrides = KubeOverrides {
            kubeconfig: None,
            context: cli.global.context.clone(),
            namespace: cli.global.namespace.clone(),
            all_namespaces: cli.global.all_namespaces,
        };
        let required =
            ks.enabled == Some(true) || ks.context.is_some() || overrides.context.is_some();
        let rows = runtime.block_on(opsdeck::features::pods::source::probe(ks, &overrides));
        probes.push(opsdeck::check::SourceProbes {
            source: "Kubernetes",
            rows,
            required,
        });
    }
    if settings.prometheus.url.is_some() {
        let rows = runtime
            .block_on(opsdeck::features::heatmap::source::probe(
                &settings.prometheus,
            ))
            .into_iter()
            .map(|r| opsdeck::core::probe::ProbeRow {
                check: r.what,
                ok: r.ok,
                detail: r.detail,
                took: r.took,
            })
            .collect();
        probes.push(opsdeck::check::SourceProbes {
            source: "Prometheus",
            rows,
            required: true,
        });
    }
    for c in &settings.kafka.clusters {
        let rows = match opsdeck::features::lag::source::poll::cluster_config(c) {
            Ok(config) => {
                kafka_probe_rows(runtime.block_on(opsdeck::features::lag::source::probe(&config)))
            }
            Err(e) => vec![opsdeck::core::probe::ProbeRow {
                check: "secrets".into(),
                ok: false,
                detail: e,
                took: Duration::ZERO,
            }],
        };
        probes.push(opsdeck::check::SourceProbes {
            source: "Kafka",
            rows,
            required: true,
        });
    }
    if settings.queries.enabled() {
        let rows = runtime.block_on(opsdeck::features::queries::source::probe::probe(
            &settings.queries,
        ));
        probes.push(opsdeck::check::SourceProbes {
            source: "Queries",
            rows,
            required: true,
        });
    }
    if settings.warroom.redis_url.is_some() {
        let rows = runtime.block_on(opsdeck::warroom::probe::probe(&settings.warroom));
        probes.push(opsdeck::check::SourceProbes {
            source: "War room",
            rows,
            required: true,
        });
    }
    if settings.breakers.enabled() {
        let overrides = KubeOverrides {
            kubeconfig: None,
            context: cli.global.context.clone(),
            namespace: cli.global.namespace.clone(),
            all_namespaces: cli.global.all_namespaces,
        };
        let rows = runtime.block_on(opsdeck::features::breakers::source::probe::probe(
            &settings.breakers,
            &settings.kubernetes,
            &settings.prometheus,
            &overrides,
        ));
        probes.push(opsdeck::check::SourceProbes {
            source: "Breakers",
            rows,
            required: true,
        });
    }
    Ok(probes)
}

/// Metadata reachable and broker count; whether groups can be listed.
fn kafka_probe_rows(
    r: opsdeck::features::lag::source::ProbeReport,
) -> Vec<opsdeck::core::probe::ProbeRow> {
    use opsdeck::core::probe::ProbeRow;
    let mut rows = vec![ProbeRow {
        check: format!("{}: metadata", r.cluster),
        ok: r.metadata.is_ok(),
        detail: match &r.metadata {
            Ok((brokers, topics)) => format!("{brokers} broker(s), {topics} topic(s)"),
            Err(e) => e.to_string(),
        },
        took: r.took,
    }];
    if let Some(listing) = &r.listing {
        rows.push(ProbeRow {
            check: format!("{}: list groups", r.cluster),
            ok: listing.is_ok(),
            detail: match listing {
                Ok(n) => format!("{n} group(s)"),
                Err(e) => format!("{e} (configured groups are still watched)"),
            },
            took: r.took,
        });
    }
    rows
}
