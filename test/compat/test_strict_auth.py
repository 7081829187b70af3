"""
--strict-auth with the real clients: boto3 and the AWS CLI v1 sign every request the way AWS
requires (scope naming the service, host, X-Amz-Date and X-Amz-Target signed, the payload
hashed), so they keep working in strict mode, in any region; a key orgsim did not issue is refused.
"""
from __future__ import annotations

from typing import Iterator

import botocore.exceptions
import pytest

from conftest import Orgsim, running_orgsim
from orgsim_compat import MANAGEMENT, Credentials, make_client, run_aws


@pytest.fixture(scope="module")
def strict(tmp_path_factory) -> Iterator[Orgsim]:
    """A second orgsim, started with --strict-auth, for this module only."""
    with running_orgsim(tmp_path_factory, "orgsim-strict", "--strict-auth") as sim:
        yield sim


@pytest.fixture(scope="module")
def root(strict: Orgsim) -> Credentials:
    issued = strict.control_ok("POST", "/_orgsim/credentials", {"accountId": MANAGEMENT})
    return Credentials(issued["accessKeyId"], issued["secretAccessKey"])


def test_boto3_works_in_strict_mode_in_us_east_1_and_eu_west_1(strict: Orgsim, root: Credentials):
    orgs = make_client(strict.endpoint, "organizations", root)
    try:
        orgs.create_organization(FeatureSet="ALL")
    except botocore.exceptions.ClientError as err:
        assert err.response["Error"]["Code"] == "AlreadyInOrganizationException"
    assert orgs.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
    sts = make_client(strict.endpoint, "sts", root)
    assert sts.get_caller_identity()["Account"] == MANAGEMENT
    import boto3

    session = boto3.session.Session(aws_access_key_id=root.access_key_id, aws_secret_access_key=root.secret_access_key, region_name="eu-west-1")
    assert session.client("organizations", endpoint_url=strict.endpoint).list_roots()["Roots"]
    assert session.client("sts", endpoint_url=strict.endpoint).get_caller_identity()["Account"] == MANAGEMENT
    assert session.client("account", endpoint_url=strict.endpoint).get_account_information()["AccountId"] == MANAGEMENT


def test_aws_cli_works_in_strict_mode(strict: Orgsim, root: Credentials):
    identity = run_aws(strict.endpoint, "sts", "get-caller-identity", caller=root).json
    assert identity["Account"] == MANAGEMENT
    roots = run_aws(strict.endpoint, "organizations", "list-roots", caller=root, check=False)
    # Whether or not the boto3 test created the organization first, the CLI's request verifies.
    assert roots.returncode == 0 or "AWSOrganizationsNotInUseException" in roots.stderr, roots.stderr


def test_a_key_orgsim_did_not_issue_is_refused_in_strict_mode(strict: Orgsim):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(strict.endpoint, "organizations", MANAGEMENT).describe_organization()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
