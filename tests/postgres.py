"""A PostgreSQL server for the test suite, started on demand.

As root (CI, these machines): Debian's cluster, started with pg_ctlcluster (initdb refuses
to run as root), and a role with CREATEDB for the tests. As another user: a throw-away
cluster made with initdb in a temporary folder. When neither works the run stops with the
reason: a PostgreSQL test is never silently skipped.
"""

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

ROLE = "rencontres_test"
PASSWORD = "rencontres_test"  # a local, throw-away test role


class PostgresUnavailable(RuntimeError):
    pass


def _run(args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60, **kwargs)


def _bin_dir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if dirs:
        return dirs[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin, no initdb on PATH). "
        "Run `make system-deps` as root, or set DATABASE_URL."
    )


def _wait_for(host, port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise PostgresUnavailable(f"PostgreSQL did not answer on {host}:{port} in {seconds} s")


def debian_cluster_url():
    """Start Debian's cluster if needed and return a URL for a CREATEDB role on it."""
    version = _bin_dir().split("/")[-2]
    clusters = _run(["pg_lsclusters", "--no-header"]).stdout.split()
    if not clusters:
        _run(["pg_createcluster", version, "main"])
        clusters = _run(["pg_lsclusters", "--no-header"]).stdout.split()
    version, name, port, status = clusters[0], clusters[1], int(clusters[2]), clusters[3]
    if status != "online":
        _run(["pg_ctlcluster", version, name, "start"])
    _wait_for("127.0.0.1", port)
    sql = (
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN "
        f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{PASSWORD}'; END IF; END$$;"
    )
    _run(["su", "postgres", "-c", f"psql -p {port} -v ON_ERROR_STOP=1 -q"], input=sql)
    return f"postgres://{ROLE}:{PASSWORD}@127.0.0.1:{port}/{ROLE}"


def own_cluster_url():
    """initdb a cluster in a temporary folder (not as root), start it, stop it at exit."""
    bin_dir = _bin_dir()
    data = tempfile.mkdtemp(prefix="rencontres-pg-")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _run([f"{bin_dir}/initdb", "-D", data, "-U", ROLE, "--auth=trust", "-E", "UTF8"])
    _run(
        [
            f"{bin_dir}/pg_ctl",
            "-D",
            data,
            "-l",
            f"{data}/server.log",
            "-w",
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ]
    )

    def stop():
        subprocess.run([f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop"], check=False)
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(stop)
    return f"postgres://{ROLE}@127.0.0.1:{port}/postgres"


def database_url():
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    try:
        return debian_cluster_url() if os.geteuid() == 0 else own_cluster_url()
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", "") or error
        raise PostgresUnavailable(f"Could not start PostgreSQL: {detail}") from error


def rows_visited(plan):
    """Rows that every node of an EXPLAIN (ANALYZE, FORMAT JSON) plan produced, over all
    its loops, and those its filters dropped: what a statement's reading costs, whatever
    the machine (tests of a plan's shape)."""
    visited = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1)
    visited += plan.get("Rows Removed by Filter", 0) + plan.get("Rows Removed by Join Filter", 0)
    return visited + sum(rows_visited(child) for child in plan.get("Plans", ()))
