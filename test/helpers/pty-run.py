#!/usr/bin/env python3
# Runs a command on a fresh pseudo-terminal the way a person's terminal would (its own session, the pty as its
# controlling terminal, a window size), optionally types Ctrl-C or sends SIGTERM once the output matches a pattern,
# and prints one JSON object: how it ended, how long after the signal, what it wrote, and whether the terminal
# modes (ICANON, ECHO, ISIG) stayed as they were while it ran and after it ended.
#
# usage: pty-run.py <json-options> -- <command...>
#   options: cols, rows, env (added), timeout (s), signal ("INT" typed as ^C, or "TERM" sent to the pid),
#            when (a regex on the output; the signal is sent at its first match), or after (seconds from the start)
import json
import os
import re
import select
import signal
import struct
import sys
import termios
import fcntl
import time


def main() -> None:
    sep = sys.argv.index("--")
    opts = json.loads(sys.argv[1])
    cmd = sys.argv[sep + 1 :]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", opts.get("rows", 24), opts.get("cols", 80), 0, 0))
    before = termios.tcgetattr(slave)
    env = dict(os.environ)
    for k in ("CI", "NO_COLOR", "FORCE_COLOR"):
        env.pop(k, None)
    env.update(opts.get("env", {}))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.close(slave)
        os.execvpe(cmd[0], cmd, env)
    start = time.monotonic()
    out = bytearray()
    when = re.compile(opts["when"].encode()) if opts.get("when") else None
    sent_at = None
    alive_at_signal = None
    modes_changed_while_running = False
    status = None
    lflags = termios.ICANON | termios.ECHO | termios.ISIG
    while True:
        r, _, _ = select.select([master], [], [], 0.02)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            out.extend(chunk)
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        if (termios.tcgetattr(slave)[3] & lflags) != (before[3] & lflags):
            modes_changed_while_running = True
        due = (
            when.search(bytes(out)) is not None
            if when is not None
            else time.monotonic() - start >= opts.get("after", 1.0)
        )
        if sent_at is None and opts.get("signal") and due:
            alive_at_signal = True
            sent_at = time.monotonic()
            if opts["signal"] == "INT":
                os.write(master, b"\x03")  # the terminal turns ^C into SIGINT for its foreground group
            else:
                os.kill(pid, signal.SIGTERM)
        if time.monotonic() - start > opts.get("timeout", 60):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = None
            break
    ended = time.monotonic()
    # drain what is left
    while True:
        r, _, _ = select.select([master], [], [], 0.05)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out.extend(chunk)
    after = termios.tcgetattr(slave)
    text = out.decode("utf-8", "replace")
    print(
        json.dumps(
            {
                "timedOut": status is None,
                "exitCode": os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None,
                "signal": signal.Signals(os.WTERMSIG(status)).name
                if status is not None and os.WIFSIGNALED(status)
                else None,
                "aliveAtSignal": alive_at_signal,
                "secondsAfterSignal": (ended - sent_at) if sent_at is not None else None,
                "seconds": ended - start,
                "bytes": len(out),
                "output": text,
                "modesChangedWhileRunning": modes_changed_while_running,
                "modesRestored": after == before,
            }
        )
    )


main()
