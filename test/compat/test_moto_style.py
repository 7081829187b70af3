"""
A suite written the way moto users write theirs, pointed at orgsim by its endpoint alone: moto's
fake credentials ("testing"), `POST /moto-api/reset` before each test, `x-moto-account-id` set
with a boto3 event hook, and the few lines README's "Coming from moto or LocalStack" gives where
moto differs from AWS. The README's python blocks of that section run here as written (only the
endpoint changes), and a moto test that expects CreateAccount to answer SUCCEEDED runs unchanged
against an orgsim started with --complete-async-immediately.
"""
from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import REPO_ROOT, running_orgsim

README_ENDPOINT = "http://localhost:4599"
SECTION = "## Coming from moto or LocalStack"
MOTO_DEFAULT_ACCOUNT = "123456789012"


# --------------------------------------------------------------------------------------------
# A moto user's fixtures, with the endpoint pointed at orgsim
# --------------------------------------------------------------------------------------------


@pytest.fixture
def endpoint(orgsim) -> str:
    return orgsim.endpoint


@pytest.fixture
def aws_credentials(monkeypatch) -> None:
    """moto's documented fake credentials."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)


def moto_reset(endpoint: str) -> dict:
    with urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")) as res:
        assert res.status == 200
        return json.loads(res.read())


@pytest.fixture
def client(endpoint, aws_credentials):
    assert moto_reset(endpoint) == {"status": "ok"}
    return boto3.client("organizations", endpoint_url=endpoint)


def as_account(boto_client, account_id: str):
    """What moto users do to act as another account in server mode."""

    def add_header(request, **kwargs):
        request.headers["x-moto-account-id"] = account_id

    boto_client.meta.events.register("before-send", add_header)
    return boto_client


def wait_for_account(orgs, request_id: str) -> dict:
    """README's loop: DescribeCreateAccountStatus until the request leaves IN_PROGRESS."""
    while True:
        status = orgs.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS":
            return status
        time.sleep(1)


def create_account(orgs, name: str) -> str:
    request = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
    status = wait_for_account(orgs, request["Id"])
    assert status["State"] == "SUCCEEDED", status
    return status["AccountId"]


SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


# --------------------------------------------------------------------------------------------
# The moto-style suite
# --------------------------------------------------------------------------------------------


def test_moto_style_create_organization_makes_the_default_account_its_management_account(client):
    org = client.create_organization(FeatureSet="ALL")["Organization"]
    assert org["MasterAccountId"] == MOTO_DEFAULT_ACCOUNT
    assert org["FeatureSet"] == "ALL"
    assert re.match(r"^arn:aws:organizations::123456789012:organization/o-[a-z0-9]{10,32}$", org["Arn"])
    assert client.describe_organization()["Organization"]["Id"] == org["Id"]


def test_moto_style_accounts_are_listed_in_creation_order_management_account_first(client):
    client.create_organization(FeatureSet="ALL")
    created = [create_account(client, name) for name in ("zulu", "alpha", "mike")]
    for _ in range(2):
        listed = [a["Id"] for a in client.list_accounts()["Accounts"]]
        assert listed == [MOTO_DEFAULT_ACCOUNT, *created]
        paged = [a["Id"] for page in client.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 1}) for a in page["Accounts"]]
        assert paged == listed
    described = client.describe_account(AccountId=created[0])["Account"]
    assert described["Name"] == "zulu" and described["Status"] == "ACTIVE" and described["JoinedMethod"] == "CREATED"


