"""
STS through boto3 (awsQuery with XML answers): who the caller is, and AssumeRole into the
OrganizationAccountAccessRole that CreateAccount makes, with the temporary credentials signed
(SigV4 with X-Amz-Security-Token) and verified by orgsim.
"""
from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from orgsim_compat import MANAGEMENT, Credentials, assert_output_matches_model, create_account, invite_and_accept

ROLE = "OrganizationAccountAccessRole"
OUTSIDER = "999999999999"


def role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/{ROLE}"


@pytest.fixture
def member(orgs) -> str:
    """An account created by CreateAccount in the management account's organization."""
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    return create_account(client, "member@example.com", "member")


def test_get_caller_identity_of_a_12_digit_access_key_is_the_root_user_of_that_account(sts):
    client = sts("210987654321")
    identity = client.get_caller_identity()
    assert_output_matches_model(client, "GetCallerIdentity", identity)
    assert identity["Account"] == "210987654321"
    assert identity["Arn"] == "arn:aws:iam::210987654321:root"
    assert identity["UserId"] == "210987654321"
    meta = identity["ResponseMetadata"]
    assert meta["RequestId"] and meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]


def test_management_account_assumes_OrganizationAccountAccessRole_of_an_account_it_created(sts, member):
    client = sts()
    response = client.assume_role(RoleArn=role_arn(member), RoleSessionName="vending")
    assert_output_matches_model(client, "AssumeRole", response)
    creds = response["Credentials"]
    assert re.match(r"^ASIA[A-Z0-9]{16}$", creds["AccessKeyId"]), creds["AccessKeyId"]
    assert creds["SecretAccessKey"] and creds["SessionToken"]
    # Expiration is an XML timestamp botocore parses into an aware datetime: one hour by default.
    lifetime = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=55) < lifetime <= datetime.timedelta(hours=1, minutes=1)
    assert response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{member}:assumed-role/{ROLE}/vending"
    assert response["AssumedRoleUser"]["AssumedRoleId"].endswith(":vending")
    assert response["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")


def test_assumed_role_credentials_act_as_that_role_in_the_member_account(sts, orgs, member):
    assumed = Credentials.from_sts(sts().assume_role(RoleArn=role_arn(member), RoleSessionName="vending")["Credentials"])

    identity = sts(assumed).get_caller_identity()
    assert identity["Account"] == member
    assert identity["Arn"] == f"arn:aws:sts::{member}:assumed-role/{ROLE}/vending"
    assert identity["UserId"].endswith(":vending")

    as_member = orgs(assumed)
    org = as_member.describe_organization()["Organization"]
    assert org["MasterAccountId"] == MANAGEMENT
    assert org["Id"] == orgs().describe_organization()["Organization"]["Id"]
    # A member account's principal can't call what only the management account may.
    with pytest.raises(as_member.exceptions.AccessDeniedException):
        as_member.list_accounts()


