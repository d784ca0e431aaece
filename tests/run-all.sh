#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what the tests
# need if it is missing, starts each server on a private loopback port with
# its data in a temporary directory, exports the addresses, runs cargo test,
# and stops only what it started (by PID).
#
# Later issues add servers here: write `need <command> <debian-package>` and a
# `start_<name>` function that starts it with run_on_free_port (which records
# its PID in STARTED_PIDS).
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

# --- Postgres and Redis ------------------------------------------------------
# PostgreSQL (with pg_stat_statements) and Redis for the Queries tab's tests:
# `need_postgres_and_redis` queues their packages, `start_postgres` and
# `start_redis` start them on private loopback ports.

pg_bindir() {
  local dir
  # `|| true`: no server yet is an answer, not an error under `set -e`.
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
    echo "$dir"
  fi
}

need_postgres_and_redis() {
  # `command -v` accepts an absolute path, so this queues Debian's
  # `postgresql` (the server with contrib, pg_stat_statements included)
  # when no server is installed.
  need "$(pg_bindir)/initdb" postgresql
  need openssl openssl
  need redis-server redis-server
}

# pg_test_certs DIR: a throwaway CA and a server certificate it signed for
# 127.0.0.1 and localhost, so the tests can check verified TLS.
pg_test_certs() {
  local dir="$1"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=opsdeck test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  chmod 600 "$dir/server.key"
}

# pg_run_as: the user the server runs as. PostgreSQL refuses to run as root,
# so under root it is Debian's `postgres` user, or a system user made for it.
pg_run_as() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    if ! id opsdeck-postgres >/dev/null 2>&1; then
      useradd --system --user-group --no-create-home --shell /usr/sbin/nologin opsdeck-postgres
    fi
    echo opsdeck-postgres
  fi
}

# as_pg_user USER COMMAND...: runs COMMAND as USER. setpriv execs in place
# (no forking wrapper like su/runuser), so `$!` is the server's own PID and
# `kill`/`wait` in run-all.sh's cleanup reach it.
as_pg_user() {
  local user="$1"
  shift
  if [ "$(id -u)" -ne 0 ]; then
    exec "$@"
  fi
  exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
    env HOME="$PG_DIR" "$@"
}

# A throwaway cluster on a private loopback port: trust for the `postgres`
# superuser (what the tests' DSN names), SCRAM passwords for every other
# role (so tests can check password handling against a real server), no
# Unix socket outside the temporary directory, pg_stat_statements loaded,
# TLS offered (plain connections still work) with a CA the tests trust.
start_postgres() {
  local bin user port pid
  bin="$(pg_bindir)"
  if [ -z "$bin" ]; then
    echo "run-all: no PostgreSQL server under /usr/lib/postgresql" >&2
    exit 1
  fi
  user="$(pg_run_as)"
  PG_DIR="$WORK_DIR/postgres"
  mkdir -p "$PG_DIR/data" "$PG_DIR/socket"
  pg_test_certs "$PG_DIR/tls"
  # mktemp made WORK_DIR 0700 root; the server's user needs to pass through.
  chmod 711 "$WORK_DIR"
  chmod 700 "$PG_DIR/data"
  if [ "$(id -u)" -eq 0 ]; then chown -R "$user:" "$PG_DIR"; fi
  (as_pg_user "$user" "$bin/initdb" --pgdata="$PG_DIR/data" --username=postgres \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8) >"$PG_DIR/initdb.log" 2>&1 || {
    echo "run-all: initdb failed; its log:" >&2
    cat "$PG_DIR/initdb.log" >&2
    exit 1
  }
  cat >"$PG_DIR/data/pg_hba.conf" <<'HBA'
local all postgres               trust
host  all postgres 127.0.0.1/32  trust
local all all                    scram-sha-256
host  all all      127.0.0.1/32  scram-sha-256
HBA
  PG_BIN="$bin"
  PG_USER="$user"
  run_on_free_port postgres "$PG_DIR/postgres.log" postgres_on postgres_ready
  port="$SERVER_PORT"
  pid="$SERVER_PID"
  export OPSDECK_TEST_POSTGRES_DSN="host=127.0.0.1 port=$port user=postgres dbname=postgres"
  export OPSDECK_TEST_POSTGRES_CA="$PG_DIR/tls/ca.crt"
  echo "run-all: postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $pid, user $user)"
}

