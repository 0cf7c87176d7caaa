"""Symmetric cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey,
GenerateDataKeyWithoutPlaintext and GenerateRandom.

Exact messages are AWS's, recorded in LocalStack's AWS-validated snapshot
(tests/aws/services/kms/test_kms.snapshot.json: test_plaintext_size_for_encrypt,
test_error_messaging_for_invalid_keys, test_generate_random_invalid_number_of_bytes).
Everything else follows the KMS API Reference (Encrypt, Decrypt, ReEncrypt, GenerateDataKey)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.conftest import make_client
from tests.services.kms.support import error_of


@pytest.fixture(scope="module")
def key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(Description="crypto tests")["KeyMetadata"]
    return metadata


@pytest.fixture(scope="module")
def other_key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(Description="crypto tests, second key")["KeyMetadata"]
    return metadata


@pytest.fixture(scope="module")
def unvalidated(endpoint: str) -> Any:
    """A client that sends what botocore's own parameter checks would refuse."""
    return make_client(endpoint, "kms", parameter_validation=False)


# --- Encrypt / Decrypt ----------------------------------------------------------------------

def test_encrypt_answers_ciphertext_key_arn_and_algorithm(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello kms")
    assert answer["KeyId"] == key["Arn"]
    assert answer["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert b"hello kms" not in answer["CiphertextBlob"]


def test_encrypt_twice_gives_different_ciphertexts(kms: Any, key: dict[str, Any]) -> None:
    first = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same")["CiphertextBlob"]
    second = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same")["CiphertextBlob"]
    assert first != second


def test_decrypt_with_key_id_round_trips(kms: Any, key: dict[str, Any]) -> None:
    plaintext = os.urandom(300)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=plaintext)["CiphertextBlob"]
    answer = kms.decrypt(CiphertextBlob=blob, KeyId=key["KeyId"])
    assert answer["Plaintext"] == plaintext
    assert answer["KeyId"] == key["Arn"]
    assert answer["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"


def test_decrypt_without_key_id_finds_the_key_from_the_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["Arn"], Plaintext=b"no key id needed")["CiphertextBlob"]
    answer = kms.decrypt(CiphertextBlob=blob)
    assert answer["Plaintext"] == b"no key id needed"
    assert answer["KeyId"] == key["Arn"]


def test_encrypt_accepts_plaintext_of_4096_bytes(kms: Any, key: dict[str, Any]) -> None:
    plaintext = os.urandom(4096)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=plaintext)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == plaintext


def test_encrypt_plaintext_over_4096_bytes_is_rejected(kms: Any, key: dict[str, Any]) -> None:
    code, status, message = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x" * 4097)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096"
    )


def test_decrypt_with_the_same_encryption_context_succeeds(kms: Any, key: dict[str, Any]) -> None:
    context = {"tenant": "acme", "purpose": "test"}
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"bound", EncryptionContext=context)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(reversed(context.items())))["Plaintext"] == b"bound"


def test_decrypt_with_a_different_encryption_context_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"bound", EncryptionContext={"tenant": "acme"})["CiphertextBlob"]
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"tenant": "other"})
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_decrypt_without_the_encryption_context_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"bound", EncryptionContext={"tenant": "acme"})["CiphertextBlob"]
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=blob, KeyId=key["KeyId"])
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_decrypt_with_an_unexpected_encryption_context_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"unbound")["CiphertextBlob"]
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"tenant": "acme"})
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_decrypt_of_tampered_ciphertext_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = bytearray(kms.encrypt(KeyId=key["KeyId"], Plaintext=b"integrity")["CiphertextBlob"])
    blob[-1] ^= 0x01
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=bytes(blob), KeyId=key["KeyId"])
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_decrypt_of_ciphertext_with_appended_bytes_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"integrity")["CiphertextBlob"]
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=blob + b"bad_data", KeyId=key["KeyId"])
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_decrypt_of_random_bytes_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=os.urandom(120), KeyId=key["KeyId"])
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_decrypt_with_a_key_id_that_did_not_encrypt_is_incorrect_key(
    kms: Any, key: dict[str, Any], other_key: dict[str, Any]
) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"mine")["CiphertextBlob"]
    code, status, message = error_of(kms.decrypt, CiphertextBlob=blob, KeyId=other_key["KeyId"])
    assert (code, status) == ("IncorrectKeyException", 400)
    assert message == "The key ID in the request does not identify a CMK that can perform this operation."


def test_encrypt_with_unknown_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.encrypt, KeyId=str(uuid.uuid4()), Plaintext=b"x")
    assert (code, status) == ("NotFoundException", 400)


