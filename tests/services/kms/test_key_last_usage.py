"""GetKeyLastUsage (KMS API Reference): the last successful cryptographic operation made with a key
(its Operation, Timestamp, CloudTrail event id and KMS request id), or an empty KeyLastUsage if
none since TrackingStartDate, "the date from which KMS began recording cryptographic activity for
this key, or the date the KMS key was created, whichever is later". ReEncrypt is recorded for both
its keys. Key ID or key ARN only ("Alias names are not supported"), no cross-account use. Services
that use a key on the caller's behalf (S3's SSE-KMS, SQS) call GenerateDataKey and Decrypt.

pocketcloud keeps no CloudTrail trail: the CloudTrail event id it answers is the request id."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client
from tests.services.kms.support import allow, error_of, iam_user, policy


def _last(kms: Any, key_id: str) -> dict[str, Any]:
    usage: dict[str, Any] = kms.get_key_last_usage(KeyId=key_id)
    return usage


def _used_by(kms: Any, key_id: str, operation: str, response: dict[str, Any]) -> None:
    last = _last(kms, key_id)["KeyLastUsage"]
    request_id = response["ResponseMetadata"]["RequestId"]
    assert (last["Operation"], last["KmsRequestId"], last["CloudTrailEventId"]) == (
        operation,
        request_id,
        request_id,
    )


def test_a_new_key_has_an_empty_last_usage_tracked_since_its_creation(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    answer = _last(kms, key["KeyId"])
    assert answer["KeyId"] == key["KeyId"]
    assert answer["KeyLastUsage"] == {}
    assert answer["KeyCreationDate"] == key["CreationDate"]
    assert answer["TrackingStartDate"] == key["CreationDate"]


def test_encrypt_is_recorded_with_its_time_and_request_id(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    before = datetime.now(UTC) - timedelta(seconds=1)
    response = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    after = datetime.now(UTC) + timedelta(seconds=1)
    last = _last(kms, key["Arn"])["KeyLastUsage"]
    assert last["Operation"] == "Encrypt"
    assert before <= last["Timestamp"] <= after
    _used_by(kms, key["KeyId"], "Encrypt", response)


def test_the_latest_operation_wins(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"a": "b"})["CiphertextBlob"]
    response = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})
    _used_by(kms, key["KeyId"], "Decrypt", response)
    response = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_128")
    _used_by(kms, key["KeyId"], "GenerateDataKeyWithoutPlaintext", response)
    response = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    _used_by(kms, key["KeyId"], "GenerateDataKeyPair", response)


def test_a_failed_operation_is_not_recorded(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    response = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"a": "b"})
    assert error_of(kms.decrypt, CiphertextBlob=response["CiphertextBlob"])[0] == "InvalidCiphertextException"
    _used_by(kms, key["KeyId"], "Encrypt", response)


def test_a_dry_run_is_not_recorded(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    response = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    code = error_of(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256", DryRun=True)[0]
    assert code == "DryRunOperationException"
    _used_by(kms, key["KeyId"], "Encrypt", response)


def test_management_operations_are_not_recorded(kms: Any) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    kms.describe_key(KeyId=key["KeyId"])
    kms.get_public_key(KeyId=key["KeyId"])
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "k", "TagValue": "v"}])
    assert _last(kms, key["KeyId"])["KeyLastUsage"] == {}


def test_re_encrypt_is_recorded_for_both_keys(kms: Any) -> None:
    source, destination = kms.create_key()["KeyMetadata"], kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    response = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    _used_by(kms, source["KeyId"], "ReEncrypt", response)
    _used_by(kms, destination["KeyId"], "ReEncrypt", response)


def test_sign_verify_and_macs_are_recorded_as_themselves(kms: Any) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    response = kms.sign(KeyId=signing["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    _used_by(kms, signing["KeyId"], "Sign", response)
    signature = response["Signature"]
    response = kms.verify(
        KeyId=signing["KeyId"], Message=b"m", Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    )
    _used_by(kms, signing["KeyId"], "Verify", response)
    bad = error_of(
        kms.verify,
        KeyId=signing["KeyId"],
        Message=b"n",
        Signature=signature,
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert bad[0] == "KMSInvalidSignatureException"
    _used_by(kms, signing["KeyId"], "Verify", response)

    mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    response = kms.generate_mac(KeyId=mac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")
    _used_by(kms, mac_key["KeyId"], "GenerateMac", response)
    response = kms.verify_mac(
        KeyId=mac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=response["Mac"]
    )
    _used_by(kms, mac_key["KeyId"], "VerifyMac", response)


def test_s3_sse_kms_uses_are_generate_data_key_and_decrypt(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    s3 = make_client(endpoint, "s3")
    bucket = f"last-usage-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    put = s3.put_object(
        Bucket=bucket, Key="o", Body=b"data", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"]
    )
    _used_by(kms, key["KeyId"], "GenerateDataKey", put)
    got = s3.get_object(Bucket=bucket, Key="o")
    assert got["Body"].read() == b"data"
    _used_by(kms, key["KeyId"], "Decrypt", got)


def test_an_sqs_send_to_an_encrypted_queue_is_generate_data_key(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(
        QueueName=f"last-usage-{uuid.uuid4().hex[:12]}", Attributes={"KmsMasterKeyId": key["Arn"]}
    )["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
    _used_by(kms, key["KeyId"], "GenerateDataKey", sent)
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert [m["Body"] for m in received["Messages"]] == ["hello"]
    _used_by(kms, key["KeyId"], "Decrypt", received)


def test_a_disabled_key_still_answers(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    response = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    kms.disable_key(KeyId=key["KeyId"])
    _used_by(kms, key["KeyId"], "Encrypt", response)


@pytest.mark.parametrize("named", ["alias", "alias arn"])
def test_an_alias_is_not_accepted(kms: Any, named: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    alias = f"alias/last-usage-{uuid.uuid4().hex[:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    key_id = alias if named == "alias" else key["Arn"].replace(f"key/{key['KeyId']}", alias)
    code, status, _ = error_of(kms.get_key_last_usage, KeyId=key_id)
    assert (code, status) == ("NotFoundException", 400)


def test_a_missing_key_is_not_found(kms: Any) -> None:
    code, status, message = error_of(kms.get_key_last_usage, KeyId="11111111-2222-3333-4444-555555555555")
    assert (code, status) == ("NotFoundException", 400)
    assert "does not exist" in message


def test_the_caller_needs_kms_get_key_last_usage(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    arn, user = iam_user(endpoint)
    code, status, message = error_of(user.get_key_last_usage, KeyId=key["KeyId"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert "kms:GetKeyLastUsage" in message
    _, allowed = iam_user(endpoint, policy(allow(None, "kms:GetKeyLastUsage")))
    assert allowed.get_key_last_usage(KeyId=key["Arn"])["KeyId"] == key["KeyId"]


def test_the_last_usage_survives_a_restart(tmp_path: Path) -> None:
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        kms: Any = make_client(first.endpoint, "kms")
        key = kms.create_key()["KeyMetadata"]
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        response = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
        before = _last(kms, key["KeyId"])
    finally:
        first.stop()
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        kms = make_client(second.endpoint, "kms")
        after = _last(kms, key["KeyId"])
        assert after["KeyLastUsage"] == before["KeyLastUsage"]
        _used_by(kms, key["KeyId"], "GenerateDataKey", response)
        assert after["TrackingStartDate"] == before["TrackingStartDate"] == key["CreationDate"]
    finally:
        second.stop()


def test_the_last_usage_is_written_within_seconds_even_without_a_clean_stop(tmp_path: Path) -> None:
    from pocketcloud.services.kms.usage import FLUSH_SECONDS

    first = ServerProcess(data_dir=tmp_path).start()
    try:
        kms: Any = make_client(first.endpoint, "kms")
        key = kms.create_key()["KeyMetadata"]
        response = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        time.sleep(FLUSH_SECONDS + 1.5)  # the batch written by the timer, then a kill -9
    finally:
        first.kill9()
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        _used_by(make_client(second.endpoint, "kms"), key["KeyId"], "Encrypt", response)
    finally:
        second.stop()
