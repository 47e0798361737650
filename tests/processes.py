"""App servers (gunicorn) and task workers (`manage.py db_worker`) started by the tests as
processes of their own, with the environment production gives them, and stopped cleanly.

Start-up is waited for (the port answers HTTP, the worker says it started); when it does
not come, the test fails with the process's own output.
"""

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

from tests.smtp import free_port

START_SECONDS = 60


class Process:
    """A child process whose stdout and stderr go to a log file read on failure."""

    def __init__(self, name, args, env):
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"rencontres-{name}-", suffix=".log")[1])
        with open(self.log, "wb") as output:
            self.popen = subprocess.Popen(
                args,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: gunicorn's workers stop with it
            )

    def output(self):
        return self.log.read_text(errors="replace")

    def failed(self, why):
        tail = self.output()[-4000:]
        return RuntimeError(f"{self.name} {why} (exit code {self.popen.poll()}):\n{tail}")

    def stop(self):
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.unlink(missing_ok=True)


def _http_answers(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/admin/login/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def _wait(process, ready, what):
    deadline = time.monotonic() + START_SECONDS
    while not ready():
        if process.popen.poll() is not None:
            raise process.failed(f"exited before {what}")
        if time.monotonic() > deadline:
            raise process.failed(f"not {what} after {START_SECONDS} s")
        time.sleep(0.1)


@contextlib.contextmanager
def _all_stopped(processes):
    try:
        yield
    finally:
        for process in processes:
            process.stop()


@contextlib.contextmanager
def app_servers(env, names, *, workers=1):
    """One gunicorn master per name (each with its own processes, so its own memory),
    started together on free loopback ports; yields their base URLs, in order."""
    started = []
    with _all_stopped(started):
        for name in names:
            port = free_port()
            args = ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
            process = Process(
                name, [sys.executable, "-m", "gunicorn", "rencontres.wsgi", *args], env
            )
            started.append(process)
            process.port = port
        for process in started:
            _wait(process, lambda p=process: _http_answers(p.port), f"serving on {process.port}")
        yield [f"http://127.0.0.1:{process.port}" for process in started]


@contextlib.contextmanager
def task_workers(env, names, *, interval=0.2):
    """One `manage.py db_worker` per name, as production runs it (the name is its worker
    id), started together; yields once each has said it started."""
    started = []
    with _all_stopped(started):
        for name in names:
            args = ["db_worker", "--interval", str(interval), "--no-startup-delay"]
            process = Process(name, [sys.executable, "manage.py", *args, "--worker-id", name], env)
            started.append(process)
        for process in started:
            line = f"Starting worker worker_id={process.name}"
            _wait(process, lambda p=process, line=line: line in p.output(), "started")
        yield started
