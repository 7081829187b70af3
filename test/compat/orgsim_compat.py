"""
Helpers of the compatibility suite (imported by conftest.py and the tests): callers, boto3 clients,
the AWS CLI v1, and a check of a parsed response against botocore's own service model.

Identity: an access key id of 12 digits is the root user of that account, with any secret.
"""
from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any, Optional, Union

import boto3
import botocore.config

REGION = "us-east-1"
MANAGEMENT = "111111111111"
SECRET = "orgsim-compat-secret"

# Client configuration files and AWS_* variables of whoever runs the suite must not change what
# the clients send (a profile's region, endpoint_url, retry mode, credentials).
ISOLATED_ENV = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}

ACCOUNT_ID = r"^\d{12}$"
ORG_ID = r"^o-[a-z0-9]{10,32}$"
CREATE_ACCOUNT_REQUEST_ID = r"^car-[a-z0-9]{8,32}$"
HANDSHAKE_ID = r"^h-[0-9a-z]{8,32}$"
REQUEST_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: Optional[str] = None

    @classmethod
    def from_sts(cls, creds: dict) -> "Credentials":
        """From the `Credentials` member of an AssumeRole answer."""
        return cls(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


Caller = Union[str, Credentials]


def credentials(caller: Caller) -> Credentials:
    if isinstance(caller, Credentials):
        return caller
    assert len(caller) == 12 and caller.isdigit(), f"an account id has 12 digits, not {caller!r}"
    return Credentials(caller, SECRET)


# --------------------------------------------------------------------------------------------
# boto3
# --------------------------------------------------------------------------------------------

# One attempt: a retried error would hide what orgsim answered first.
NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
# The same, without botocore's client-side parameter validation: what orgsim itself checks.
NO_CLIENT_VALIDATION = NO_RETRIES.merge(botocore.config.Config(parameter_validation=False))


def make_client(endpoint: str, service: str, caller: Caller = MANAGEMENT, config: botocore.config.Config = NO_RETRIES):
    creds = credentials(caller)
    session = boto3.session.Session(
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
        region_name=REGION,
    )
    return session.client(service, endpoint_url=endpoint, config=config)


def create_account(client, email: str, name: str = "member") -> str:
    """CreateAccount, then DescribeCreateAccountStatus until it leaves IN_PROGRESS; the new account id."""
    started = client.create_account(Email=email, AccountName=name)["CreateAccountStatus"]
    status = started
    for _ in range(100):
        status = client.describe_create_account_status(CreateAccountRequestId=started["Id"])["CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS":
            break
        time.sleep(0.05)
    assert status["State"] == "SUCCEEDED", status
    return status["AccountId"]


def invite_and_accept(orgs, account: str, management: str = MANAGEMENT) -> dict:
    """InviteAccountToOrganization (target type ACCOUNT) from `management`, accepted by `account`; the handshake."""
    handshake = orgs(management).invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": account})["Handshake"]
    return orgs(account).accept_handshake(HandshakeId=handshake["Id"])["Handshake"]


# --------------------------------------------------------------------------------------------
# A parsed response against botocore's model of it
# --------------------------------------------------------------------------------------------

_PY_TYPES = {
    "string": str,
    "blob": bytes,
    "boolean": bool,
    "integer": int,
    "long": int,
    "float": float,
    "double": float,
    "timestamp": datetime.datetime,
    "structure": dict,
    "list": list,
    "map": dict,
}


def assert_matches_shape(value: Any, shape, path: str = "$") -> None:
    """
    Every member of `value` has the Python type botocore gives its modeled type: timestamps parsed
    into timezone-aware datetimes, enums among their values, strings within their length bounds.
    (botocore drops members the model doesn't know, so "extra" members can't be seen from here.)
    """
    expected = _PY_TYPES[shape.type_name]
    assert isinstance(value, expected) and not (expected is int and isinstance(value, bool)), (
        f"{path}: expected {shape.type_name} ({expected.__name__}), got {type(value).__name__} {value!r}"
    )
    if shape.type_name == "timestamp":
        assert value.tzinfo is not None and value.utcoffset() is not None, f"{path}: naive datetime {value!r}"
    elif shape.type_name == "string":
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} is not one of {shape.enum}"
        bounds = shape.metadata
        if "min" in bounds:
            assert len(value) >= bounds["min"], f"{path}: {value!r} is shorter than {bounds['min']}"
        if "max" in bounds:
            assert len(value) <= bounds["max"], f"{path}: {value!r} is longer than {bounds['max']}"
    elif shape.type_name == "structure":
        for name, member in value.items():
            if name == "ResponseMetadata" and path == "$":
                continue
            assert name in shape.members, f"{path}: {name} is not a member of {shape.name}"
            assert_matches_shape(member, shape.members[name], f"{path}.{name}")
    elif shape.type_name == "list":
        for i, item in enumerate(value):
            assert_matches_shape(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map":
        for k, v in value.items():
            assert_matches_shape(k, shape.key, f"{path}.<key>")
            assert_matches_shape(v, shape.value, f"{path}[{k!r}]")


def assert_output_matches_model(client, operation: str, response: dict) -> None:
    """The whole parsed response of `operation` (a model name, e.g. "DescribeOrganization") is well-typed."""
    shape = client.meta.service_model.operation_model(operation).output_shape
    assert_matches_shape(response, shape)


# --------------------------------------------------------------------------------------------
# AWS CLI v1
# --------------------------------------------------------------------------------------------


@dataclass
class CliResult:
    args: list
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip() else None


def _aws_command() -> list:
    found = shutil.which("aws")
    return [found] if found else [sys.executable, "-m", "awscli"]


def run_aws(endpoint: str, *args: str, caller: Caller = MANAGEMENT, check: bool = True) -> CliResult:
    """`aws --endpoint-url URL --region us-east-1 <args> --output json` as `caller`, in a clean environment."""
    creds = credentials(caller)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(ISOLATED_ENV)
    env.update({"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key, "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})
    if creds.session_token:
        env["AWS_SESSION_TOKEN"] = creds.session_token
    cmd = _aws_command() + ["--endpoint-url", endpoint, "--region", REGION, *args, "--output", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    result = CliResult(cmd, done.returncode, done.stdout, done.stderr)
    if check and done.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}")
    return result
