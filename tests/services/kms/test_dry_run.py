"""DryRun ("Testing your permissions", KMS Developer Guide): a call with DryRun set is checked as it
would be made (permissions, the key, its state and usage, the parameters) and, when it would have
succeeded, answers DryRunOperationException ("The request would have succeeded, but the DryRun
option is set.") without doing anything; when it would fail, it answers that failure (ValidationException,
AccessDeniedException, ...). The operations that take DryRun are those whose input has the member in
botocore's model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
import pytest

from tests.services.kms.support import error_of, iam_user

DRY_RUN = ("DryRunOperationException", 412, "The request would have succeeded, but the DryRun option is set.")
# Operations of the model that pocketcloud does not implement (yet).
NOT_IMPLEMENTED = {"DeriveSharedSecret", "Encapsulate", "Decapsulate"}


@pytest.fixture(scope="module")
def keys(kms: Any, endpoint: str) -> dict[str, Any]:
    symmetric = kms.create_key()["KeyMetadata"]
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    mac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    blob = kms.encrypt(KeyId=symmetric["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    signature = kms.sign(KeyId=signing["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    tag = kms.generate_mac(KeyId=mac["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    return {
        "symmetric": symmetric,
        "signing": signing,
        "mac": mac,
        "grantee": grantee_arn,
        "blob": blob,
        "signature": signature,
        "tag": tag,
    }


def _grant(kms: Any, keys: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = kms.create_grant(
        KeyId=keys["symmetric"]["KeyId"], GranteePrincipal=keys["grantee"], Operations=["Decrypt"]
    )
    return made


def _arguments(kms: Any, keys: dict[str, Any]) -> dict[str, Callable[[], dict[str, Any]]]:
    """Arguments of a call that succeeds, per operation that takes DryRun."""
    symmetric, signing, mac = keys["symmetric"]["KeyId"], keys["signing"]["KeyId"], keys["mac"]["KeyId"]
    return {
        "CreateGrant": lambda: {
            "KeyId": symmetric,
            "GranteePrincipal": keys["grantee"],
            "Operations": ["Encrypt"],
        },
        "Decrypt": lambda: {"CiphertextBlob": keys["blob"]},
        "Encrypt": lambda: {"KeyId": symmetric, "Plaintext": b"x"},
        "GenerateDataKey": lambda: {"KeyId": symmetric, "KeySpec": "AES_256"},
        "GenerateDataKeyWithoutPlaintext": lambda: {"KeyId": symmetric, "NumberOfBytes": 16},
        "GenerateDataKeyPair": lambda: {"KeyId": symmetric, "KeyPairSpec": "ECC_NIST_P256"},
        "GenerateDataKeyPairWithoutPlaintext": lambda: {"KeyId": symmetric, "KeyPairSpec": "RSA_2048"},
        "GenerateMac": lambda: {"KeyId": mac, "Message": b"m", "MacAlgorithm": "HMAC_SHA_256"},
        "VerifyMac": lambda: {
            "KeyId": mac,
            "Message": b"m",
            "MacAlgorithm": "HMAC_SHA_256",
            "Mac": keys["tag"],
        },
        "ReEncrypt": lambda: {"CiphertextBlob": keys["blob"], "DestinationKeyId": symmetric},
        "RetireGrant": lambda: {"KeyId": symmetric, "GrantId": _grant(kms, keys)["GrantId"]},
        "RevokeGrant": lambda: {"KeyId": symmetric, "GrantId": _grant(kms, keys)["GrantId"]},
        "Sign": lambda: {"KeyId": signing, "Message": b"m", "SigningAlgorithm": "ECDSA_SHA_256"},
        "Verify": lambda: {
            "KeyId": signing,
            "Message": b"m",
            "SigningAlgorithm": "ECDSA_SHA_256",
            "Signature": keys["signature"],
        },
    }


def _dry_runnable() -> list[str]:
    model = botocore.session.get_session().get_service_model("kms")
    return sorted(
        name
        for name in model.operation_names
        if "DryRun" in model.operation_model(name).input_shape.members and name not in NOT_IMPLEMENTED
    )


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@pytest.mark.parametrize("operation", _dry_runnable())
def test_a_call_that_would_succeed_answers_dry_run_operation_exception(
    kms: Any, keys: dict[str, Any], operation: str
) -> None:
    arguments = _arguments(kms, keys)
    assert operation in arguments, f"no test arguments for {operation}"
    call = getattr(kms, _snake(operation))
    assert error_of(call, DryRun=True, **arguments[operation]()) == DRY_RUN
    call(DryRun=False, **arguments[operation]())  # and the same call without DryRun succeeds


def test_a_dry_run_create_grant_makes_no_grant(kms: Any, keys: dict[str, Any]) -> None:
    key = kms.create_key()["KeyMetadata"]
    error = error_of(
        kms.create_grant,
        KeyId=key["KeyId"],
        GranteePrincipal=keys["grantee"],
        Operations=["Encrypt"],
        DryRun=True,
    )
    assert error == DRY_RUN
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_a_dry_run_revoke_or_retire_leaves_the_grant(kms: Any, keys: dict[str, Any]) -> None:
    key = kms.create_key()["KeyMetadata"]
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=keys["grantee"], Operations=["Encrypt"])
    assert error_of(kms.revoke_grant, KeyId=key["KeyId"], GrantId=grant["GrantId"], DryRun=True) == DRY_RUN
    assert error_of(kms.retire_grant, GrantToken=grant["GrantToken"], DryRun=True) == DRY_RUN
    assert error_of(kms.retire_grant, KeyId=key["Arn"], GrantId=grant["GrantId"], DryRun=True) == DRY_RUN
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]] == [grant["GrantId"]]
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_a_dry_run_with_a_disabled_key_answers_disabled_exception(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    code, status, message = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x", DryRun=True)
    assert (code, status, message) == ("DisabledException", 400, f"{key['Arn']} is disabled.")


def test_a_dry_run_with_a_key_pending_deletion_answers_invalid_state(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    code, status, _ = error_of(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256", DryRun=True)
    assert (code, status) == ("KMSInvalidStateException", 400)


def test_a_dry_run_with_the_wrong_key_usage_answers_invalid_key_usage(kms: Any, keys: dict[str, Any]) -> None:
    code, status, _ = error_of(
        kms.sign,
        KeyId=keys["symmetric"]["KeyId"],
        Message=b"m",
        SigningAlgorithm="ECDSA_SHA_256",
        DryRun=True,
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)
    code, status, _ = error_of(
        kms.generate_data_key_pair, KeyId=keys["signing"]["KeyId"], KeyPairSpec="RSA_2048", DryRun=True
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)


def test_a_dry_run_with_a_missing_key_answers_not_found(kms: Any) -> None:
    code, status, _ = error_of(
        kms.encrypt, KeyId="11111111-2222-3333-4444-555555555555", Plaintext=b"x", DryRun=True
    )
    assert (code, status) == ("NotFoundException", 400)


def test_a_dry_run_with_bad_parameters_answers_the_validation_error(kms: Any, keys: dict[str, Any]) -> None:
    code, status, _ = error_of(kms.generate_data_key, KeyId=keys["symmetric"]["KeyId"], DryRun=True)
    assert (code, status) == ("ValidationException", 400)
    code, status, _ = error_of(
        kms.create_grant,
        KeyId=keys["signing"]["KeyId"],
        GranteePrincipal=keys["grantee"],
        Operations=["Encrypt"],
        DryRun=True,
    )
    assert (code, status) == ("ValidationException", 400)


def test_a_dry_run_without_permission_answers_access_denied(
    kms: Any, endpoint: str, keys: dict[str, Any]
) -> None:
    _, user = iam_user(endpoint)
    code, status, message = error_of(
        user.encrypt, KeyId=keys["symmetric"]["KeyId"], Plaintext=b"x", DryRun=True
    )
    assert (code, status) == ("AccessDeniedException", 400)
    assert "kms:Encrypt" in message


def test_a_dry_run_retire_by_a_principal_that_may_not_retire_is_refused(
    kms: Any, endpoint: str, keys: dict[str, Any]
) -> None:
    grant = _grant(kms, keys)
    _, outsider = iam_user(endpoint)
    code, _, _ = error_of(outsider.retire_grant, GrantToken=grant["GrantToken"], DryRun=True)
    assert code == "AccessDeniedException"
