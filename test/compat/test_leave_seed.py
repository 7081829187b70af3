"""
The seed page (boto3's documentation of Organizations.Client.leave_organization) through boto3:
its example and the rules it lists that orgsim implements.
"""
from __future__ import annotations

import pytest

from orgsim_compat import create_account, invite_and_accept

INVITEE = "222222222222"


def test_seed_example_an_invited_member_leaves_and_the_response_is_only_ResponseMetadata(orgs):
    """The page's Expected Output is {'ResponseMetadata': {...}}; invited accounts are standalone-ready and not subject to the waiting period."""
    orgs().create_organization(FeatureSet="ALL")
    invite_and_accept(orgs, INVITEE)

    response = orgs(INVITEE).leave_organization()

    assert list(response) == ["ResponseMetadata"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RequestId"]
    # It is out: it sees no organization, and the organization no longer lists it.
    member = orgs(INVITEE)
    with pytest.raises(member.exceptions.AWSOrganizationsNotInUseException):
        member.describe_organization()
    management = orgs()
    assert INVITEE not in {a["Id"] for a in management.list_accounts()["Accounts"]}
    with pytest.raises(management.exceptions.AccountNotFoundException):
        management.describe_account(AccountId=INVITEE)


def test_seed_the_management_account_cannot_leave_MasterCannotLeaveOrganizationException(orgs):
    client = orgs()
    org = client.create_organization(FeatureSet="ALL")["Organization"]
    with pytest.raises(client.exceptions.MasterCannotLeaveOrganizationException):
        client.leave_organization()
    assert client.describe_organization()["Organization"]["Id"] == org["Id"], "it is still in its organization"


def test_seed_an_account_in_no_organization_gets_AWSOrganizationsNotInUseException(orgs):
    client = orgs("999999999999")
    with pytest.raises(client.exceptions.AWSOrganizationsNotInUseException):
        client.leave_organization()


def test_seed_a_created_account_waits_four_days_then_needs_standalone_information_before_it_can_leave(orgs, orgsim):
    """
    "You must wait until at least four days after the account was created" (ConstraintViolationException
    WAIT_PERIOD_ACTIVE), then "only if the account is configured with the information required to operate
    as a standalone account" (support plan, contact information, payment method).
    """
    management = orgs()
    management.create_organization(FeatureSet="ALL")
    created = create_account(management, "new@example.com", "new")
    member = orgs(created)

    with pytest.raises(member.exceptions.ConstraintViolationException) as excinfo:
        member.leave_organization()
    assert excinfo.value.response["Reason"] == "WAIT_PERIOD_ACTIVE"

    orgsim.advance_clock(4 * 86400 + 60)
    with pytest.raises(member.exceptions.ConstraintViolationException) as excinfo:
        member.leave_organization()
    assert excinfo.value.response["Reason"] in {
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA",
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
        "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
    }, excinfo.value.response

    orgsim.make_standalone_ready(created)
    response = member.leave_organization()
    assert list(response) == ["ResponseMetadata"]
    with pytest.raises(member.exceptions.AWSOrganizationsNotInUseException):
        member.describe_organization()


def test_seed_tags_on_the_account_are_deleted_when_it_leaves(orgs):
    """"After the account leaves the organization, all tags that were attached to the account object in the organization are deleted.\""""
    management = orgs()
    management.create_organization(FeatureSet="ALL")
    invite_and_accept(orgs, INVITEE)
    management.tag_resource(ResourceId=INVITEE, Tags=[{"Key": "team", "Value": "a"}])
    assert management.list_tags_for_resource(ResourceId=INVITEE)["Tags"] == [{"Key": "team", "Value": "a"}]
    orgs(INVITEE).leave_organization()
    # Back in the organization, the account carries none of its old tags.
    invite_and_accept(orgs, INVITEE)
    assert management.list_tags_for_resource(ResourceId=INVITEE)["Tags"] == []
