#!/usr/bin/env bash
# What opsdeck costs a bastion while it runs: bytes written to the terminal
# per second and CPU (% of one core), over 30 s after an 8 s warm-up, in a
# 160x48 tmux pane (SECS=60 for a longer window). Two loads:
#   idle   no source configured (the clock is the only change)
#   churn  5,000 pods (PODS=20000 for another size) from the test API
#          server, one pod changing every 200 ms, on the Pods tab; also
#          prints peak RSS and when the first pod row was drawn
# Both also print each thread's wake-ups per second over the same window:
# the times it went to sleep and was woken (voluntary_ctxt_switches in
# /proc/PID/task/*/status).
# Usage: bash benches/terminal_bytes.sh [idle|churn]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet --bin opsdeck --example fake_cluster

measure() {
  local mode=$1 work
  work=$(mktemp -d)
  local server_pid="" sock="opsdeck-bytes-$$"
  mkdir -p "$work/c/opsdeck"
  local env="XDG_CONFIG_HOME=$work/c XDG_STATE_HOME=$work/s"
  if [ "$mode" = idle ]; then
    printf '[kubernetes]\nenabled = false\n' > "$work/c/opsdeck/config.toml"
    env="$env KUBECONFIG=/nonexistent"
  else
    printf '[ui]\nstart_tab = "pods"\n' > "$work/c/opsdeck/config.toml"
    ./target/release/examples/fake_cluster "${PODS:-5000}" "$work" 200 > "$work/kubeconfig.path" &
    server_pid=$!
    for _ in $(seq 1 300); do [ -s "$work/kubeconfig.path" ] && break; sleep 0.1; done
    env="$env KUBECONFIG=$(cat "$work/kubeconfig.path")"
  fi
  tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 48 \
    "env $env $PWD/target/release/opsdeck --log-file $work/opsdeck.log; sleep 1"
  sleep 8
  local pid
  # The pane runs `sh -c "env ...; sleep 1"`; opsdeck is its child.
  pid=$(pgrep -P "$(tmux -L "$sock" display -p '#{pane_pid}')" -f target/release/opsdeck)
  tmux -L "$sock" pipe-pane -o "cat > $work/out.bytes"
  local t0 c0 t1 c1
  # Each thread: its name and how often it has slept.
  runs() { for t in /proc/"$pid"/task/*; do echo "$(basename "$t") $(tr ' ' _ < "$t/comm") $(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")"; done; }
  runs > "$work/runs0"
  t0=$(date +%s.%N)
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep "${SECS:-30}"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  t1=$(date +%s.%N)
  runs > "$work/runs1"
  tmux -L "$sock" pipe-pane
  local bytes
  bytes=$(stat -c %s "$work/out.bytes")
  python3 - "$mode" "$bytes" "$t0" "$t1" "$c0" "$c1" "$(getconf CLK_TCK)" "$work" <<'PY'
import sys
mode, b, t0, t1, c0, c1, hz, work = sys.argv[1:]
secs = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(hz) / secs * 100
print(f"{mode}: {int(b) / secs:.0f} bytes/s to the terminal, {cpu:.2f} % of a core")
def load(name):
    return {tid: (comm, int(n)) for tid, comm, n in (l.split() for l in open(f"{work}/{name}"))}
r0, r1 = load("runs0"), load("runs1")
woken = sorted(((n - r0.get(tid, (comm, 0))[1]) / secs, comm, tid) for tid, (comm, n) in r1.items())
print(f"{mode}: wake-ups per second, each thread: " +
      ", ".join(f"{comm}[{tid}] {w:.1f}" for w, comm, tid in reversed(woken)))
PY
  echo "$mode: peak RSS $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") kB"
  grep -o "first pods table: .*" "$work/opsdeck.log" || true
  tmux -L "$sock" send-keys q
  sleep 1
  tmux -L "$sock" kill-server 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}

for mode in "${@:-idle churn}"; do
  for m in $mode; do measure "$m"; done
done