def test_an_unrelated_account_assuming_the_role_gets_AccessDenied(sts, member):
    client = sts(OUTSIDER)
    with pytest.raises(ClientError) as excinfo:
        client.assume_role(RoleArn=role_arn(member), RoleSessionName="intruder")
    err = excinfo.value.response
    assert err["Error"]["Code"] == "AccessDenied"
    assert err["Error"]["Type"] == "Sender"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    # awsQuery errors carry the request id in the XML body too; botocore reports it.
    assert err["ResponseMetadata"]["RequestId"] == err["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def test_a_role_session_of_another_organization_is_not_authorized_to_assume_the_role(sts, orgs, member):
    """IAM's message names the calling principal and the role: "User: <arn> is not authorized to perform: sts:AssumeRole on resource: <role arn>"."""
    other_management = "888888888888"
    other_orgs = orgs(other_management)
    other_orgs.create_organization(FeatureSet="ALL")
    other_member = create_account(other_orgs, "other@example.com", "other")
    other = Credentials.from_sts(sts(other_management).assume_role(RoleArn=role_arn(other_member), RoleSessionName="other")["Credentials"])
    with pytest.raises(ClientError) as excinfo:
        sts(other).assume_role(RoleArn=role_arn(member), RoleSessionName="intruder")
    err = excinfo.value.response["Error"]
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == (
        f"User: arn:aws:sts::{other_member}:assumed-role/{ROLE}/other is not authorized to perform: sts:AssumeRole on resource: {role_arn(member)}"
    )


def test_OrganizationAccountAccessRole_trusts_only_the_management_account_not_the_member_itself(sts, member):
    """
    The role CreateAccount makes has the trust policy {"Principal": {"AWS": "arn:aws:iam::<management>:root"}}:
    a principal of the member account itself (its own role session chaining into the role) is not trusted.
    """
    session = Credentials.from_sts(sts().assume_role(RoleArn=role_arn(member), RoleSessionName="first")["Credentials"])
    with pytest.raises(ClientError) as excinfo:
        sts(session).assume_role(RoleArn=role_arn(member), RoleSessionName="chained")
    err = excinfo.value.response["Error"]
    assert err["Code"] == "AccessDenied", excinfo.value.response
    assert err["Message"] == (
        f"User: arn:aws:sts::{member}:assumed-role/{ROLE}/first is not authorized to perform: sts:AssumeRole on resource: {role_arn(member)}"
    )


def test_an_invited_account_has_no_OrganizationAccountAccessRole_to_assume(sts, orgs):
    """Only CreateAccount makes the role; an invited account must create it itself."""
    orgs().create_organization(FeatureSet="ALL")
    invite_and_accept(orgs, "222222222222")
    with pytest.raises(ClientError) as excinfo:
        sts().assume_role(RoleArn=role_arn("222222222222"), RoleSessionName="vending")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"


def test_assume_role_DurationSeconds_beyond_the_roles_one_hour_MaxSessionDuration_is_ValidationError(sts, member):
    """
    The role's MaxSessionDuration is IAM's default, 3600 seconds; botocore accepts up to 43200 (the
    model's max), so the refusal is STS's: ValidationError "The requested DurationSeconds exceeds the
    MaxSessionDuration set for this role."
    """
    ok = sts().assume_role(RoleArn=role_arn(member), RoleSessionName="hour", DurationSeconds=3600)
    assert ok["Credentials"]["Expiration"]
    with pytest.raises(ClientError) as excinfo:
        sts().assume_role(RoleArn=role_arn(member), RoleSessionName="long", DurationSeconds=43200)
    err = excinfo.value.response
    assert err["Error"]["Code"] == "ValidationError", err
    assert err["Error"]["Message"] == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_temporary_credentials_without_their_session_token_are_InvalidClientTokenId(sts, orgs, member):
    assumed = Credentials.from_sts(sts().assume_role(RoleArn=role_arn(member), RoleSessionName="vending")["Credentials"])
    tokenless = Credentials(assumed.access_key_id, assumed.secret_access_key)
    with pytest.raises(ClientError) as excinfo:
        sts(tokenless).get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(ClientError) as excinfo:
        orgs(tokenless).describe_organization()
    assert excinfo.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_temporary_credentials_signed_with_the_wrong_secret_fail_signature_verification(sts, orgs, member):
    assumed = Credentials.from_sts(sts().assume_role(RoleArn=role_arn(member), RoleSessionName="vending")["Credentials"])
    forged = Credentials(assumed.access_key_id, "x" * 40, assumed.session_token)
    with pytest.raises(ClientError) as excinfo:
        sts(forged).get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as excinfo:
        orgs(forged).describe_organization()
    assert excinfo.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_temporary_credentials_expire_after_their_duration_on_the_virtual_clock(sts, orgs, orgsim, member):
    assumed = Credentials.from_sts(
        sts().assume_role(RoleArn=role_arn(member), RoleSessionName="vending", DurationSeconds=900)["Credentials"]
    )
    assert sts(assumed).get_caller_identity()["Account"] == member
    orgsim.advance_clock(901)
    with pytest.raises(ClientError) as excinfo:
        sts(assumed).get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "ExpiredToken"
    with pytest.raises(ClientError) as excinfo:
        orgs(assumed).describe_organization()
    assert excinfo.value.response["Error"]["Code"] == "ExpiredTokenException"
