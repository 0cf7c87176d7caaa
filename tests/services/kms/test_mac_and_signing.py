"""HMAC keys (GenerateMac, VerifyMac) and asymmetric signing keys (Sign, Verify, GetPublicKey).
Signatures are also checked with the `cryptography` package against the DER
SubjectPublicKeyInfo that GetPublicKey answers, so they are real ECDSA / RSASSA-PSS signatures.

Exact messages are AWS's, recorded in LocalStack's AWS-validated snapshot
(tests/aws/services/kms/test_kms.snapshot.json: test_invalid_verify_mac,
test_error_messaging_for_invalid_keys, test_sign_verify)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa, utils

from tests.services.kms.support import error_of

MESSAGE = b"the quick brown fox jumps over the lazy dog"


@pytest.fixture(scope="module")
def hmac_key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    return metadata


@pytest.fixture(scope="module")
def ecc_key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    return metadata


@pytest.fixture(scope="module")
def rsa_key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    return metadata


# --- GenerateMac / VerifyMac ---------------------------------------------------------------------

def test_generate_mac_answers_a_32_byte_hmac_sha_256(kms: Any, hmac_key: dict[str, Any]) -> None:
    answer = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    assert len(answer["Mac"]) == 32
    assert answer["MacAlgorithm"] == "HMAC_SHA_256"
    assert answer["KeyId"] == hmac_key["Arn"]


def test_generate_mac_is_deterministic_for_a_key_and_message(kms: Any, hmac_key: dict[str, Any]) -> None:
    first = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    second = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    other = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE + b"!", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert first == second
    assert first != other


def test_verify_mac_accepts_the_mac_generate_mac_made(kms: Any, hmac_key: dict[str, Any]) -> None:
    mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    answer = kms.verify_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=mac)
    assert answer["MacValid"] is True
    assert answer["KeyId"] == hmac_key["Arn"]
    assert answer["MacAlgorithm"] == "HMAC_SHA_256"


def test_verify_mac_with_a_wrong_mac_is_invalid_mac(kms: Any, hmac_key: dict[str, Any]) -> None:
    mac = bytearray(kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"])
    mac[0] ^= 0xFF
    code, status, _ = error_of(
        kms.verify_mac, KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=bytes(mac)
    )
    assert (code, status) == ("KMSInvalidMacException", 400)


def test_verify_mac_of_a_different_message_is_invalid_mac(kms: Any, hmac_key: dict[str, Any]) -> None:
    mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    code, status, _ = error_of(
        kms.verify_mac, KeyId=hmac_key["KeyId"], Message=b"another message", MacAlgorithm="HMAC_SHA_256", Mac=mac
    )
    assert (code, status) == ("KMSInvalidMacException", 400)


def test_mac_of_one_hmac_key_does_not_verify_under_another(kms: Any, hmac_key: dict[str, Any]) -> None:
    other = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    code, _, _ = error_of(kms.verify_mac, KeyId=other["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=mac)
    assert code == "KMSInvalidMacException"


def test_mac_algorithm_not_matching_the_key_spec_is_invalid_key_usage(kms: Any, hmac_key: dict[str, Any]) -> None:
    code, status, message = error_of(
        kms.generate_mac, KeyId=hmac_key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_512"
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert message == "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256."


def test_generate_mac_with_an_encryption_key_is_invalid_key_usage(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    code, status, message = error_of(kms.generate_mac, KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert message == f"{key['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac."


def test_encrypt_with_an_hmac_key_is_invalid_key_usage(kms: Any, hmac_key: dict[str, Any]) -> None:
    code, status, _ = error_of(kms.encrypt, KeyId=hmac_key["KeyId"], Plaintext=b"x")
    assert (code, status) == ("InvalidKeyUsageException", 400)


def test_sign_with_an_hmac_key_is_invalid_key_usage(kms: Any, hmac_key: dict[str, Any]) -> None:
    code, status, message = error_of(
        kms.sign, KeyId=hmac_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert message == f"{hmac_key['Arn']} key usage is GENERATE_VERIFY_MAC which is not valid for Sign."


# --- GetPublicKey ---------------------------------------------------------------------------------

def test_get_public_key_of_ecc_key_is_a_p256_subject_public_key_info(kms: Any, ecc_key: dict[str, Any]) -> None:
    answer = kms.get_public_key(KeyId=ecc_key["KeyId"])
    assert answer["KeyId"] == ecc_key["Arn"]
    assert answer["KeySpec"] == "ECC_NIST_P256"
    assert answer["KeyUsage"] == "SIGN_VERIFY"
    assert answer["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    public = serialization.load_der_public_key(answer["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == "secp256r1"


def test_get_public_key_of_rsa_key_is_a_2048_bit_subject_public_key_info(kms: Any, rsa_key: dict[str, Any]) -> None:
    answer = kms.get_public_key(KeyId=rsa_key["KeyId"])
    assert answer["KeyId"] == rsa_key["Arn"]
    assert answer["KeySpec"] == "RSA_2048"
    assert "RSASSA_PSS_SHA_256" in answer["SigningAlgorithms"]
    public = serialization.load_der_public_key(answer["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048


def test_get_public_key_is_stable_for_a_key(kms: Any, ecc_key: dict[str, Any]) -> None:
    assert kms.get_public_key(KeyId=ecc_key["KeyId"])["PublicKey"] == kms.get_public_key(KeyId=ecc_key["Arn"])["PublicKey"]


def test_get_public_key_of_a_symmetric_key_is_unsupported(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.get_public_key, KeyId=key_id)
    assert (code, status) == ("UnsupportedOperationException", 400)


# --- Sign / Verify: ECC_NIST_P256 with ECDSA_SHA_256 -------------------------------------------------

def ecc_public(kms: Any, key: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey)
    return public


def rsa_public(kms: Any, key: dict[str, Any]) -> rsa.RSAPublicKey:
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    return public


def test_ecdsa_sign_answers_a_signature_that_kms_verifies(kms: Any, ecc_key: dict[str, Any]) -> None:
    signed = kms.sign(KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")
    assert signed["KeyId"] == ecc_key["Arn"]
    assert signed["SigningAlgorithm"] == "ECDSA_SHA_256"
    verified = kms.verify(
        KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="RAW",
        Signature=signed["Signature"], SigningAlgorithm="ECDSA_SHA_256",
    )
    assert verified["SignatureValid"] is True
    assert verified["KeyId"] == ecc_key["Arn"]
    assert verified["SigningAlgorithm"] == "ECDSA_SHA_256"


def test_ecdsa_signature_verifies_with_the_public_key_offline(kms: Any, ecc_key: dict[str, Any]) -> None:
    signature = kms.sign(
        KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
    )["Signature"]
    ecc_public(kms, ecc_key).verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))


def test_ecdsa_signature_of_a_digest_verifies_offline(kms: Any, ecc_key: dict[str, Any]) -> None:
    digest = hashlib.sha256(MESSAGE).digest()
    signature = kms.sign(
        KeyId=ecc_key["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256"
    )["Signature"]
    ecc_public(kms, ecc_key).verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))
    assert kms.verify(
        KeyId=ecc_key["KeyId"], Message=digest, MessageType="DIGEST",
        Signature=signature, SigningAlgorithm="ECDSA_SHA_256",
    )["SignatureValid"] is True


def test_signature_made_offline_is_not_accepted_for_another_key(kms: Any, ecc_key: dict[str, Any]) -> None:
    foreign = ec.generate_private_key(ec.SECP256R1()).sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    code, status, _ = error_of(
        kms.verify, KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="RAW",
        Signature=foreign, SigningAlgorithm="ECDSA_SHA_256",
    )
    assert (code, status) == ("KMSInvalidSignatureException", 400)


def test_verify_of_a_tampered_message_is_invalid_signature(kms: Any, ecc_key: dict[str, Any]) -> None:
    signature = kms.sign(
        KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
    )["Signature"]
    code, status, _ = error_of(
        kms.verify, KeyId=ecc_key["KeyId"], Message=MESSAGE + b".", MessageType="RAW",
        Signature=signature, SigningAlgorithm="ECDSA_SHA_256",
    )
    assert (code, status) == ("KMSInvalidSignatureException", 400)


def test_sign_digest_of_the_wrong_length_is_rejected(kms: Any, ecc_key: dict[str, Any]) -> None:
    code, status, message = error_of(
        kms.sign, KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == "Digest is invalid length for algorithm ECDSA_SHA_256."


def test_sign_with_an_algorithm_the_key_does_not_support_is_invalid_key_usage(kms: Any, ecc_key: dict[str, Any]) -> None:
    code, status, _ = error_of(
        kms.sign, KeyId=ecc_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)


def test_sign_with_an_encryption_key_is_invalid_key_usage(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    code, status, _ = error_of(
        kms.sign, KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)


def test_sign_with_a_disabled_key_is_disabled(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    code, status, _ = error_of(
        kms.sign, KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
    )
    assert (code, status) == ("DisabledException", 400)


# --- Sign / Verify: RSA_2048 with RSASSA_PSS_SHA_256 ----------------------------------------------------

def test_rsa_pss_signature_verifies_in_kms_and_offline(kms: Any, rsa_key: dict[str, Any]) -> None:
    signed = kms.sign(KeyId=rsa_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert signed["SigningAlgorithm"] == "RSASSA_PSS_SHA_256"
    assert len(signed["Signature"]) == 256
    assert kms.verify(
        KeyId=rsa_key["KeyId"], Message=MESSAGE, MessageType="RAW",
        Signature=signed["Signature"], SigningAlgorithm="RSASSA_PSS_SHA_256",
    )["SignatureValid"] is True
    # KMS uses a salt as long as the digest (32 bytes for SHA-256).
    rsa_public(kms, rsa_key).verify(
        signed["Signature"], MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )


def test_rsa_pss_signature_of_a_digest_verifies_offline(kms: Any, rsa_key: dict[str, Any]) -> None:
    digest = hashlib.sha256(MESSAGE).digest()
    signature = kms.sign(
        KeyId=rsa_key["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )["Signature"]
    rsa_public(kms, rsa_key).verify(
        signature, digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        utils.Prehashed(hashes.SHA256()),
    )


def test_rsa_pss_signature_does_not_verify_offline_for_another_message(kms: Any, rsa_key: dict[str, Any]) -> None:
    signature = kms.sign(
        KeyId=rsa_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )["Signature"]
    with pytest.raises(InvalidSignature):
        rsa_public(kms, rsa_key).verify(
            signature, MESSAGE + b"?", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
        )


def test_rsa_verify_of_a_tampered_message_is_invalid_signature(kms: Any, rsa_key: dict[str, Any]) -> None:
    signature = kms.sign(
        KeyId=rsa_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )["Signature"]
    code, status, _ = error_of(
        kms.verify, KeyId=rsa_key["KeyId"], Message=b"tampered " + MESSAGE, MessageType="RAW",
        Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256",
    )
    assert (code, status) == ("KMSInvalidSignatureException", 400)


def test_rsa_pkcs1_signature_verifies_offline(kms: Any, rsa_key: dict[str, Any]) -> None:
    signature = kms.sign(
        KeyId=rsa_key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
    )["Signature"]
    rsa_public(kms, rsa_key).verify(signature, MESSAGE, padding.PKCS1v15(), hashes.SHA256())


# --- Ed25519 and ML-DSA signing keys ("KeySpec": ECC_NIST_EDWARDS25519 and ML_DSA_44/65/87 are
# asymmetric signing key specs; "MessageType": ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512
# requires DIGEST, EXTERNAL_MU is ML-DSA's 64-byte mu of FIPS 204). ---------------------------------

def test_an_ed25519_key_signs_pure_ed25519_that_verifies_offline(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert key["SigningAlgorithms"] == ["ED25519_SHA_512", "ED25519_PH_SHA_512"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    signature = kms.sign(
        KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ED25519_SHA_512"
    )["Signature"]
    public.verify(signature, MESSAGE)
    answer = kms.verify(
        KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ED25519_SHA_512", Signature=signature
    )
    assert answer["SignatureValid"] is True


def test_ed25519ph_signs_the_digest_it_is_given_and_refuses_a_raw_message(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    digest = hashlib.sha512(MESSAGE).digest()
    signature = kms.sign(
        KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm="ED25519_PH_SHA_512"
    )["Signature"]
    assert len(signature) == 64
    assert kms.verify(
        KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm="ED25519_PH_SHA_512", Signature=signature
    )["SignatureValid"]
    code, _, _ = error_of(
        kms.verify,
        KeyId=key_id,
        Message=hashlib.sha512(b"another").digest(),
        MessageType="DIGEST",
        SigningAlgorithm="ED25519_PH_SHA_512",
        Signature=signature,
    )
    assert code == "KMSInvalidSignatureException"
    code, status, _ = error_of(
        kms.sign, KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ED25519_PH_SHA_512"
    )
    assert (code, status) == ("ValidationException", 400)


@pytest.mark.parametrize(
    ("spec", "public_type"),
    [
        ("ML_DSA_44", mldsa.MLDSA44PublicKey),
        ("ML_DSA_65", mldsa.MLDSA65PublicKey),
        ("ML_DSA_87", mldsa.MLDSA87PublicKey),
    ],
)
def test_an_ml_dsa_key_signs_a_message_or_its_external_mu(kms: Any, spec: str, public_type: Any) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert key["SigningAlgorithms"] == ["ML_DSA_SHAKE_256"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, public_type)
    signature = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    public.verify(signature, MESSAGE)
    hasher = mldsa.MLDSAMuHasher(public)
    hasher.update(MESSAGE)
    mu = hasher.finalize()
    of_mu = kms.sign(
        KeyId=key["KeyId"], Message=mu, MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256"
    )["Signature"]
    public.verify(of_mu, MESSAGE)  # a signature over mu is the message's signature
    assert kms.verify(
        KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ML_DSA_SHAKE_256", Signature=of_mu
    )["SignatureValid"]


def test_external_mu_is_ml_dsas_alone(kms: Any, ecc_key: dict[str, Any]) -> None:
    code, status, _ = error_of(
        kms.sign,
        KeyId=ecc_key["KeyId"],
        Message=bytes(64),
        MessageType="EXTERNAL_MU",
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert (code, status) == ("ValidationException", 400)


# --- Key agreement: DeriveSharedSecret answers the raw ECDH shared secret of a KEY_AGREEMENT key and
# the peer's public key ("Announcing AWS KMS ECDH support": the same secret OpenSSL derives). -----------

@pytest.mark.parametrize(("spec", "curve"), [("ECC_NIST_P256", ec.SECP256R1), ("ECC_NIST_P384", ec.SECP384R1)])
def test_derive_shared_secret_is_the_raw_ecdh_secret_both_sides_derive(kms: Any, spec: str, curve: Any) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    assert key["KeyAgreementAlgorithms"] == ["ECDH"]
    mine = ec.generate_private_key(curve())
    mine_der = mine.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    answer = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=mine_der)
    theirs = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(theirs, ec.EllipticCurvePublicKey)
    assert answer["SharedSecret"] == mine.exchange(ec.ECDH(), theirs)
    assert (answer["KeyId"], answer["KeyAgreementAlgorithm"], answer["KeyOrigin"]) == (key["Arn"], "ECDH", "AWS_KMS")


def test_derive_shared_secret_refuses_a_key_not_for_key_agreement_and_a_bad_public_key(
    kms: Any, ecc_key: dict[str, Any]
) -> None:
    peer = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    code, status, message = error_of(
        kms.derive_shared_secret, KeyId=ecc_key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer
    )
    assert (code, status) == ("InvalidKeyUsageException", 400)
    assert message == f"{ecc_key['Arn']} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(
        kms.derive_shared_secret, KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=b"InvalidPublicKey"
    )
    assert (code, status) == ("ValidationException", 400)
