"""SigV4a: Signature Version 4 with an ECDSA P-256 key, as the AWS SDKs sign with it (the AWS
Common Runtime's signer: boto3 with signature_version="s3v4a", the SDK for Java's
DefaultAwsCrtS3V4aSigner).

The request is made canonical exactly as for SigV4; the string to sign names the algorithm
AWS4-ECDSA-P256-SHA256 and a credential scope without a Region (date/service/aws4_request), and the
Regions the signature is good for travel in the signed X-Amz-Region-Set header ("us-west-2",
"us-*", "*"). The signature is the hex DER of an ECDSA signature over the SHA-256 of the string to
sign, made with a key the signer derives from the secret access key (NIST SP 800-108 in counter
mode, one HMAC-SHA256 block, as the Common Runtime does), so anyone holding the secret derives the
same key and checks the signature with its public half.
"""

from __future__ import annotations

import hmac
import re
import struct
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ECDSA_ALGORITHM = "AWS4-ECDSA-P256-SHA256"
REGION_SET = "x-amz-region-set"
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_LABEL = ECDSA_ALGORITHM.encode()
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


class EcdsaKey:
    """The public key of a secret access key's SigV4a key pair: it checks signatures, it makes none."""

    __slots__ = ("_public",)
    algorithm = ECDSA_ALGORITHM

    def __init__(self, public: ec.EllipticCurvePublicKey) -> None:
        self._public = public

    def verify(self, string_to_sign: str, provided: bytes) -> bool:
        try:
            signature = bytes.fromhex(provided.decode("ascii"))
            self._public.verify(signature, string_to_sign.encode("utf-8"), _ECDSA_SHA256)
        except (ValueError, UnicodeDecodeError, InvalidSignature):
            return False
        return True


@lru_cache(maxsize=1024)
def ecdsa_key(access_key_id: str, secret: str) -> EcdsaKey:
    """The SigV4a key of a credential: the first of HMAC-SHA256("AWS4A" + secret, 1 | label | 0 |
    access key id | counter | 256) for counter = 1, 2, ... that is below the curve's order minus one,
    plus one, is the private scalar."""
    key = ("AWS4A" + secret).encode("utf-8")
    for counter in range(1, 256):
        fixed = (
            struct.pack(">I", 1)
            + _LABEL
            + b"\x00"
            + access_key_id.encode("utf-8")
            + bytes([counter])
            + struct.pack(">I", 256)
        )
        candidate = int.from_bytes(hmac.digest(key, fixed, "sha256"), "big")
        if candidate <= _P256_ORDER - 2:
            return EcdsaKey(ec.derive_private_key(candidate + 1, ec.SECP256R1()).public_key())
    raise ValueError("no SigV4a key for this credential")  # 255 misses in a row: never, in practice


def region_set(value: str) -> tuple[str, ...]:
    """The Regions of an X-Amz-Region-Set value ("us-west-2,us-east-1", "us-*", "*")."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def covers(regions: tuple[str, ...], region: str) -> bool:
    """Whether a signature for `regions` is good in `region` ("*" the one wildcard, as in "us-*")."""
    return any(_pattern(entry).fullmatch(region) is not None for entry in regions)


@lru_cache(maxsize=256)
def _pattern(entry: str) -> re.Pattern[str]:
    return re.compile(".*".join(map(re.escape, entry.split("*"))))


def single_region(regions: tuple[str, ...]) -> str | None:
    """The one Region a region set names, if it names exactly one and no wildcard."""
    return regions[0] if len(regions) == 1 and "*" not in regions[0] else None


def region_in(regions: tuple[str, ...], default: str) -> str | None:
    """The Region a request signed for `regions` acts in, one endpoint serving them all: the set's one
    Region, else `default` if the set takes it, else the first Region it names plainly; None when it
    names none this endpoint can stand for ("eu-*" without the default in it)."""
    if covers(regions, default):
        return single_region(regions) or default
    return next((entry for entry in regions if "*" not in entry), None)
