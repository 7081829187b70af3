"""
boto3's own paginators (`client.get_paginator(name)`) over every paginated operation botocore
knows for Organizations, and over CloudTrail LookupEvents: with enough items for several pages,
each item comes exactly once, the total matches, a page is never larger than the PageSize that
botocore sends as the operation's `limit_key` (MaxResults), every page parses as the model says,
and a MaxItems stop resumes with StartingToken where it stopped (botocore re-sends the server's
NextToken of the truncated page and drops the items it already gave, so the same token must give
the same page again).

`COVERED` records the operation each test pages; the first test checks it equals botocore's list
of paginated operations, so a paginator added to botocore can't be skipped silently.
"""
from __future__ import annotations

import datetime
import json
import re
import time
from typing import Any, Callable

import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import PaginationError

from orgsim_compat import ACCOUNT_ID, HANDSHAKE_ID, MANAGEMENT, assert_output_matches_model, create_account, make_client

PAGE_SIZE = 2
RESUME_AFTER = 3  # MaxItems of the resume check: odd, so botocore stops in the middle of a page of 2

INVITEE = "222222222222"
ROOT_ID = r"^r-[0-9a-z]{4,32}$"
OU_ID = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
POLICY_ID = r"^p-[0-9a-zA-Z_]{8,128}$"

STACKSETS = "member.org.stacksets.cloudformation.amazonaws.com"

_PAGINATOR_MODELS: dict = {}

# Operation (model name) -> names of the tests that page it, filled as the module is imported.
COVERED: dict[str, list[str]] = {}


def covers(*operations: str) -> Callable:
    def register(test: Callable) -> Callable:
        for operation in operations:
            COVERED.setdefault(operation, []).append(test.__name__)
        return test

    return register


def paginator_config(client, operation: str) -> dict:
    """botocore's paginator entry for `operation` (input_token, output_token, result_key, limit_key?, ...)."""
    service = client.meta.service_model.service_name
    if service not in _PAGINATOR_MODELS:
        _PAGINATOR_MODELS[service] = botocore.session.get_session().get_paginator_model(service)
    return _PAGINATOR_MODELS[service].get_paginator(operation)


# --------------------------------------------------------------------------------------------
# Paging through an operation
# --------------------------------------------------------------------------------------------


def page_through(client, operation: str, key: Callable[[dict], Any], *, page_size: int = PAGE_SIZE, **params) -> tuple[list, list]:
    """
    Every item of `operation` (a model name) through boto3's paginator, with PageSize `page_size`
    when botocore has a limit_key for it (no page may be larger) and without one otherwise; each
    page is checked against the model. Then a MaxItems=3 run resumed with its StartingToken must
    give the same items in the same order. Returns (items, pages); `key` identifies an item, and
    no key may come twice.
    """
    config = paginator_config(client, operation)
    result_key = config["result_key"]
    assert isinstance(result_key, str), config
    limit_key = config.get("limit_key")
    paginator = client.get_paginator(xform_name(operation))
    paging: dict = {"PageSize": page_size} if limit_key else {}

    pages = list(paginator.paginate(**params, PaginationConfig=dict(paging)))
    assert pages, f"{operation}: no page at all"
    items: list = []
    for i, page in enumerate(pages):
        assert_output_matches_model(client, operation, page)
        assert result_key in page, f"{operation} page {i}: no {result_key} member: {page}"
        if limit_key:
            assert len(page[result_key]) <= page_size, (
                f"{operation} page {i}: {len(page[result_key])} items although {limit_key}={page_size} was sent"
            )
        if i < len(pages) - 1:
            assert page.get(config["output_token"]), f"{operation}: page {i} has no NextToken but another page followed"
        items.extend(page[result_key])
    assert not pages[-1].get(config["output_token"]), f"{operation}: the last page still carries a NextToken"
    keys = [key(item) for item in items]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"{operation}: items listed more than once across pages: {duplicates}"

    if len(items) > RESUME_AFTER:
        first = paginator.paginate(**params, PaginationConfig={**paging, "MaxItems": RESUME_AFTER}).build_full_result()
        assert [key(i) for i in first[result_key]] == keys[:RESUME_AFTER], f"{operation}: MaxItems run differs from the full run"
        assert first.get("NextToken"), f"{operation}: a MaxItems stop with items left gives a NextToken to resume from"
        rest = paginator.paginate(**params, PaginationConfig={**paging, "StartingToken": first["NextToken"]}).build_full_result()
        assert [key(i) for i in rest[result_key]] == keys[RESUME_AFTER:], f"{operation}: resuming with StartingToken did not continue where MaxItems stopped"
    return items, pages


