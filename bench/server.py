"""gunicorn for the benchmarks: started, waited for, stopped."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def gunicorn(env, port, *, workers="2", threads="1", prefix=(), probe="/fr/"):
    """Serve the project on 127.0.0.1:port until the block ends."""
    server = subprocess.Popen(
        [
            *prefix,
            sys.executable,
            "-m",
            "gunicorn",
            "rencontres.wsgi",
            "-w",
            workers,
            "--threads",
            threads,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
