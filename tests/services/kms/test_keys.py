"""Key lifecycle: CreateKey (defaults, key specs and usages), DescribeKey (by id, ARN, alias),
ListKeys paging, UpdateKeyDescription, EnableKey/DisableKey, ScheduleKeyDeletion and
CancelKeyDeletion, as the KMS API Reference documents them.

Recorded AWS responses used for exact messages: LocalStack's AWS-validated snapshot
tests/aws/services/kms/test_kms.snapshot.json (test_get_key_does_not_exist,
test_get_key_invalid_uuid, test_hmac_create_key_invalid_operations, test_create_key)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.kms.support import ROOT_ARN, error_of, key_arn, unique_alias

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

RSA_SIGNING = {
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
}


# --- CreateKey -------------------------------------------------------------------------------

def test_create_key_defaults_to_an_enabled_symmetric_encryption_key(kms: Any) -> None:
    before = datetime.now(UTC) - timedelta(minutes=1)
    metadata = kms.create_key()["KeyMetadata"]
    assert UUID.match(metadata["KeyId"])
    assert metadata["Arn"] == f"arn:aws:kms:us-east-1:000000000000:key/{metadata['KeyId']}"
    assert metadata["AWSAccountId"] == "000000000000"
    assert metadata["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert metadata["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert metadata["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert metadata["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert metadata["Origin"] == "AWS_KMS"
    assert metadata["KeyManager"] == "CUSTOMER"
    assert metadata["Enabled"] is True
    assert metadata["KeyState"] == "Enabled"
    assert metadata["MultiRegion"] is False
    assert before <= metadata["CreationDate"] <= datetime.now(UTC) + timedelta(minutes=1)
    assert "SigningAlgorithms" not in metadata
    assert "MacAlgorithms" not in metadata
    assert "DeletionDate" not in metadata


def test_create_key_keeps_its_description(kms: Any) -> None:
    metadata = kms.create_key(Description="orders data key")["KeyMetadata"]
    assert metadata["Description"] == "orders data key"
    assert kms.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"]["Description"] == "orders data key"


def test_create_key_ids_are_unique_and_listed(kms: Any) -> None:
    first = kms.create_key()["KeyMetadata"]
    second = kms.create_key()["KeyMetadata"]
    assert first["KeyId"] != second["KeyId"]
    listed = {key["KeyId"]: key["KeyArn"] for key in kms.get_paginator("list_keys").paginate().build_full_result()["Keys"]}
    assert listed[first["KeyId"]] == first["Arn"]
    assert listed[second["KeyId"]] == second["Arn"]


def test_create_hmac_256_key_is_a_generate_verify_mac_key(kms: Any) -> None:
    metadata = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert metadata["KeySpec"] == "HMAC_256"
    assert metadata["KeyUsage"] == "GENERATE_VERIFY_MAC"
    assert metadata["MacAlgorithms"] == ["HMAC_SHA_256"]
    assert "EncryptionAlgorithms" not in metadata
    assert metadata["KeyState"] == "Enabled"


def test_create_ecc_nist_p256_sign_verify_key_lists_ecdsa_sha_256(kms: Any) -> None:
    metadata = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert metadata["KeySpec"] == "ECC_NIST_P256"
    assert metadata["KeyUsage"] == "SIGN_VERIFY"
    assert metadata["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    assert "EncryptionAlgorithms" not in metadata


def test_create_rsa_2048_sign_verify_key_lists_the_rsa_signing_algorithms(kms: Any) -> None:
    metadata = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert metadata["KeySpec"] == "RSA_2048"
    assert set(metadata["SigningAlgorithms"]) == RSA_SIGNING


def test_create_rsa_2048_encrypt_decrypt_key_lists_the_oaep_algorithms(kms: Any) -> None:
    metadata = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    assert metadata["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert set(metadata["EncryptionAlgorithms"]) == {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
    assert "SigningAlgorithms" not in metadata


def test_create_hmac_key_without_key_usage_is_rejected(kms: Any) -> None:
    code, status, message = error_of(kms.create_key, KeySpec="HMAC_256")
    assert (code, status) == ("ValidationException", 400)
    assert message == "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."


@pytest.mark.parametrize(
    "key_spec,key_usage",
    [
        ("HMAC_256", "ENCRYPT_DECRYPT"),
        ("HMAC_256", "SIGN_VERIFY"),
        ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"),
        ("SYMMETRIC_DEFAULT", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "GENERATE_VERIFY_MAC"),
        ("RSA_2048", "GENERATE_VERIFY_MAC"),
    ],
)
def test_create_key_with_incompatible_key_spec_and_usage_is_rejected(kms: Any, key_spec: str, key_usage: str) -> None:
    code, status, _ = error_of(kms.create_key, KeySpec=key_spec, KeyUsage=key_usage)
    assert (code, status) == ("ValidationException", 400)


def test_create_key_with_unknown_key_usage_is_rejected(endpoint: str) -> None:
    raw = make_client(endpoint, "kms", parameter_validation=False)
    code, status, _ = error_of(raw.create_key, KeySpec="HMAC_256", KeyUsage="RANDOM")
    assert (code, status) == ("ValidationException", 400)


# --- DescribeKey ----------------------------------------------------------------------------

def test_describe_key_by_key_id_and_by_key_arn(kms: Any) -> None:
    created = kms.create_key(Description="by id")["KeyMetadata"]
    by_id = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
    by_arn = kms.describe_key(KeyId=created["Arn"])["KeyMetadata"]
    assert by_id["KeyId"] == by_arn["KeyId"] == created["KeyId"]
    assert by_id["Arn"] == by_arn["Arn"] == created["Arn"]
    assert by_id["Description"] == "by id"


def test_describe_key_by_alias_name_and_by_alias_arn(kms: Any) -> None:
    created = kms.create_key()["KeyMetadata"]
    alias = unique_alias()
    kms.create_alias(AliasName=alias, TargetKeyId=created["KeyId"])
    alias_arn = f"arn:aws:kms:us-east-1:000000000000:{alias}"
    assert kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"] == created["KeyId"]
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == created["KeyId"]


def test_describe_unknown_key_id_is_not_found(kms: Any) -> None:
    missing = str(uuid.uuid4())
    code, status, message = error_of(kms.describe_key, KeyId=missing)
    assert (code, status) == ("NotFoundException", 400)
    assert message == f"Key '{key_arn(missing)}' does not exist"


def test_describe_unknown_key_arn_is_not_found(kms: Any) -> None:
    missing = key_arn(str(uuid.uuid4()))
    code, status, message = error_of(kms.describe_key, KeyId=missing)
    assert (code, status) == ("NotFoundException", 400)
    assert message == f"Key '{missing}' does not exist"


def test_describe_malformed_key_id_is_not_found(kms: Any) -> None:
    code, status, message = error_of(kms.describe_key, KeyId="fake-key-id")
    assert (code, status) == ("NotFoundException", 400)
    assert message == "Invalid keyId 'fake-key-id'"


def test_describe_unknown_alias_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.describe_key, KeyId=unique_alias("missing"))
    assert (code, status) == ("NotFoundException", 400)


# --- ListKeys -------------------------------------------------------------------------------

def test_list_keys_pages_with_limit_and_marker(kms: Any) -> None:
    created = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)}
    seen: list[str] = []
    marker: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"Limit": 2}
        if marker:
            kwargs["Marker"] = marker
        page = kms.list_keys(**kwargs)
        pages += 1
        assert len(page["Keys"]) <= 2
        for key in page["Keys"]:
            assert key["KeyArn"] == key_arn(key["KeyId"])
        seen += [key["KeyId"] for key in page["Keys"]]
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
        assert marker
    assert created <= set(seen)
    assert len(seen) == len(set(seen))
    assert pages >= 2


def test_list_keys_limit_one_is_truncated_when_more_keys_exist(kms: Any) -> None:
    kms.create_key()
    kms.create_key()
    page = kms.list_keys(Limit=1)
    assert len(page["Keys"]) == 1
    assert page["Truncated"] is True
    assert page["NextMarker"]


def test_list_keys_answers_one_hundred_keys_without_a_limit(kms: Any) -> None:
    # ListKeys' Limit: "If you do not include a value, it defaults to 100" (API reference).
    listed = len(kms.get_paginator("list_keys").paginate().build_full_result()["Keys"])
    for _ in range(max(0, 101 - listed)):
        kms.create_key()
    page = kms.list_keys()
    assert len(page["Keys"]) == 100
    assert page["Truncated"] is True


# --- UpdateKeyDescription ---------------------------------------------------------------------

def test_update_key_description_replaces_the_description(kms: Any) -> None:
    key_id = kms.create_key(Description="old")["KeyMetadata"]["KeyId"]
    kms.update_key_description(KeyId=key_id, Description="new")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new"


def test_update_key_description_of_unknown_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.update_key_description, KeyId=str(uuid.uuid4()), Description="x")
    assert (code, status) == ("NotFoundException", 400)


# --- EnableKey / DisableKey ---------------------------------------------------------------------

def test_disable_key_sets_state_disabled_and_enable_key_restores_it(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["Enabled"], metadata["KeyState"]) == (False, "Disabled")
    kms.enable_key(KeyId=key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["Enabled"], metadata["KeyState"]) == (True, "Enabled")


def test_disabled_key_refuses_encrypt_with_disabled_exception(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    code, status, _ = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"secret")
    assert (code, status) == ("DisabledException", 400)


def test_disabled_key_refuses_decrypt_with_disabled_exception(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=blob)
    assert (code, status) == ("DisabledException", 400)


def test_disabled_key_refuses_generate_data_key(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    code, status, _ = error_of(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256")
    assert (code, status) == ("DisabledException", 400)


def test_re_enabled_key_encrypts_again(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    kms.enable_key(KeyId=key_id)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"back")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"back"


def test_disable_unknown_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.disable_key, KeyId=str(uuid.uuid4()))
    assert (code, status) == ("NotFoundException", 400)


# --- ScheduleKeyDeletion / CancelKeyDeletion ---------------------------------------------------

def test_schedule_key_deletion_defaults_to_a_30_day_window(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    now = datetime.now(UTC)
    answer = kms.schedule_key_deletion(KeyId=key_id)
    assert answer["KeyId"] == key_arn(key_id)
    assert answer["KeyState"] == "PendingDeletion"
    assert answer["PendingWindowInDays"] == 30
    assert now + timedelta(days=29, hours=23) <= answer["DeletionDate"] <= now + timedelta(days=30, hours=1)


def test_schedule_key_deletion_puts_key_in_pending_deletion_with_deletion_date(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    now = datetime.now(UTC)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    assert metadata["Enabled"] is False
    assert now + timedelta(days=6, hours=23) <= metadata["DeletionDate"] <= now + timedelta(days=7, hours=1)


@pytest.mark.parametrize("days", [6, 31])
def test_schedule_key_deletion_window_outside_7_to_30_days_is_rejected(kms: Any, days: int) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=days)
    assert (code, status) == ("ValidationException", 400)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_key_pending_deletion_refuses_encrypt_with_invalid_state(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    code, status, _ = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"secret")
    assert (code, status) == ("KMSInvalidStateException", 400)


def test_scheduling_deletion_twice_is_an_invalid_state(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    code, status, _ = error_of(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=7)
    assert (code, status) == ("KMSInvalidStateException", 400)


def test_enable_key_pending_deletion_is_an_invalid_state(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    code, status, _ = error_of(kms.enable_key, KeyId=key_id)
    assert (code, status) == ("KMSInvalidStateException", 400)


def test_cancel_key_deletion_leaves_the_key_disabled(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    answer = kms.cancel_key_deletion(KeyId=key_id)
    assert answer["KeyId"] == key_arn(key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "Disabled"
    assert metadata["Enabled"] is False
    assert "DeletionDate" not in metadata
    code, _, _ = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"still disabled")
    assert code == "DisabledException"


def test_cancel_deletion_of_a_key_not_pending_deletion_is_an_invalid_state(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.cancel_key_deletion, KeyId=key_id)
    assert (code, status) == ("KMSInvalidStateException", 400)


# --- what a request may name, and how ------------------------------------------------------------


@pytest.mark.parametrize(("key_spec", "customer_master_key_spec"), [("RSA_2048", "RSA_4096"), ("SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT")])
def test_create_key_refuses_both_key_spec_and_customer_master_key_spec(
    kms: Any, key_spec: str, customer_master_key_spec: str
) -> None:
    """"The KeySpec and CustomerMasterKeySpec parameters work the same way": a request gives one."""
    before = len(kms.get_paginator("list_keys").paginate().build_full_result()["Keys"])
    code, status, message = error_of(
        kms.create_key, KeySpec=key_spec, CustomerMasterKeySpec=customer_master_key_spec, KeyUsage="ENCRYPT_DECRYPT"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
        "CustomerMasterKeySpec is deprecated."
    )
    assert len(kms.get_paginator("list_keys").paginate().build_full_result()["Keys"]) == before


def test_create_key_takes_the_deprecated_customer_master_key_spec_alone(kms: Any) -> None:
    key = kms.create_key(CustomerMasterKeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert (key["KeySpec"], key["CustomerMasterKeySpec"]) == ("RSA_2048", "RSA_2048")


@pytest.mark.parametrize("marker", ["@@@", "not-a-marker!", "===="])
def test_list_keys_and_list_aliases_refuse_a_marker_they_never_gave(kms: Any, marker: str) -> None:
    for call in (kms.list_keys, kms.list_aliases):
        code, status, _ = error_of(call, Marker=marker)
        assert (code, status) == ("InvalidMarkerException", 400)


@pytest.mark.parametrize(
    "operation",
    [
        ("describe_key", {}),
        ("encrypt", {"Plaintext": b"x"}),
        ("generate_data_key", {"KeySpec": "AES_256"}),
        ("disable_key", {}),
        ("get_key_policy", {"PolicyName": "default"}),
        ("create_grant", {"GranteePrincipal": "arn:aws:iam::000000000000:root", "Operations": ["Decrypt"]}),
    ],
    ids=lambda operation: operation[0],
)
def test_a_key_arn_of_another_region_is_not_found(kms: Any, endpoint: str, operation: tuple[str, dict[str, Any]]) -> None:
    """KMS keys are Regional: a us-west-2 client naming a us-east-1 key's ARN is told NotFoundException
    ("Invalid arn us-east-1", as KMS answers services handed another Region's key)."""
    key = kms.create_key()["KeyMetadata"]
    west = make_client(endpoint, "kms", region="us-west-2")
    name, arguments = operation
    code, status, message = error_of(getattr(west, name), KeyId=key["Arn"], **arguments)
    assert (code, status, message) == ("NotFoundException", 400, "Invalid arn us-east-1")
    assert kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_an_alias_arn_of_another_region_is_not_found(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    name = unique_alias("regional")
    kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    west = make_client(endpoint, "kms", region="us-west-2")
    alias = f"arn:aws:kms:us-east-1:000000000000:{name}"
    assert error_of(west.encrypt, KeyId=alias, Plaintext=b"x")[:2] == ("NotFoundException", 400)


def test_ciphertext_of_another_regions_key_does_not_decrypt(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"here only")["CiphertextBlob"]
    west = make_client(endpoint, "kms", region="us-west-2")
    assert error_of(west.decrypt, CiphertextBlob=blob)[:2] == ("InvalidCiphertextException", 400)


@pytest.mark.parametrize(("region", "service"), [("eu-south-1", "s3"), ("eu-south-1", "dynamodb"), ("us-east-1", "ebs")])
def test_describe_key_of_an_aws_managed_alias_makes_the_key(endpoint: str, region: str, service: str) -> None:
    """"Amazon Web Services services use DescribeKey to create Amazon Web Services managed keys from a
    predefined Amazon Web Services alias with no key ID" (DescribeKey reference)."""
    kms = make_client(endpoint, "kms", region=region)
    name = f"alias/aws/{service}"
    made = kms.describe_key(KeyId=name)["KeyMetadata"]
    assert made["KeyManager"] == "AWS"
    assert made["Arn"].startswith(f"arn:aws:kms:{region}:000000000000:key/")
    aliases = {a["AliasName"]: a for a in kms.list_aliases(KeyId=made["KeyId"])["Aliases"]}
    assert name in aliases
    alias_arn = f"arn:aws:kms:{region}:000000000000:{name}"
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == made["KeyId"]
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == made["KeyId"]  # the same key, once


def test_describe_key_of_an_alias_aws_name_no_service_has_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.describe_key, KeyId="alias/aws/no-such-service")
    assert (code, status) == ("NotFoundException", 400)


# --- Key states: what a key pending deletion or disabled refuses ("Key states of AWS KMS keys": the
# key-state table, "KMSInvalidStateException: <key ARN> is pending deletion.", "DisabledException:
# <key ARN> is disabled."). --------------------------------------------------------------------------

def test_a_key_pending_deletion_refuses_aliases_tags_and_description_changes(kms: Any) -> None:
    key = kms.create_key(Tags=[{"TagKey": "a", "TagValue": "b"}])["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    pending = f"{key['Arn']} is pending deletion."
    calls: list[tuple[Any, dict[str, Any]]] = [
        (kms.create_alias, {"AliasName": unique_alias(), "TargetKeyId": key["KeyId"]}),
        (kms.tag_resource, {"KeyId": key["KeyId"], "Tags": [{"TagKey": "c", "TagValue": "d"}]}),
        (kms.untag_resource, {"KeyId": key["KeyId"], "TagKeys": ["a"]}),
        (kms.update_key_description, {"KeyId": key["KeyId"], "Description": "new"}),
        (kms.create_grant, {"KeyId": key["KeyId"], "GranteePrincipal": ROOT_ARN, "Operations": ["Decrypt"]}),
    ]
    for call, kwargs in calls:
        assert error_of(call, **kwargs) == ("KMSInvalidStateException", 400, pending)
    assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [{"TagKey": "a", "TagValue": "b"}]
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_an_alias_cannot_move_to_a_key_pending_deletion_but_may_leave_one(kms: Any) -> None:
    first, second = (kms.create_key()["KeyMetadata"] for _ in range(2))
    alias = unique_alias()
    kms.create_alias(AliasName=alias, TargetKeyId=first["KeyId"])
    kms.schedule_key_deletion(KeyId=second["KeyId"], PendingWindowInDays=7)
    code, status, message = error_of(kms.update_alias, AliasName=alias, TargetKeyId=second["KeyId"])
    assert (code, status, message) == ("KMSInvalidStateException", 400, f"{second['Arn']} is pending deletion.")
    kms.schedule_key_deletion(KeyId=first["KeyId"], PendingWindowInDays=7)
    third = kms.create_key()["KeyMetadata"]
    kms.update_alias(AliasName=alias, TargetKeyId=third["KeyId"])


def test_a_disabled_key_takes_no_grant(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    code, status, message = error_of(
        kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=ROOT_ARN, Operations=["Decrypt"]
    )
    assert (code, status, message) == ("DisabledException", 400, f"{key['Arn']} is disabled.")