# postgres_on PORT: execs the server of start_postgres on PORT.
postgres_on() {
  as_pg_user "$PG_USER" "$PG_BIN/postgres" -D "$PG_DIR/data" \
    -c listen_addresses=127.0.0.1 -c port="$1" \
    -c unix_socket_directories="$PG_DIR/socket" \
    -c shared_preload_libraries=pg_stat_statements \
    -c ssl=on -c ssl_cert_file="$PG_DIR/tls/server.crt" -c ssl_key_file="$PG_DIR/tls/server.key" \
    -c pg_stat_statements.track=all \
    -c max_connections=100 -c fsync=off -c synchronous_commit=off
}

postgres_ready() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres
}

# redis_ping PORT: true when 127.0.0.1:PORT answers PING with PONG.
redis_ping() {
  local reply
  reply="$(
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || exit 1
    printf 'PING\r\n' >&3
    timeout 2 head -c 7 <&3
  )" || return 1
  [[ "$reply" == "+PONG"* ]]
}

# A Redis that keeps nothing on disk and puts every command in SLOWLOG.
start_redis() {
  local dir="$WORK_DIR/redis" port tls_port pid
  mkdir -p "$dir"
  pg_test_certs "$dir/tls"
  REDIS_DIR="$dir"
  run_on_free_port redis "$dir/redis.log" redis_on redis_ping
  port="$SERVER_PORT"
  pid="$SERVER_PID"
  tls_port="$(cat "$dir/tls_port")"
  export OPSDECK_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
  export OPSDECK_TEST_REDIS_TLS_URL="rediss://127.0.0.1:$tls_port/0"
  export OPSDECK_TEST_REDIS_CA="$dir/tls/ca.crt"
  echo "run-all: redis on 127.0.0.1:$port, TLS on $tls_port (pid $pid)"
}

# redis_on PORT: execs the server of start_redis on PORT. The same server
# also listens for TLS, with a certificate from a throwaway CA, for the
# rediss:// tests, on a port of its own picked here (each try picks anew)
# and left in $REDIS_DIR/tls_port.
redis_on() {
  local tls_port
  tls_port="$(free_port)"
  echo "$tls_port" >"$REDIS_DIR/tls_port"
  exec redis-server --port "$1" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --save '' --appendonly no --slowlog-log-slower-than 0 --daemonize no \
    --tls-port "$tls_port" --tls-cert-file "$REDIS_DIR/tls/server.crt" \
    --tls-key-file "$REDIS_DIR/tls/server.key" --tls-ca-cert-file "$REDIS_DIR/tls/ca.crt" \
    --tls-auth-clients no
}

# --- what the tests need --------------------------------------------------
need tmux tmux
need pgrep procps
need ss iproute2
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
need_postgres_and_redis
install_missing

# --- servers ----------------------------------------------------------------

# free_port: prints a loopback TCP port nobody listens on right now. Only
# a probe: the port is not held, so another process may take it before the
# server binds it (run_on_free_port starts the server again if so).
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

# owns_port PID PORT: true when PID itself listens on 127.0.0.1:PORT.
owns_port() {
  # No pipe into `grep -q`: under pipefail, ss's SIGPIPE would read as "no".
  [[ "$(ss -Hltnp "sport = :$2")" == *"pid=$1,"* ]]
}

