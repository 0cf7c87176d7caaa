"""Key policies (GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, CreateKey's Policy), tags
(TagResource, UntagResource, ListResourceTags, CreateKey's Tags) and key rotation
(EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand).

The default key policy is the one the KMS Developer Guide documents for keys created through the
API (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html); its Id and
Sid are those AWS answered in LocalStack's AWS-validated snapshot (test_replicate_key,
ReplicaPolicy). Rotation is for symmetric encryption keys only
(https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.kms.support import ROOT_ARN, allow, error_of, iam_user, key_arn, policy


def tags_of(kms: Any, key_id: str) -> dict[str, str]:
    answer = kms.list_resource_tags(KeyId=key_id)
    assert answer["Truncated"] is False
    return {tag["TagKey"]: tag["TagValue"] for tag in answer["Tags"]}


# --- Key policies -----------------------------------------------------------------------------------

def test_default_key_policy_lets_the_account_root_do_everything(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    document = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert document["Version"] == "2012-10-17"
    assert len(document["Statement"]) == 1
    statement = document["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": ROOT_ARN}
    assert statement["Action"] == "kms:*"
    assert statement["Resource"] == "*"


def test_default_key_policy_has_awss_id_and_sid(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    document = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert document["Id"] == "key-default-1"
    assert document["Statement"][0]["Sid"] == "Enable IAM User Permissions"


def test_get_key_policy_without_policy_name_answers_the_default_policy(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]


def test_list_key_policies_answers_default(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    answer = kms.list_key_policies(KeyId=key_id)
    assert answer["PolicyNames"] == ["default"]
    assert answer["Truncated"] is False


def test_create_key_keeps_a_custom_key_policy(kms: Any) -> None:
    document = {
        "Version": "2012-10-17",
        "Id": "custom-policy",
        "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Extra", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:ListAliases", "Resource": "*"},
        ],
    }
    key_id = kms.create_key(Policy=json.dumps(document))["KeyMetadata"]["KeyId"]
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == document


def test_put_key_policy_replaces_the_policy(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Deny", "Effect": "Deny", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
        ],
    }
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(document))
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == document


def test_put_key_policy_with_malformed_json_is_a_malformed_policy_document(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy="{not json")
    assert (code, status) == ("MalformedPolicyDocumentException", 400)


def test_create_key_with_malformed_policy_is_a_malformed_policy_document(kms: Any) -> None:
    code, status, _ = error_of(kms.create_key, Policy="{not json")
    assert (code, status) == ("MalformedPolicyDocumentException", 400)


def test_key_policy_that_locks_out_the_caller_needs_the_lockout_bypass(kms: Any, endpoint: str) -> None:
    iam = make_client(endpoint, "iam")
    someone = iam.create_user(UserName=f"kms-admin-{uuid.uuid4().hex[:8]}")["User"]["Arn"]
    lockout = policy(allow({"AWS": someone}))
    code, status, _ = error_of(kms.create_key, Policy=lockout)
    assert (code, status) == ("MalformedPolicyDocumentException", 400)
    key_id = kms.create_key(Policy=lockout, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["KeyId"]
    assert key_id


def test_key_policy_naming_a_role_that_does_not_exist_is_malformed(kms: Any, endpoint: str) -> None:
    # "The principals in the key policy must exist" (CreateKey / PutKeyPolicy Policy); AWS's words are
    # those of e.g. hashicorp/terraform-provider-aws users' CreateKey errors.
    missing = f"arn:aws:iam::000000000000:role/missing-{uuid.uuid4().hex[:8]}"
    naming = policy(allow({"AWS": ROOT_ARN}), allow({"AWS": missing}, "kms:Decrypt"))
    code, status, message = error_of(kms.create_key, Policy=naming)
    assert (code, status, message) == (
        "MalformedPolicyDocumentException",
        400,
        "Policy contains a statement with one or more invalid principals.",
    )
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, _, _ = error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=naming)
    assert code == "MalformedPolicyDocumentException"
    iam = make_client(endpoint, "iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "sts:AssumeRole"}
    ]})  # fmt: skip
    iam.create_role(RoleName=missing.rsplit("/", 1)[1], AssumeRolePolicyDocument=trust)
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=naming)


def test_key_policy_naming_a_user_that_does_not_exist_is_malformed(kms: Any, endpoint: str) -> None:
    name = f"missing-{uuid.uuid4().hex[:8]}"
    naming = policy(allow({"AWS": ROOT_ARN}), allow({"AWS": f"arn:aws:iam::000000000000:user/{name}"}, "kms:Decrypt"))
    assert error_of(kms.create_key, Policy=naming)[0] == "MalformedPolicyDocumentException"
    make_client(endpoint, "iam").create_user(UserName=name)
    assert kms.create_key(Policy=naming)["KeyMetadata"]["KeyState"] == "Enabled"


def test_lockout_check_reads_the_key_policy_for_this_key(kms: Any) -> None:
    # A statement naming the key by its ARN pattern rather than "*" still lets the caller manage it.
    by_arn = policy(allow({"AWS": ROOT_ARN}, "kms:*", "arn:aws:kms:us-east-1:000000000000:key/*"))
    key_id = kms.create_key(Policy=by_arn)["KeyMetadata"]["KeyId"]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=by_arn)
    assert json.loads(kms.get_key_policy(KeyId=key_id)["Policy"]) == json.loads(by_arn)


def test_get_key_policy_of_unknown_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.get_key_policy, KeyId=str(uuid.uuid4()), PolicyName="default")
    assert (code, status) == ("NotFoundException", 400)


# --- Tags -----------------------------------------------------------------------------------------

def test_create_key_with_tags_lists_them_as_tag_key_and_tag_value(kms: Any) -> None:
    key_id = kms.create_key(
        Tags=[{"TagKey": "team", "TagValue": "payments"}, {"TagKey": "env", "TagValue": "test"}]
    )["KeyMetadata"]["KeyId"]
    answer = kms.list_resource_tags(KeyId=key_id)
    assert sorted(answer["Tags"], key=lambda tag: tag["TagKey"]) == [
        {"TagKey": "env", "TagValue": "test"},
        {"TagKey": "team", "TagValue": "payments"},
    ]


def test_key_without_tags_lists_no_tags(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert tags_of(kms, key_id) == {}


def test_tag_resource_adds_tags_and_overwrites_values(kms: Any) -> None:
    key_id = kms.create_key(Tags=[{"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "b", "TagValue": "20"}, {"TagKey": "c", "TagValue": "3"}])
    assert tags_of(kms, key_id) == {"a": "1", "b": "20", "c": "3"}


def test_tag_resource_accepts_the_key_arn(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=key_arn(key_id), Tags=[{"TagKey": "by", "TagValue": "arn"}])
    assert tags_of(kms, key_id) == {"by": "arn"}


def test_untag_resource_removes_only_the_named_tags(kms: Any) -> None:
    key_id = kms.create_key(
        Tags=[{"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"}, {"TagKey": "c", "TagValue": "3"}]
    )["KeyMetadata"]["KeyId"]
    kms.untag_resource(KeyId=key_id, TagKeys=["b", "not-there"])
    assert tags_of(kms, key_id) == {"a": "1", "c": "3"}


def test_tag_key_with_aws_prefix_is_a_tag_exception(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.tag_resource, KeyId=key_id, Tags=[{"TagKey": "aws:reserved", "TagValue": "x"}])
    assert (code, status) == ("TagException", 400)
    assert tags_of(kms, key_id) == {}


def test_tag_unknown_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.tag_resource, KeyId=str(uuid.uuid4()), Tags=[{"TagKey": "a", "TagValue": "1"}])
    assert (code, status) == ("NotFoundException", 400)


# --- Rotation -------------------------------------------------------------------------------------

def test_key_rotation_is_disabled_by_default(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_enable_and_disable_key_rotation_change_the_rotation_status(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    kms.disable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_enabled_rotation_reports_a_period_and_a_future_rotation_date(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True
    assert status["RotationPeriodInDays"] == 180
    assert status["NextRotationDate"] > datetime.now(UTC)


@pytest.mark.parametrize(
    "key_spec,key_usage",
    [("HMAC_256", "GENERATE_VERIFY_MAC"), ("ECC_NIST_P256", "SIGN_VERIFY"), ("RSA_2048", "ENCRYPT_DECRYPT")],
)
def test_enable_key_rotation_of_a_non_symmetric_key_is_unsupported(kms: Any, key_spec: str, key_usage: str) -> None:
    key_id = kms.create_key(KeySpec=key_spec, KeyUsage=key_usage)["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.enable_key_rotation, KeyId=key_id)
    assert (code, status) == ("UnsupportedOperationException", 400)


@pytest.mark.parametrize(
    "key_spec,key_usage",
    [("HMAC_256", "GENERATE_VERIFY_MAC"), ("ECC_NIST_P256", "SIGN_VERIFY"), ("RSA_2048", "ENCRYPT_DECRYPT")],
)
def test_the_rotation_status_of_a_key_that_cannot_rotate_is_false(kms: Any, key_spec: str, key_usage: str) -> None:
    # "The key rotation status of these KMS keys is always false" (GetKeyRotationStatus API reference);
    # the Terraform AWS provider reads it for every key it manages, asymmetric and HMAC ones included.
    key_id = kms.create_key(KeySpec=key_spec, KeyUsage=key_usage)["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_a_key_pending_deletion_reports_rotation_off_until_the_deletion_is_cancelled(kms: Any) -> None:
    # "While a KMS key is pending deletion, its key rotation status is false ... If you cancel the
    # deletion, the original key rotation status is restored" (GetKeyRotationStatus API reference).
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_rotate_key_on_demand_answers_the_key_arn(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == key_arn(key_id)


def test_data_encrypted_before_rotation_still_decrypts_after_it(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    before = kms.encrypt(KeyId=key_id, Plaintext=b"old material")["CiphertextBlob"]
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    kms.rotate_key_on_demand(KeyId=key_id)
    after = kms.encrypt(KeyId=key_id, Plaintext=b"new material")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=before, KeyId=key_id)["Plaintext"] == b"old material"
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    assert kms.decrypt(CiphertextBlob=after)["Plaintext"] == b"new material"


def test_rotate_key_on_demand_of_an_asymmetric_key_is_unsupported(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.rotate_key_on_demand, KeyId=key_id)
    assert (code, status) == ("UnsupportedOperationException", 400)



# --- Paging: "KMS does not return more than the specified number of items" (ListResourceTags Limit:
# 1 to 50; ListKeyRotations Limit: 1 to 1000, 100 without one; the API reference of both). ---------

def test_list_resource_tags_pages_by_limit_and_marker(kms: Any) -> None:
    tags = [{"TagKey": f"k{i}", "TagValue": f"v{i}"} for i in range(3)]
    key_id = kms.create_key(Tags=tags)["KeyMetadata"]["KeyId"]
    first = kms.list_resource_tags(KeyId=key_id, Limit=2)
    assert first["Tags"] == tags[:2]
    assert first["Truncated"] is True
    second = kms.list_resource_tags(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert second["Tags"] == tags[2:]
    assert second["Truncated"] is False
    assert "NextMarker" not in second


def test_list_key_rotations_pages_by_limit_and_marker(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(3):
        kms.rotate_key_on_demand(KeyId=key_id)
    first = kms.list_key_rotations(KeyId=key_id, Limit=2)
    assert len(first["Rotations"]) == 2
    assert first["Truncated"] is True
    second = kms.list_key_rotations(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert len(second["Rotations"]) == 1
    assert second["Truncated"] is False
    assert "NextMarker" not in second
    dates = [r["RotationDate"] for r in first["Rotations"] + second["Rotations"]]
    assert dates == sorted(dates)


def test_create_key_without_a_policy_skips_the_lockout_check(kms: Any, endpoint: str) -> None:
    # CreateKey's Policy: "If you provide a key policy, it must ... allow the calling principal to make
    # a subsequent PutKeyPolicy request"; without one the key gets the default key policy.
    only_create = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]}
    _, user = iam_user(endpoint, json.dumps(only_create))
    key = user.create_key()["KeyMetadata"]
    assert key["KeyState"] == "Enabled"
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"])["Policy"])["Statement"][0]["Principal"] == {"AWS": ROOT_ARN}
