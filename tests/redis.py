"""A redis-server for the test suite, started by the tests like tests/postgres.py starts
PostgreSQL: Debian's binary on a free loopback port, nothing written to disk (no RDB, no
AOF), no eviction, stopped at the end. When it cannot start, the run says why: a Redis
test is never silently skipped.
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class RedisUnavailable(RuntimeError):
    pass


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port):
    """True once the server replies PONG to a PING (RESP, no client library needed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(seconds=15):
    """Serve a throw-away Redis on 127.0.0.1 until the block ends; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailable(
            "redis-server is not installed (Debian package redis-server): run "
            "`make system-deps` as root, or `apt-get install redis-server`."
        )
    folder = Path(tempfile.mkdtemp(prefix="rencontres-redis-"))
    port = _free_port()
    log = folder / "redis.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(folder),
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
                "--daemonize",
                "no",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + seconds
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RedisUnavailable(
                    f"redis-server did not start on 127.0.0.1:{port} "
                    f"(exit code {server.poll()}): {log.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)