def ids_of(items: list, member: str = "Id") -> set:
    return {item[member] for item in items}


# --------------------------------------------------------------------------------------------
# Building an organization
# --------------------------------------------------------------------------------------------


def new_org(client, feature_set: str = "ALL") -> str:
    """CreateOrganization; the root's id."""
    client.create_organization(FeatureSet=feature_set)
    return client.list_roots()["Roots"][0]["Id"]


def new_accounts(client, count: int, prefix: str = "acct") -> list:
    """`count` created accounts (in the root), in creation order."""
    return [create_account(client, f"{prefix}{i}@example.com", f"{prefix}{i}") for i in range(count)]


def new_ous(client, parent_id: str, count: int, prefix: str = "ou") -> list:
    return [client.create_organizational_unit(ParentId=parent_id, Name=f"{prefix}{i}")["OrganizationalUnit"]["Id"] for i in range(count)]


def new_policy(client, name: str, content: Any, policy_type: str) -> str:
    return client.create_policy(Name=name, Description=name, Type=policy_type, Content=json.dumps(content))["Policy"]["PolicySummary"]["Id"]


def scp(i: int) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": f"s3:DeleteBucket{i}", "Resource": "*"}]}


def tag_policy(i: int) -> dict:
    return {"tags": {f"key{i}": {"tag_key": {"@@assign": f"Key{i}"}}}}


def wait_create_account_status(client, request_id: str) -> dict:
    for _ in range(100):
        status = client.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS":
            return status
        time.sleep(0.05)
    raise AssertionError(f"{request_id} still IN_PROGRESS")


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def test_every_paginated_organizations_operation_of_botocore_is_covered_by_a_test_here(orgs):
    client = orgs()
    model = client.meta.service_model
    paginated = {op for op in model.operation_names if client.can_paginate(xform_name(op))}
    assert set(COVERED) - {"LookupEvents"} == paginated, (
        f"botocore paginates but no test here: {sorted(paginated - set(COVERED))}; "
        f"covered here but botocore has no paginator: {sorted(set(COVERED) - {'LookupEvents'} - paginated)}"
    )
    for op in sorted(paginated):
        config = paginator_config(client, op)
        assert config["input_token"] == "NextToken" and config["output_token"] == "NextToken", (op, config)
        assert config.get("limit_key") in (None, "MaxResults"), (op, config)


def test_lookup_events_is_the_paginated_cloudtrail_operation_covered_here(orgsim):
    client = make_client(orgsim.endpoint, "cloudtrail")
    assert client.can_paginate("lookup_events")
    assert paginator_config(client, "LookupEvents")["limit_key"] == "MaxResults"
    assert "LookupEvents" in COVERED


# --------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------


@covers("ListAccounts")
def test_list_accounts_pages_of_2_give_each_of_7_accounts_once(orgs):
    client = orgs()
    new_org(client)
    expected = {MANAGEMENT, *new_accounts(client, 6)}
    items, pages = page_through(client, "ListAccounts", lambda a: a["Id"])
    assert ids_of(items) == expected and len(items) == 7
    assert len(pages) >= 4
    assert all(re.match(ACCOUNT_ID, a["Id"]) and a["Status"] == "ACTIVE" for a in items)


@covers("ListAccountsForParent")
def test_list_accounts_for_parent_pages_each_account_of_the_parent_once_and_no_other(orgs):
    client = orgs()
    root = new_org(client)
    created = new_accounts(client, 7)
    ou = new_ous(client, root, 1)[0]
    moved = created[:5]
    for account in moved:
        client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)

    in_ou, _ = page_through(client, "ListAccountsForParent", lambda a: a["Id"], ParentId=ou)
    assert ids_of(in_ou) == set(moved) and len(in_ou) == 5
    in_root, _ = page_through(client, "ListAccountsForParent", lambda a: a["Id"], ParentId=root)
    assert ids_of(in_root) == {MANAGEMENT, *created[5:]} and len(in_root) == 3


