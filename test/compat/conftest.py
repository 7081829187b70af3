"""
Fixtures of the compatibility suite: one orgsim process per test session, started with the real
CLI (`node bin/orgsim.js start --port 0 --quiet`), on SQLite in memory or, when
ORGSIM_TEST_DATABASE_URL is set, on a fresh PostgreSQL database of its own (dropped at the end);
a reset of its state before every test; and factories that call it as any account with boto3 or
the AWS CLI v1, exactly as a user would (only the endpoint URL changes).
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

from orgsim_compat import ISOLATED_ENV, MANAGEMENT, CliResult, make_client, run_aws

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 15


# --------------------------------------------------------------------------------------------
# PostgreSQL: a database of the session's own
# --------------------------------------------------------------------------------------------


def _psql(admin_url: str, sql: str) -> None:
    if shutil.which("psql"):
        cmd = ["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
    else:  # the image has psql; this keeps the suite usable where only psycopg is installed
        cmd = [sys.executable, "-c", "import sys, psycopg; psycopg.connect(sys.argv[1], autocommit=True).execute(sys.argv[2])", admin_url, sql]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{sql!r} failed: {done.stderr.strip() or done.stdout.strip()}")


class _Database:
    """A fresh database beside the one ORGSIM_TEST_DATABASE_URL names (which only serves to create and drop it)."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.name = f"orgsim_compat_{secrets.token_hex(6)}"
        parts = urllib.parse.urlsplit(admin_url)
        self.url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{self.name}", parts.query, parts.fragment))

    def create(self) -> None:
        _psql(self.admin_url, f"CREATE DATABASE {self.name}")

    def drop(self) -> None:
        _psql(self.admin_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


# --------------------------------------------------------------------------------------------
# The orgsim process
# --------------------------------------------------------------------------------------------


class Orgsim:
    """A running `orgsim start` process and its control API."""

    def __init__(self, endpoint: str, engine: str, process: subprocess.Popen, stderr_path: Path):
        self.endpoint = endpoint
        self.engine = engine
        self.process = process
        self.stderr_path = stderr_path

    def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode()
        return status, (json.loads(text) if text else None)

    def control_ok(self, method: str, path: str, body: Any = None) -> Any:
        status, value = self.control(method, path, body)
        assert 200 <= status < 300, f"{method} {path} answered {status}: {value}"
        return value

    def advance_clock(self, seconds: float) -> Any:
        return self.control_ok("POST", "/_orgsim/clock", {"advanceSeconds": seconds})

    def make_standalone_ready(self, account: str) -> Any:
        """Support plan, contact information and payment method: what a created account lacks to leave."""
        return self.control_ok("PUT", f"/_orgsim/accounts/{account}/standalone", {"supportPlan": True, "contactInformation": True, "paymentMethod": True})

    def server_log(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""


def _read_listening_line(process: subprocess.Popen, deadline: float) -> str:
    """The first stdout line, within the deadline (select, so a hung start fails instead of blocking)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"orgsim printed no line within {START_TIMEOUT_SECONDS}s (so far: {buf!r})")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            raise RuntimeError(f"orgsim exited with {process.wait()} before listening (stdout: {buf!r})")
        buf += chunk
    return buf.split(b"\n", 1)[0].decode()


def _drain(fd: int) -> None:
    """Keep reading the process's stdout so it never blocks on a full pipe."""
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


def _stop(process: subprocess.Popen) -> Optional[int]:
    """SIGTERM and wait; SIGKILL only if it doesn't stop in time (then None)."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
        return None


@contextlib.contextmanager
def running_orgsim(tmp_path_factory, name: str, *flags: str) -> Iterator[Orgsim]:
    """An orgsim process of its own (`orgsim start --port 0 --quiet` and `flags`), on a fresh
    PostgreSQL database when ORGSIM_TEST_DATABASE_URL is set; it must stop cleanly on SIGTERM."""
    if not (REPO_ROOT / "dist" / "src" / "cli.js").exists():
        pytest.fail("dist/ is missing: build first with `npm run build`")
    args = ["node", str(REPO_ROOT / "bin" / "orgsim.js"), "start", "--port", "0", "--quiet", *flags]
    database: Optional[_Database] = None
    admin_url = os.environ.get("ORGSIM_TEST_DATABASE_URL")
    if admin_url:
        database = _Database(admin_url)
        database.create()
        args += ["--database", database.url]
    # Only the flags above configure it: no ORGSIM_* setting of the caller's shell leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGSIM_")}
    stderr_path = tmp_path_factory.mktemp(name) / "stderr.log"
    stderr_file = open(stderr_path, "wb")
    process = None
    try:
        process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file)
        try:
            line = _read_listening_line(process, time.monotonic() + START_TIMEOUT_SECONDS)
        except Exception as err:
            _stop(process)
            raise RuntimeError(f"{err}\nstderr:\n{stderr_path.read_text(errors='replace')}") from err
        prefix = "orgsim listening on "
        assert line.startswith(prefix), f"unexpected first line: {line!r}"
        endpoint, _, engine = line[len(prefix):].partition(" ")
        threading.Thread(target=_drain, args=(process.stdout.fileno(),), daemon=True).start()
        sim = Orgsim(endpoint, engine.strip("()"), process, stderr_path)
        if database:
            assert sim.engine == "PostgreSQL", line
        yield sim
        code = _stop(process)
        assert code == 0, f"orgsim did not stop cleanly on SIGTERM (exit {code})\nstderr:\n{sim.server_log()}"
    finally:
        if process is not None:
            _stop(process)
        stderr_file.close()
        if database:
            database.drop()


@pytest.fixture(scope="session")
def orgsim(tmp_path_factory) -> Iterator[Orgsim]:
    with running_orgsim(tmp_path_factory, "orgsim") as sim:
        yield sim


@pytest.fixture(autouse=True)
def fresh_state(orgsim: Orgsim, monkeypatch) -> None:
    """Every test starts from an empty orgsim (no organizations, clock offset 0), with no AWS_* settings of the shell."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)
    orgsim.control_ok("POST", "/_orgsim/reset")


@pytest.fixture
def orgs(orgsim: Orgsim) -> Callable[..., Any]:
    """orgs(caller=MANAGEMENT, config=...) -> a boto3 Organizations client acting as an account id or Credentials."""
    return lambda caller=MANAGEMENT, **kw: make_client(orgsim.endpoint, "organizations", caller, **kw)


@pytest.fixture
def sts(orgsim: Orgsim) -> Callable[..., Any]:
    """sts(caller=MANAGEMENT, config=...) -> a boto3 STS client acting as an account id or Credentials."""
    return lambda caller=MANAGEMENT, **kw: make_client(orgsim.endpoint, "sts", caller, **kw)


@pytest.fixture
def aws(orgsim: Orgsim) -> Callable[..., CliResult]:
    """aws(*args, caller=MANAGEMENT, check=True) -> CliResult of the AWS CLI v1 against orgsim."""
    return lambda *args, **kw: run_aws(orgsim.endpoint, *args, **kw)
