#!/usr/bin/env python3
"""Issue #21: key -> frame latency through a real pseudo-terminal while the
firehose runs (target: p99 <= 50 ms, never more than 1 s behind real time).

Starts `opsdeck demo --firehose RATE` on a 160x48 pty, switches to the Logs
tab, waits, then presses `f` (the find prompt opens) and Esc (it closes) in
turn, KEYS times in all, one every INTERVAL seconds. Each latency is from
the write of the key to the read of the bytes only the frame it caused can
hold: `find: ` on the status line after `f`, the Logs key hint `Follow this
request` after Esc. The firehose keeps frames coming ~30 times a second, so
the first bytes after a key are mostly a frame that was not its own; their
delay is printed too, for comparison. The app's own `logs:` lines (how far
the newest log line is behind real time, written every 10 s with
--log-file) are read from the Logs tab's first frame to the end.

Usage: python3 benches/key_latency.py [--rate N] [--keys N] [--interval S]
  [--warm-up S]; OPSDECK_BIN=path picks the binary (default: the release
  build in CARGO_TARGET_DIR, else ./target). TMPDIR is honoured.
"""

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

COLS, ROWS = 160, 48
OPEN, CLOSE = b"f", b"\x1b"
OPEN_MARK, CLOSE_MARK = b"find: ", b"Follow this request"
LOGS_TITLE = b" Logs "
# A key that never shows its frame within this is counted as lost.
GIVE_UP_SECS = 5.0


def binary():
    if os.environ.get("OPSDECK_BIN"):
        return os.environ["OPSDECK_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    return os.path.join(target, "release", "opsdeck")


class Pty:
    """The app on the pty's far side; everything it writes is read, so it
    never blocks on a full terminal."""

    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)

    def read(self, timeout):
        """Bytes written within `timeout` seconds (b"" if none)."""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            return os.read(self.master, 1 << 16)
        except OSError:
            return b""

    def drain(self, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            self.read(end - time.monotonic())

    def wait_for(self, mark, secs):
        """Seconds until `mark` is read, and until the first byte; None when
        it does not come."""
        start = time.monotonic()
        seen = b""
        first = None
        while time.monotonic() - start < secs:
            chunk = self.read(start + secs - time.monotonic())
            if not chunk:
                continue
            now = time.monotonic()
            first = first if first is not None else now - start
            # Keep a tail as long as the mark, so one split across reads is found.
            seen = seen[-len(mark):] + chunk
            if mark in seen:
                return now - start, first
        return None, first

    def press(self, key, mark, secs):
        os.write(self.master, key)
        return self.wait_for(mark, secs)

    def stop(self):
        try:
            os.write(self.master, b"q")
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name, secs):
    ms = [s * 1000 for s in secs]
    return (
        f"{name}: n={len(ms)} p50={percentile(ms, 50):.1f} ms p95={percentile(ms, 95):.1f} ms "
        f"p99={percentile(ms, 99):.1f} ms max={max(ms):.1f} ms"
    )


BEHIND = re.compile(rb"logs: (\d+) lines buffered, (\d+) dropped, newest (-?\d+) ms behind")


def behind_ms(log_path, since_line):
    """The `newest … ms behind` figures the app logged after `since_line`."""
    try:
        with open(log_path, "rb") as f:
            lines = f.read().splitlines()[since_line:]
    except FileNotFoundError:
        return []
    return [int(m.group(3)) for m in map(BEHIND.search, lines) if m]


def log_lines(log_path):
    try:
        with open(log_path, "rb") as f:
            return len(f.read().splitlines())
    except FileNotFoundError:
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=20000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--warm-up", type=float, default=10.0)
    args = parser.parse_args()

    opsdeck = os.path.realpath(binary())
    if not os.access(opsdeck, os.X_OK):
        sys.exit(f"no opsdeck at {opsdeck}: cargo build --release --bin opsdeck, or OPSDECK_BIN")
    work = tempfile.mkdtemp(prefix="opsdeck-keys-")
    log = os.path.join(work, "opsdeck.log")
    env = dict(
        os.environ,
        TERM="xterm-256color",
        XDG_CONFIG_HOME=os.path.join(work, "c"),
        XDG_STATE_HOME=os.path.join(work, "s"),
    )
    app = Pty([opsdeck, "demo", "--firehose", str(args.rate), "--log-file", log], env)
    try:
        app.drain(1.0)
        # 3 is the Logs tab (2 is the Heatmap).
        shown, _ = app.press(b"3", LOGS_TITLE, GIVE_UP_SECS)
        if shown is None:
            sys.exit("the Logs tab did not show")
        since = log_lines(log)
        app.drain(args.warm_up)
        taken, first_bytes, lost = [], [], 0
        for i in range(args.keys):
            key, mark = (OPEN, OPEN_MARK) if i % 2 == 0 else (CLOSE, CLOSE_MARK)
            secs, first = app.press(key, mark, GIVE_UP_SECS)
            if secs is None:
                lost += 1
                # Back to a known state: the prompt closed.
                app.press(CLOSE, CLOSE_MARK, GIVE_UP_SECS)
            else:
                taken.append(secs)
            if first is not None:
                first_bytes.append(first)
            app.drain(max(args.interval - (secs or 0), 0))
        behind = behind_ms(log, since)
    finally:
        app.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"opsdeck demo --firehose {args.rate}, {COLS}x{ROWS}, Logs tab, "
          f"{args.keys} keys (f / Esc) every {args.interval} s after {args.warm_up} s")
    if taken:
        print(summary("key -> its frame", taken))
    print(f"keys whose frame never came within {GIVE_UP_SECS} s: {lost}")
    if first_bytes:
        print(summary("key -> first bytes (any frame)", first_bytes))
    if behind:
        print(f"newest log line behind real time, from the Logs tab on (every 10 s): "
              f"median {percentile(behind, 50)} ms, max {max(behind)} ms ({len(behind)} reports)")
    else:
        print("no `logs:` reports in the log file")
    return 0 if taken and not lost else 1


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
