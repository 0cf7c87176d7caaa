"""AssociateKmsKey / DisassociateKmsKey keep a key whose policy lets CloudWatch Logs use it on the
group (shown by DescribeLogGroups); destinations are created, given access policies, described, deleted and
named by subscription filters, another account's only when its policy allows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.logs.support import error_of, logs_key, unique

REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NOT_FOUND_KEY = "The specified KMS Key Id could not be found."
TARGET = f"arn:aws:kinesis:{REGION}:{ROOT_ACCOUNT}:stream/logs-in"
ROLE = f"arn:aws:iam::{ROOT_ACCOUNT}:role/CWLtoKinesisRole"


def described(logs: Any, group: str) -> dict[str, Any]:
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    return dict(found)


# -- KMS keys ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kms(endpoint: str) -> Any:
    return make_client(endpoint, "kms")


@pytest.fixture(scope="module")
def key(kms: Any) -> str:
    """A key whose policy lets CloudWatch Logs use it for the account's groups."""
    return logs_key(kms, REGION, ROOT_ACCOUNT)


def test_associated_key_is_shown_on_the_group(logs: Any, group: str, key: str) -> None:
    logs.associate_kms_key(logGroupName=group, kmsKeyId=key)
    assert described(logs, group)["kmsKeyId"] == key


def test_disassociated_key_is_no_longer_shown(logs: Any, group: str, key: str) -> None:
    logs.associate_kms_key(logGroupName=group, kmsKeyId=key)
    logs.disassociate_kms_key(logGroupName=group)
    assert "kmsKeyId" not in described(logs, group)


def _not_allowed(group: str) -> tuple[str, str]:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}"
    return (
        "AccessDeniedException",
        f"The specified KMS key does not exist or is not allowed to be used with Arn '{arn}'",
    )


def test_a_key_that_does_not_exist_is_refused(logs: Any, group: str) -> None:
    for missing in (KEY, KEY.replace(ROOT_ACCOUNT, "111122223333")):
        assert error_of(logs.associate_kms_key, logGroupName=group, kmsKeyId=missing) == _not_allowed(group)


def test_a_key_whose_policy_leaves_out_cloudwatch_logs_is_refused(logs: Any, kms: Any) -> None:
    # KMS's default key policy lets the account's IAM policies decide; Logs is no IAM principal.
    plain = kms.create_key()["KeyMetadata"]["Arn"]
    name = unique("kms")
    assert error_of(logs.create_log_group, logGroupName=name, kmsKeyId=plain) == _not_allowed(name)
    assert not logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]


def test_a_disabled_key_is_refused(logs: Any, kms: Any, group: str) -> None:
    disabled = logs_key(kms, REGION, ROOT_ACCOUNT)
    kms.disable_key(KeyId=disabled)
    assert error_of(logs.associate_kms_key, logGroupName=group, kmsKeyId=disabled) == _not_allowed(group)