def test_encrypt_with_a_sign_verify_key_is_invalid_key_usage(kms: Any) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    code, status, message = error_of(kms.encrypt, KeyId=signing["KeyId"], Plaintext=b"x")
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert message == f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt."


# --- RSA encryption keys ------------------------------------------------------------------------

def test_rsa_encrypt_decrypt_round_trip_with_oaep_sha_256(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    blob = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"rsa secret", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert blob["EncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    answer = kms.decrypt(
        KeyId=rsa_key["KeyId"], CiphertextBlob=blob["CiphertextBlob"], EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert answer["Plaintext"] == b"rsa secret"


def test_rsa_ciphertext_made_offline_with_the_public_key_decrypts_in_kms(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=rsa_key["KeyId"])["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    ciphertext = public.encrypt(
        b"offline", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    )
    answer = kms.decrypt(KeyId=rsa_key["KeyId"], CiphertextBlob=ciphertext, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert answer["Plaintext"] == b"offline"


@pytest.mark.parametrize(
    ("spec", "algorithm", "limit"),
    [
        ("RSA_2048", "RSAES_OAEP_SHA_1", 214),
        ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
        ("RSA_3072", "RSAES_OAEP_SHA_256", 318),
        ("RSA_4096", "RSAES_OAEP_SHA_1", 470),
    ],
)
def test_rsa_encrypt_takes_up_to_the_documented_size_and_refuses_more(
    kms: Any, spec: str, algorithm: str, limit: int
) -> None:
    """"The maximum size of the data that you can encrypt varies with the type of KMS key and the
    encryption algorithm" (Encrypt reference: RSA_2048 RSAES_OAEP_SHA_256, 190 bytes, ...); more is a
    ValidationException (it was a 500)."""
    rsa_key = kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    blob = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"x" * limit, EncryptionAlgorithm=algorithm)
    assert kms.decrypt(
        KeyId=rsa_key["KeyId"], CiphertextBlob=blob["CiphertextBlob"], EncryptionAlgorithm=algorithm
    )["Plaintext"] == b"x" * limit
    code, status, message = error_of(
        kms.encrypt, KeyId=rsa_key["KeyId"], Plaintext=b"x" * (limit + 1), EncryptionAlgorithm=algorithm
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == f"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes."


def test_rsa_encrypt_of_300_bytes_is_refused(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    code, status, _ = error_of(
        kms.encrypt, KeyId=rsa_key["KeyId"], Plaintext=os.urandom(300), EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert (code, status) == ("ValidationException", 400)


# --- ReEncrypt ----------------------------------------------------------------------------------

def test_re_encrypt_moves_ciphertext_to_the_destination_key(
    kms: Any, key: dict[str, Any], other_key: dict[str, Any]
) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"move me")["CiphertextBlob"]
    answer = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other_key["KeyId"])
    assert answer["KeyId"] == other_key["Arn"]
    assert answer["SourceKeyId"] == key["Arn"]
    assert answer["SourceEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert answer["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    decrypted = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], KeyId=other_key["KeyId"])
    assert decrypted["Plaintext"] == b"move me"
    assert decrypted["KeyId"] == other_key["Arn"]


def test_re_encrypted_ciphertext_is_not_decryptable_with_the_source_key_id(
    kms: Any, key: dict[str, Any], other_key: dict[str, Any]
) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"move me")["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=key["KeyId"], DestinationKeyId=other_key["KeyId"])
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=moved["CiphertextBlob"], KeyId=key["KeyId"])
    assert (code, status) == ("IncorrectKeyException", 400)


def test_re_encrypt_changes_the_encryption_context(kms: Any, key: dict[str, Any], other_key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"ctx", EncryptionContext={"v": "1"})["CiphertextBlob"]
    moved = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"v": "1"},
        DestinationKeyId=other_key["KeyId"],
        DestinationEncryptionContext={"v": "2"},
    )["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=moved, EncryptionContext={"v": "2"})["Plaintext"] == b"ctx"
    code, _, _ = error_of(kms.decrypt, CiphertextBlob=moved, EncryptionContext={"v": "1"})
    assert code == "InvalidCiphertextException"


def test_re_encrypt_with_the_wrong_source_context_is_invalid_ciphertext(
    kms: Any, key: dict[str, Any], other_key: dict[str, Any]
) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"ctx", EncryptionContext={"v": "1"})["CiphertextBlob"]
    code, status, _ = error_of(
        kms.re_encrypt, CiphertextBlob=blob, SourceEncryptionContext={"v": "2"}, DestinationKeyId=other_key["KeyId"]
    )
    assert (code, status) == ("InvalidCiphertextException", 400)


