"""
orgsim promise: a client pointed at orgsim for a service orgsim does not serve (S3, IAM, DynamoDB,
EC2, Lambda, SNS, Route 53) gets an AWS-shaped error in that service's own protocol, so boto3 and
the AWS CLI show its message, and the message names the service and lists the ones orgsim serves.
Before, such calls failed with errors that named neither (an XML parse failure for S3, STS's
"Could not find operation" for IAM).
"""
from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from orgsim_compat import make_client

SERVED = "it serves organizations, sts, account and cloudtrail"

CALLS = [
    # service, protocol (as botocore names it), call, error code
    ("s3", "rest-xml", lambda c: c.list_buckets(), "NotImplemented"),
    ("s3", "rest-xml", lambda c: c.list_objects_v2(Bucket="artifacts"), "NotImplemented"),
    ("route53", "rest-xml", lambda c: c.list_hosted_zones(), "NotImplemented"),
    ("iam", "query", lambda c: c.list_users(), "InvalidAction"),
    ("sns", "query", lambda c: c.list_topics(), "InvalidAction"),
    ("ec2", "ec2", lambda c: c.describe_instances(), "InvalidAction"),
    ("dynamodb", "json", lambda c: c.list_tables(), "UnknownOperationException"),
    ("lambda", "rest-json", lambda c: c.list_functions(), "UnknownOperationException"),
]


@pytest.mark.parametrize("service,protocol,call,code", CALLS, ids=[f"{c[0]}-{c[1]}" for c in CALLS])
def test_a_service_orgsim_does_not_serve_gets_an_error_that_names_it_and_lists_the_served_ones(orgsim, service, protocol, call, code):
    client = make_client(orgsim.endpoint, service)
    assert client.meta.service_model.protocol == protocol
    with pytest.raises(ClientError) as caught:
        call(client)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    assert error["Message"].startswith(f"orgsim does not serve {service}; {SERVED}."), error
    assert "AWS_ENDPOINT_URL_ORGANIZATIONS" in error["Message"]


def test_the_aws_cli_prints_that_message(aws):
    result = aws("iam", "list-users", check=False)
    assert result.returncode != 0
    assert re.search(r"\(InvalidAction\) when calling the ListUsers operation( \(reached max retries: \d+\))?: orgsim does not serve iam;", result.stderr), result.stderr


def test_served_services_still_answer_through_the_same_port(orgs, sts):
    assert sts().get_caller_identity()["Account"] == "111111111111"
    with pytest.raises(ClientError) as caught:
        orgs().describe_organization()
    assert caught.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
