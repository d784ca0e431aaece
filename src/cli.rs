//! Command-line arguments. Only these can stop start-up (with clap's message).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// A terminal live-ops console for microservice incidents.
#[derive(Debug, Parser)]
#[command(name = "opsdeck", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Mode>,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options of every mode.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Config file (default: $XDG_CONFIG_HOME/opsdeck/config.toml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Colour theme: dark, light, high-contrast, mono or one of yours
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Refuse every remediation action
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Do not capture the mouse (lets the terminal select text)
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// Kubernetes context (default: the kubeconfig's current context)
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Kubernetes namespace (default: the context's namespace)
    #[arg(long, short = 'n', global = true, value_name = "NAME")]
    pub namespace: Option<String>,
    /// Watch every namespace
    #[arg(long, short = 'A', global = true)]
    pub all_namespaces: bool,
    /// Also write opsdeck's own log to this file
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Record everything the console applies (replay it with `opsdeck
    /// replay FILE`); without FILE, in $XDG_STATE_HOME/opsdeck/recordings;
    /// never over an existing file
    #[arg(long, global = true, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    pub record: Option<PathBuf>,
    /// Join this war room (kept in [warroom] redis_url's Redis)
    #[arg(long, global = true, value_name = "NAME")]
    pub room: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Mode {
    /// Run the console on a built-in incident (no cluster, no database)
    Demo(DemoArgs),
    /// Validate config, keymap and themes; print what is wrong
    Check,
    /// Open a recording in the console: every tab as it was, nothing acts
    Replay(ReplayArgs),
    /// Write a post-mortem draft (Markdown) from a recording
    Export(ExportArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    /// A file written by `--record`
    pub file: PathBuf,
    /// Where to write the draft (never over an existing file); stdout if not given
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct ReplayArgs {
    /// A file written by `--record`
    pub file: PathBuf,
}

#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Simulated seconds per real second (e.g. 10 for a 7-minute story in 42 s)
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Seed of the simulation: the same seed tells the same story
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Play the incident once instead of looping
    #[arg(long)]
    pub no_loop: bool,
    /// Log lines per simulated second across the demo's pods
    #[arg(long, default_value_t = 20, value_name = "LINES")]
    pub log_rate: u32,
    /// Stress: this many log lines per second (overrides --log-rate)
    #[arg(long, value_name = "LINES")]
    pub firehose: Option<u32>,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('x')
        .parse()
        .map_err(|_| format!("not a number: {s}"))?;
    if v.is_finite() && (0.01..=1000.0).contains(&v) {
        Ok(v)
    } else {
        Err("speed must be between 0.01 and 1000".into())
    }
}
