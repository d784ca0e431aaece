#!/usr/bin/env bash
# Issue 16: how many bytes a minute of the demo takes on disk, with its
# usual logs and with a log firehose. Records the demo at 1x for SECONDS
# (default 60) each way and prints the size per recorded minute.
# Usage: recording_size.sh [SECONDS] [FIREHOSE_RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
rate="${2:-20000}"
command -v tmux >/dev/null || { echo "needs tmux"; exit 2; }
cargo build --release --quiet --bin opsdeck
work="$(mktemp -d)"
cleanup() { tmux -L opsdeck-recsize kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
measure() {
  local name="$1"; shift
  tmux -L opsdeck-recsize -f /dev/null new-session -d -x 160 -y 48 \
    "env XDG_CONFIG_HOME=$work/c XDG_STATE_HOME=$work/s $PWD/target/release/opsdeck demo $* --record $work/$name.odr"
  sleep "$secs"
  tmux -L opsdeck-recsize send-keys q
  sleep 2
  tmux -L opsdeck-recsize kill-server 2>/dev/null || true
  local bytes
  bytes="$(stat -c %s "$work/$name.odr")"
  awk -v b="$bytes" -v s="$secs" -v n="$name" \
    'BEGIN { printf "%-28s %9d bytes in %d s = %.2f MB per minute\n", n, b, s, b * 60 / s / 1e6 }'
}
measure demo
measure firehose --firehose "$rate"
