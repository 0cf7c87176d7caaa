"""KMS keys with imported key material (Origin EXTERNAL), through boto3 with the wrapping done on the
client side by `cryptography`, as the KMS Developer Guide's "Importing key material" describes and
LocalStack's AWS-validated test_import_key_symmetric, test_import_key_asymmetric,
test_import_key_hmac_keys, test_import_key_ecc_keys and test_import_key_rsa_aes_wrap_sha256 run it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.conftest import ServerProcess, make_client
from tests.services.kms.support import error_of


def _oaep(sha: str = "SHA_256") -> padding.OAEP:
    digest: hashes.HashAlgorithm = hashes.SHA1() if sha == "SHA_1" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)


def _wrap(params: dict[str, Any], material: bytes, sha: str = "SHA_256") -> bytes:
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    return public.encrypt(material, _oaep(sha))


def _import(kms: Any, key_id: str, material: bytes, **extra: Any) -> dict[str, Any]:
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    extra.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    answer: dict[str, Any] = kms.import_key_material(
        KeyId=key_id, ImportToken=params["ImportToken"], EncryptedKeyMaterial=_wrap(params, material), **extra
    )
    return answer


def test_a_symmetric_key_of_imported_material_encrypts_with_that_material(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL", Description="imported")["KeyMetadata"]
    assert (key["Origin"], key["KeyState"], key["Enabled"]) == ("EXTERNAL", "PendingImport", False)
    assert "CurrentKeyMaterialId" not in key and "ExpirationModel" not in key
    code, status, message = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert (code, status, message) == ("KMSInvalidStateException", 400, f"{key['Arn']} is pending import.")

    params = kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    assert params["KeyId"] == key["Arn"] and params["ImportToken"]
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    valid = params["ParametersValidTo"] - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < valid <= timedelta(hours=24)

    material = os.urandom(32)
    answer = kms.import_key_material(
        KeyId=key["KeyId"],
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=_wrap(params, material),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert answer["KeyId"] == key["Arn"]
    described = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (described["KeyState"], described["Enabled"]) == ("Enabled", True)
    assert described["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE" and "ValidTo" not in described
    assert described["CurrentKeyMaterialId"] == answer["KeyMaterialId"]

    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret", EncryptionContext={"a": "b"})["CiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})
    assert (opened["Plaintext"], opened["KeyId"]) == (b"secret", key["Arn"])
    data_key = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]

    # The same material imported into another key: that key's ciphertext is that key's alone.
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    _import(kms, other["KeyId"], material)
    code, _, _ = error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"a": "b"}, KeyId=other["KeyId"])
    assert code == "IncorrectKeyException"
    theirs = kms.encrypt(KeyId=other["KeyId"], Plaintext=b"theirs")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=theirs)["KeyId"] == other["Arn"]


def test_deleted_material_leaves_the_key_pending_import_until_the_same_material_returns(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    first = _import(kms, key["KeyId"], material)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"kept")["CiphertextBlob"]

    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"])
    # DeleteImportedKeyMaterial's KeyMaterialId "identifies the deleted key material".
    assert (deleted["KeyId"], deleted["KeyMaterialId"]) == (key["Arn"], first["KeyMaterialId"])
    described = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (described["KeyState"], described["Enabled"]) == ("PendingImport", False)
    for call, kwargs in (
        (kms.encrypt, {"KeyId": key["KeyId"], "Plaintext": b"x"}),
        (kms.decrypt, {"CiphertextBlob": blob}),
        (kms.generate_data_key, {"KeyId": key["KeyId"], "KeySpec": "AES_256"}),
    ):
        assert error_of(call, **kwargs)[:2] == ("KMSInvalidStateException", 400)
    assert error_of(kms.enable_key, KeyId=key["KeyId"])[0] == "KMSInvalidStateException"

    code, _, _ = error_of(_import, kms, key["KeyId"], os.urandom(32))
    assert code == "IncorrectKeyMaterialException"
    again = _import(kms, key["KeyId"], material)
    assert again["KeyMaterialId"] == first["KeyMaterialId"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_material_that_expires_names_its_valid_to_and_wants_one(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    params = kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_3072"
    )
    wrapped = _wrap(params, os.urandom(32), "SHA_1")
    common = {"KeyId": key["KeyId"], "ImportToken": params["ImportToken"], "EncryptedKeyMaterial": wrapped}
    code, status, _ = error_of(kms.import_key_material, **common)  # KEY_MATERIAL_EXPIRES is the default
    assert (code, status) == ("ValidationException", 400)
    past = datetime.now(UTC) - timedelta(minutes=1)
    assert error_of(kms.import_key_material, **common, ValidTo=past)[0] == "ValidationException"
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"

    valid_to = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    kms.import_key_material(**common, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
    described = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert described["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert described["ValidTo"] == valid_to and described["KeyState"] == "Enabled"


def test_material_whose_valid_to_passed_is_gone_after_a_restart(tmp_path: Path) -> None:
    """Imported material survives a restart; once its ValidTo has passed the key is PendingImport."""
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        kms: Any = make_client(first.endpoint, "kms")
        lasting = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        _import(kms, lasting["KeyId"], os.urandom(32))
        blob = kms.encrypt(KeyId=lasting["KeyId"], Plaintext=b"durable")["CiphertextBlob"]
        brief = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        valid_to = datetime.now(UTC) + timedelta(seconds=2)
        _import(kms, brief["KeyId"], os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
        kms.encrypt(KeyId=brief["KeyId"], Plaintext=b"while it lasts")
    finally:
        first.stop()
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        kms = make_client(second.endpoint, "kms")
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"durable"
        time.sleep(max(0.0, (valid_to - datetime.now(UTC)).total_seconds()) + 0.2)
        code, _, message = error_of(kms.encrypt, KeyId=brief["KeyId"], Plaintext=b"x")
        assert (code, message) == ("KMSInvalidStateException", f"{brief['Arn']} is pending import.")
        described = kms.describe_key(KeyId=brief["KeyId"])["KeyMetadata"]
        assert described["KeyState"] == "PendingImport" and "ValidTo" not in described
    finally:
        second.stop()


@pytest.mark.parametrize("spec,length,algorithm", [("HMAC_256", 32, "HMAC_SHA_256"), ("HMAC_512", 100, "HMAC_SHA_512")])
def test_an_hmac_key_macs_with_its_imported_secret(kms: Any, spec: str, length: int, algorithm: str) -> None:
    key = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    secret = os.urandom(length)
    answer = _import(kms, key["KeyId"], secret)
    assert "KeyMaterialId" not in answer  # symmetric encryption keys alone name their material
    made = hmac.HMAC(secret, hashes.SHA256() if spec == "HMAC_256" else hashes.SHA512())
    made.update(b"message")
    assert kms.generate_mac(KeyId=key["KeyId"], Message=b"message", MacAlgorithm=algorithm)["Mac"] == made.finalize()


def test_an_ecc_key_signs_with_its_imported_private_key(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert error_of(kms.get_public_key, KeyId=key["KeyId"])[0] == "KMSInvalidStateException"
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _import(kms, key["KeyId"], der)
    public = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert kms.get_public_key(KeyId=key["KeyId"])["PublicKey"] == public
    signature = kms.sign(KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"


def test_an_rsa_key_takes_its_private_key_wrapped_with_rsa_aes_key_wrap(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    code, _, _ = error_of(
        kms.get_parameters_for_import, KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    assert code == "ValidationException"  # "To import an RSA private key, you must use an RSA_AES wrapping algorithm."
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    params = kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec="RSA_3072"
    )
    aes_key = os.urandom(32)
    wrapped = _wrap(params, aes_key) + keywrap.aes_key_wrap_with_padding(aes_key, der)
    kms.import_key_material(
        KeyId=key["KeyId"],
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrapped,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    blob = private.public_key().encrypt(b"to the key", _oaep())
    opened = kms.decrypt(KeyId=key["KeyId"], CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert opened["Plaintext"] == b"to the key"


def test_import_refuses_bad_tokens_bad_wrapping_and_material_of_the_wrong_size(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    params = kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    material = _wrap(params, os.urandom(32))

    def attempt(key_id: str, token: bytes, wrapped: bytes) -> tuple[str, int, str]:
        return error_of(
            kms.import_key_material,
            KeyId=key_id,
            ImportToken=token,
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )

    assert attempt(key["KeyId"], b"not a token", material)[:2] == ("InvalidImportTokenException", 400)
    assert attempt(other["KeyId"], params["ImportToken"], material)[0] == "InvalidImportTokenException"
    assert attempt(key["KeyId"], params["ImportToken"], os.urandom(256))[:2] == ("InvalidCiphertextException", 400)
    assert attempt(key["KeyId"], params["ImportToken"], _wrap(params, os.urandom(16)))[0] == (
        "IncorrectKeyMaterialException"
    )
    # Wrapped with SHA-1 OAEP under parameters that asked for SHA-256: it does not unwrap.
    assert attempt(key["KeyId"], params["ImportToken"], _wrap(params, os.urandom(32), "SHA_1"))[0] == (
        "InvalidCiphertextException"
    )
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"


def test_parameters_for_import_only_for_external_keys_and_supported_wrapping(kms: Any) -> None:
    native = kms.create_key()["KeyMetadata"]
    code, status, message = error_of(
        kms.get_parameters_for_import, KeyId=native["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    assert (code, status, message) == (
        "UnsupportedOperationException",
        400,
        f"{native['Arn']} origin is AWS_KMS which is not valid for this operation.",
    )
    assert error_of(kms.delete_imported_key_material, KeyId=native["KeyId"])[0] == "UnsupportedOperationException"
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    code, _, _ = error_of(
        kms.get_parameters_for_import, KeyId=key["KeyId"], WrappingAlgorithm="RSAES_PKCS1_V1_5", WrappingKeySpec="RSA_2048"
    )
    assert code == "UnsupportedOperationException"  # no longer supported since October 2023
    code, _, _ = error_of(
        kms.get_parameters_for_import, KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="SM2"
    )
    assert code == "UnsupportedOperationException"  # China Regions only
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    code, _, message = error_of(
        kms.get_parameters_for_import, KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    assert (code, message) == ("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")
    kms.cancel_key_deletion(KeyId=key["KeyId"])  # no material: back to waiting for it
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"


def test_keys_of_imported_material_do_not_rotate(kms: Any) -> None:
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    code, _, message = error_of(kms.rotate_key_on_demand, KeyId=key["KeyId"])
    assert (code, message) == ("KMSInvalidStateException", f"{key['Arn']} is pending import.")
    material_id = _import(kms, key["KeyId"], os.urandom(32))["KeyMaterialId"]
    refused = ("UnsupportedOperationException", 400, f"{key['Arn']} origin is EXTERNAL which is not valid for this operation.")
    assert error_of(kms.enable_key_rotation, KeyId=key["KeyId"]) == refused
    assert error_of(kms.rotate_key_on_demand, KeyId=key["KeyId"]) == refused
    assert kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"] == []
    every = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [(r["KeyMaterialId"], r["ImportState"], r["KeyMaterialState"]) for r in every] == [
        (material_id, "IMPORTED", "CURRENT")
    ]
