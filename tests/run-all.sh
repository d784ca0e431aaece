#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what the tests
# need if it is missing, starts each server on a private loopback port with
# its data in a temporary directory, exports the addresses, runs cargo test,
# and stops only what it started (by PID).
#
# Later issues add servers here: write `need <command> <debian-package>` and a
# `start_<name>` function that records its PID in STARTED_PIDS.
set -euo pipefail

cd "$(dirname "$0")/.."

STARTED_PIDS=()
WORK_DIR="$(mktemp -d -t opsdeck-tests.XXXXXX)"

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT

APT_UPDATED=0
MISSING_PACKAGES=()

# need COMMAND PACKAGE: queue PACKAGE for installation when COMMAND is absent.
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    MISSING_PACKAGES+=("$2")
  fi
}

install_missing() {
  if [ "${#MISSING_PACKAGES[@]}" -eq 0 ]; then
    return
  fi
  echo "run-all: installing ${MISSING_PACKAGES[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    $sudo apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${MISSING_PACKAGES[@]}" >/dev/null
}

# --- what the tests need --------------------------------------------------
need tmux tmux
need pgrep procps
need prometheus prometheus
# rdkafka builds librdkafka against OpenSSL and zlib (headers, pkg-config).
need_dev() {
  if ! dpkg -s "$1" >/dev/null 2>&1; then
    MISSING_PACKAGES+=("$1")
  fi
}
need pkg-config pkg-config
need_dev libssl-dev
need_dev zlib1g-dev
install_missing

# --- servers ----------------------------------------------------------------

# free_port: prints a loopback TCP port nobody listens on right now.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# http_ok PORT PATH: true when 127.0.0.1:PORT answers PATH with 200.
http_ok() {
  local status
  status="$(
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    head -n 1 <&3
  )" || return 1
  [[ "$status" == *" 200 "* ]]
}

# Prometheus scraping the exporter that tests/prometheus_live.rs serves on
# OPSDECK_TEST_EXPORTER_PORT, with an alert rule that fires when the
# exporter's "payments" service answers 5xx.
start_prometheus() {
  local dir="$WORK_DIR/prometheus" port exporter_port pid
  mkdir -p "$dir/data"
  port="$(free_port)"
  exporter_port="$(free_port)"
  while [ "$exporter_port" = "$port" ]; do exporter_port="$(free_port)"; done
  cat >"$dir/rules.yml" <<'YAML'
groups:
  - name: opsdeck-test
    interval: 1s
    rules:
      - alert: PaymentsErrors
        expr: sum by (service) (rate(http_server_requests_seconds_count{service="payments",status=~"5.."}[30s])) > 0
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: payments answers 5xx
YAML
  cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $dir/rules.yml
scrape_configs:
  - job_name: opsdeck-test
    static_configs:
      - targets: ["127.0.0.1:$exporter_port"]
YAML
  prometheus \
    --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" \
    >"$dir/prometheus.log" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  for _ in $(seq 1 150); do
    if http_ok "$port" /-/ready; then
      export OPSDECK_TEST_PROMETHEUS_URL="http://127.0.0.1:$port"
      export OPSDECK_TEST_EXPORTER_PORT="$exporter_port"
      echo "run-all: prometheus on 127.0.0.1:$port (pid $pid), exporter port $exporter_port"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "run-all: prometheus did not become ready; its log:" >&2
  cat "$dir/prometheus.log" >&2
  exit 1
}
start_prometheus

# --- Kafka: tansu ----------------------------------------------------------
# For tests/run-all.sh, after free_port and before the suite. tansu is a
# Kafka-protocol broker written in Rust; with in-memory storage it needs no
# JVM and no data dir. It is built once with cargo into a cache outside the
# project's target dir and reused from there.
TANSU_VERSION=0.6.0
TANSU_ROOT="${OPSDECK_TOOLS_DIR:-$HOME/.cache/opsdeck-tools}/tansu-$TANSU_VERSION"

install_tansu() {
  if [ -x "$TANSU_ROOT/bin/tansu" ]; then
    return
  fi
  echo "run-all: building tansu $TANSU_VERSION into $TANSU_ROOT (once; several minutes)"
  mkdir -p "$TANSU_ROOT"
  if ! cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore \
    --root "$TANSU_ROOT" --target-dir "$TANSU_ROOT/build" \
    >"$TANSU_ROOT/install.log" 2>&1; then
    echo "run-all: installing tansu failed; the end of its log:" >&2
    tail -n 40 "$TANSU_ROOT/install.log" >&2
    exit 1
  fi
  # Only the binary is needed from here on.
  rm -rf "$TANSU_ROOT/build"
}

# port_open PORT: true when something accepts connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# One broker, in memory, on a private loopback port; tests/kafka_tansu.rs
# reads OPSDECK_TEST_KAFKA_BOOTSTRAP.
start_tansu() {
  local dir="$WORK_DIR/tansu" port pid
  install_tansu
  mkdir -p "$dir"
  port="$(free_port)"
  "$TANSU_ROOT/bin/tansu" broker \
    --cluster-id opsdeck-test \
    --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine "memory://tansu/" \
    >"$dir/tansu.log" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  for _ in $(seq 1 150); do
    if port_open "$port"; then
      export OPSDECK_TEST_KAFKA_BOOTSTRAP="127.0.0.1:$port"
      echo "run-all: tansu on 127.0.0.1:$port (pid $pid)"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "run-all: tansu did not start; its log:" >&2
  cat "$dir/tansu.log" >&2
  exit 1
}
start_tansu

# --- the suite --------------------------------------------------------------
export OPSDECK_TEST_WORK_DIR="$WORK_DIR"
cargo test --all-targets --locked
