"""KMS answers as AWS recorded them in LocalStack's AWS-validated KMS tests, where pocketcloud differed.

Evidence: the stored public repository localstack/localstack, tests/aws/services/kms/test_kms.py and
the answers real AWS gave its `@markers.aws.validated` tests, recorded in test_kms.snapshot.json
(test_get_key_does_not_exist: "describe-key-with-valid-id-mrk"); where the stored snapshot predates
a test, the test's own assertions, which held against AWS (test_tag_key_with_duplicate_tag_keys_raises_error,
test_create_key_with_invalid_tag_key[uppercase_prefix], test_key_rotations_limits), with the wording
LocalStack answers them in. Each test below names the test it follows. The on-demand rotation limit
is the current one, 25 ("You can perform on-demand key rotation a maximum of 25 times per KMS key",
RotateKeyOnDemand in botocore's KMS model and the Developer Guide); the recording's 10 predates it.
"""

from __future__ import annotations

from typing import Any

from tests.services.kms.support import error_of, key_arn


def test_a_tag_key_named_twice_in_one_request_is_refused(kms: Any) -> None:
    # TestKMS::test_tag_key_with_duplicate_tag_keys_raises_error.
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    tags = [{"TagKey": "tag1", "TagValue": "value1"}, {"TagKey": "tag1", "TagValue": "another-value1"}]
    assert error_of(kms.tag_resource, KeyId=key_id, Tags=tags) == ("TagException", 400, "Duplicate tag keys")
    assert error_of(kms.create_key, Tags=tags) == ("TagException", 400, "Duplicate tag keys")
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == []


def test_the_reserved_aws_prefix_is_refused_in_any_case(kms: Any) -> None:
    # TestKMS::test_create_key_with_invalid_tag_key[uppercase_prefix] ("AWS:key1").
    refused = ("TagException", 400, "Tags beginning with aws: are reserved")
    assert error_of(kms.create_key, Tags=[{"TagKey": "AWS:key1", "TagValue": "value1"}]) == refused
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.tag_resource, KeyId=key_id, Tags=[{"TagKey": "Aws:key1", "TagValue": "v"}]) == refused


def test_a_well_formed_multi_region_key_id_that_names_no_key_does_not_exist(kms: Any) -> None:
    # TestKMS::test_get_key_does_not_exist ("describe-key-with-valid-id-mrk"): not "Invalid keyId".
    key_id = "mrk-d3b95762d3b95762d3b95762d3b95762"
    message = f"Key '{key_arn(key_id)}' does not exist"
    assert error_of(kms.describe_key, KeyId=key_id) == ("NotFoundException", 400, message)
    assert error_of(kms.describe_key, KeyId="mrk-fake-key-id") == (
        "NotFoundException",
        400,
        "Invalid keyId 'mrk-fake-key-id'",
    )


def test_on_demand_rotation_stops_at_the_limit(kms: Any) -> None:
    # TestKMS::test_key_rotations_limits: the rotation past the limit is LimitExceededException.
    key = kms.create_key()["KeyMetadata"]
    for _ in range(25):
        assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
    assert error_of(kms.rotate_key_on_demand, KeyId=key["KeyId"]) == (
        "LimitExceededException",
        400,
        "The on-demand rotations limit has been reached for the given keyId. "
        f"No more on-demand rotations can be performed for this key: {key['Arn']}",
    )
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"] * 25
