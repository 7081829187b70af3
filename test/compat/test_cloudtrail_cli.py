"""
CloudTrail LookupEvents through the AWS CLI v1 and boto3 (botocore sends the model's full
X-Amz-Target, `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`): the
management account finds an account's departure from its organization in its event history.
"""
from __future__ import annotations

import datetime
import json

import pytest

from orgsim_compat import MANAGEMENT, NO_CLIENT_VALIDATION, assert_output_matches_model, invite_and_accept, make_client

INVITEE = "222222222222"
DEPARTED = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=AccountDepartedOrganization"]


@pytest.fixture
def cloudtrail(orgsim):
    """cloudtrail(caller=MANAGEMENT, config=...) -> a boto3 CloudTrail client acting as an account id or Credentials."""
    return lambda caller=MANAGEMENT, **kw: make_client(orgsim.endpoint, "cloudtrail", caller, **kw)


def _departure(orgs) -> str:
    org = orgs().create_organization(FeatureSet="ALL")["Organization"]
    invite_and_accept(orgs, INVITEE)
    orgs(INVITEE).leave_organization()
    return org["Id"]


def test_cli_lookup_events_by_event_name_returns_the_departure_with_its_serviceEventDetails(orgs, aws):
    _departure(orgs)

    out = aws("cloudtrail", "lookup-events", *DEPARTED).json

    events = out["Events"]
    assert len(events) == 1, events
    event = events[0]
    assert event["EventName"] == "AccountDepartedOrganization"
    assert event["EventSource"] == "organizations.amazonaws.com"
    assert event["ReadOnly"] == "false"
    assert event["Username"] == "root"
    assert event["Resources"] == [{"ResourceType": "AWS::Organizations::Account", "ResourceName": INVITEE}]
    record = json.loads(event["CloudTrailEvent"])
    assert record["eventVersion"] == "1.08"
    assert record["eventName"] == "AccountDepartedOrganization"
    assert record["eventID"] == event["EventId"]
    assert record["eventType"] == "AwsServiceEvent"
    assert record["managementEvent"] is True
    assert record["readOnly"] is False
    assert record["awsRegion"] == "us-east-1"
    assert record["recipientAccountId"] == MANAGEMENT
    assert record["userIdentity"]["type"] == "Root"
    assert record["userIdentity"]["accountId"] == INVITEE
    details = record["serviceEventDetails"]
    assert details["accountId"] == INVITEE
    assert details["departureMethod"] == "LEFT"
    departed_at = datetime.datetime.fromisoformat(details["departureTime"].replace("Z", "+00:00"))
    # CLI v1 prints EventTime as it came on the wire (epoch seconds), or as ISO-8601 when so configured.
    shown = event["EventTime"]
    event_time = (
        datetime.datetime.fromtimestamp(shown, datetime.timezone.utc) if isinstance(shown, (int, float)) else datetime.datetime.fromisoformat(shown)
    )
    assert abs(departed_at - event_time) < datetime.timedelta(seconds=1)


def test_cli_lookup_events_only_in_us_east_1_and_only_for_the_management_account(orgs, aws):
    _departure(orgs)
    assert aws("cloudtrail", "lookup-events", *DEPARTED, caller=INVITEE).json["Events"] == []
    result = aws("--region", "eu-west-1", "cloudtrail", "lookup-events", *DEPARTED)
    assert result.json["Events"] == []


def test_cli_more_than_one_lookup_attribute_is_InvalidLookupAttributesException(orgs, aws):
    orgs().create_organization(FeatureSet="ALL")
    result = aws(
        "cloudtrail", "lookup-events", "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=CreateOrganization", "AttributeKey=Username,AttributeValue=root",
        check=False,
    )
    assert result.returncode != 0
    assert "InvalidLookupAttributesException" in result.stderr, result.stderr


def test_boto3_lookup_events_is_well_typed_and_pages_with_max_results_1(orgs, cloudtrail):
    org_id = _departure(orgs)
    client = cloudtrail()
    whole = client.lookup_events()
    assert_output_matches_model(client, "LookupEvents", whole)
    assert [e["EventName"] for e in whole["Events"]][0] == "AccountDepartedOrganization"
    assert whole["Events"][-1]["EventName"] == "CreateOrganization"
    assert whole["Events"][-1]["Resources"] == [{"ResourceType": "AWS::Organizations::Organization", "ResourceName": org_id}]

    paged = [e for page in client.get_paginator("lookup_events").paginate(PaginationConfig={"PageSize": 1}) for e in page["Events"]]
    assert [e["EventId"] for e in paged] == [e["EventId"] for e in whole["Events"]]


def test_boto3_lookup_errors_are_CloudTrails_own(orgs, cloudtrail):
    orgs().create_organization(FeatureSet="ALL")
    client = cloudtrail()
    now = datetime.datetime.now(datetime.timezone.utc)
    with pytest.raises(client.exceptions.InvalidTimeRangeException):
        client.lookup_events(StartTime=now, EndTime=now - datetime.timedelta(hours=1))
    with pytest.raises(client.exceptions.InvalidNextTokenException):
        client.lookup_events(NextToken="forged")
    unchecked = cloudtrail(config=NO_CLIENT_VALIDATION)
    with pytest.raises(unchecked.exceptions.InvalidMaxResultsException) as excinfo:
        unchecked.lookup_events(MaxResults=51)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
