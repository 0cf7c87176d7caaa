"""The cryptography of KMS keys: symmetric ciphertext blobs, RSA encryption, signatures and MACs.

A symmetric ciphertext blob, as Encrypt and GenerateDataKey return it, names its key (account,
Region and key id) and the key material version it was sealed with, so Decrypt needs no KeyId, from
another account too (as at AWS):

    magic      4 bytes   b"PCK2"
    account   12 bytes   the key's account id, ASCII
    length     1 byte    the length of the Region's name
    region               the key's Region, ASCII
    key id    36 bytes   the key's UUID, ASCII
    version    2 bytes   big-endian index of the key material ("Versions": rotations add one)
    nonce     12 bytes
    sealed              AES-256-GCM of the plaintext, tag included; the additional data is the
                        encryption context, canonically serialized, so Decrypt must be given the
                        same context (else InvalidCiphertextException)

Blobs written before (magic b"PCK1") have no account or Region, the key id right after the magic:
they name a key of the account and Region that decrypts them, and still open.

Asymmetric keys do what their spec allows with the `cryptography` package: RSAES-OAEP
encryption, RSASSA-PSS / PKCS#1 v1.5 and ECDSA signatures (DER-encoded, as KMS returns them),
over the message or, with MessageType DIGEST, over a digest the caller made; Ed25519 (pure over
the message, Ed25519ph over a SHA-512 digest, `ed25519ph.py`) and ML-DSA (over the message, or
with MessageType EXTERNAL_MU over the caller's 64-byte mu).

A data key pair (GenerateDataKeyPair) is a fresh key pair of its own, never kept: the public key
as DER SubjectPublicKeyInfo, the private key as DER PKCS#8 (ML-KEM's in its seed form, as KMS
gives it), sealed under the symmetric key like any Encrypt plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mlkem, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.kms import ed25519ph
from pocketcloud.services.kms.keys import ECC_CURVES, RSA_SPECS, parse_key_arn, pkcs8_der, private_key
from pocketcloud.store import Scope

Params = dict[str, Any]
MAGIC = b"PCK2"
_LEGACY_MAGIC = b"PCK1"
_LEGACY_HEADER = struct.Struct(">4s36sH12s")  # magic, key id, version, nonce
_TAIL = struct.Struct(">36sH12s")  # key id, version, nonce: after the account and Region
_ACCOUNT = 12
_TAG = 16
_HASHES: dict[str, Any] = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512, "1": hashes.SHA1}
_DIGESTS = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512, "224": hashlib.sha224}


# The data key pairs pocketcloud makes, by KeyPairSpec (SM2 is China's; ML_KEM_512 the
# `cryptography` package cannot make).
_PAIR_MAKERS: dict[str, Any] = {
    **{spec: (lambda bits=bits: rsa.generate_private_key(65537, bits)) for spec, bits in RSA_SPECS.items()},
    **{spec: (lambda curve=curve: ec.generate_private_key(curve())) for spec, curve in ECC_CURVES.items()},
    "ECC_NIST_EDWARDS25519": ed25519.Ed25519PrivateKey.generate,
    "ML_KEM_768": mlkem.MLKEM768PrivateKey.generate,
    "ML_KEM_1024": mlkem.MLKEM1024PrivateKey.generate,
}
PAIR_SPECS = frozenset(_PAIR_MAKERS)


def invalid_ciphertext() -> ServiceError:
    return ServiceError("InvalidCiphertextException", "", status=400)


def _context_bytes(context: Params | None) -> bytes:
    return json.dumps(context or {}, sort_keys=True, separators=(",", ":")).encode()


def seal(doc: Params, plaintext: bytes, context: Params | None) -> bytes:
    """A ciphertext blob of `plaintext` under the key's newest material, naming the key."""
    versions = doc["Versions"]
    version = len(versions) - 1
    nonce = os.urandom(12)
    sealed = AESGCM(base64.b64decode(versions[version])).encrypt(nonce, plaintext, _context_bytes(context))
    named = parse_key_arn(doc["Arn"])
    assert named is not None, "a key document's Arn is a key ARN"
    (account, region), key_id = named
    head = MAGIC + account.encode() + bytes([len(region)]) + region.encode()
    return head + _TAIL.pack(key_id.encode(), version, nonce) + sealed