@covers("ListCreateAccountStatus")
def test_list_create_account_status_pages_every_request_once_and_filters_by_state_across_pages(orgs):
    client = orgs()
    new_org(client)
    succeeded = set()
    for i in range(6):
        request = client.create_account(Email=f"acct{i}@example.com", AccountName=f"acct{i}")["CreateAccountStatus"]["Id"]
        assert wait_create_account_status(client, request)["State"] == "SUCCEEDED"
        succeeded.add(request)
    failed = set()
    for i in (1, 4):  # the same email again: FAILED, EMAIL_ALREADY_EXISTS
        request = client.create_account(Email=f"acct{i}@example.com", AccountName=f"again{i}")["CreateAccountStatus"]["Id"]
        status = wait_create_account_status(client, request)
        assert status["State"] == "FAILED" and status["FailureReason"] == "EMAIL_ALREADY_EXISTS", status
        failed.add(request)

    every, _ = page_through(client, "ListCreateAccountStatus", lambda s: s["Id"])
    assert ids_of(every) == succeeded | failed and len(every) == 8
    only_ok, _ = page_through(client, "ListCreateAccountStatus", lambda s: s["Id"], States=["SUCCEEDED"])
    assert ids_of(only_ok) == succeeded and len(only_ok) == 6
    only_failed, _ = page_through(client, "ListCreateAccountStatus", lambda s: s["Id"], page_size=1, States=["FAILED"])
    assert ids_of(only_failed) == failed and len(only_failed) == 2


# --------------------------------------------------------------------------------------------
# Roots, OUs, children, parents
# --------------------------------------------------------------------------------------------


@covers("ListRoots")
def test_list_roots_is_one_page_with_the_one_root_and_no_next_token(orgs):
    client = orgs()
    org = client.create_organization(FeatureSet="ALL")["Organization"]
    items, pages = page_through(client, "ListRoots", lambda r: r["Id"], page_size=1)
    assert len(pages) == 1 and len(items) == 1
    root = items[0]
    assert re.match(ROOT_ID, root["Id"]), root
    assert root["Arn"] == f"arn:aws:organizations::{MANAGEMENT}:root/{org['Id']}/{root['Id']}"
    assert root["Name"] == "Root"
    assert isinstance(root["PolicyTypes"], list)


@covers("ListOrganizationalUnitsForParent")
def test_list_organizational_units_for_parent_pages_each_direct_child_ou_once(orgs):
    client = orgs()
    root = new_org(client)
    top = new_ous(client, root, 5, "top")
    nested = new_ous(client, top[2], 3, "nested")

    under_root, _ = page_through(client, "ListOrganizationalUnitsForParent", lambda o: o["Id"], ParentId=root)
    assert ids_of(under_root) == set(top) and len(under_root) == 5
    assert {o["Name"] for o in under_root} == {f"top{i}" for i in range(5)}
    under_ou, _ = page_through(client, "ListOrganizationalUnitsForParent", lambda o: o["Id"], ParentId=top[2])
    assert ids_of(under_ou) == set(nested) and len(under_ou) == 3


@covers("ListChildren")
def test_list_children_pages_ous_and_accounts_of_a_parent_separately_each_once(orgs):
    client = orgs()
    root = new_org(client)
    ous = new_ous(client, root, 5)
    accounts = new_accounts(client, 6)
    new_ous(client, ous[0], 2, "deeper")  # grandchildren: not children of the root

    ou_children, _ = page_through(client, "ListChildren", lambda c: c["Id"], ParentId=root, ChildType="ORGANIZATIONAL_UNIT")
    assert ids_of(ou_children) == set(ous) and len(ou_children) == 5
    assert {c["Type"] for c in ou_children} == {"ORGANIZATIONAL_UNIT"}
    account_children, _ = page_through(client, "ListChildren", lambda c: c["Id"], ParentId=root, ChildType="ACCOUNT")
    assert ids_of(account_children) == {MANAGEMENT, *accounts} and len(account_children) == 7
    assert {c["Type"] for c in account_children} == {"ACCOUNT"}


