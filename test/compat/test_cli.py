"""
The AWS CLI v1 (`aws`) against orgsim: JSON output, the CLI's own auto-pagination, its exit code
and stderr on a service error, and STS.
"""
from __future__ import annotations

import re

from orgsim_compat import MANAGEMENT, ORG_ID, Credentials, create_account

OUTSIDER = "999999999999"


def test_cli_create_organization_prints_the_new_organization_as_json(aws):
    org = aws("organizations", "create-organization", "--feature-set", "ALL").json["Organization"]
    assert re.match(ORG_ID, org["Id"]), org["Id"]
    assert org["MasterAccountId"] == MANAGEMENT
    assert org["FeatureSet"] == "ALL"
    assert org["Arn"] == f"arn:aws:organizations::{MANAGEMENT}:organization/{org['Id']}"


def test_cli_describe_organization_shows_the_organization_create_organization_made(aws):
    created = aws("organizations", "create-organization").json["Organization"]
    described = aws("organizations", "describe-organization").json["Organization"]
    assert described["Id"] == created["Id"]
    assert described["MasterAccountArn"] == created["MasterAccountArn"]
    # CreateOrganization without --feature-set makes an organization with all features.
    assert described["FeatureSet"] == "ALL"


def test_cli_list_accounts_auto_paginates_with_page_size_2_over_every_account_once(aws, orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    ids = {MANAGEMENT} | {create_account(client, f"cli{i}@example.com", f"cli{i}") for i in range(4)}
    listed = aws("organizations", "list-accounts", "--page-size", "2").json
    assert sorted(a["Id"] for a in listed["Accounts"]) == sorted(ids)
    assert "NextToken" not in listed, "the CLI followed every NextToken itself"


def test_cli_list_accounts_max_items_prints_a_next_token_that_starting_token_resumes(aws, orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    ids = {MANAGEMENT} | {create_account(client, f"cli{i}@example.com", f"cli{i}") for i in range(4)}
    first = aws("organizations", "list-accounts", "--page-size", "2", "--max-items", "3").json
    assert len(first["Accounts"]) == 3
    assert first["NextToken"]
    rest = aws("organizations", "list-accounts", "--page-size", "2", "--starting-token", first["NextToken"]).json
    assert sorted(a["Id"] for a in first["Accounts"] + rest["Accounts"]) == sorted(ids)


def test_cli_leave_organization_as_management_account_fails_with_the_error_code_on_stderr(aws):
    aws("organizations", "create-organization")
    result = aws("organizations", "leave-organization", check=False)
    # The CLI v1 exits 255 on a service error (v2 uses 254).
    assert result.returncode == 255, result
    assert result.stdout == ""
    assert "An error occurred (MasterCannotLeaveOrganizationException) when calling the LeaveOrganization operation" in result.stderr
    assert "You can't remove a management account from an organization." in result.stderr


def test_cli_describe_organization_outside_any_organization_reports_AWSOrganizationsNotInUseException(aws):
    result = aws("organizations", "describe-organization", caller=OUTSIDER, check=False)
    assert result.returncode == 255, result
    assert "(AWSOrganizationsNotInUseException)" in result.stderr
    assert "Your account is not a member of an organization." in result.stderr


def test_cli_sts_get_caller_identity_account_is_the_12_digit_access_key(aws):
    for account in (MANAGEMENT, "210987654321"):
        identity = aws("sts", "get-caller-identity", caller=account).json
        assert identity["Account"] == account
        assert identity["Arn"] == f"arn:aws:iam::{account}:root"
        assert identity["UserId"] == account


def test_cli_assume_role_credentials_work_through_AWS_SESSION_TOKEN(aws, orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    member = create_account(client, "cli-member@example.com", "cli-member")
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    assumed = aws("sts", "assume-role", "--role-arn", role, "--role-session-name", "cli").json
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/cli"
    session = Credentials.from_sts(assumed["Credentials"])
    identity = aws("sts", "get-caller-identity", caller=session).json
    assert identity["Account"] == member
    assert identity["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    org = aws("organizations", "describe-organization", caller=session).json["Organization"]
    assert org["MasterAccountId"] == MANAGEMENT