def _header(blob: bytes) -> tuple[Scope | None, str, int, bytes, int]:
    """(scope or None for a legacy blob, key id, version, nonce, where the sealed part begins) of a
    symmetric ciphertext blob; InvalidCiphertextException for anything else."""
    try:
        if blob.startswith(_LEGACY_MAGIC) and len(blob) >= _LEGACY_HEADER.size + _TAG:
            _, key_id, version, nonce = _LEGACY_HEADER.unpack_from(blob)
            return None, key_id.decode("ascii"), version, nonce, _LEGACY_HEADER.size
        if blob.startswith(MAGIC) and len(blob) > len(MAGIC) + _ACCOUNT:
            account = blob[4 : 4 + _ACCOUNT].decode("ascii")
            length = blob[4 + _ACCOUNT]
            start = 5 + _ACCOUNT + length
            if account.isdigit() and len(blob) >= start + _TAIL.size + _TAG:
                region = blob[5 + _ACCOUNT : start].decode("ascii")
                key_id, version, nonce = _TAIL.unpack_from(blob, start)
                return (account, region), key_id.decode("ascii"), version, nonce, start + _TAIL.size
    except (UnicodeDecodeError, struct.error):
        pass
    raise invalid_ciphertext()


def sealed_with(blob: bytes) -> tuple[Scope | None, str]:
    """((account, region) or None, key id) of the key a symmetric ciphertext blob was sealed with:
    None for a blob written before blobs named their key's account and Region (it names a key of
    the caller's own). InvalidCiphertextException for anything else."""
    scope, key_id, _, _, _ = _header(blob)
    return scope, key_id


def sealed_version(blob: bytes) -> int:
    """The index of the key material ("Versions") a symmetric ciphertext blob was sealed with."""
    return _header(blob)[2]


def unseal(doc: Params, blob: bytes, context: Params | None) -> bytes:
    _, _, version, nonce, start = _header(blob)
    versions = doc.get("Versions") or []
    if version >= len(versions):
        raise invalid_ciphertext()
    try:
        return AESGCM(base64.b64decode(versions[version])).decrypt(
            nonce, blob[start:], _context_bytes(context)
        )
    except InvalidTag:
        raise invalid_ciphertext() from None


def oaep_padding(algorithm: str) -> Any:
    """The RSAES-OAEP padding an algorithm named "..._SHA_1" or "..._SHA_256" names (an encryption
    algorithm, or a wrapping algorithm of imported key material)."""
    digest = _HASHES["1" if algorithm.endswith("SHA_1") else "256"]()
    return padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)


def rsa_plaintext_limit(doc: Params, algorithm: str) -> int:
    """The longest plaintext RSAES-OAEP encrypts under the key's modulus and the algorithm's hash:
    the modulus length less twice the hash length less 2 (RFC 8017), e.g. RSA_2048 with
    RSAES_OAEP_SHA_256: 190 bytes, as the Encrypt reference lists."""
    digest = 20 if algorithm.endswith("SHA_1") else 32
    return RSA_SPECS[doc["KeySpec"]] // 8 - 2 * digest - 2


def rsa_encrypt(doc: Params, plaintext: bytes, algorithm: str) -> bytes:
    return bytes(private_key(doc).public_key().encrypt(plaintext, oaep_padding(algorithm)))


def rsa_decrypt(doc: Params, blob: bytes, algorithm: str) -> bytes:
    try:
        return bytes(private_key(doc).decrypt(blob, oaep_padding(algorithm)))
    except ValueError:
        raise invalid_ciphertext() from None


def _signature_scheme(algorithm: str, digest: bool) -> tuple[Any, Any]:
    """(padding or ECDSA, hash algorithm) of a signing algorithm; the hash is Prehashed for a digest."""
    bits = algorithm.rsplit("_", 1)[-1]
    chosen = _HASHES[bits]()
    hashed = utils.Prehashed(chosen) if digest else chosen
    if algorithm.startswith("RSASSA_PSS"):
        return padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size), hashed
    if algorithm.startswith("RSASSA_PKCS1"):
        return padding.PKCS1v15(), hashed
    return ec.ECDSA(hashed), None


