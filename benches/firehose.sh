#!/usr/bin/env bash
# Issue 5's stress run: `opsdeck demo --firehose 20000` for 60 s must stay
# within 1 s of real time with flat RSS. Prints, every 10 s, how far the
# newest log line is behind real time and the process RSS.
# Usage: firehose.sh [RATE] [SECONDS]
#   OPSDECK_BIN=path measures that binary, built by no one here (an older
#   build); otherwise a release build in CARGO_TARGET_DIR (default target).
#   TMPDIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
rate="${1:-20000}"
secs="${2:-60}"
command -v tmux >/dev/null || { echo "needs tmux"; exit 2; }
if [ -z "${OPSDECK_BIN:-}" ]; then
  cargo build --release --locked --quiet --bin opsdeck
fi
opsdeck="$(realpath "${OPSDECK_BIN:-${CARGO_TARGET_DIR:-target}/release/opsdeck}")"
work="$(mktemp -d -p "${TMPDIR:-/tmp}")"
sock="opsdeck-firehose-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 48 \
  "exec env XDG_CONFIG_HOME=$work/c XDG_STATE_HOME=$work/s $opsdeck demo --firehose $rate --log-file $work/opsdeck.log"
sleep 1
tmux -L "$sock" send-keys 3 # the Logs tab, drawing (2 is the Heatmap)
pid="$(tmux -L "$sock" list-panes -F '#{pane_pid}')"
for t in $(seq 10 10 "$secs"); do
  sleep 10
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
  lag="$(grep -o 'logs: .*' "$work/opsdeck.log" | tail -1)"
  echo "t=${t}s rss=${rss}kB ${lag}"
done
tmux -L "$sock" send-keys q
