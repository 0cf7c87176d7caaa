"""IAM's service last accessed reports (GenerateServiceLastAccessedDetails and the two Get
calls) and ListPoliciesGrantingServiceAccess through boto3, from calls really made.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import Caller, allow, doc, error_of, session_client, trust, unique


def _report(iam: Any, arn: str, granularity: str = "SERVICE_LEVEL") -> dict[str, Any]:
    job = iam.generate_service_last_accessed_details(Arn=arn, Granularity=granularity)["JobId"]
    return iam.get_service_last_accessed_details(JobId=job)


def _by_namespace(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["ServiceNamespace"]: s for s in report["ServicesLastAccessed"]}


def test_a_report_lists_the_allowed_services_and_when_the_user_used_them(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow(["s3:*", "sqs:*"])))
    caller.client("s3").list_buckets()
    report = _report(iam, caller.arn)
    assert (report["JobStatus"], report["JobType"], report["IsTruncated"]) == (
        "COMPLETED",
        "SERVICE_LEVEL",
        False,
    )
    services = _by_namespace(report)
    assert set(services) == {"s3", "sqs"}
    s3, sqs = services["s3"], services["sqs"]
    assert (s3["ServiceName"], s3["LastAuthenticatedEntity"], s3["LastAuthenticatedRegion"]) == (
        "Amazon S3",
        caller.arn,
        "us-east-1",
    )
    assert s3["TotalAuthenticatedEntities"] == 1
    assert s3["LastAuthenticated"] <= report["JobCreationDate"]
    assert sqs["TotalAuthenticatedEntities"] == 0 and "LastAuthenticated" not in sqs


def test_a_denied_attempt_counts_as_an_access(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow("s3:CreateBucket")))
    assert error_of(caller.client("s3").list_buckets)[0] == "AccessDenied"
    assert _by_namespace(_report(iam, caller.arn))["s3"]["LastAuthenticatedEntity"] == caller.arn


def test_action_level_reports_the_tracked_actions_used(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow(["s3:*", "sqs:*"])))
    s3, sqs = caller.client("s3"), caller.client("sqs")
    bucket = unique("tracked")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")  # an object (data) action: not tracked
    sqs.list_queues()
    report = _report(iam, caller.arn, "ACTION_LEVEL")
    assert report["JobType"] == "ACTION_LEVEL"
    services = _by_namespace(report)
    tracked = {a["ActionName"]: a for a in services["s3"]["TrackedActionsLastAccessed"]}
    assert set(tracked) == {"CreateBucket"}
    assert (tracked["CreateBucket"]["LastAccessedEntity"], tracked["CreateBucket"]["LastAccessedRegion"]) == (
        caller.arn,
        "us-east-1",
    )
    assert "TrackedActionsLastAccessed" not in services["sqs"]  # SQS's actions are not tracked
    assert services["sqs"]["TotalAuthenticatedEntities"] == 1


def test_a_role_session_is_reported_under_its_role(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    role = unique("advised")
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(caller.arn))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=doc(allow("sqs:ListQueues")))
    credentials = caller.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="advised")["Credentials"]
    session_client(endpoint, "sqs", credentials).list_queues()
    services = _by_namespace(_report(iam, role_arn))
    assert set(services) == {"sqs"}
    assert services["sqs"]["LastAuthenticatedEntity"] == role_arn


def test_a_group_report_names_the_members_who_used_a_service(endpoint: str, iam: Any) -> None:
    group = unique("advised-group")
    group_arn = iam.create_group(GroupName=group)["Group"]["Arn"]
    iam.put_group_policy(GroupName=group, PolicyName="p", PolicyDocument=doc(allow("sqs:*")))
    active, idle = Caller(endpoint, iam), Caller(endpoint, iam)
    for member in (active, idle):
        iam.add_user_to_group(GroupName=group, UserName=member.name)
    active.client("sqs").list_queues()
    job = iam.generate_service_last_accessed_details(Arn=group_arn)["JobId"]
    services = _by_namespace(iam.get_service_last_accessed_details(JobId=job))
    assert (services["sqs"]["LastAuthenticatedEntity"], services["sqs"]["TotalAuthenticatedEntities"]) == (
        active.arn,
        1,
    )
    details = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="sqs")
    entities = {d["EntityInfo"]["Name"]: d for d in details["EntityDetailsList"]}
    assert set(entities) == {active.name, idle.name}
    assert entities[active.name]["EntityInfo"]["Type"] == "USER"
    assert entities[active.name]["EntityInfo"]["Arn"] == active.arn
    assert "LastAuthenticated" in entities[active.name] and "LastAuthenticated" not in entities[idle.name]


def test_a_policy_report_covers_the_entities_it_is_attached_to(endpoint: str, iam: Any) -> None:
    policy_arn = iam.create_policy(PolicyName=unique("advised"), PolicyDocument=doc(allow("sqs:ListQueues")))[
        "Policy"
    ]["Arn"]
    caller = Caller(endpoint, iam)
    iam.attach_user_policy(UserName=caller.name, PolicyArn=policy_arn)
    caller.client("sqs").list_queues()
    services = _by_namespace(_report(iam, policy_arn))
    assert set(services) == {"sqs"}
    assert services["sqs"]["LastAuthenticatedEntity"] == caller.arn


def test_the_details_page_with_max_items_and_marker(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(
        UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow(["s3:*", "sqs:*", "sns:*"]))
    )
    job = iam.generate_service_last_accessed_details(Arn=caller.arn)["JobId"]
    first = iam.get_service_last_accessed_details(JobId=job, MaxItems=2)
    assert (len(first["ServicesLastAccessed"]), first["IsTruncated"]) == (2, True)
    rest = iam.get_service_last_accessed_details(JobId=job, MaxItems=2, Marker=first["Marker"])
    assert (len(rest["ServicesLastAccessed"]), rest["IsTruncated"]) == (1, False)
    seen = {s["ServiceNamespace"] for s in first["ServicesLastAccessed"] + rest["ServicesLastAccessed"]}
    assert seen == {"s3", "sqs", "sns"}


def test_report_errors(iam: Any) -> None:
    assert error_of(iam.generate_service_last_accessed_details, Arn="arn:aws:iam::123:nothing")[:2] == (
        "InvalidInput",
        400,
    )
    missing = f"arn:aws:iam::{ROOT_ACCOUNT}:user/{unique('nobody')}"
    assert error_of(iam.generate_service_last_accessed_details, Arn=missing)[:2] == ("NoSuchEntity", 404)
    job = "00000000-0000-0000-0000-000000000000"
    assert error_of(iam.get_service_last_accessed_details, JobId=job)[:2] == ("NoSuchEntity", 404)


def test_a_user_without_permission_is_denied(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    own = caller.client("iam")
    code, status, message = error_of(own.generate_service_last_accessed_details, Arn=caller.arn)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:GenerateServiceLastAccessedDetails" in message
    job = iam.generate_service_last_accessed_details(Arn=caller.arn)["JobId"]
    assert error_of(own.get_service_last_accessed_details, JobId=job)[:2] == ("AccessDenied", 403)
    assert error_of(own.get_service_last_accessed_details_with_entities, JobId=job, ServiceNamespace="s3")[
        :2
    ] == (
        "AccessDenied",
        403,
    )
    assert error_of(own.list_policies_granting_service_access, Arn=caller.arn, ServiceNamespaces=["s3"])[
        :2
    ] == (
        "AccessDenied",
        403,
    )


def test_policies_granting_service_access(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(
        UserName=caller.name, PolicyName="s3-inline", PolicyDocument=doc(allow("s3:GetObject"))
    )
    managed = unique("sqs-managed")
    policy_arn = iam.create_policy(PolicyName=managed, PolicyDocument=doc(allow("sqs:*")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=caller.name, PolicyArn=policy_arn)
    group = unique("granting")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="from-group", PolicyDocument=doc(allow("s3:List*")))
    iam.add_user_to_group(GroupName=group, UserName=caller.name)
    found = iam.list_policies_granting_service_access(Arn=caller.arn, ServiceNamespaces=["s3", "sqs", "ec2"])
    by_namespace = {e["ServiceNamespace"]: e["Policies"] for e in found["PoliciesGrantingServiceAccess"]}
    assert sorted(by_namespace["s3"], key=lambda p: p["PolicyName"]) == [
        {"PolicyName": "from-group", "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": group},
        {"PolicyName": "s3-inline", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": caller.name},
    ]
    assert by_namespace["sqs"] == [{"PolicyName": managed, "PolicyType": "MANAGED", "PolicyArn": policy_arn}]
    assert by_namespace["ec2"] == []
    assert found["IsTruncated"] is False