def sign(doc: Params, message: bytes, algorithm: str, message_type: str) -> bytes:
    """The signature KMS answers: DER for ECDSA; Ed25519's and ML-DSA's raw (RFC 8032, FIPS 204).
    `message_type` is Sign's MessageType (RAW, DIGEST, or EXTERNAL_MU for ML-DSA's mu)."""
    key = private_key(doc)
    if algorithm == "ED25519_SHA_512":
        return bytes(key.sign(message))
    if algorithm == "ED25519_PH_SHA_512":  # over the caller's digest, which KMS prehashes again
        return ed25519ph.sign(key.private_bytes_raw(), message)
    if algorithm == "ML_DSA_SHAKE_256":
        return bytes(key.sign_mu(message) if message_type == "EXTERNAL_MU" else key.sign(message))
    scheme, hashed = _signature_scheme(algorithm, message_type == "DIGEST")
    if hashed is None:
        return bytes(key.sign(message, scheme))
    return bytes(key.sign(message, scheme, hashed))


def verify(doc: Params, message: bytes, signature: bytes, algorithm: str, message_type: str) -> bool:
    public = private_key(doc).public_key()
    try:
        if algorithm == "ED25519_PH_SHA_512":
            return ed25519ph.verify(public.public_bytes_raw(), message, signature)
        if algorithm == "ED25519_SHA_512":
            public.verify(signature, message)
        elif algorithm == "ML_DSA_SHAKE_256":
            if message_type == "EXTERNAL_MU":
                public.verify_mu(signature, message)
            else:
                public.verify(signature, message)
        else:
            scheme, hashed = _signature_scheme(algorithm, message_type == "DIGEST")
            if hashed is None:
                public.verify(signature, message, scheme)
            else:
                public.verify(signature, message, scheme, hashed)
    except (InvalidSignature, ValueError):
        return False
    return True


def shared_secret(doc: Params, peer_der: bytes) -> bytes | None:
    """The raw ECDH shared secret of the key's private key and a peer's public key (DER
    SubjectPublicKeyInfo) on the same curve, as DeriveSharedSecret answers it (no key derivation
    function is applied); None if the peer key is not such a key."""
    private = private_key(doc)
    try:
        peer = serialization.load_der_public_key(peer_der)
    except (ValueError, UnsupportedAlgorithm):
        return None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private.curve.name:
        return None
    return bytes(private.exchange(ec.ECDH(), peer))


def encapsulate(doc: Params) -> tuple[bytes, bytes]:
    """(shared secret, its ciphertext) under the ML-KEM key's public key."""
    secret, ciphertext = private_key(doc).public_key().encapsulate()
    return bytes(secret), bytes(ciphertext)


def decapsulate(doc: Params, ciphertext: bytes) -> bytes | None:
    """The shared secret an ML-KEM ciphertext holds; None if its length does not fit the key spec. Any
    other ciphertext gives a pseudo-random secret (FIPS 203's implicit rejection), as KMS answers."""
    try:
        return bytes(private_key(doc).decapsulate(ciphertext))
    except ValueError:
        return None


def digest_size(algorithm: str) -> int:
    """The length of the digest a signing algorithm signs (MessageType DIGEST must be that long)."""
    return int(_DIGESTS[algorithm.rsplit("_", 1)[-1]]().digest_size)


def mac(doc: Params, message: bytes, algorithm: str) -> bytes:
    return hmac.new(base64.b64decode(doc["Secret"]), message, _DIGESTS[algorithm.rsplit("_", 1)[-1]]).digest()


def new_key_pair(spec: str) -> tuple[bytes, bytes]:
    """(private key as DER PKCS#8, public key as DER SubjectPublicKeyInfo) of a new key pair of `spec`."""
    private = _PAIR_MAKERS[spec]()
    return (
        pkcs8_der(private),
        bytes(
            private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        ),
    )
