"""Data key pairs: GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (KMS API Reference):
a fresh RSA or ECC key pair for use outside KMS, the public key a DER SubjectPublicKeyInfo (RFC 5280),
the private key a DER PKCS#8 PrivateKeyInfo (RFC 5958), and the private key encrypted under a
symmetric encryption KMS key as Encrypt would (Decrypt with the same encryption context opens it).
"The SM2 key spec is only available in China Regions." An asymmetric or HMAC KMS key cannot encrypt
the private key (InvalidKeyUsageException); a disabled key or one pending deletion cannot either."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mlkem, padding, rsa

from tests.services.kms.support import error_of

CURVES = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}


@pytest.fixture(scope="module")
def key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(Description="data key pairs")["KeyMetadata"]
    return metadata


def _pair(answer: dict[str, Any]) -> tuple[Any, Any]:
    private = serialization.load_der_private_key(answer["PrivateKeyPlaintext"], password=None)
    public = serialization.load_der_public_key(answer["PublicKey"])
    return private, public


@pytest.mark.parametrize("spec,bits", [("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096)])
def test_an_rsa_pair_is_a_working_pair_of_its_size(
    kms: Any, key: dict[str, Any], spec: str, bits: int
) -> None:
    answer = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec=spec)
    assert (answer["KeyId"], answer["KeyPairSpec"]) == (key["Arn"], spec)
    private, public = _pair(answer)
    assert isinstance(private, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey)
    assert private.key_size == bits
    assert public.public_numbers() == private.public_key().public_numbers()
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    assert private.decrypt(public.encrypt(b"outside kms", oaep), oaep) == b"outside kms"


@pytest.mark.parametrize("spec", sorted(CURVES))
def test_an_ecc_pair_is_on_its_curve_and_signs(kms: Any, key: dict[str, Any], spec: str) -> None:
    answer = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec=spec)
    assert answer["KeyPairSpec"] == spec
    private, public = _pair(answer)
    assert isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(private.curve, CURVES[spec]) and isinstance(public.curve, CURVES[spec])
    signature = private.sign(b"message", ec.ECDSA(hashes.SHA256()))
    public.verify(signature, b"message", ec.ECDSA(hashes.SHA256()))  # raises if the pair does not match


def test_an_ed25519_pair(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_EDWARDS25519")
    private, public = _pair(answer)
    assert isinstance(private, ed25519.Ed25519PrivateKey) and isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(private.sign(b"m"), b"m")


def test_ml_kem_private_keys_are_in_seed_form_of_one_length(kms: Any, key: dict[str, Any]) -> None:
    lengths = set()
    for spec, kind in (("ML_KEM_768", mlkem.MLKEM768PrivateKey), ("ML_KEM_1024", mlkem.MLKEM1024PrivateKey)):
        answer = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec=spec)
        private, _ = _pair(answer)
        assert isinstance(private, kind)
        lengths.add(len(answer["PrivateKeyPlaintext"]))
    assert len(lengths) == 1


def test_the_public_key_is_der_subject_public_key_info(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    private, _ = _pair(answer)
    assert answer["PublicKey"] == private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert answer["PrivateKeyPlaintext"] == private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_each_call_makes_a_new_pair(kms: Any, key: dict[str, Any]) -> None:
    first = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    second = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    assert first["PublicKey"] != second["PublicKey"]
    assert first["PrivateKeyPlaintext"] != second["PrivateKeyPlaintext"]


def test_decrypt_opens_the_encrypted_private_key_under_the_same_context(
    kms: Any, key: dict[str, Any]
) -> None:
    context = {"purpose": "signing"}
    answer = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="RSA_2048", EncryptionContext=context)
    assert answer["PrivateKeyPlaintext"] not in answer["PrivateKeyCiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"], EncryptionContext=context)
    assert opened["Plaintext"] == answer["PrivateKeyPlaintext"]
    assert opened["KeyId"] == key["Arn"]
    code, status, _ = error_of(kms.decrypt, CiphertextBlob=answer["PrivateKeyCiphertextBlob"])
    assert (code, status) == ("InvalidCiphertextException", 400)


def test_without_plaintext_answers_no_private_key_but_one_decrypt_opens(
    kms: Any, key: dict[str, Any]
) -> None:
    answer = kms.generate_data_key_pair_without_plaintext(KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P384")
    assert "PrivateKeyPlaintext" not in answer
    assert (answer["KeyId"], answer["KeyPairSpec"]) == (key["Arn"], "ECC_NIST_P384")
    private_der = kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"])["Plaintext"]
    private = serialization.load_der_private_key(private_der, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert (
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == answer["PublicKey"]
    )


def test_an_alias_names_the_key(kms: Any, key: dict[str, Any]) -> None:
    alias = f"alias/pairs-{key['KeyId'][:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    assert kms.generate_data_key_pair(KeyId=alias, KeyPairSpec="ECC_NIST_P256")["KeyId"] == key["Arn"]


@pytest.mark.parametrize("call", ["generate_data_key_pair", "generate_data_key_pair_without_plaintext"])
def test_an_asymmetric_encryption_key_is_refused(kms: Any, call: str) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    code, status, message = error_of(getattr(kms, call), KeyId=rsa_key["KeyId"], KeyPairSpec="RSA_2048")
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert rsa_key["Arn"] in message


def test_a_signing_key_is_refused(kms: Any) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    code, status, message = error_of(
        kms.generate_data_key_pair, KeyId=signing["KeyId"], KeyPairSpec="ECC_NIST_P256"
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert message == f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair."


def test_an_hmac_key_is_refused(kms: Any) -> None:
    mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    code, status, message = error_of(
        kms.generate_data_key_pair_without_plaintext, KeyId=mac_key["KeyId"], KeyPairSpec="RSA_2048"
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert "GENERATE_VERIFY_MAC" in message


def test_a_disabled_key_is_refused(kms: Any) -> None:
    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    code, status, message = error_of(
        kms.generate_data_key_pair, KeyId=disabled["KeyId"], KeyPairSpec="RSA_2048"
    )
    assert (code, status, message) == ("DisabledException", 400, f"{disabled['Arn']} is disabled.")


def test_a_key_pending_deletion_is_refused(kms: Any) -> None:
    doomed = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    code, status, message = error_of(
        kms.generate_data_key_pair_without_plaintext, KeyId=doomed["KeyId"], KeyPairSpec="ECC_NIST_P256"
    )
    assert (code, status, message) == (
        "KMSInvalidStateException",
        400,
        f"{doomed['Arn']} is pending deletion.",
    )


def test_a_missing_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(
        kms.generate_data_key_pair, KeyId="11111111-2222-3333-4444-555555555555", KeyPairSpec="RSA_2048"
    )
    assert (code, status) == ("NotFoundException", 400)


def test_sm2_is_refused_outside_china_regions(kms: Any, key: dict[str, Any]) -> None:
    code, status, message = error_of(kms.generate_data_key_pair, KeyId=key["KeyId"], KeyPairSpec="SM2")
    assert (code, status) == ("UnsupportedOperationException", 400)
    assert "SM2" in message


def test_a_key_pair_spec_outside_the_model_is_a_validation_error(endpoint: str, key: dict[str, Any]) -> None:
    from tests.conftest import make_client

    unvalidated = make_client(endpoint, "kms", parameter_validation=False)
    code, status, _ = error_of(unvalidated.generate_data_key_pair, KeyId=key["KeyId"], KeyPairSpec="RSA_1024")
    assert (code, status) == ("ValidationException", 400)
    code, status, _ = error_of(unvalidated.generate_data_key_pair, KeyId=key["KeyId"])
    assert (code, status) == ("ValidationException", 400)
