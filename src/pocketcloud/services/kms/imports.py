"""KMS keys with imported key material (Origin EXTERNAL): GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial, and the expiry of imported material ("Importing key material" in the KMS
Developer Guide).

A key made with Origin EXTERNAL has no material and is PendingImport: every cryptographic operation
refuses it (KMSInvalidStateException, "<arn> is pending import."). GetParametersForImport makes an RSA
wrapping key pair of the WrappingKeySpec and an import token naming it: a document of `kms/imports`
under "<key id>/<token id>" holding the wrapping private key, the algorithm and the 24 hours it is
valid for; the answer is the public key (DER SubjectPublicKeyInfo) and the token (opaque bytes
naming the document). ImportKeyMaterial unwraps the material with that private key (RSAES-OAEP, or
for RSA_AES_KEY_WRAP the OAEP-wrapped AES key followed by the material AES-key-wrapped with padding,
RFC 5649), checks it fits the key spec, and keeps it where the key's own would be (`keys.py`): a
symmetric key's one version, an HMAC key's secret, an asymmetric key's PKCS#8 private key. So a
ciphertext of imported material is the same blob format as any other key's, and opens only under
the key it names.

Each import stores the material's id (one-way, `keys.material_digest`, as a KeyMaterialId is), so
a reimport after the material was deleted or expired must bring the same material
(IncorrectKeyMaterialException otherwise). DeleteImportedKeyMaterial, and material whose ValidTo
has passed (checked whenever the key is looked up, `KmsBase._expired`), drop the material and leave
the key PendingImport (a key pending deletion stays so).

Not modelled: more than one material per key (ImportType NEW_KEY_MATERIAL on a key that already
has material, and the on-demand rotation to it), SM2 wrapping (China Regions), multi-Region keys.
"""

from __future__ import annotations

import base64
import os
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.kms.base import KmsBase, unsupported, validation
from pocketcloud.services.kms.crypto import invalid_ciphertext, oaep_padding
from pocketcloud.services.kms.keys import (
    ECC_CURVES,
    EDWARDS25519,
    EXTERNAL,
    HMAC_SPECS,
    MATERIAL_FIELDS,
    ML_DSA_SPECS,
    PENDING_IMPORT,
    RSA_SPECS,
    SYMMETRIC,
    drop_material,
    material_digest,
    now,
    pkcs8_der,
)
from pocketcloud.store import Scope

Params = dict[str, Any]
TOKEN_MAGIC = b"PCKIT1"
_TOKEN_ID_BYTES = 24  # the random id after TOKEN_MAGIC that names the import parameters
PARAMETERS_VALID = timedelta(hours=24)
MAX_VALID_TO = timedelta(days=365)
_WRAPPING_ALGORITHMS = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")
# How long imported HMAC material may be, per key spec ("Requirements for imported key material").
_HMAC_LENGTHS = {"HMAC_224": (28, 64), "HMAC_256": (32, 64), "HMAC_384": (48, 128), "HMAC_512": (64, 128)}


def invalid_import_token() -> ServiceError:
    return ServiceError(
        "InvalidImportTokenException",
        "The import token is invalid or is associated with a different KMS key.",
        status=400,
    )


def incorrect_material() -> ServiceError:
    return ServiceError(
        "IncorrectKeyMaterialException",
        "The key material in the request is, expired, invalid, or is not the same key material that was "
        "previously imported into this KMS key.",
        status=400,
    )