# --- GenerateDataKey ------------------------------------------------------------------------------

def test_generate_data_key_aes_256_gives_32_bytes_whose_ciphertext_decrypts_to_them(
    kms: Any, key: dict[str, Any]
) -> None:
    answer = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    assert len(answer["Plaintext"]) == 32
    assert answer["KeyId"] == key["Arn"]
    decrypted = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])
    assert decrypted["Plaintext"] == answer["Plaintext"]
    assert decrypted["KeyId"] == key["Arn"]


def test_generate_data_key_aes_128_gives_16_bytes(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_128")
    assert len(answer["Plaintext"]) == 16
    assert kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"] == answer["Plaintext"]


@pytest.mark.parametrize("size", [1, 64, 1024])
def test_generate_data_key_number_of_bytes_gives_that_many_bytes(kms: Any, key: dict[str, Any], size: int) -> None:
    answer = kms.generate_data_key(KeyId=key["KeyId"], NumberOfBytes=size)
    assert len(answer["Plaintext"]) == size
    assert kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"] == answer["Plaintext"]


def test_generate_data_key_twice_gives_different_keys(kms: Any, key: dict[str, Any]) -> None:
    first = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
    second = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
    assert first != second


def test_generate_data_key_without_key_spec_or_number_of_bytes_is_rejected(kms: Any, key: dict[str, Any]) -> None:
    code, status, _ = error_of(kms.generate_data_key, KeyId=key["KeyId"])
    assert (code, status) == ("ValidationException", 400)


def test_generate_data_key_with_both_key_spec_and_number_of_bytes_is_rejected(kms: Any, key: dict[str, Any]) -> None:
    code, status, _ = error_of(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256", NumberOfBytes=32)
    assert (code, status) == ("ValidationException", 400)


def test_generate_data_key_encryption_context_is_required_to_decrypt(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext={"file": "a.txt"})
    code, _, _ = error_of(kms.decrypt, CiphertextBlob=answer["CiphertextBlob"], KeyId=key["KeyId"])
    assert code == "InvalidCiphertextException"
    decrypted = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext={"file": "a.txt"})
    assert decrypted["Plaintext"] == answer["Plaintext"]


def test_generate_data_key_without_plaintext_returns_only_the_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in answer
    assert answer["KeyId"] == key["Arn"]
    assert len(kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"]) == 32


def test_generate_data_key_without_plaintext_number_of_bytes(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], NumberOfBytes=48)
    assert len(kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"]) == 48


def test_generate_data_key_with_an_hmac_key_is_invalid_key_usage(kms: Any) -> None:
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    code, status, _ = error_of(kms.generate_data_key, KeyId=hmac_key["KeyId"], KeySpec="AES_256")
    assert (code, status) == ("InvalidKeyUsageException", 400)


# --- GenerateRandom -------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 32, 1024])
def test_generate_random_gives_the_requested_number_of_bytes(kms: Any, size: int) -> None:
    assert len(kms.generate_random(NumberOfBytes=size)["Plaintext"]) == size


def test_generate_random_is_random(kms: Any) -> None:
    assert kms.generate_random(NumberOfBytes=32)["Plaintext"] != kms.generate_random(NumberOfBytes=32)["Plaintext"]


def test_generate_random_zero_bytes_is_rejected(unvalidated: Any) -> None:
    code, status, message = error_of(unvalidated.generate_random, NumberOfBytes=0)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_generate_random_over_1024_bytes_is_rejected(unvalidated: Any) -> None:
    code, status, message = error_of(unvalidated.generate_random, NumberOfBytes=1025)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value less than or equal to 1024"
    )


def test_generate_random_without_number_of_bytes_is_rejected(unvalidated: Any) -> None:
    code, status, message = error_of(unvalidated.generate_random)
    assert (code, status) == ("ValidationException", 400)
    assert message == "NumberOfBytes is required."


def test_decrypt_and_re_encrypt_without_a_ciphertext_are_refused(kms: Any, endpoint: str) -> None:
    # CiphertextBlob is optional in the model (for Recipient decryption) but the service needs it.
    unchecked = make_client(endpoint, "kms", parameter_validation=False)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    message = (
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert error_of(unchecked.decrypt, KeyId=key) == ("ValidationException", 400, message)
    assert error_of(unchecked.re_encrypt, DestinationKeyId=key) == ("ValidationException", 400, message)