def test_the_key_policy_condition_on_the_group_is_honoured(logs: Any, kms: Any) -> None:
    scoped = logs_key(kms, REGION, ROOT_ACCOUNT)  # narrowed below to groups under /only/
    policy = json.loads(kms.get_key_policy(KeyId=scoped, PolicyName="default")["Policy"])
    only = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:/only/*"
    policy["Statement"][1]["Condition"] = {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": only}}
    kms.put_key_policy(KeyId=scoped, PolicyName="default", Policy=json.dumps(policy))
    allowed, other = unique("/only/g"), unique("/elsewhere/g")
    logs.create_log_group(logGroupName=allowed, kmsKeyId=scoped)
    assert error_of(logs.create_log_group, logGroupName=other, kmsKeyId=scoped) == _not_allowed(other)
    logs.delete_log_group(logGroupName=allowed)


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",  # a key id, not its ARN
        f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:alias/my-key",
        f"arn:aws:kms:eu-west-1:{ROOT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ],
)
def test_what_is_not_a_key_arn_of_the_region_is_refused(logs: Any, group: str, key: str) -> None:
    assert error_of(logs.associate_kms_key, logGroupName=group, kmsKeyId=key) == (
        "InvalidParameterException",
        NOT_FOUND_KEY,
    )


def test_create_log_group_checks_the_key_too(logs: Any) -> None:
    assert error_of(logs.create_log_group, logGroupName=unique("kms"), kmsKeyId="alias/x") == (
        "InvalidParameterException",
        NOT_FOUND_KEY,
    )


def test_key_for_missing_group_is_not_found(logs: Any) -> None:
    assert error_of(logs.associate_kms_key, logGroupName=unique("nogroup"), kmsKeyId=KEY)[0] == (
        "ResourceNotFoundException"
    )


def test_key_by_group_arn_resource_identifier(logs: Any, group: str, key: str) -> None:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}"
    logs.associate_kms_key(resourceIdentifier=arn, kmsKeyId=key)
    assert described(logs, group)["kmsKeyId"] == key
    logs.disassociate_kms_key(resourceIdentifier=arn)
    assert "kmsKeyId" not in described(logs, group)


def test_key_for_query_results_is_accepted(logs: Any) -> None:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:query-result:*"
    logs.associate_kms_key(resourceIdentifier=arn, kmsKeyId=KEY)
    logs.disassociate_kms_key(resourceIdentifier=arn)


def test_group_name_and_resource_identifier_together_are_refused(logs: Any, group: str) -> None:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}"
    assert error_of(logs.associate_kms_key, logGroupName=group, resourceIdentifier=arn, kmsKeyId=KEY)[0] == (
        "InvalidParameterException"
    )


# -- destinations ------------------------------------------------------------------------------


def test_put_destination_answers_with_its_arn(logs: Any) -> None:
    name = unique("dest")
    found = logs.put_destination(destinationName=name, targetArn=TARGET, roleArn=ROLE)["destination"]
    assert found["arn"] == f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:destination:{name}"
    assert (found["destinationName"], found["targetArn"], found["roleArn"]) == (name, TARGET, ROLE)
    assert found["creationTime"] > 0
    logs.delete_destination(destinationName=name)


def test_destination_policy_is_described(logs: Any) -> None:
    name = unique("dest")
    logs.put_destination(destinationName=name, targetArn=TARGET, roleArn=ROLE)
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "111122223333"},
                    "Action": "logs:PutSubscriptionFilter",
                    "Resource": f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:destination:{name}",
                }
            ],
        }
    )
    logs.put_destination_policy(destinationName=name, accessPolicy=policy)
    [found] = logs.describe_destinations(DestinationNamePrefix=name)["destinations"]
    assert found["accessPolicy"] == policy
    logs.delete_destination(destinationName=name)


def test_destinations_are_paged(logs: Any) -> None:
    prefix = unique("page")
    for n in range(3):
        logs.put_destination(destinationName=f"{prefix}-{n}", targetArn=TARGET, roleArn=ROLE)
    first = logs.describe_destinations(DestinationNamePrefix=prefix, limit=2)
    rest = logs.describe_destinations(DestinationNamePrefix=prefix, limit=2, nextToken=first["nextToken"])
    names = [d["destinationName"] for d in first["destinations"] + rest["destinations"]]
    assert names == [f"{prefix}-{n}" for n in range(3)] and "nextToken" not in rest
    for name in names:
        logs.delete_destination(destinationName=name)


def test_destination_tags_are_kept_and_changed_by_its_arn(logs: Any) -> None:
    name = unique("dest")
    arn = logs.put_destination(destinationName=name, targetArn=TARGET, roleArn=ROLE, tags={"k1": "v1"})[
        "destination"
    ]["arn"]
    logs.tag_resource(resourceArn=arn, tags={"k2": "v2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"k1": "v1", "k2": "v2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["k1"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"k2": "v2"}
    logs.delete_destination(destinationName=name)


def test_tagging_a_missing_destination_is_not_found(logs: Any) -> None:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:destination:{unique('nodest')}"
    assert error_of(logs.tag_resource, resourceArn=arn, tags={"k": "v"})[0] == "ResourceNotFoundException"


def test_deleting_missing_destination_is_not_found(logs: Any) -> None:
    assert error_of(logs.delete_destination, destinationName=unique("nodest")) == (
        "ResourceNotFoundException",
        "The specified destination does not exist.",
    )


def test_policy_for_missing_destination_is_not_found(logs: Any) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "logs:*", "Resource": "*"}
            ],
        }
    )
    assert error_of(logs.put_destination_policy, destinationName=unique("nodest"), accessPolicy=policy)[
        0
    ] == ("ResourceNotFoundException")


def test_destination_target_must_be_a_stream(logs: Any) -> None:
    code, _ = error_of(
        logs.put_destination, destinationName=unique("d"), targetArn="not-an-arn", roleArn=ROLE
    )
    assert code == "InvalidParameterException"


def test_subscription_filter_may_name_a_destination(logs: Any, group: str) -> None:
    name = unique("dest")
    arn = logs.put_destination(destinationName=name, targetArn=TARGET, roleArn=ROLE)["destination"]["arn"]
    logs.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="", destinationArn=arn)
    [found] = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert found["destinationArn"] == arn
    logs.delete_subscription_filter(logGroupName=group, filterName="f")
    logs.delete_destination(destinationName=name)


def test_subscription_filter_naming_missing_destination_is_refused(logs: Any, group: str) -> None:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:destination:{unique('nodest')}"
    assert (
        error_of(
            logs.put_subscription_filter,
            logGroupName=group,
            filterName="f",
            filterPattern="",
            destinationArn=arn,
        )[0]
        == "ResourceNotFoundException"
    )


# -- another account's destination ---------------------------------------------------------------

OTHER_ACCOUNT = "111111111111"
OTHER_KEY, OTHER_SECRET = "AKIAOTHERLOGSACCT001", "other-account-secret"


@pytest.fixture(scope="module")
def two_accounts() -> Iterator[tuple[Any, Any]]:
    """(owner's logs client, another account's logs client) of a server that knows both accounts."""
    server = ServerProcess(
        env={"POCKETCLOUD_ACCOUNTS": f"{OTHER_ACCOUNT}:{OTHER_KEY}:{OTHER_SECRET}"}
    ).start()
    try:
        yield server.client("logs"), make_client(server.endpoint, "logs", key=OTHER_KEY, secret=OTHER_SECRET)
    finally:
        server.stop()


def test_other_accounts_filter_needs_the_destination_policy(two_accounts: tuple[Any, Any]) -> None:
    owner, other = two_accounts
    name, group = unique("dest"), unique("/pc/cross")
    arn = owner.put_destination(destinationName=name, targetArn=TARGET, roleArn=ROLE)["destination"]["arn"]
    other.create_log_group(logGroupName=group)
    code, message = error_of(
        other.put_subscription_filter,
        logGroupName=group,
        filterName="f",
        filterPattern="",
        destinationArn=arn,
    )
    assert code == "AccessDeniedException" and OTHER_ACCOUNT in message
    owner.put_destination_policy(
        destinationName=name,
        accessPolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": OTHER_ACCOUNT},
                        "Action": "logs:PutSubscriptionFilter",
                        "Resource": arn,
                    }
                ],
            }
        ),
    )
    other.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="", destinationArn=arn)
    assert (
        other.describe_subscription_filters(logGroupName=group)["subscriptionFilters"][0]["destinationArn"]
        == arn
    )