@covers("ListParents")
def test_list_parents_is_one_page_with_the_one_parent_of_an_account_or_an_ou(orgs):
    client = orgs()
    root = new_org(client)
    outer = new_ous(client, root, 1, "outer")[0]
    inner = new_ous(client, outer, 1, "inner")[0]
    account = new_accounts(client, 1)[0]
    client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=inner)

    for child, parent in ((account, {"Id": inner, "Type": "ORGANIZATIONAL_UNIT"}), (inner, {"Id": outer, "Type": "ORGANIZATIONAL_UNIT"}),
                          (outer, {"Id": root, "Type": "ROOT"}), (MANAGEMENT, {"Id": root, "Type": "ROOT"})):
        items, pages = page_through(client, "ListParents", lambda p: p["Id"], page_size=1, ChildId=child)
        assert len(pages) == 1, (child, pages)
        assert items == [parent], child


# --------------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------------


@covers("ListPolicies")
def test_list_policies_pages_each_policy_of_the_type_once_with_the_aws_managed_one(orgs):
    client = orgs()
    new_org(client)
    scps = {new_policy(client, f"scp{i}", scp(i), "SERVICE_CONTROL_POLICY") for i in range(6)}
    tags = {new_policy(client, f"tag{i}", tag_policy(i), "TAG_POLICY") for i in range(3)}

    items, _ = page_through(client, "ListPolicies", lambda p: p["Id"], Filter="SERVICE_CONTROL_POLICY")
    assert {p["Id"] for p in items if not p["AwsManaged"]} == scps
    assert "p-FullAWSAccess" in ids_of(items)
    assert {p["Type"] for p in items} == {"SERVICE_CONTROL_POLICY"}
    assert len(items) >= 7
    tag_items, _ = page_through(client, "ListPolicies", lambda p: p["Id"], Filter="TAG_POLICY")
    assert ids_of(tag_items) == tags


@covers("ListPoliciesForTarget")
def test_list_policies_for_target_pages_each_attached_policy_once(orgs):
    client = orgs()
    root = new_org(client)
    client.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    account = new_accounts(client, 1)[0]
    attached = set()
    for i in range(7):
        policy = new_policy(client, f"tag{i}", tag_policy(i), "TAG_POLICY")
        client.attach_policy(PolicyId=policy, TargetId=account)
        attached.add(policy)
    new_policy(client, "unattached", tag_policy(99), "TAG_POLICY")

    items, _ = page_through(client, "ListPoliciesForTarget", lambda p: p["Id"], TargetId=account, Filter="TAG_POLICY")
    assert ids_of(items) == attached and len(items) == 7
    for item in items:
        assert re.match(POLICY_ID, item["Id"]), item
        assert item["Type"] == "TAG_POLICY" and item["AwsManaged"] is False


@covers("ListTargetsForPolicy")
def test_list_targets_for_policy_pages_the_root_ous_and_accounts_it_is_attached_to_each_once(orgs):
    client = orgs()
    root = new_org(client)
    client.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ous = new_ous(client, root, 3)
    accounts = new_accounts(client, 3)
    policy = new_policy(client, "deny", scp(0), "SERVICE_CONTROL_POLICY")
    targets = [root, *ous, *accounts]
    for target in targets:
        client.attach_policy(PolicyId=policy, TargetId=target)

    items, _ = page_through(client, "ListTargetsForPolicy", lambda t: t["TargetId"], PolicyId=policy)
    assert {t["TargetId"]: t["Type"] for t in items} == {
        root: "ROOT", **{ou: "ORGANIZATIONAL_UNIT" for ou in ous}, **{a: "ACCOUNT" for a in accounts}
    }
    # FullAWSAccess is on every root, OU and account once SCPs are enabled.
    full, _ = page_through(client, "ListTargetsForPolicy", lambda t: t["TargetId"], PolicyId="p-FullAWSAccess")
    assert {t["TargetId"] for t in full} == {root, *ous, *accounts, MANAGEMENT}


# --------------------------------------------------------------------------------------------
# Effective policies
# --------------------------------------------------------------------------------------------

LOCKED_KEYS = [f"key{i}" for i in range(7)]