def test_moto_style_organizational_units_children_parents_and_moves(client):
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    ous = [client.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"] for name in ("prod", "dev")]
    assert [ou["Name"] for ou in client.list_organizational_units_for_parent(ParentId=root_id)["OrganizationalUnits"]] == ["prod", "dev"]
    account = create_account(client, "app")
    client.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=ous[0]["Id"])
    assert client.list_parents(ChildId=account)["Parents"] == [{"Id": ous[0]["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert client.list_children(ParentId=ous[0]["Id"], ChildType="ACCOUNT")["Children"] == [{"Id": account, "Type": "ACCOUNT"}]
    assert [a["Id"] for a in client.list_accounts_for_parent(ParentId=ous[0]["Id"])["Accounts"]] == [account]


def test_moto_style_service_control_policies_after_enabling_the_type(client):
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    policy = client.create_policy(Name="DenyS3", Description="d", Type="SERVICE_CONTROL_POLICY", Content=SCP)["Policy"]["PolicySummary"]
    # moto attaches without this; AWS (and orgsim) need the type enabled in the root first.
    with pytest.raises(client.exceptions.PolicyTypeNotEnabledException):
        client.attach_policy(PolicyId=policy["Id"], TargetId=root_id)
    client.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    client.attach_policy(PolicyId=policy["Id"], TargetId=root_id)
    names = [p["Name"] for p in client.list_policies_for_target(TargetId=root_id, Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    assert names == ["FullAWSAccess", "DenyS3"]
    assert [t["TargetId"] for t in client.list_targets_for_policy(PolicyId=policy["Id"])["Targets"]] == [root_id]
    client.detach_policy(PolicyId=policy["Id"], TargetId=root_id)
    client.delete_policy(PolicyId=policy["Id"])


def test_moto_style_a_policy_that_is_not_a_policy_document_is_refused(client):
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.MalformedPolicyDocumentException):
        client.create_policy(Name="x", Description="d", Type="SERVICE_CONTROL_POLICY", Content="any text")


def test_moto_style_tags_are_listed_in_the_order_they_were_added(client):
    client.create_organization(FeatureSet="ALL")
    account = create_account(client, "tagged")
    client.tag_resource(ResourceId=account, Tags=[{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "prod"}])
    client.tag_resource(ResourceId=account, Tags=[{"Key": "cost", "Value": "1"}])
    assert client.list_tags_for_resource(ResourceId=account)["Tags"] == [
        {"Key": "team", "Value": "a"}, {"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": "1"},
    ]


def test_moto_style_delegated_administrator_after_enabling_trusted_access(client):
    client.create_organization(FeatureSet="ALL")
    account = create_account(client, "security")
    with pytest.raises(ClientError) as refused:
        client.register_delegated_administrator(AccountId=account, ServicePrincipal="guardduty.amazonaws.com")
    assert refused.value.response["Error"]["Code"] == "ConstraintViolationException"
    assert refused.value.response["Reason"] == "SERVICE_ACCESS_NOT_ENABLED"
    client.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    client.register_delegated_administrator(AccountId=account, ServicePrincipal="guardduty.amazonaws.com")
    assert [a["Id"] for a in client.list_delegated_administrators()["DelegatedAdministrators"]] == [account]
    services = client.list_delegated_services_for_account(AccountId=account)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == ["guardduty.amazonaws.com"]


def test_moto_style_x_moto_account_id_set_with_an_event_hook_names_the_member_account(client, endpoint):
    client.create_organization(FeatureSet="ALL")
    member = create_account(client, "member")
    sts = as_account(boto3.client("sts", endpoint_url=endpoint), member)
    assert sts.get_caller_identity()["Account"] == member
    as_member = as_account(boto3.client("organizations", endpoint_url=endpoint), member)
    assert as_member.describe_organization()["Organization"]["MasterAccountId"] == MOTO_DEFAULT_ACCOUNT
    # A member account can't do what only the management account may.
    with pytest.raises(as_member.exceptions.AccessDeniedException):
        as_member.list_accounts()


def test_moto_style_reset_between_tests_empties_orgsim(client, endpoint):
    client.create_organization(FeatureSet="ALL")
    assert moto_reset(endpoint) == {"status": "ok"}
    with pytest.raises(client.exceptions.AWSOrganizationsNotInUseException):
        client.describe_organization()


# --------------------------------------------------------------------------------------------
# README's section, as written
# --------------------------------------------------------------------------------------------


def readme_python_blocks() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_moto_section_has_its_examples():
    blocks = readme_python_blocks()
    assert len(blocks) >= 4
    assert all(README_ENDPOINT in block for block in blocks)


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_readme_moto_section_python_block_runs_against_orgsim_as_written(index, endpoint):
    code = readme_python_blocks()[index].replace(README_ENDPOINT, endpoint)
    exec(compile(code, f"README.md ({SECTION[3:]}, python block {index + 1})", "exec"), {"__name__": "readme_example"})


# --------------------------------------------------------------------------------------------
# A moto test unchanged, against orgsim started with --complete-async-immediately
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def instant_endpoint(tmp_path_factory):
    """A second orgsim, started as a suite that cannot wait would start it."""
    with running_orgsim(tmp_path_factory, "orgsim-instant", "--complete-async-immediately") as sim:
        yield sim.endpoint


def test_moto_test_unchanged_create_account_succeeds_at_once_with_complete_async_immediately(instant_endpoint, aws_credentials):
    moto_reset(instant_endpoint)
    client = boto3.client("organizations", endpoint_url=instant_endpoint)
    client.create_organization(FeatureSet="ALL")
    # As moto's own tests assert it:
    status = client.create_account(AccountName="dev", Email="dev@example.com")["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    assert client.describe_account(AccountId=status["AccountId"])["Account"]["Name"] == "dev"
    described = client.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert described == status
    with urllib.request.urlopen(f"{instant_endpoint}/_orgsim/health") as res:
        assert json.loads(res.read())["timing"]["completeAsyncImmediately"] is True