# run_on_free_port NAME LOG START READY: runs `START PORT` in the
# background, its output in LOG, on a port from free_port, and waits until
# `READY PORT` succeeds. START must exec the server so that $! is its PID.
# The servers must be told a port number (none reports one it picked), so
# the port can be lost between the probe and the bind: a server that exits
# saying its address is in use is started again on a new port, up to five
# times. Sets SERVER_PORT and SERVER_PID; any other failure shows LOG and
# ends the run.
run_on_free_port() {
  local name="$1" log="$2" start="$3" ready="$4" port pid
  for _ in 1 2 3 4 5; do
    port="$(free_port)"
    "$start" "$port" >"$log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    for _ in $(seq 1 150); do
      # Whoever took the port may answer READY too: it must be ours.
      if "$ready" "$port" && owns_port "$pid" "$port"; then
        SERVER_PORT="$port"
        SERVER_PID="$pid"
        return
      fi
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null || ! grep -qi "address already in use" "$log"; then
      break
    fi
    echo "run-all: $name lost port $port before binding it; trying another" >&2
  done
  echo "run-all: $name did not become ready; its log:" >&2
  cat "$log" >&2
  exit 1
}

# http_ok PORT PATH: true when 127.0.0.1:PORT answers PATH with 200.
http_ok() {
  local status
  status="$(
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    # A process that took the port may accept and never answer.
    timeout 2 head -n 1 <&3
  )" || return 1
  [[ "$status" == *" 200 "* ]]
}

# Prometheus scraping the exporter that tests/prometheus_live.rs serves,
# with an alert rule that fires when the exporter's "payments" service
# answers 5xx.
#
# The exporter lives in the test process and starts minutes later on a port
# the system picks; it writes that address into the file_sd targets file
# named by OPSDECK_TEST_EXPORTER_TARGETS, which Prometheus watches. No port
# is agreed on in advance, so none can be taken meanwhile.
start_prometheus() {
  local dir="$WORK_DIR/prometheus" port pid
  mkdir -p "$dir/data"
  echo "[]" >"$dir/targets.json"
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
    file_sd_configs:
      - files: ["$dir/targets.json"]
        refresh_interval: 1s
YAML
  PROM_DIR="$dir"
  run_on_free_port prometheus "$dir/prometheus.log" prometheus_on prometheus_ready
  port="$SERVER_PORT"
  pid="$SERVER_PID"
  export OPSDECK_TEST_PROMETHEUS_URL="http://127.0.0.1:$port"
  export OPSDECK_TEST_EXPORTER_TARGETS="$dir/targets.json"
  echo "run-all: prometheus on 127.0.0.1:$port (pid $pid), exporter targets in $dir/targets.json"
}

# prometheus_on PORT: execs the Prometheus of start_prometheus on PORT.
prometheus_on() {
  exec prometheus \
    --config.file="$PROM_DIR/prometheus.yml" \
    --storage.tsdb.path="$PROM_DIR/data" \
    --web.listen-address="127.0.0.1:$1"
}

prometheus_ready() {
  http_ok "$1" /-/ready
}
start_prometheus
start_postgres
start_redis

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
  run_on_free_port tansu "$dir/tansu.log" tansu_on port_open
  port="$SERVER_PORT"
  pid="$SERVER_PID"
  export OPSDECK_TEST_KAFKA_BOOTSTRAP="127.0.0.1:$port"
  echo "run-all: tansu on 127.0.0.1:$port (pid $pid)"
}

# tansu_on PORT: execs the broker of start_tansu on PORT.
tansu_on() {
  exec "$TANSU_ROOT/bin/tansu" broker \
    --cluster-id opsdeck-test \
    --listener-url "tcp://127.0.0.1:$1" \
    --advertised-listener-url "tcp://127.0.0.1:$1" \
    --storage-engine "memory://tansu/"
}
start_tansu

# --- the suite --------------------------------------------------------------
export OPSDECK_TEST_WORK_DIR="$WORK_DIR"
cargo test --all-targets --locked 2>&1 | tee "$WORK_DIR/cargo-test.log"

# One closing line for the whole suite: the sum over every test binary, and
# the live tests that skipped (tests/support/live.rs writes each skip past
# the harness's capture; under CI=true a missing server fails instead).
awk '/^test result:/ { passed += $4; failed += $6 }
     /skipped: / { skipped += 1 }
     END { printf "run-all: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' \
  "$WORK_DIR/cargo-test.log"
