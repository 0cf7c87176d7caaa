"""Each export, KMS key, destination, account/data protection policy, transformer and index policy
operation is authorized with its own IAM action: an IAM user without a policy granting it is denied."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client

REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

CALLS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "CreateExportTask",
        "create_export_task",
        {"logGroupName": "g", "fromTime": 0, "to": 1, "destination": "b"},
    ),
    ("DescribeExportTasks", "describe_export_tasks", {}),
    ("CancelExportTask", "cancel_export_task", {"taskId": "t"}),
    ("AssociateKmsKey", "associate_kms_key", {"logGroupName": "g", "kmsKeyId": KEY}),
    ("DisassociateKmsKey", "disassociate_kms_key", {"logGroupName": "g"}),
    (
        "PutDestination",
        "put_destination",
        {
            "destinationName": "d",
            "targetArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s",
            "roleArn": "arn:aws:iam::000000000000:role/r",
        },
    ),
    ("PutDestinationPolicy", "put_destination_policy", {"destinationName": "d", "accessPolicy": "{}"}),
    ("DescribeDestinations", "describe_destinations", {}),
    ("DeleteDestination", "delete_destination", {"destinationName": "d"}),
    (
        "PutAccountPolicy",
        "put_account_policy",
        {"policyName": "p", "policyDocument": "{}", "policyType": "FIELD_INDEX_POLICY"},
    ),
    ("DescribeAccountPolicies", "describe_account_policies", {"policyType": "FIELD_INDEX_POLICY"}),
    ("DeleteAccountPolicy", "delete_account_policy", {"policyName": "p", "policyType": "FIELD_INDEX_POLICY"}),
    (
        "PutDataProtectionPolicy",
        "put_data_protection_policy",
        {"logGroupIdentifier": "g", "policyDocument": "{}"},
    ),
    ("GetDataProtectionPolicy", "get_data_protection_policy", {"logGroupIdentifier": "g"}),
    ("DeleteDataProtectionPolicy", "delete_data_protection_policy", {"logGroupIdentifier": "g"}),
    (
        "PutTransformer",
        "put_transformer",
        {"logGroupIdentifier": "g", "transformerConfig": [{"parseJSON": {}}]},
    ),
    ("GetTransformer", "get_transformer", {"logGroupIdentifier": "g"}),
    ("DeleteTransformer", "delete_transformer", {"logGroupIdentifier": "g"}),
    (
        "TestTransformer",
        "test_transformer",
        {"transformerConfig": [{"parseJSON": {}}], "logEventMessages": ["{}"]},
    ),
    ("PutIndexPolicy", "put_index_policy", {"logGroupIdentifier": "g", "policyDocument": "{}"}),
    ("DescribeIndexPolicies", "describe_index_policies", {"logGroupIdentifiers": ["g"]}),
    ("DeleteIndexPolicy", "delete_index_policy", {"logGroupIdentifier": "g"}),
    ("DescribeFieldIndexes", "describe_field_indexes", {"logGroupIdentifiers": ["g"]}),
]


@pytest.fixture(scope="module")
def unprivileged(endpoint: str) -> Any:
    """A logs client of an IAM user that has no policies."""
    iam = make_client(endpoint, "iam")
    name = f"logsuser-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return make_client(endpoint, "logs", key=key["AccessKeyId"], secret=key["SecretAccessKey"])


@pytest.mark.parametrize("operation, call, params", CALLS, ids=[c[0] for c in CALLS])
def test_user_without_the_action_is_denied(
    unprivileged: Any, operation: str, call: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(unprivileged, call)(**params)
    error = exc.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert f"logs:{operation}" in error["Message"]