def _invalid_tag_policies(client, root: str) -> str:
    """TAG_POLICY enabled; a root policy that lets no child policy set any of LOCKED_KEYS' values; and a policy that appends to each of them anyway (its id)."""
    client.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    locked = {
        "tags": {k: {"tag_key": {"@@assign": k.upper()}, "tag_value": {"@@assign": ["a"], "@@operators_allowed_for_child_policies": ["@@none"]}} for k in LOCKED_KEYS}
    }
    client.attach_policy(PolicyId=new_policy(client, "locked", locked, "TAG_POLICY"), TargetId=root)
    return new_policy(client, "offending", {"tags": {k: {"tag_value": {"@@append": ["b"]}} for k in LOCKED_KEYS}}, "TAG_POLICY")


@covers("ListAccountsWithInvalidEffectivePolicy")
def test_list_accounts_with_invalid_effective_policy_pages_only_and_each_offending_account_once(orgs):
    client = orgs()
    root = new_org(client)
    accounts = sorted(new_accounts(client, 8))
    offending = _invalid_tag_policies(client, root)
    bad = set(accounts[1::2]) | {accounts[0]}  # interleaved with good ones in id order
    for account in bad:
        client.attach_policy(PolicyId=offending, TargetId=account)

    items, pages = page_through(client, "ListAccountsWithInvalidEffectivePolicy", lambda a: a["Id"], PolicyType="TAG_POLICY")
    assert ids_of(items) == bad and len(items) == 5
    assert all(page["PolicyType"] == "TAG_POLICY" for page in pages)
    whole = client.get_paginator("list_accounts_with_invalid_effective_policy").paginate(
        PolicyType="TAG_POLICY", PaginationConfig={"PageSize": PAGE_SIZE}
    ).build_full_result()
    assert whole["PolicyType"] == "TAG_POLICY", "a non-aggregate key survives build_full_result"


@covers("ListEffectivePolicyValidationErrors")
def test_list_effective_policy_validation_errors_pages_each_error_of_the_account_once(orgs):
    client = orgs()
    root = new_org(client)
    org_id = client.describe_organization()["Organization"]["Id"]
    account = new_accounts(client, 1)[0]
    offending = _invalid_tag_policies(client, root)
    client.attach_policy(PolicyId=offending, TargetId=account)

    items, pages = page_through(
        client, "ListEffectivePolicyValidationErrors", lambda e: e["PathToError"], AccountId=account, PolicyType="TAG_POLICY"
    )
    assert {e["PathToError"] for e in items} == {f"tags.{k}.tag_value" for k in LOCKED_KEYS} and len(items) == 7
    assert {e["ErrorCode"] for e in items} == {"OPERATOR_NOT_ALLOWED"}
    for page in pages:
        assert page["AccountId"] == account
        assert page["PolicyType"] == "TAG_POLICY"
        assert page["Path"] == f"{org_id}/{root}/{account}/"
        assert page["EvaluationTimestamp"] == pages[0]["EvaluationTimestamp"]
    whole = client.get_paginator("list_effective_policy_validation_errors").paginate(
        AccountId=account, PolicyType="TAG_POLICY", PaginationConfig={"PageSize": PAGE_SIZE}
    ).build_full_result()
    assert (whole["AccountId"], whole["PolicyType"], whole["Path"]) == (account, "TAG_POLICY", f"{org_id}/{root}/{account}/")
    assert len(whole["EffectivePolicyValidationErrors"]) == 7


# --------------------------------------------------------------------------------------------
# Trusted access and delegated administrators
# --------------------------------------------------------------------------------------------

PRINCIPALS = [
    STACKSETS,
    "config.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "backup.amazonaws.com",
    "detective.amazonaws.com",
    "inspector2.amazonaws.com",
    "guardduty.amazonaws.com",
]


@covers("ListAWSServiceAccessForOrganization")
def test_list_aws_service_access_for_organization_pages_each_enabled_principal_once(orgs):
    client = orgs()
    new_org(client)
    for principal in PRINCIPALS:
        client.enable_aws_service_access(ServicePrincipal=principal)
    client.disable_aws_service_access(ServicePrincipal="backup.amazonaws.com")

    items, _ = page_through(client, "ListAWSServiceAccessForOrganization", lambda p: p["ServicePrincipal"])
    assert ids_of(items, "ServicePrincipal") == set(PRINCIPALS) - {"backup.amazonaws.com"} and len(items) == 6
    assert all(isinstance(p["DateEnabled"], datetime.datetime) for p in items)


