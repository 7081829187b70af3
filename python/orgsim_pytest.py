"""
orgsim for pytest: a private orgsim for the test session, reset before every test.

    # conftest.py                          (or: python3 -m pytest -p orgsim_pytest)
    pytest_plugins = ["orgsim_pytest"]

    # test_orgs.py
    def test_create_organization(orgsim):
        orgs = orgsim.client("organizations")
        orgs.create_organization(FeatureSet="ALL")

This file ships in the npm package (node_modules/orgsim/python/orgsim_pytest.py); put its folder
on PYTHONPATH. It needs only the standard library, pytest, and boto3 for `client()`.

Fixtures:
  orgsim_server  (session) starts `orgsim start --port 0 --quiet`, reads the address from its first
                 line, stops it at the end of the session.
  orgsim         (each test) the same server, reset first (POST /_orgsim/reset): no organizations,
                 clock offset 0, no faults.

The command: $ORGSIM_COMMAND if set (e.g. "npx orgsim", "node /path/to/bin/orgsim.js"), else the
orgsim this file belongs to (../bin/orgsim.js), else `npx --no orgsim`. ORGSIM_* settings in the
environment (ORGSIM_DATABASE_URL, ORGSIM_STRICT_AUTH, ...) apply as they do to `orgsim start`;
ORGSIM_PYTEST_ARGS adds start flags (e.g. "--seed org.yaml").
"""
from __future__ import annotations

import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional, Sequence

import pytest

__all__ = ["OrgsimServer", "OrgsimError", "start_orgsim", "orgsim_server", "orgsim"]

MANAGEMENT_ACCOUNT = "111111111111"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class OrgsimError(RuntimeError):
    """orgsim could not start, or its control API refused a request."""


def _default_command() -> list[str]:
    configured = os.environ.get("ORGSIM_COMMAND")
    if configured:
        return shlex.split(configured)
    bundled = Path(__file__).resolve().parent.parent / "bin" / "orgsim.js"
    if bundled.exists():
        return [shutil.which("node") or "node", str(bundled)]
    return ["npx", "--no", "orgsim"]


class OrgsimServer:
    """A running orgsim process: its endpoint, control helpers and boto3 clients."""

    def __init__(self, endpoint: str, process: subprocess.Popen, log_path: Optional[Path] = None):
        self.endpoint = endpoint
        self.process = process
        self.log_path = log_path

    # -- the control API (JSON on /_orgsim/*) ------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Calls the control API; returns the decoded JSON answer, raises OrgsimError on 4xx/5xx."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                text = res.read().decode()
        except urllib.error.HTTPError as err:
            raise OrgsimError(f"{method} {path} answered {err.code}: {err.read().decode(errors='replace')}") from None
        return json.loads(text) if text else None

    def reset(self) -> None:
        """Empty state, clock offset 0, no faults."""
        self.control("POST", "/_orgsim/reset", {})

    def advance_clock(self, seconds: float) -> Any:
        """Moves the virtual clock forward (4 days: 4 * 86400)."""
        return self.control("POST", "/_orgsim/clock", {"advanceSeconds": seconds})

    def make_ready(self, account_id: str) -> Any:
        """Gives an account a support plan, contact information and a payment method (what a created account needs to leave)."""
        return self.control("PUT", f"/_orgsim/accounts/{account_id}/standalone", {"supportPlan": True, "contactInformation": True, "paymentMethod": True})

    def seed(self, yaml_text: str, reset: bool = False) -> Any:
        """Applies a seed (YAML text) to the state; reset=True replaces the state."""
        req = urllib.request.Request(f"{self.endpoint}/_orgsim/seed{'?reset=true' if reset else ''}", data=yaml_text.encode(), method="POST")
        req.add_header("Content-Type", "application/yaml")
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return json.loads(res.read().decode())
        except urllib.error.HTTPError as err:
            raise OrgsimError(f"the seed was not applied: {err.read().decode(errors='replace')}") from None

    # -- clients -----------------------------------------------------------------------------

    def client(self, service: str = "organizations", account: str = MANAGEMENT_ACCOUNT, region: str = "us-east-1", **kwargs: Any) -> Any:
        """A boto3 client acting as the root user of `account` (a 12-digit access key id is that account's root user)."""
        import boto3  # only when asked for: the fixture itself needs no boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="x",
            **kwargs,
        )

    def env(self, account: str = MANAGEMENT_ACCOUNT, region: str = "us-east-1") -> dict[str, str]:
        """Environment variables that point the AWS CLI or an SDK at this orgsim, as `account`."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": account,
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
        }

    # -- the process -------------------------------------------------------------------------

    def log(self) -> str:
        """What orgsim wrote on stderr."""
        try:
            return self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""

    def stop(self) -> Optional[int]:
        """SIGTERM to orgsim's process group, then its exit code (SIGKILL after a while: None)."""
        if self.process.poll() is not None:
            return self.process.returncode
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            return None


_ADDRESS = re.compile(r"listening on (http://\S+)")


def _address(line: str) -> Optional[str]:
    """The URL in orgsim's first line: "orgsim listening on http://..." or, with --log-format json, its "url"."""
    line = line.strip()
    if line.startswith("{"):
        try:
            url = json.loads(line).get("url")
            return url if isinstance(url, str) else None
        except ValueError:
            return None
    match = _ADDRESS.search(line)
    return match.group(1) if match else None


def start_orgsim(command: Optional[Sequence[str]] = None, args: Sequence[str] = (), log_path: Optional[Path] = None, timeout: float = START_TIMEOUT_SECONDS) -> OrgsimServer:
    """Starts `<command> start --port 0 --quiet <args>` and waits for its address line."""
    argv = [*(command or _default_command()), "start", "--port", "0", "--quiet", *args]
    stderr = open(log_path, "wb") if log_path else subprocess.DEVNULL
    try:
        # Its own process group: `npx` runs orgsim as a child, and stop() must reach both.
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, start_new_session=True)
    except OSError as err:
        raise OrgsimError(f"cannot run {' '.join(argv)}: {err}") from None
    finally:
        if log_path:
            stderr.close()
    server = OrgsimServer("", process, log_path)
    assert process.stdout is not None
    fd = process.stdout.fileno()
    buffer = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            server.stop()
            raise OrgsimError(f"{' '.join(argv)} printed no address within {timeout:.0f}s{_tail(server)}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                code = process.wait()
                raise OrgsimError(f"{' '.join(argv)} exited with {code} before listening{_tail(server)}")
            buffer += chunk
    line = buffer.split(b"\n", 1)[0].decode(errors="replace")
    url = _address(line)
    if url is None:
        server.stop()
        raise OrgsimError(f"unexpected first line from orgsim: {line!r}")
    server.endpoint = url
    # Keep reading its output, so it never blocks on a full pipe.
    threading.Thread(target=_drain, args=(fd,), daemon=True).start()
    return server


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def _tail(server: OrgsimServer) -> str:
    text = server.log().strip()
    return f"\n{text[-2000:]}" if text else ""


@pytest.fixture(scope="session")
def orgsim_server(tmp_path_factory: pytest.TempPathFactory):
    """One orgsim for the whole test session."""
    log_path = tmp_path_factory.mktemp("orgsim") / "orgsim.log"
    server = start_orgsim(args=shlex.split(os.environ.get("ORGSIM_PYTEST_ARGS", "")), log_path=log_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def orgsim(orgsim_server: OrgsimServer) -> OrgsimServer:
    """The session's orgsim, reset before the test: no organizations, clock offset 0, no faults."""
    orgsim_server.reset()
    return orgsim_server
