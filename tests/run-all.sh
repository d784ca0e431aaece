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
install_missing

# --- servers (none yet: the foundation needs tmux only) ------------------

# --- the suite --------------------------------------------------------------
export OPSDECK_TEST_WORK_DIR="$WORK_DIR"
cargo test --all-targets --locked
