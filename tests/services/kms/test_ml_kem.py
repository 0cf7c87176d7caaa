"""ML-KEM keys (KeyUsage ENCAPSULATE_DECAPSULATE): Encapsulate gives a shared secret and its ciphertext
under the key's public key, Decapsulate recovers it, and a party holding only the public key
(GetPublicKey, DER SubjectPublicKeyInfo) encapsulates a secret KMS recovers — checked with the
`cryptography` package's own ML-KEM."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.services.kms.support import error_of


@pytest.mark.parametrize("spec", ["ML_KEM_768", "ML_KEM_1024"])
def test_a_secret_encapsulated_by_either_party_is_recovered_by_the_other(kms: Any, spec: str) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]
    assert (key["KeyUsage"], key["EncapsulationAlgorithms"]) == ("ENCAPSULATE_DECAPSULATE", ["ML_KEM"])
    public = kms.get_public_key(KeyId=key["KeyId"])
    assert public["EncapsulationAlgorithms"] == ["ML_KEM"]

    encapsulated = kms.encapsulate(KeyId=key["KeyId"], EncapsulationAlgorithm="ML_KEM")
    assert encapsulated["KeyId"] == key["Arn"] and len(encapsulated["SharedSecret"]) == 32
    recovered = kms.decapsulate(
        KeyId=key["KeyId"],
        SharedSecretCiphertextBlob=encapsulated["SharedSecretCiphertextBlob"],
        EncapsulationAlgorithm="ML_KEM",
    )
    assert recovered["SharedSecret"] == encapsulated["SharedSecret"]

    # The other party has only the public key: its secret is the one KMS recovers.
    secret, ciphertext = serialization.load_der_public_key(public["PublicKey"]).encapsulate()  # type: ignore[union-attr]
    answer = kms.decapsulate(
        KeyId=key["KeyId"], SharedSecretCiphertextBlob=ciphertext, EncapsulationAlgorithm="ML_KEM"
    )
    assert answer["SharedSecret"] == secret


def test_decapsulate_refuses_only_a_ciphertext_of_the_wrong_length(kms: Any) -> None:
    """Implicit rejection: another key's ciphertext of the right length gives a pseudo-random secret."""
    key = kms.create_key(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]["KeyId"]
    other = kms.create_key(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]["KeyId"]
    sent = kms.encapsulate(KeyId=other, EncapsulationAlgorithm="ML_KEM")
    wrong = kms.decapsulate(
        KeyId=key,
        SharedSecretCiphertextBlob=sent["SharedSecretCiphertextBlob"],
        EncapsulationAlgorithm="ML_KEM",
    )
    assert len(wrong["SharedSecret"]) == 32 and wrong["SharedSecret"] != sent["SharedSecret"]
    code = error_of(
        kms.decapsulate, KeyId=key, SharedSecretCiphertextBlob=b"x" * 100, EncapsulationAlgorithm="ML_KEM"
    )
    assert code[:2] == ("InvalidCiphertextException", 400)


def test_ml_kem_keys_do_only_encapsulation(kms: Any) -> None:
    assert error_of(kms.create_key, KeySpec="ML_KEM_768", KeyUsage="ENCRYPT_DECRYPT")[:2] == (
        "ValidationException",
        400,
    )
    key = kms.create_key(KeySpec="ML_KEM_1024", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]["KeyId"]
    assert error_of(kms.sign, KeyId=key, Message=b"m", SigningAlgorithm="ML_DSA_SHAKE_256")[0] == (
        "InvalidKeyUsageException"
    )
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.encapsulate, KeyId=symmetric, EncapsulationAlgorithm="ML_KEM")[:2] == (
        "InvalidKeyUsageException",
        400,
    )
    kms.disable_key(KeyId=key)
    assert error_of(kms.encapsulate, KeyId=key, EncapsulationAlgorithm="ML_KEM")[0] == "DisabledException"
