"""
Organizations through boto3 (botocore's awsJson1.1 parser, modeled exceptions, paginators):
the responses botocore parses must have the types of the model, and AWS's rules must hold.
"""
from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from orgsim_compat import (
    ACCOUNT_ID,
    CREATE_ACCOUNT_REQUEST_ID,
    HANDSHAKE_ID,
    MANAGEMENT,
    NO_CLIENT_VALIDATION,
    ORG_ID,
    REQUEST_ID,
    assert_output_matches_model,
    create_account,
    invite_and_accept,
)

OUTSIDER = "999999999999"
INVITEE = "222222222222"


def test_create_organization_makes_the_caller_the_management_account_in_aws_id_and_arn_formats(orgs):
    client = orgs()
    response = client.create_organization(FeatureSet="ALL")
    assert_output_matches_model(client, "CreateOrganization", response)
    org = response["Organization"]
    assert re.match(ORG_ID, org["Id"]), org["Id"]
    assert org["Arn"] == f"arn:aws:organizations::{MANAGEMENT}:organization/{org['Id']}"
    assert org["FeatureSet"] == "ALL"
    assert org["MasterAccountId"] == MANAGEMENT
    assert org["MasterAccountArn"] == f"arn:aws:organizations::{MANAGEMENT}:account/{org['Id']}/{MANAGEMENT}"
    assert isinstance(org["MasterAccountEmail"], str) and "@" in org["MasterAccountEmail"]


def test_create_organization_twice_is_AlreadyInOrganizationException(orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.AlreadyInOrganizationException):
        client.create_organization(FeatureSet="ALL")


def test_describe_organization_is_the_same_organization_for_the_management_account_and_an_invited_member(orgs):
    created = orgs().create_organization(FeatureSet="ALL")["Organization"]
    invite_and_accept(orgs, INVITEE)
    for caller in (MANAGEMENT, INVITEE):
        client = orgs(caller)
        response = client.describe_organization()
        assert_output_matches_model(client, "DescribeOrganization", response)
        org = response["Organization"]
        for key in ("Id", "Arn", "FeatureSet", "MasterAccountId", "MasterAccountArn", "MasterAccountEmail"):
            assert org[key] == created[key], (caller, key)


def test_create_account_answers_IN_PROGRESS_then_DescribeCreateAccountStatus_SUCCEEDED_with_parsed_timestamps(orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    started = client.create_account(Email="dev@example.com", AccountName="dev")
    assert_output_matches_model(client, "CreateAccount", started)
    status = started["CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS"
    assert re.match(CREATE_ACCOUNT_REQUEST_ID, status["Id"]), status["Id"]
    assert status["AccountName"] == "dev"
    # botocore turns the epoch-seconds timestamps of awsJson1.1 into timezone-aware datetimes.
    assert isinstance(status["RequestedTimestamp"], datetime.datetime) and status["RequestedTimestamp"].tzinfo is not None

    described = client.describe_create_account_status(CreateAccountRequestId=status["Id"])
    assert_output_matches_model(client, "DescribeCreateAccountStatus", described)
    done = described["CreateAccountStatus"]
    assert done["State"] == "SUCCEEDED"
    assert done["Id"] == status["Id"]
    assert re.match(ACCOUNT_ID, done["AccountId"]), done["AccountId"]
    assert done["CompletedTimestamp"] >= done["RequestedTimestamp"]
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - done["RequestedTimestamp"]).total_seconds()) < 300, "timestamps are seconds since the epoch, not milliseconds"

    account_response = client.describe_account(AccountId=done["AccountId"])
    assert_output_matches_model(client, "DescribeAccount", account_response)
    account = account_response["Account"]
    assert account["JoinedMethod"] == "CREATED"
    assert account["Status"] == "ACTIVE"
    assert account["Email"] == "dev@example.com"
    assert account["Name"] == "dev"
    assert isinstance(account["JoinedTimestamp"], datetime.datetime)


def test_describe_create_account_status_of_an_unknown_request_is_CreateAccountStatusNotFoundException(orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.CreateAccountStatusNotFoundException):
        client.describe_create_account_status(CreateAccountRequestId="car-00000000000000000000000000000000")


