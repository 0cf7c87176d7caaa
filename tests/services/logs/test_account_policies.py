"""Account policies (per type, with AWS's limits) and log-group data protection policies are
stored and validated as the CloudWatch Logs API reference describes their documents; what a data
protection policy protects is masked in events ingested after it, unless a caller allowed
logs:Unmask asks for them unmasked."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.awslambda.support import Functions, log_messages
from tests.services.logs.support import error_of, put, subscriber_function, unique

REGION = "us-east-1"
IDENTIFIERS = ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"]


def data_protection(
    audit: list[str] | None = None, deidentify: list[str] | None = None, mask: dict[str, Any] | None = None
) -> str:
    return json.dumps(
        {
            "Name": "data-protection-policy",
            "Version": "2021-06-01",
            "Statement": [
                {
                    "Sid": "audit",
                    "DataIdentifier": audit or IDENTIFIERS,
                    "Operation": {"Audit": {"FindingsDestination": {}}},
                },
                {
                    "Sid": "redact",
                    "DataIdentifier": deidentify or IDENTIFIERS,
                    "Operation": {"Deidentify": {"MaskConfig": mask if mask is not None else {}}},
                },
            ],
        }
    )


# -- account policies -----------------------------------------------------------------------------


def test_account_policy_is_answered_and_described(logs: Any) -> None:
    name = unique("sub")
    document = json.dumps(
        {"DestinationArn": f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function:f", "FilterPattern": ""}
    )
    put = logs.put_account_policy(
        policyName=name,
        policyDocument=document,
        policyType="SUBSCRIPTION_FILTER_POLICY",
        selectionCriteria='LogGroupName NOT IN ["excluded"]',
    )["accountPolicy"]
    assert (put["policyName"], put["policyType"], put["scope"], put["accountId"]) == (
        name,
        "SUBSCRIPTION_FILTER_POLICY",
        "ALL",
        ROOT_ACCOUNT,
    )
    [found] = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY", policyName=name)[
        "accountPolicies"
    ]
    assert found["policyDocument"] == document
    assert found["selectionCriteria"] == 'LogGroupName NOT IN ["excluded"]'
    logs.delete_account_policy(policyName=name, policyType="SUBSCRIPTION_FILTER_POLICY")
    assert (
        logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY", policyName=name)[
            "accountPolicies"
        ]
        == []
    )


def test_account_has_one_data_protection_policy(logs: Any) -> None:
    first, second = unique("dp"), unique("dp")
    logs.put_account_policy(
        policyName=first, policyDocument=data_protection(), policyType="DATA_PROTECTION_POLICY"
    )
    try:
        assert (
            error_of(
                logs.put_account_policy,
                policyName=second,
                policyDocument=data_protection(),
                policyType="DATA_PROTECTION_POLICY",
            )[0]
            == "LimitExceededException"
        )
        logs.put_account_policy(
            policyName=first, policyDocument=data_protection(), policyType="DATA_PROTECTION_POLICY"
        )  # replacing it is fine
    finally:
        logs.delete_account_policy(policyName=first, policyType="DATA_PROTECTION_POLICY")


def test_field_index_policy_needs_a_field(logs: Any) -> None:
    assert (
        error_of(
            logs.put_account_policy,
            policyName=unique("idx"),
            policyDocument='{"Fields": []}',
            policyType="FIELD_INDEX_POLICY",
        )[0]
        == "InvalidParameterException"
    )


def test_policy_document_must_be_json(logs: Any) -> None:
    assert (
        error_of(
            logs.put_account_policy,
            policyName=unique("bad"),
            policyDocument="{not json",
            policyType="TRANSFORMER_POLICY",
        )[0]
        == "InvalidParameterException"
    )


def test_selection_criteria_is_refused_for_data_protection(logs: Any) -> None:
    assert (
        error_of(
            logs.put_account_policy,
            policyName=unique("dp"),
            policyDocument=data_protection(),
            policyType="DATA_PROTECTION_POLICY",
            selectionCriteria='LogGroupName NOT IN ["x"]',
        )[0]
        == "InvalidParameterException"
    )


def test_log_groups_show_the_account_data_protection_policy_they_inherit(logs: Any, group: str) -> None:
    # LogGroup.inheritedProperties (API reference): "the properties that this log group has inherited
    # from account-level settings", ACCOUNT_DATA_PROTECTION; an account policy applies to every group.
    def described() -> dict[str, Any]:
        [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        return found

    assert "inheritedProperties" not in described()
    name = unique("dp")
    logs.put_account_policy(
        policyName=name, policyDocument=data_protection(), policyType="DATA_PROTECTION_POLICY"
    )
    try:
        assert described()["inheritedProperties"] == ["ACCOUNT_DATA_PROTECTION"]
    finally:
        logs.delete_account_policy(policyName=name, policyType="DATA_PROTECTION_POLICY")
    assert "inheritedProperties" not in described()


def test_deleting_missing_account_policy_is_not_found(logs: Any) -> None:
    name = unique("none")
    assert error_of(logs.delete_account_policy, policyName=name, policyType="FIELD_INDEX_POLICY") == (
        "ResourceNotFoundException",
        f"Policy with name [{name}] does not exist.",
    )


# -- data protection policies of log groups -------------------------------------------------------


def test_data_protection_policy_is_kept_and_activates_the_group(logs: Any, group: str) -> None:
    document = data_protection()
    put = logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=document)
    assert (put["logGroupIdentifier"], put["policyDocument"]) == (group, document)
    got = logs.get_data_protection_policy(logGroupIdentifier=group)
    assert got["policyDocument"] == document and got["lastUpdatedTime"] == put["lastUpdatedTime"]
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["dataProtectionStatus"] == "ACTIVATED"


def test_deleted_data_protection_policy_is_gone(logs: Any, group: str) -> None:
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=data_protection())
    logs.delete_data_protection_policy(logGroupIdentifier=group)
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    assert error_of(logs.delete_data_protection_policy, logGroupIdentifier=group)[0] == (
        "ResourceNotFoundException"
    )


@pytest.mark.parametrize(
    "document",
    [
        data_protection(deidentify=["arn:aws:dataprotection::aws:data-identifier/IpAddress"]),
        data_protection(mask={"x": 1}),
        json.dumps({"Statement": []}),
        "[]",
    ],
)
def test_malformed_data_protection_policy_is_refused(logs: Any, group: str, document: str) -> None:
    assert (
        error_of(logs.put_data_protection_policy, logGroupIdentifier=group, policyDocument=document)[0]
        == "InvalidParameterException"
    )


def test_data_protection_policy_of_missing_group_is_not_found(logs: Any) -> None:
    assert (
        error_of(
            logs.put_data_protection_policy,
            logGroupIdentifier=unique("nogroup"),
            policyDocument=data_protection(),
        )[0]
        == "ResourceNotFoundException"
    )


# -- masking -------------------------------------------------------------------------------------


def messages(logs: Any, group: str, **extra: Any) -> list[str]:
    events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True, **extra)["events"]
    return [e["message"] for e in events]


def test_events_ingested_after_the_policy_are_masked(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    put(logs, group, "s", ["before ana@example.com"])
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=data_protection())
    put(logs, group, "s", ["after ana@example.com ok"])
    assert messages(logs, group) == ["before ana@example.com", "after *************** ok"]
    filtered = logs.filter_log_events(logGroupName=group, filterPattern="after")["events"]
    assert [e["message"] for e in filtered] == ["after *************** ok"]


def test_unmask_shows_events_as_ingested(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=data_protection())
    put(logs, group, "s", ["to bo@example.org"])
    assert messages(logs, group, unmask=True) == ["to bo@example.org"]


def test_custom_data_identifier_is_masked(logs: Any, group: str) -> None:
    document = json.loads(data_protection(audit=["EmployeeId"], deidentify=["EmployeeId"]))
    document["Configuration"] = {"CustomDataIdentifier": [{"Name": "EmployeeId", "Regex": "EMP-\\d{4}"}]}
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=json.dumps(document))
    put(logs, group, "s", ["id EMP-1234 done"])
    assert messages(logs, group) == ["id ******** done"]


def test_unmask_needs_the_unmask_permission(endpoint: str, logs: Any, group: str) -> None:
    iam = make_client(endpoint, "iam")
    name = unique("reader")
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    reader = make_client(endpoint, "logs", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=data_protection())
    put(logs, group, "s", ["mail cy@example.net"])
    assert messages(reader, group) == ["mail **************"]
    with pytest.raises(ClientError) as exc:
        reader.get_log_events(logGroupName=group, logStreamName="s", unmask=True)
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "logs:Unmask" in exc.value.response["Error"]["Message"]


def test_insights_queries_and_log_records_show_events_masked(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=data_protection())
    put(logs, group, "s", ["mail dee@example.com"])
    masked = "mail " + "*" * len("dee@example.com")
    now = int(time.time())
    query = logs.start_query(
        logGroupName=group, startTime=now - 3600, endTime=now + 60, queryString="fields @message, @ptr"
    )
    [row] = logs.get_query_results(queryId=query["queryId"])["results"]
    fields = {f["field"]: f["value"] for f in row}
    assert fields["@message"] == masked
    assert logs.get_log_record(logRecordPointer=fields["@ptr"])["logRecord"]["@message"] == masked
    unmasked = logs.get_log_record(logRecordPointer=fields["@ptr"], unmask=True)["logRecord"]
    assert unmasked["@message"] == "mail dee@example.com"


def test_a_subscription_filter_sends_events_masked(logs: Any, group: str, functions: Functions) -> None:
    # "masked at all egress points, including CloudWatch Logs Insights, metric filters, and
    # subscription filters" (user guide, Help protect sensitive log data with masking).
    subscriber, arn = subscriber_function(functions)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=data_protection())
    logs.put_subscription_filter(logGroupName=group, filterName="all", filterPattern="", destinationArn=arn)
    put(logs, group, "s", ["mail eve@example.com"])
    found = log_messages(logs, f"/aws/lambda/{subscriber}", contains="got ", wait=20)
    assert [m.strip() for m in found if m.startswith("got ")] == ["got mail " + "*" * len("eve@example.com")]