def _delegations(client) -> list:
    """Six member accounts: the first is delegated administrator for six services, the next four also for StackSets, the last for GuardDuty."""
    new_org(client)
    accounts = new_accounts(client, 6)
    for principal in PRINCIPALS:
        client.enable_aws_service_access(ServicePrincipal=principal)
    for principal in PRINCIPALS[:6]:
        client.register_delegated_administrator(AccountId=accounts[0], ServicePrincipal=principal)
    for account in accounts[1:5]:
        client.register_delegated_administrator(AccountId=account, ServicePrincipal=STACKSETS)
    client.register_delegated_administrator(AccountId=accounts[5], ServicePrincipal="guardduty.amazonaws.com")
    return accounts


@covers("ListDelegatedAdministrators")
def test_list_delegated_administrators_pages_each_account_once_of_all_services_or_of_one(orgs):
    client = orgs()
    accounts = _delegations(client)

    every, _ = page_through(client, "ListDelegatedAdministrators", lambda a: a["Id"])
    assert ids_of(every) == set(accounts) and len(every) == 6, "an account delegated for several services is listed once"
    stacksets, _ = page_through(client, "ListDelegatedAdministrators", lambda a: a["Id"], ServicePrincipal=STACKSETS)
    assert ids_of(stacksets) == set(accounts[:5]) and len(stacksets) == 5
    assert all(isinstance(a["DelegationEnabledDate"], datetime.datetime) for a in every + stacksets)
    # A delegated administrator may list them too.
    delegate = orgs(accounts[1])
    seen, _ = page_through(delegate, "ListDelegatedAdministrators", lambda a: a["Id"])
    assert ids_of(seen) == set(accounts)


@covers("ListDelegatedServicesForAccount")
def test_list_delegated_services_for_account_pages_each_service_of_the_account_once(orgs):
    client = orgs()
    accounts = _delegations(client)

    items, _ = page_through(client, "ListDelegatedServicesForAccount", lambda s: s["ServicePrincipal"], AccountId=accounts[0])
    assert ids_of(items, "ServicePrincipal") == set(PRINCIPALS[:6]) and len(items) == 6
    one, pages = page_through(client, "ListDelegatedServicesForAccount", lambda s: s["ServicePrincipal"], AccountId=accounts[5])
    assert ids_of(one, "ServicePrincipal") == {"guardduty.amazonaws.com"} and len(pages) == 1


# --------------------------------------------------------------------------------------------
# Handshakes
# --------------------------------------------------------------------------------------------


@covers("ListHandshakesForAccount")
def test_list_handshakes_for_account_pages_the_invitations_of_several_organizations_each_once(orgs):
    managers = [f"3333333333{i:02d}" for i in range(6)]
    sent = set()
    for manager in managers:
        client = orgs(manager)
        client.create_organization(FeatureSet="ALL")
        sent.add(client.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": INVITEE})["Handshake"]["Id"])
    invitee = orgs(INVITEE)
    declined = sorted(sent)[2]
    invitee.decline_handshake(HandshakeId=declined)

    items, _ = page_through(invitee, "ListHandshakesForAccount", lambda h: h["Id"])
    assert ids_of(items) == sent and len(items) == 6, "a declined handshake stays listed for 30 days"
    assert {h["Id"]: h["State"] for h in items}[declined] == "DECLINED"
    assert all(re.match(HANDSHAKE_ID, h["Id"]) and h["Action"] == "INVITE" for h in items)
    invites, _ = page_through(invitee, "ListHandshakesForAccount", lambda h: h["Id"], Filter={"ActionType": "INVITE"})
    assert ids_of(invites) == sent


@covers("ListHandshakesForOrganization")
def test_list_handshakes_for_organization_pages_each_invitation_once_and_filters_across_pages(orgs):
    client = orgs()
    new_org(client, "CONSOLIDATED_BILLING")
    members = [f"2222222222{i:02d}" for i in range(6)]
    invites = {}
    for member in members:
        invites[member] = client.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member})["Handshake"]["Id"]
    for member in members[:4]:
        orgs(member).accept_handshake(HandshakeId=invites[member])
    orgs(members[4]).decline_handshake(HandshakeId=invites[members[4]])
    enable = client.enable_all_features()["Handshake"]["Id"]

    every, _ = page_through(client, "ListHandshakesForOrganization", lambda h: h["Id"])
    assert set(invites.values()) | {enable} <= ids_of(every)
    only_invites, _ = page_through(client, "ListHandshakesForOrganization", lambda h: h["Id"], Filter={"ActionType": "INVITE"})
    assert ids_of(only_invites) == set(invites.values()) and len(only_invites) == 6
    assert {h["Action"] for h in only_invites} == {"INVITE"}
    # EnableAllFeatures asks each invited member to agree: a child ENABLE_ALL_FEATURES handshake of its own, under the parent.
    children, _ = page_through(client, "ListHandshakesForOrganization", lambda h: h["Id"], page_size=1, Filter={"ParentHandshakeId": enable})
    assert {h["Action"] for h in children} == {"ENABLE_ALL_FEATURES"}
    assert enable not in ids_of(children)
    asked = {p["Id"] for h in children for p in h["Parties"] if p["Type"] == "ACCOUNT"}
    assert asked == set(members[:4]) and len(children) == 4
    assert ids_of(children) < ids_of(every)


