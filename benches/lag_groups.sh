#!/usr/bin/env bash
# Issue 21's Kafka load: what opsdeck and the broker cost while the Lag tab
# watches 200 consumer groups x 50 partitions (10 messages of lag each) on
# tansu, polled every 5 s, in a 160x48 tmux pane. Reports, over 30 s after
# the first table: opsdeck's and the broker's CPU (% of one core), opsdeck's
# sockets to the broker (ESTABLISHED, sampled each second, and the
# connections closed in the window, as new TIME-WAIT sockets), the busiest
# threads, and when the groups table first appeared after start. First,
# the broker alone for IDLE_SECS (30) with the same groups: its own share.
# Usage: bash benches/lag_groups.sh [GROUPS] [PARTITIONS]
#   PROFILE=dev for an unoptimized build (default release);
#   OPSDECK_BIN=path measures another opsdeck binary (an older build);
#   CARGO_TARGET_DIR and TMPDIR are honoured; TANSU=path to the broker
#   binary (default: the one tests/run-all.sh installs).
set -euo pipefail
cd "$(dirname "$0")/.."
groups="${1:-200}"
partitions="${2:-50}"
profile="${PROFILE:-release}"
target="${CARGO_TARGET_DIR:-target}"
bin_dir="$target/$([ "$profile" = dev ] && echo debug || echo "$profile")"
tansu="${TANSU:-${OPSDECK_TOOLS_DIR:-$HOME/.cache/opsdeck-tools}/tansu-0.6.0/bin/tansu}"
command -v tmux >/dev/null && command -v ss >/dev/null || { echo "needs tmux and ss"; exit 2; }
[ -x "$tansu" ] || { echo "no tansu at $tansu (bash tests/run-all.sh installs it)"; exit 2; }
cargo build --profile "$profile" --locked --quiet --bin opsdeck --example lag_groups
bin_dir="$(cd "$bin_dir" && pwd)"
opsdeck="${OPSDECK_BIN:-$bin_dir/opsdeck}"

work="$(mktemp -d -p "${TMPDIR:-/tmp}")"
sock="opsdeck-lag-$$"
broker_pid=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$tansu" broker --cluster-id opsdeck-bench \
  --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
  --storage-engine "memory://tansu/" > "$work/tansu.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
"$bin_dir/examples/lag_groups" "127.0.0.1:$port" "$groups" "$partitions"

mkdir -p "$work/c/opsdeck"
cat > "$work/c/opsdeck/config.toml" <<EOF
[ui]
start_tab = "lag"
[kubernetes]
enabled = false
[kafka]
interval_secs = 5
[kafka.clusters.bench]
bootstrap = "127.0.0.1:$port"
discover = true
EOF

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# The broker alone with the same groups, to tell what opsdeck's polls cost it.
i0=$(date +%s.%N); a0=$(cpu "$broker_pid")
sleep "${IDLE_SECS:-30}"
i1=$(date +%s.%N); a1=$(cpu "$broker_pid")
idle=$(python3 -c "print(f'{($a1 - $a0) / $hz / ($i1 - $i0) * 100:.1f}')")
start=$(date +%s.%N)
tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 48 \
  "env XDG_CONFIG_HOME=$work/c XDG_STATE_HOME=$work/s KUBECONFIG=/nonexistent $opsdeck; sleep 1"
first=""
for _ in $(seq 1 1200); do
  if tmux -L "$sock" capture-pane -p | grep -q "bench-group-"; then
    first=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
    break
  fi
  sleep 0.1
done
[ -n "$first" ] || { echo "no groups table within 120 s"; tmux -L "$sock" capture-pane -p; exit 1; }
pid=$(pgrep -P "$(tmux -L "$sock" display -p '#{pane_pid}')" -f "$opsdeck")

# Per thread, nanoseconds on a CPU (schedstat: exact, where stat's ticks
# miss the many short wake-ups of idle client threads).
threads() { for t in /proc/"$pid"/task/*; do echo "$(tr ' ' _ < "$t/comm") $(cut -d' ' -f1 "$t/schedstat")"; done; }
threads > "$work/threads0"
t0=$(date +%s.%N); c0=$(cpu "$pid"); b1=$(cpu "$broker_pid")
: > "$work/sockets"
# TIME-WAIT sockets left by the setup (its clients) linger 60 s: count only
# those that appear during the window, i.e. connections closed in it.
ss -Htn state time-wait "( sport = :$port or dport = :$port )" | awk '{print $3, $4}' > "$work/tw0"
: > "$work/tw"
for _ in $(seq 1 30); do
  # opsdeck's side of each connection: the peer is the broker's port.
  est=$(ss -Htn state established "dst 127.0.0.1:$port" | wc -l)
  ss -Htn state time-wait "( sport = :$port or dport = :$port )" | awk '{print $3, $4}' >> "$work/tw"
  echo "$est" >> "$work/sockets"
  sleep 1
done
t1=$(date +%s.%N); c1=$(cpu "$pid"); b2=$(cpu "$broker_pid")
threads > "$work/threads1"
groups_seen=$(tmux -L "$sock" capture-pane -p | grep -c "bench-group-" || true)
tmux -L "$sock" send-keys q

python3 - "$t0" "$t1" "$c0" "$c1" "$b1" "$b2" "$hz" "$first" "$work" "$profile" "$idle" <<'PY'
import sys, collections
t0, t1, c0, c1, b1, b2, hz, first, work, profile = sys.argv[1:11]
secs = float(t1) - float(t0)
pct = lambda a, b: (int(b) - int(a)) / int(hz) / secs * 100
est = [int(l) for l in open(f"{work}/sockets")]
before = set(open(f"{work}/tw0").read().splitlines())
closed = set(open(f"{work}/tw").read().splitlines()) - before
def load(name):
    out = collections.Counter()
    for line in open(f"{work}/{name}"):
        comm, ticks = line.rsplit(" ", 1)
        out[comm] += int(ticks)
    return out
th0, th1 = load("threads0"), load("threads1")
names = collections.Counter(l.rsplit(" ", 1)[0] for l in open(f"{work}/threads1"))
busiest = sorted(((th1[k] - th0.get(k, 0), k) for k in th1), reverse=True)[:5]
print(f"build: {profile}")
print(f"first groups table: {first} s after start")
print(f"opsdeck: {pct(c0, c1):.1f} % of a core over {secs:.0f} s, {sum(names.values())} threads")
print(f"broker:  {pct(b1, b2):.1f} % of a core over the same window "
      f"({sys.argv[11]} % alone before opsdeck started)")
print(f"sockets to the broker: ESTABLISHED max {max(est)} min {min(est)}; "
      f"connections closed in the window (new TIME-WAIT): {len(closed)}")
ns = lambda t: t / 1e9 / secs * 100
rdk = sum(th1[k] - th0.get(k, 0) for k in th1 if k.startswith("rdk:"))
print(f"librdkafka's threads together: {ns(rdk):.1f} % of a core")
print("busiest threads (name x count: % of a core): " + ", ".join(
    f"{k} x{names[k]}: {ns(t):.2f}" for t, k in busiest))
PY
echo "group rows on screen at the end: $groups_seen"
