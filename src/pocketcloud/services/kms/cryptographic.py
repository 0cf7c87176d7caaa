"""KMS's cryptographic operations: Encrypt, Decrypt, ReEncrypt, data keys, random bytes, MACs,
signatures and public keys (the cryptography itself is in `crypto.py`)."""

from __future__ import annotations

import hmac
import os
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.kms import conditions, crypto
from pocketcloud.services.kms.base import KmsBase, invalid_usage, unsupported, validation
from pocketcloud.services.kms.custom_key_stores import refuse_named_store
from pocketcloud.services.kms.keys import SYMMETRIC, material_id, public_key_der, usable

Params = dict[str, Any]
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}
# The message types of the signing algorithms that do not take both RAW and DIGEST ("MessageType").
_MESSAGE_TYPES = {
    "ED25519_SHA_512": ("RAW",),
    "ED25519_PH_SHA_512": ("DIGEST",),
    "ML_DSA_SHAKE_256": ("RAW", "EXTERNAL_MU"),
}


class CryptographicOperations(KmsBase):
    def Encrypt(self, ctx: RequestContext, p: Params) -> Params:
        _, doc = self._usable(ctx, p["KeyId"], "ENCRYPT_DECRYPT")
        algorithm = p.get("EncryptionAlgorithm") or SYMMETRIC
        self._check_algorithm(doc, "EncryptionAlgorithms", algorithm)
        if algorithm == SYMMETRIC:
            blob = crypto.seal(doc, p["Plaintext"], p.get("EncryptionContext"))
        else:
            limit = crypto.rsa_plaintext_limit(doc, algorithm)
            if len(p["Plaintext"]) > limit:
                raise validation(
                    f"Algorithm {algorithm} and key spec {doc['KeySpec']} cannot encrypt data larger than "
                    f"{limit} bytes."
                )
            blob = crypto.rsa_encrypt(doc, p["Plaintext"], algorithm)
        return {"CiphertextBlob": blob, "KeyId": doc["Arn"], "EncryptionAlgorithm": algorithm}

    def _check_algorithm(self, doc: Params, member: str, algorithm: str) -> None:
        if algorithm not in (doc.get(member) or ()):
            raise invalid_usage(f"Algorithm {algorithm} is incompatible with key spec {doc['KeySpec']}.")

    def _open(
        self,
        ctx: RequestContext,
        blob: bytes | None,
        context: Params | None,
        key_id: str | None,
        algorithm: str | None,
    ) -> tuple[Params, bytes, str]:
        """(key document, plaintext, algorithm) of a ciphertext blob."""
        if blob is None:  # optional in the model (a Recipient's Decrypt), required by the service
            raise validation(
                "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: "
                "Member must not be null"
            )
        algorithm = algorithm or SYMMETRIC
        if algorithm != SYMMETRIC:
            if not key_id:
                raise validation("KeyId is required for asymmetric decryption")
            _, doc = self._usable(ctx, key_id, "ENCRYPT_DECRYPT")
            self._check_algorithm(doc, "EncryptionAlgorithms", algorithm)
            return doc, crypto.rsa_decrypt(doc, blob, algorithm), algorithm
        found = self._sealing_key(ctx, blob)
        if key_id:
            named = self._key(ctx, key_id)
            if found is None or (named[0], named[1]["KeyId"]) != (found[0], found[1]["KeyId"]):
                raise ServiceError(
                    "IncorrectKeyException",
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                    status=400,
                )
        if found is None:
            raise crypto.invalid_ciphertext()
        doc = found[1]
        usable(doc)
        return doc, crypto.unseal(doc, blob, context), algorithm

    def Decrypt(self, ctx: RequestContext, p: Params) -> Params:
        doc, plaintext, algorithm = self._open(
            ctx,
            p.get("CiphertextBlob"),
            p.get("EncryptionContext"),
            p.get("KeyId"),
            p.get("EncryptionAlgorithm"),
        )
        out = {"KeyId": doc["Arn"], "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        if algorithm == SYMMETRIC:  # "present only when the operation uses a symmetric encryption KMS key"
            out["KeyMaterialId"] = _sealing_material(doc, p["CiphertextBlob"])
        return out

    def ReEncrypt(self, ctx: RequestContext, p: Params) -> Params:
        """kms:ReEncryptFrom on the source key is the request chain's check (the key the ciphertext
        or SourceKeyId names); kms:ReEncryptTo on the destination key, under its own key policy and
        grants, is made here, before anything is decrypted."""
        destination = self._key(ctx, p["DestinationKeyId"])
        request: Params = {
            "kms:EncryptionAlgorithm": p.get("DestinationEncryptionAlgorithm") or SYMMETRIC,
            "kms:ReEncryptOnSameKey": "false",
        }
        alias = conditions.alias_name(p["DestinationKeyId"])
        if alias is not None:
            request["kms:RequestAlias"] = alias
        source_key = self._source_key(ctx, p.get("SourceKeyId"), p.get("CiphertextBlob"))
        if source_key is not None and source_key[1]["Arn"] == destination[1]["Arn"]:
            request["kms:ReEncryptOnSameKey"] = "true"
        self.authorize_on_key(
            ctx,
            "kms:ReEncryptTo",
            *destination,
            encryption_context=p.get("DestinationEncryptionContext"),
            request=request,
        )
        source, plaintext, source_algorithm = self._open(
            ctx,
            p.get("CiphertextBlob"),
            p.get("SourceEncryptionContext"),
            p.get("SourceKeyId"),
            p.get("SourceEncryptionAlgorithm"),
        )
        encrypted = self.Encrypt(
            ctx,
            {
                "KeyId": p["DestinationKeyId"],
                "Plaintext": plaintext,
                "EncryptionContext": p.get("DestinationEncryptionContext"),
                "EncryptionAlgorithm": p.get("DestinationEncryptionAlgorithm"),
            },
        )
        out = {
            "CiphertextBlob": encrypted["CiphertextBlob"],
            "SourceKeyId": source["Arn"],
            "KeyId": encrypted["KeyId"],
            "SourceEncryptionAlgorithm": source_algorithm,
            "DestinationEncryptionAlgorithm": encrypted["EncryptionAlgorithm"],
        }
        if source_algorithm == SYMMETRIC:
            out["SourceKeyMaterialId"] = _sealing_material(source, p["CiphertextBlob"])
        if encrypted["EncryptionAlgorithm"] == SYMMETRIC:
            out["DestinationKeyMaterialId"] = _sealing_material(destination[1], encrypted["CiphertextBlob"])
        return out

    def _symmetric(self, ctx: RequestContext, key_id: str) -> Params:
        """The symmetric encryption key that seals a data key (an asymmetric ENCRYPT_DECRYPT key does not)."""
        _, doc = self._usable(ctx, key_id, "ENCRYPT_DECRYPT")
        if doc["KeySpec"] != SYMMETRIC:
            raise invalid_usage(
                f"{doc['Arn']} key usage is ENCRYPT_DECRYPT but its key spec is not SYMMETRIC_DEFAULT."
            )
        return doc

    def _data_key(self, ctx: RequestContext, p: Params) -> Params:
        if ("KeySpec" in p) == ("NumberOfBytes" in p):
            raise validation("Please specify either number of bytes or key spec.")
        doc = self._symmetric(ctx, p["KeyId"])
        plaintext = os.urandom(_DATA_KEY_BYTES[p["KeySpec"]] if "KeySpec" in p else p["NumberOfBytes"])
        blob = crypto.seal(doc, plaintext, p.get("EncryptionContext"))
        return {
            "CiphertextBlob": blob,
            "Plaintext": plaintext,
            "KeyId": doc["Arn"],
            "KeyMaterialId": _sealing_material(doc, blob),
        }

    def GenerateDataKey(self, ctx: RequestContext, p: Params) -> Params:
        return self._data_key(ctx, p)

    def GenerateDataKeyWithoutPlaintext(self, ctx: RequestContext, p: Params) -> Params:
        out = self._data_key(ctx, p)
        del out["Plaintext"]
        return out

    def _data_key_pair(self, ctx: RequestContext, p: Params) -> Params:
        """A new key pair of KeyPairSpec, its private key sealed under the symmetric key exactly as
        Encrypt seals a plaintext (so Decrypt, under the same encryption context, answers it)."""
        spec = p["KeyPairSpec"]
        china = ctx.region.startswith("cn-")
        if (spec == "SM2" and not china) or (spec.startswith("ML_KEM_") and china):
            raise unsupported(f"KeyPairSpec {spec} is not supported in this Region.")
        if spec not in crypto.PAIR_SPECS:
            raise unsupported(f"KeyPairSpec {spec} is not supported by pocketcloud.")
        doc = self._symmetric(ctx, p["KeyId"])
        private, public = crypto.new_key_pair(spec)
        sealed = crypto.seal(doc, private, p.get("EncryptionContext"))
        return {
            "PrivateKeyCiphertextBlob": sealed,
            "PrivateKeyPlaintext": private,
            "PublicKey": public,
            "KeyId": doc["Arn"],
            "KeyPairSpec": spec,
            "KeyMaterialId": _sealing_material(doc, sealed),
        }

    def GenerateDataKeyPair(self, ctx: RequestContext, p: Params) -> Params:
        return self._data_key_pair(ctx, p)

    def GenerateDataKeyPairWithoutPlaintext(self, ctx: RequestContext, p: Params) -> Params:
        out = self._data_key_pair(ctx, p)
        del out["PrivateKeyPlaintext"]
        return out

    def GenerateRandom(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("NumberOfBytes") is None:
            raise validation("NumberOfBytes is required.")
        refuse_named_store(p)
        return {"Plaintext": os.urandom(p["NumberOfBytes"])}

    def GenerateMac(self, ctx: RequestContext, p: Params) -> Params:
        _, doc = self._usable(ctx, p["KeyId"], "GENERATE_VERIFY_MAC")
        self._check_algorithm(doc, "MacAlgorithms", p["MacAlgorithm"])
        return {
            "Mac": crypto.mac(doc, p["Message"], p["MacAlgorithm"]),
            "MacAlgorithm": p["MacAlgorithm"],
            "KeyId": doc["Arn"],
        }

    def VerifyMac(self, ctx: RequestContext, p: Params) -> Params:
        made = self.GenerateMac(ctx, p)["Mac"]
        if not hmac.compare_digest(made, p["Mac"]):
            raise ServiceError("KMSInvalidMacException", "", status=400)
        return {
            "KeyId": self._key(ctx, p["KeyId"])[1]["Arn"],
            "MacValid": True,
            "MacAlgorithm": p["MacAlgorithm"],
        }

    def _signing(self, ctx: RequestContext, p: Params) -> tuple[Params, str]:
        """(key, MessageType) of a Sign or Verify: the message types its algorithm takes ("MessageType":
        ED25519_SHA_512 takes RAW only, ED25519_PH_SHA_512 DIGEST only, EXTERNAL_MU is ML-DSA's), a
        digest as long as the algorithm's hash and a mu of 64 bytes."""
        _, doc = self._usable(ctx, p["KeyId"], "SIGN_VERIFY")
        algorithm = p["SigningAlgorithm"]
        self._check_algorithm(doc, "SigningAlgorithms", algorithm)
        message_type = p.get("MessageType") or "RAW"
        allowed = _MESSAGE_TYPES.get(algorithm, ("RAW", "DIGEST"))
        if message_type not in allowed:
            raise validation(
                f"MessageType {message_type} is not valid for signing algorithm {algorithm}; "
                f"use {' or '.join(allowed)}."
            )
        if message_type == "DIGEST" and len(p["Message"]) != crypto.digest_size(algorithm):
            raise validation("Digest is invalid length for algorithm " + algorithm + ".")
        if message_type == "EXTERNAL_MU" and len(p["Message"]) != 64:
            raise validation("External mu must be 64 bytes long for algorithm " + algorithm + ".")
        return doc, message_type

    def Sign(self, ctx: RequestContext, p: Params) -> Params:
        doc, message_type = self._signing(ctx, p)
        signature = crypto.sign(doc, p["Message"], p["SigningAlgorithm"], message_type)
        return {"KeyId": doc["Arn"], "Signature": signature, "SigningAlgorithm": p["SigningAlgorithm"]}

    def Verify(self, ctx: RequestContext, p: Params) -> Params:
        doc, message_type = self._signing(ctx, p)
        if not crypto.verify(doc, p["Message"], p["Signature"], p["SigningAlgorithm"], message_type):
            raise ServiceError("KMSInvalidSignatureException", "", status=400)
        return {"KeyId": doc["Arn"], "SignatureValid": True, "SigningAlgorithm": p["SigningAlgorithm"]}

    def DeriveSharedSecret(self, ctx: RequestContext, p: Params) -> Params:
        """The raw ECDH shared secret of a KEY_AGREEMENT key and the caller's peer public key (DER
        SubjectPublicKeyInfo on the key's curve). An enclave Recipient (Nitro attestation) is not
        modelled."""
        _, doc = self._usable(ctx, p["KeyId"], "KEY_AGREEMENT")
        self._check_algorithm(doc, "KeyAgreementAlgorithms", p["KeyAgreementAlgorithm"])
        if p.get("Recipient"):
            raise unsupported("A Recipient (an attested enclave) is not supported by pocketcloud")
        secret = crypto.shared_secret(doc, p["PublicKey"])
        if secret is None:
            raise validation("")  # not a public key of the key's curve
        return {
            "KeyId": doc["Arn"],
            "SharedSecret": secret,
            "KeyAgreementAlgorithm": p["KeyAgreementAlgorithm"],
            "KeyOrigin": doc.get("Origin") or "AWS_KMS",
        }

    def Encapsulate(self, ctx: RequestContext, p: Params) -> Params:
        """A shared secret and its ciphertext under an ML-KEM key's public key."""
        _, doc = self._usable(ctx, p["KeyId"], "ENCAPSULATE_DECAPSULATE")
        self._check_algorithm(doc, "EncapsulationAlgorithms", p["EncapsulationAlgorithm"])
        secret, ciphertext = crypto.encapsulate(doc)
        return {
            "KeyId": doc["Arn"],
            "SharedSecret": secret,
            "SharedSecretCiphertextBlob": ciphertext,
            "EncapsulationAlgorithm": p["EncapsulationAlgorithm"],
        }

    def Decapsulate(self, ctx: RequestContext, p: Params) -> Params:
        """The shared secret an ML-KEM ciphertext holds: InvalidCiphertextException only for a ciphertext
        whose length does not fit the key spec; any other gives a 32-byte pseudo-random value
        (implicit rejection: "Decapsulate returns a 32-byte pseudo-random value. This is true even
        when the SharedSecretCiphertextBlob was created using a different ML-KEM key")."""
        _, doc = self._usable(ctx, p["KeyId"], "ENCAPSULATE_DECAPSULATE")
        self._check_algorithm(doc, "EncapsulationAlgorithms", p["EncapsulationAlgorithm"])
        secret = crypto.decapsulate(doc, p["SharedSecretCiphertextBlob"])
        if secret is None:
            raise crypto.invalid_ciphertext()
        return {
            "KeyId": doc["Arn"],
            "SharedSecret": secret,
            "EncapsulationAlgorithm": p["EncapsulationAlgorithm"],
        }

    def GetPublicKey(self, ctx: RequestContext, p: Params) -> Params:
        _, doc = self._key(ctx, p["KeyId"])
        usable(doc)
        if "PrivateKey" not in doc:  # a symmetric or HMAC key has no public key
            raise unsupported(
                f"{doc['Arn']} key usage is {doc['KeyUsage']} which is not valid for GetPublicKey."
            )
        out: Params = {k: doc[k] for k in ("KeySpec", "CustomerMasterKeySpec", "KeyUsage") if k in doc}
        for member in (
            "EncryptionAlgorithms",
            "SigningAlgorithms",
            "KeyAgreementAlgorithms",
            "EncapsulationAlgorithms",
        ):
            if member in doc:
                out[member] = doc[member]
        return {"KeyId": doc["Arn"], "PublicKey": public_key_der(doc), **out}


def _sealing_material(doc: Params, blob: bytes) -> str:
    """The KeyMaterialId of the symmetric key's material that sealed the ciphertext `blob`."""
    return material_id(doc, crypto.sealed_version(blob))