def unwrap(private_der: bytes, algorithm: str, wrapped: bytes) -> bytes:
    """The key material `wrapped` under the wrapping key: RSAES-OAEP of the material, or (RSA_AES_KEY_WRAP)
    RSAES-OAEP of an AES key followed by the material wrapped with it (RFC 5649). InvalidCiphertextException
    for anything that does not unwrap."""
    private = serialization.load_der_private_key(private_der, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    try:
        if algorithm.startswith("RSAES_OAEP"):
            return bytes(private.decrypt(wrapped, oaep_padding(algorithm)))
        size = private.key_size // 8
        aes_key = private.decrypt(wrapped[:size], oaep_padding(algorithm))
        return bytes(keywrap.aes_key_unwrap_with_padding(aes_key, wrapped[size:]))
    except (ValueError, keywrap.InvalidUnwrap):
        raise invalid_ciphertext() from None


def _private_key_of_spec(spec: str, material: bytes) -> bytes | None:
    """Canonical PKCS#8 DER of asymmetric material of the key spec, or None if it is not such a key."""
    try:
        key = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    fits = (
        (spec in RSA_SPECS and isinstance(key, rsa.RSAPrivateKey) and key.key_size == RSA_SPECS[spec])
        or (spec in ECC_CURVES and isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == ECC_CURVES[spec].name)
        or (spec == EDWARDS25519 and isinstance(key, ed25519.Ed25519PrivateKey))
        or (spec in ML_DSA_SPECS and isinstance(key, ML_DSA_SPECS[spec]))
    )
    if not fits:
        return None
    return pkcs8_der(key)


def material_fields(spec: str, material: bytes) -> Params:
    """The key document's fields holding `material` for a key of `spec` (`keys.new_material`'s shape);
    IncorrectKeyMaterialException if the material does not fit the spec (a symmetric key takes 256 bits)."""
    if spec == SYMMETRIC:
        if len(material) != 32:
            raise incorrect_material()
        return {"Versions": [base64.b64encode(material).decode()]}
    if spec in HMAC_SPECS:
        low, high = _HMAC_LENGTHS[spec]
        if not low <= len(material) <= high:
            raise incorrect_material()
        return {"Secret": base64.b64encode(material).decode()}
    der = _private_key_of_spec(spec, material)
    if der is None:
        raise incorrect_material()
    return {"PrivateKey": base64.b64encode(der).decode()}


class ImportOperations(KmsBase):
    def _external_key(self, ctx: RequestContext, key_id: str) -> tuple[Scope, Params]:
        """A key of the caller's own account whose material is imported (UnsupportedOperationException
        for any other origin, as AWS words it)."""
        scope, doc = self._own_key(ctx, key_id)
        origin = doc.get("Origin") or "AWS_KMS"
        if origin != EXTERNAL:
            raise unsupported(f"{doc['Arn']} origin is {origin} which is not valid for this operation.")
        return scope, doc

    def GetParametersForImport(self, ctx: RequestContext, p: Params) -> Params:
        algorithm, spec = p["WrappingAlgorithm"], p["WrappingKeySpec"]
        scope, doc = self._external_key(ctx, p["KeyId"])
        self._not_pending_deletion(doc)
        if algorithm == "RSAES_PKCS1_V1_5":
            raise unsupported("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.")
        if "SM2" in (algorithm + spec):
            raise unsupported(f"WrappingKeySpec {spec} and WrappingAlgorithm {algorithm} are not supported in this Region.")
        if algorithm not in _WRAPPING_ALGORITHMS or spec not in RSA_SPECS:
            raise validation(f"WrappingAlgorithm {algorithm} is not compatible with WrappingKeySpec {spec}.")
        if doc["KeySpec"] in RSA_SPECS and not algorithm.startswith("RSA_AES_KEY_WRAP"):
            # "To import an RSA private key, you must use an RSA_AES wrapping algorithm."
            raise validation(f"WrappingAlgorithm {algorithm} cannot wrap key material of key spec {doc['KeySpec']}.")
        wrapping = rsa.generate_private_key(public_exponent=65537, key_size=RSA_SPECS[spec])
        token_id = os.urandom(_TOKEN_ID_BYTES)
        valid_to = now() + PARAMETERS_VALID
        with self.store.transaction():
            self._drop_expired_parameters(scope, doc["KeyId"])
            private_der = pkcs8_der(wrapping)
            self.imports.put(
                scope,
                f"{doc['KeyId']}/{token_id.hex()}",
                {
                    "KeyId": doc["KeyId"],
                    "WrappingAlgorithm": algorithm,
                    "WrappingKeySpec": spec,
                    "PrivateKey": base64.b64encode(private_der).decode(),
                    "ValidTo": valid_to.isoformat(),
                },
            )
        public = wrapping.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "KeyId": doc["Arn"],
            "ImportToken": TOKEN_MAGIC + token_id,
            "PublicKey": public,
            "ParametersValidTo": valid_to,
        }

    def _drop_expired_parameters(self, scope: Scope, key_id: str) -> None:
        """Forget the key's import parameters (wrapping private keys) whose 24 hours are over."""
        for name, stale in self.imports.scan(scope, prefix=key_id + "/"):
            if to_datetime(stale["ValidTo"]) <= now():
                self.imports.delete(scope, name)

    def _token(self, scope: Scope, doc: Params, token: bytes) -> Params:
        """The import parameters an ImportToken names, for this key, still valid."""
        if not token.startswith(TOKEN_MAGIC) or len(token) != len(TOKEN_MAGIC) + _TOKEN_ID_BYTES:
            raise invalid_import_token()
        found = self.imports.get(scope, f"{doc['KeyId']}/{token[len(TOKEN_MAGIC):].hex()}")
        if found is None:
            raise invalid_import_token()
        if to_datetime(found["ValidTo"]) <= now():
            raise ServiceError(
                "ExpiredImportTokenException",
                "The import token has expired. Use GetParametersForImport to get a new import token and public key.",
                status=400,
            )
        return found

    @staticmethod
    def _expiration(p: Params) -> tuple[str, datetime | None]:
        model = p.get("ExpirationModel") or "KEY_MATERIAL_EXPIRES"
        valid_to = p.get("ValidTo")
        if model == "KEY_MATERIAL_EXPIRES":
            if valid_to is None:
                raise validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
            moment = to_datetime(valid_to)
            if moment <= now():
                raise validation("The ValidTo date must be in the future.")
            if moment > now() + MAX_VALID_TO:
                raise validation("The ValidTo date must be no more than 365 days from the current time.")
            return model, moment
        if valid_to is not None:
            raise validation("ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
        return model, None

    def ImportKeyMaterial(self, ctx: RequestContext, p: Params) -> Params:
        scope, doc = self._external_key(ctx, p["KeyId"])
        self._not_pending_deletion(doc)
        symmetric = doc["KeySpec"] == SYMMETRIC
        import_type = p.get("ImportType")
        if (import_type or p.get("KeyMaterialId") or p.get("KeyMaterialDescription")) and not symmetric:
            raise validation("ImportType, KeyMaterialId and KeyMaterialDescription apply to symmetric encryption keys only.")
        if import_type == "NEW_KEY_MATERIAL" and doc.get("ImportedMaterialId"):
            raise unsupported("Importing a second key material into a KMS key is not supported by pocketcloud.")
        if import_type == "EXISTING_KEY_MATERIAL" and not doc.get("ImportedMaterialId"):
            raise incorrect_material()
        model, valid_to = self._expiration(p)
        parameters = self._token(scope, doc, p["ImportToken"])
        material = unwrap(base64.b64decode(parameters["PrivateKey"]), parameters["WrappingAlgorithm"], p["EncryptedKeyMaterial"])
        fields = material_fields(doc["KeySpec"], material)
        digest = material_digest(doc["KeyId"], material)
        if p.get("KeyMaterialId") not in (None, digest):
            raise incorrect_material()
        with self.store.transaction():
            scope, doc = self._external_key(ctx, p["KeyId"])
            if doc.get("ImportedMaterialId") not in (None, digest):  # a reimport brings the same material
                raise incorrect_material()
            for field in MATERIAL_FIELDS:
                doc.pop(field, None)
            doc.update(fields)
            doc["ImportedMaterialId"] = digest
            doc["ExpirationModel"] = model
            if valid_to is None:
                doc.pop("ValidTo", None)
            else:
                doc["ValidTo"] = valid_to.isoformat()
            if doc["KeyState"] == PENDING_IMPORT:
                doc["KeyState"] = "Enabled"
            self._put(scope, doc)
            self._drop_expired_parameters(scope, doc["KeyId"])
        out: Params = {"KeyId": doc["Arn"]}
        if symmetric:
            out["KeyMaterialId"] = digest
        return out

    def DeleteImportedKeyMaterial(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._external_key(ctx, p["KeyId"])
            material_id = p.get("KeyMaterialId")
            if material_id is not None and material_id != doc.get("ImportedMaterialId"):
                raise validation(f"Key material {material_id} is not associated with {doc['Arn']}.")
            drop_material(doc)
            self._put(scope, doc)
        out: Params = {"KeyId": doc["Arn"]}
        if doc["KeySpec"] == SYMMETRIC and doc.get("ImportedMaterialId"):
            out["KeyMaterialId"] = doc["ImportedMaterialId"]
        return out