# --------------------------------------------------------------------------------------------
# Tags (no limit_key: MaxItems and StartingToken only)
# --------------------------------------------------------------------------------------------


@covers("ListTagsForResource")
def test_list_tags_for_resource_pages_each_tag_once_with_max_items_and_starting_token(orgs):
    client = orgs()
    root = new_org(client)
    ou = new_ous(client, root, 1)[0]
    tags = {f"key{i:02d}": f"value{i}" for i in range(12)}
    client.tag_resource(ResourceId=ou, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    client.tag_resource(ResourceId=root, Tags=[{"Key": "elsewhere", "Value": "x"}])

    items, _ = page_through(client, "ListTagsForResource", lambda t: t["Key"], ResourceId=ou)
    assert {t["Key"]: t["Value"] for t in items} == tags and len(items) == 12

    paginator = client.get_paginator("list_tags_for_resource")
    with pytest.raises(PaginationError):  # botocore has no limit_key to send a PageSize as
        list(paginator.paginate(ResourceId=ou, PaginationConfig={"PageSize": PAGE_SIZE}))
    seen, token = [], None
    while True:
        config = {"MaxItems": 5, **({"StartingToken": token} if token else {})}
        part = paginator.paginate(ResourceId=ou, PaginationConfig=config).build_full_result()
        seen.extend(t["Key"] for t in part["Tags"])
        token = part.get("NextToken")
        if not token:
            break
    assert seen == [t["Key"] for t in items]


# --------------------------------------------------------------------------------------------
# CloudTrail LookupEvents
# --------------------------------------------------------------------------------------------


@covers("LookupEvents")
def test_lookup_events_pages_of_2_give_the_same_events_newest_first_as_one_lookup(orgs, orgsim):
    client = orgs()
    root = new_org(client)
    ous = new_ous(client, root, 5)
    new_accounts(client, 2)
    cloudtrail = make_client(orgsim.endpoint, "cloudtrail")

    whole = cloudtrail.lookup_events(MaxResults=50)
    assert "NextToken" not in whole, "all of this test's events fit in one lookup of 50"
    expected = [e["EventId"] for e in whole["Events"]]
    assert len(expected) >= 8, [e["EventName"] for e in whole["Events"]]

    items, _ = page_through(cloudtrail, "LookupEvents", lambda e: e["EventId"])
    assert [e["EventId"] for e in items] == expected
    times = [e["EventTime"] for e in items]
    assert times == sorted(times, reverse=True), "newest first across pages"

    # A lookup attribute checked after the query (ResourceType) pages as well as one the query filters (EventName).
    by_type, _ = page_through(
        cloudtrail, "LookupEvents", lambda e: e["EventId"],
        LookupAttributes=[{"AttributeKey": "ResourceType", "AttributeValue": "AWS::Organizations::OrganizationalUnit"}],
    )
    assert {e["EventName"] for e in by_type} == {"CreateOrganizationalUnit"} and len(by_type) == 5
    named = {r["ResourceName"] for e in by_type for r in e["Resources"] if r["ResourceType"] == "AWS::Organizations::OrganizationalUnit"}
    assert named == set(ous)
    by_name, _ = page_through(
        cloudtrail, "LookupEvents", lambda e: e["EventId"], LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateOrganizationalUnit"}]
    )
    assert [e["EventId"] for e in by_name] == [e["EventId"] for e in by_type]
