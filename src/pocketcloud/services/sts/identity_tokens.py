"""GetWebIdentityToken's JSON Web Tokens: the signing keys, the token, and the issuer's OIDC
discovery documents.

The server makes one key pair per algorithm STS offers (RS256: RSA 2048 with SHA-256; ES384:
ECDSA on P-384 with SHA-384) the first time it needs it and keeps it in the store (`sts`
collection `signing_keys`, scope ("", ""), key = the algorithm → {"Pem", "Kid"}), so tokens
issued before a restart still verify after it. Every account's issuer publishes the same keys;
a key's `kid` is its RFC 7638 thumbprint.

The issuer URL (IAM's `outbound_federation.py`) is `<endpoint>/_pocketcloud/issuers/<id>`; its
`/.well-known/openid-configuration` and `/.well-known/jwks.json` are answered by `issuer_document`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from pocketcloud.store import Collection

ALGORITHMS = ("RS256", "ES384")
CLAIMS_NAMESPACE = "https://sts.amazonaws.com/"
_GLOBAL = ("", "")
_P384_BYTES = 48


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(value: int, length: int | None = None) -> str:
    return _b64(value.to_bytes(length or (value.bit_length() + 7) // 8, "big"))


def compact_json(value: Any) -> bytes:
    """JSON without spaces, as UTF-8: a token's header and claims as signed (and as STS's size limit counts them)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _public_jwk(key: Any) -> dict[str, str]:
    """The public half of a key as a JWK, with only the members RFC 7638's thumbprint hashes."""
    numbers = key.public_key().public_numbers()
    if isinstance(key, rsa.RSAPrivateKey):
        return {"e": _uint(numbers.e), "kty": "RSA", "n": _uint(numbers.n)}
    return {
        "crv": "P-384",
        "kty": "EC",
        "x": _uint(numbers.x, _P384_BYTES),
        "y": _uint(numbers.y, _P384_BYTES),
    }


def _thumbprint(jwk: dict[str, str]) -> str:
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    return _b64(hashlib.sha256(canonical).digest())


class SigningKeys:
    """The server's token signing keys, made once and kept in the store."""

    def __init__(self, keys: Collection) -> None:
        self._keys = keys
        self._loaded: dict[str, tuple[Any, str]] = {}

    def key(self, algorithm: str) -> tuple[Any, str]:
        """(private key, kid) for `algorithm`, made and stored on first use."""
        loaded = self._loaded.get(algorithm)
        if loaded is not None:
            return loaded
        doc = self._keys.get(_GLOBAL, algorithm)
        if doc is None:
            private: Any = (
                rsa.generate_private_key(public_exponent=65537, key_size=2048)
                if algorithm == "RS256"
                else ec.generate_private_key(ec.SECP384R1())
            )
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
            # Two first calls at once: the one stored first wins, and both sign with it.
            self._keys.insert(_GLOBAL, algorithm, {"Pem": pem, "Kid": _thumbprint(_public_jwk(private))})
            doc = self._keys.get(_GLOBAL, algorithm)
            assert doc is not None
        private = serialization.load_pem_private_key(doc["Pem"].encode(), password=None)
        loaded = self._loaded[algorithm] = (private, str(doc["Kid"]))
        return loaded

    def forget(self) -> None:
        """Drop the keys held in memory (the store was reset: new keys will be made)."""
        self._loaded.clear()

    def jwks(self) -> dict[str, Any]:
        keys = []
        for algorithm in ALGORITHMS:
            private, kid = self.key(algorithm)
            keys.append({**_public_jwk(private), "kid": kid, "alg": algorithm, "use": "sig"})
        return {"keys": keys}

    def sign(self, algorithm: str, claims: dict[str, Any]) -> str:
        """The compact JWS of `claims`, signed with the server's key for `algorithm`."""
        private, kid = self.key(algorithm)
        header = {"alg": algorithm, "kid": kid, "typ": "JWT"}
        encoded = [compact_json(part) for part in (header, claims)]
        signing_input = ".".join(_b64(part) for part in encoded).encode()
        if algorithm == "RS256":
            signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            # JWS wants ECDSA's (r, s) as two fixed-size big-endian integers, not DER (RFC 7518 3.4).
            r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA384())))
            signature = r.to_bytes(_P384_BYTES, "big") + s.to_bytes(_P384_BYTES, "big")
        return f"{signing_input.decode()}.{_b64(signature)}"


def discovery_document(issuer: str) -> dict[str, Any]:
    """The issuer's OpenID Connect discovery document (OpenID Connect Discovery 1.0, section 3)."""
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(ALGORITHMS),
        "scopes_supported": ["openid"],
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "jti", CLAIMS_NAMESPACE],
    }
