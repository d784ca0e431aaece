#!/usr/bin/env bash
# Issue 4's start-up targets at 10,000 pods served by the Kubernetes test
# API server: time from opsdeck's start to its first full Pods table (target
# < 1 s; it includes connecting, the list and its conversion) and peak RSS
# (target < 80 MB), measured with /usr/bin/time -v. Usage: first_table.sh [PODS]
set -euo pipefail
cd "$(dirname "$0")/.."
pods="${1:-10000}"
command -v tmux >/dev/null && [ -x /usr/bin/time ] || { echo "needs tmux and /usr/bin/time (Debian: tmux time)"; exit 2; }
cargo build --release --quiet --bin opsdeck --example fake_cluster

work="$(mktemp -d)"
server_pid=""
cleanup() {
  tmux -L opsdeck-bench kill-server 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

./target/release/examples/fake_cluster "$pods" "$work" > "$work/kubeconfig.path" &
server_pid=$!
for _ in $(seq 1 300); do [ -s "$work/kubeconfig.path" ] && break; sleep 0.1; done
kubeconfig="$(cat "$work/kubeconfig.path")"

# The Pods tab first: the figure is the first pod row, not the Overview.
mkdir -p "$work/c/opsdeck"
printf '[ui]\nstart_tab = "pods"\n' > "$work/c/opsdeck/config.toml"
tmux -L opsdeck-bench -f /dev/null new-session -d -x 160 -y 48 \
  "env KUBECONFIG=$kubeconfig XDG_CONFIG_HOME=$work/c XDG_STATE_HOME=$work/s \
   /usr/bin/time -v -o $work/time.txt $PWD/target/release/opsdeck --log-file $work/opsdeck.log"
for _ in $(seq 1 300); do grep -q "first pods table" "$work/opsdeck.log" 2>/dev/null && break; sleep 0.1; done
sleep 5 # steady state: watches open, metrics polled
tmux -L opsdeck-bench send-keys q
for _ in $(seq 1 100); do [ -s "$work/time.txt" ] && break; sleep 0.1; done

grep -o "pods list complete: .*" "$work/opsdeck.log" | head -1
grep -o "first pods table: .*" "$work/opsdeck.log"
# From the list reply (the source's last page converted) to the first table.
python3 - "$work/opsdeck.log" <<'PY'
import re, sys, datetime
t = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+INFO\s+(pods list complete|first pods table)", line)
    if m and m.group(2) not in t:
        t[m.group(2)] = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
if len(t) == 2:
    ms = (t["first pods table"] - t["pods list complete"]).total_seconds() * 1000
    print(f"list reply to first table: {ms:.0f} ms")
PY
grep "Maximum resident set size" "$work/time.txt"