@pytest.fixture
def seven_accounts(orgs) -> set:
    """An organization of seven accounts: the management account and six created ones."""
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    ids = {MANAGEMENT}
    for i in range(6):
        ids.add(create_account(client, f"acct{i}@example.com", f"acct{i}"))
    assert len(ids) == 7
    return ids


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_list_accounts_paginator_yields_every_account_exactly_once_whatever_the_page_size(orgs, seven_accounts, page_size):
    client = orgs()
    seen = []
    pages = list(client.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": page_size}))
    for page in pages:
        assert_output_matches_model(client, "ListAccounts", page)
        assert 1 <= len(page["Accounts"]) <= page_size
        seen.extend(a["Id"] for a in page["Accounts"])
    assert len(pages) == -(-7 // page_size), "a full page is never followed by an empty one"
    assert "NextToken" not in pages[-1], "the last page carries no NextToken"
    assert sorted(seen) == sorted(seven_accounts)


def test_list_accounts_paginator_max_items_and_starting_token_resume_where_they_stopped(orgs, seven_accounts):
    paginator = orgs().get_paginator("list_accounts")
    first = paginator.paginate(PaginationConfig={"PageSize": 2, "MaxItems": 3}).build_full_result()
    assert len(first["Accounts"]) == 3
    assert "NextToken" in first
    rest = paginator.paginate(PaginationConfig={"PageSize": 2, "StartingToken": first["NextToken"]}).build_full_result()
    ids = [a["Id"] for a in first["Accounts"] + rest["Accounts"]]
    assert sorted(ids) == sorted(seven_accounts)


def test_invite_account_to_organization_opens_a_15_day_handshake_that_the_target_accepts_to_join_as_INVITED(orgs):
    client = orgs()
    org = client.create_organization(FeatureSet="ALL")["Organization"]
    invited = client.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": INVITEE}, Notes="welcome")
    assert_output_matches_model(client, "InviteAccountToOrganization", invited)
    handshake = invited["Handshake"]
    assert re.match(HANDSHAKE_ID, handshake["Id"]), handshake["Id"]
    assert handshake["State"] == "OPEN"
    assert handshake["Action"] == "INVITE"
    assert handshake["ExpirationTimestamp"] - handshake["RequestedTimestamp"] == datetime.timedelta(days=15)
    assert {"Type": "ORGANIZATION", "Id": org["Id"]} in handshake["Parties"]
    assert {"Type": "ACCOUNT", "Id": INVITEE} in handshake["Parties"]

    listed = orgs(INVITEE).list_handshakes_for_account()
    assert [h["Id"] for h in listed["Handshakes"]] == [handshake["Id"]]

    accepted = orgs(INVITEE).accept_handshake(HandshakeId=handshake["Id"])
    assert_output_matches_model(client, "AcceptHandshake", accepted)
    assert accepted["Handshake"]["State"] == "ACCEPTED"
    account = client.describe_account(AccountId=INVITEE)["Account"]
    assert account["JoinedMethod"] == "INVITED"
    assert INVITEE in {a["Id"] for a in client.list_accounts()["Accounts"]}

    # Modeled exception classes belong to the botocore session that made the client: catch them
    # through the client that raises them (here, the invitee's).
    invitee = orgs(INVITEE)
    # Accepting it again: the handshake is already in the requested state.
    with pytest.raises(invitee.exceptions.HandshakeAlreadyInStateException):
        invitee.accept_handshake(HandshakeId=handshake["Id"])


def test_an_account_in_no_organization_gets_AWSOrganizationsNotInUseException_as_a_ClientError(orgs):
    client = orgs(OUTSIDER)
    with pytest.raises(ClientError) as excinfo:
        client.describe_organization()
    err = excinfo.value.response
    assert err["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    assert err["Error"]["Message"] == "Your account is not a member of an organization."
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    # botocore raises the modeled class, a subclass of ClientError, for a code the model declares.
    assert isinstance(excinfo.value, client.exceptions.AWSOrganizationsNotInUseException)
    assert excinfo.value.operation_name == "DescribeOrganization"


def test_invalid_input_reason_is_a_top_level_member_of_the_parsed_error_not_inside_Error(orgs):
    """
    botocore parses the modeled members of a JSON error (InvalidInputException's Reason and Message)
    into the top level of e.response, beside "Error" (which holds only Code and Message).
    botocore checks only min, never max, client side: MaxResults=21 reaches orgsim.
    """
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.InvalidInputException) as excinfo:
        client.list_accounts(MaxResults=21)
    err = excinfo.value.response
    assert err["Error"]["Code"] == "InvalidInputException"
    assert err["Reason"] == "MAX_VALUE_EXCEEDED"
    assert "Reason" not in err["Error"]
    assert err["Message"] == err["Error"]["Message"]
    assert "MaxResults" in err["Error"]["Message"]


def test_a_forged_next_token_is_InvalidInputException_INVALID_NEXT_TOKEN(orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.InvalidInputException) as excinfo:
        client.list_accounts(NextToken="garbage")
    assert excinfo.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_orgsim_validates_input_that_botocore_would_have_refused_client_side(orgs):
    """With parameter_validation=False botocore sends MaxResults=0 and a CreateAccount without Email; orgsim refuses both itself."""
    client = orgs(config=NO_CLIENT_VALIDATION)
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.InvalidInputException) as excinfo:
        client.list_accounts(MaxResults=0)
    assert excinfo.value.response["Reason"] == "MIN_VALUE_EXCEEDED"
    with pytest.raises(client.exceptions.InvalidInputException) as excinfo:
        client.create_account(AccountName="no-email")
    assert "Email" in excinfo.value.response["Error"]["Message"]


def test_management_account_leaving_raises_the_modeled_MasterCannotLeaveOrganizationException(orgs):
    client = orgs()
    client.create_organization(FeatureSet="ALL")
    with pytest.raises(client.exceptions.MasterCannotLeaveOrganizationException) as excinfo:
        client.leave_organization()
    assert isinstance(excinfo.value, ClientError)
    assert excinfo.value.response["Error"]["Code"] == "MasterCannotLeaveOrganizationException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_member_account_calling_a_management_only_operation_gets_AccessDeniedException(orgs):
    orgs().create_organization(FeatureSet="ALL")
    invite_and_accept(orgs, INVITEE)
    member = orgs(INVITEE)
    with pytest.raises(member.exceptions.AccessDeniedException):
        member.list_accounts()
    with pytest.raises(member.exceptions.AccessDeniedException):
        member.create_account(Email="x@example.com", AccountName="x")


def test_every_response_and_error_carries_x_amzn_requestid_as_ResponseMetadata_RequestId(orgs):
    client = orgs()
    ok = client.create_organization(FeatureSet="ALL")["ResponseMetadata"]
    with pytest.raises(ClientError) as excinfo:
        orgs(OUTSIDER).describe_organization()
    failed = excinfo.value.response["ResponseMetadata"]
    ids = []
    for meta in (ok, failed):
        assert re.match(REQUEST_ID, meta["RequestId"]), meta
        assert meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]
        assert meta["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
        ids.append(meta["RequestId"])
    assert ids[0] != ids[1], "each request has its own id"
