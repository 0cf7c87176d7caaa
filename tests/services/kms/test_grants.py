"""Grants: a grant lets its grantee use a key for the grant's operations without any IAM policy,
under its encryption-context constraints, until it is retired or revoked ("Grants in AWS KMS")."""

from __future__ import annotations

from typing import Any

from tests.services.kms.support import error_of, iam_user


def test_a_grant_lets_its_grantee_use_the_key_until_it_is_revoked(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)  # no policy of its own
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x")[0] == "AccessDeniedException"
    grant = kms.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt", "Decrypt"]
    )
    blob = grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"granted")["CiphertextBlob"]
    assert grantee.decrypt(CiphertextBlob=blob)["Plaintext"] == b"granted"
    assert (
        error_of(grantee.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256")[0]
        == "AccessDeniedException"
    )
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x")[0] == "AccessDeniedException"


def test_list_grants_shows_the_grant_without_its_token(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    made = kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Decrypt"],
        Name="reader",
        RetiringPrincipal=grantee_arn,
    )
    (grant,) = kms.list_grants(KeyId=key["Arn"])["Grants"]
    assert {
        k: grant[k]
        for k in ("KeyId", "GrantId", "Name", "GranteePrincipal", "RetiringPrincipal", "Operations")
    } == {
        "KeyId": key["Arn"],
        "GrantId": made["GrantId"],
        "Name": "reader",
        "GranteePrincipal": grantee_arn,
        "RetiringPrincipal": grantee_arn,
        "Operations": ["Decrypt"],
    }
    assert grant["IssuingAccount"] == "arn:aws:iam::000000000000:root"
    assert "GrantToken" not in grant
    assert kms.list_retirable_grants(RetiringPrincipal=grantee_arn)["Grants"][0]["GrantId"] == made["GrantId"]


def test_a_named_grant_created_twice_is_one_grant(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    first, second = (
        kms.create_grant(
            KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt"], Name="once"
        )
        for _ in range(2)
    )
    assert first["GrantId"] == second["GrantId"]
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1


def test_encryption_context_constraints_limit_what_the_grant_allows(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)
    kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Encrypt"],
        Constraints={"EncryptionContextSubset": {"tenant": "a"}},
    )
    grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"tenant": "a"})
    denied = error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"tenant": "b"})
    assert denied[0] == "AccessDeniedException"


def test_retiring_by_token_removes_the_grant(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt"])
    kms.retire_grant(GrantToken=grant["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert error_of(kms.revoke_grant, KeyId=key["KeyId"], GrantId=grant["GrantId"])[:2] == (
        "NotFoundException",
        400,
    )


def test_a_grant_refuses_operations_its_key_cannot_do(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    code, status, _ = error_of(
        kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Sign"]
    )
    assert (code, status) == ("ValidationException", 400)
