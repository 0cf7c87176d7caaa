"""A user's other credentials: SSH public keys (CodeCommit), X.509 signing certificates, and
service-specific credentials (CodeCommit / Keyspaces passwords).

Each is kept under the key "<user>\\0<id>" of its own collection, so a user's items list
in order and DeleteUser can tell whether any are left.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.iam.common import limit_exceeded, new_id, new_secret, no_such_entity, now, scope
from pocketcloud.services.iam.principals import USER, Principals, page_list
from pocketcloud.services.iam.server_certificates import certificate_expiry

Params = dict[str, Any]
SSH_KEYS, SIGNING_CERTIFICATES, SERVICE_CREDENTIALS = (
    "ssh_public_keys",
    "signing_certificates",
    "service_credentials",
)
MAX_SSH_KEYS, MAX_SIGNING_CERTIFICATES, MAX_SERVICE_CREDENTIALS = 5, 2, 2
# "You can create service-specific credentials for Amazon Bedrock, Amazon CloudWatch Logs, CodeCommit and
# Amazon Keyspaces" (CreateServiceSpecificCredential): the first two are API keys, an alias and a
# secret that may expire (CredentialAgeDays), the others a user name and a password.
SERVICES_WITH_API_KEYS = ("bedrock.amazonaws.com", "logs.amazonaws.com")
SERVICES_WITH_CREDENTIALS = ("codecommit.amazonaws.com", "cassandra.amazonaws.com", *SERVICES_WITH_API_KEYS)
_SSH_SUMMARY = ("UserName", "SSHPublicKeyId", "Status", "UploadDate")
_CREDENTIAL_SUMMARY = (
    "UserName",
    "Status",
    "ServiceUserName",
    "ServiceCredentialAlias",
    "CreateDate",
    "ExpirationDate",
    "ServiceSpecificCredentialId",
    "ServiceName",
)


def _check_credential_service(service: str) -> None:
    if service not in SERVICES_WITH_CREDENTIALS:
        raise no_such_entity(f"No such service {service} is supported for Service Specific Credentials")


def _api_key(user: str, account: str, version: str) -> dict[str, str]:
    """A Bedrock or CloudWatch Logs API key: its alias, "the public portion of the credential that
    includes the IAM user name and a suffix containing version and creation information", and its
    secret, written as Bedrock's long-term keys are ("ABSK" and the base64 of alias:secret)."""
    alias = f"{user}+{version}-at-{account}"
    secret = base64.b64encode(f"{alias}:{new_secret(40)}".encode()).decode()
    return {"ServiceCredentialAlias": alias[:200], "ServiceCredentialSecret": "ABSK" + secret}


def _public_key(body: str) -> Any:
    """The RSA key of an SSH public key in ssh-rsa or PEM format (both are accepted, as AWS
    documents); InvalidPublicKey if it is neither, UnrecognizedPublicKeyEncoding if not RSA."""
    from cryptography.exceptions import UnsupportedAlgorithm  # imported on use: it slows server start
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    text = body.strip().encode()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
        else:
            key = serialization.load_ssh_public_key(text)
    except (ValueError, IndexError, TypeError, NotImplementedError, UnsupportedAlgorithm):
        raise ServiceError("InvalidPublicKey", "The public key is not valid.", status=400) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ServiceError(
            "UnrecognizedPublicKeyEncoding", "Only ssh-rsa public keys are supported.", status=400
        )
    return key


def _encoded(key: Any, encoding: str) -> str:
    """The key as GetSSHPublicKey's Encoding asks: ssh-rsa ("SSH") or PEM."""
    from cryptography.hazmat.primitives import serialization

    if encoding == "PEM":
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _fingerprint(key: Any) -> str:
    """The MD5 fingerprint IAM shows: of the key's ssh-rsa blob, whichever format it came in."""
    blob = base64.b64decode(_encoded(key, "SSH").split()[1])
    digest = hashlib.md5(blob).hexdigest()  # noqa: S324 - AWS's fingerprint is MD5
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


class UserCredentialOperations:
    principals: Principals

    def _items(self, kind: str) -> Any:
        return self.principals.store.collection("iam", kind)

    def _user_items(self, ctx: RequestContext, kind: str, user: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self._items(kind).scan(scope(ctx), prefix=user + "\0")]

    def _item(
        self, ctx: RequestContext, kind: str, user: str | None, item_id: str, missing: str
    ) -> dict[str, Any]:
        doc = self._items(kind).get(scope(ctx), f"{user}\0{item_id}") if user else None
        if doc is None:
            raise no_such_entity(missing)
        return doc

    def _user_for(self, ctx: RequestContext, p: Params) -> str:
        user = self._caller_user(ctx, p)  # type: ignore[attr-defined]
        if user is None:
            raise ServiceError(
                "ValidationError", "Must specify userName when calling with non-User credentials", status=400
            )
        self.principals.get(ctx, USER, user)
        return str(user)

    # -- SSH public keys ---------------------------------------------------

    def UploadSSHPublicKey(self, ctx: RequestContext, p: Params) -> Params:
        user = p["UserName"]
        with self.principals.store.transaction():
            self.principals.get(ctx, USER, user)
            fingerprint = _fingerprint(_public_key(p["SSHPublicKeyBody"]))
            keys = self._user_items(ctx, SSH_KEYS, user)
            if any(k["Fingerprint"] == fingerprint for k in keys):
                raise ServiceError(
                    "DuplicateSSHPublicKey",
                    "The SSH public key is already associated with the user.",
                    status=400,
                )
            if len(keys) >= MAX_SSH_KEYS:
                raise limit_exceeded(f"Cannot exceed quota for PublicKeysPerUser: {MAX_SSH_KEYS}")
            doc = {
                "UserName": user,
                "SSHPublicKeyId": new_id("APKA", 20),  # APKAEIBAERJR2EXAMPLE
                "Fingerprint": fingerprint,
                "SSHPublicKeyBody": p["SSHPublicKeyBody"],
                "Status": "Active",
                "UploadDate": now().isoformat(),
            }
            self._items(SSH_KEYS).put(scope(ctx), f"{user}\0{doc['SSHPublicKeyId']}", doc)
        return {"SSHPublicKey": doc}

    def _ssh_key(self, ctx: RequestContext, p: Params) -> dict[str, Any]:
        key_id = p["SSHPublicKeyId"]
        return self._item(
            ctx, SSH_KEYS, p["UserName"], key_id, f"The Public Key with id {key_id} cannot be found."
        )

    def GetSSHPublicKey(self, ctx: RequestContext, p: Params) -> Params:
        doc = dict(self._ssh_key(ctx, p))
        body = doc["SSHPublicKeyBody"]
        if body.lstrip().startswith("-----BEGIN") != (p["Encoding"] == "PEM"):  # the other format
            doc["SSHPublicKeyBody"] = _encoded(_public_key(body), p["Encoding"])
        return {"SSHPublicKey": doc}

    def ListSSHPublicKeys(self, ctx: RequestContext, p: Params) -> Params:
        user = self._user_for(ctx, p)
        keys = [{k: d[k] for k in _SSH_SUMMARY} for d in self._user_items(ctx, SSH_KEYS, user)]
        return page_list(keys, p, "SSHPublicKeys")

    def UpdateSSHPublicKey(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._ssh_key(ctx, p)
        doc["Status"] = p["Status"]
        self._items(SSH_KEYS).put(scope(ctx), f"{doc['UserName']}\0{doc['SSHPublicKeyId']}", doc)
        return {}

    def DeleteSSHPublicKey(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._ssh_key(ctx, p)
        self._items(SSH_KEYS).delete(scope(ctx), f"{doc['UserName']}\0{doc['SSHPublicKeyId']}")
        return {}

    # -- signing certificates ----------------------------------------------

    def UploadSigningCertificate(self, ctx: RequestContext, p: Params) -> Params:
        user = self._user_for(ctx, p)
        body = p["CertificateBody"]
        # AWS quotes the rejected body: "Certificate invalid-certificate-body is malformed."
        certificate_expiry(body, f"Certificate {body} is malformed.")
        with self.principals.store.transaction():
            certificates = self._user_items(ctx, SIGNING_CERTIFICATES, user)
            # A certificate may belong to one user of the account only, not just once per user.
            in_account = (doc for _, doc in self._items(SIGNING_CERTIFICATES).scan(scope(ctx)))
            if any(c["CertificateBody"].strip() == body.strip() for c in in_account):
                raise ServiceError("DuplicateCertificate", "The certificate already exists.", status=409)
            if len(certificates) >= MAX_SIGNING_CERTIFICATES:
                raise limit_exceeded(
                    f"Cannot exceed quota for CertificatesPerUser: {MAX_SIGNING_CERTIFICATES}"
                )
            doc = {
                "UserName": user,
                "CertificateId": new_id("", 24),
                "CertificateBody": body,
                "Status": "Active",
                "UploadDate": now().isoformat(),
            }
            self._items(SIGNING_CERTIFICATES).put(scope(ctx), f"{user}\0{doc['CertificateId']}", doc)
        return {"Certificate": doc}

    def _signing_certificate(self, ctx: RequestContext, p: Params) -> dict[str, Any]:
        user = self._user_for(ctx, p)
        cert_id = p["CertificateId"]
        return self._item(
            ctx, SIGNING_CERTIFICATES, user, cert_id, f"The Certificate with id {cert_id} cannot be found."
        )

    def ListSigningCertificates(self, ctx: RequestContext, p: Params) -> Params:
        user = self._user_for(ctx, p)
        return page_list(self._user_items(ctx, SIGNING_CERTIFICATES, user), p, "Certificates")

    def UpdateSigningCertificate(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._signing_certificate(ctx, p)
        doc["Status"] = p["Status"]
        self._items(SIGNING_CERTIFICATES).put(scope(ctx), f"{doc['UserName']}\0{doc['CertificateId']}", doc)
        return {}

    def DeleteSigningCertificate(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._signing_certificate(ctx, p)
        self._items(SIGNING_CERTIFICATES).delete(scope(ctx), f"{doc['UserName']}\0{doc['CertificateId']}")
        return {}

    # -- service-specific credentials ---------------------------------------

    def CreateServiceSpecificCredential(self, ctx: RequestContext, p: Params) -> Params:
        user, service = p["UserName"], p["ServiceName"]
        with self.principals.store.transaction():
            self.principals.get(ctx, USER, user)  # AWS looks for the user before the service
            _check_credential_service(service)
            existing = [
                c for c in self._user_items(ctx, SERVICE_CREDENTIALS, user) if c["ServiceName"] == service
            ]
            if len(existing) >= MAX_SERVICE_CREDENTIALS:
                raise limit_exceeded(
                    f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {MAX_SERVICE_CREDENTIALS}"
                )
            created = now()
            doc = {
                "UserName": user,
                "Status": "Active",
                "CreateDate": created.isoformat(),
                "ServiceSpecificCredentialId": new_id("ACCA"),
                "ServiceName": service,
            }
            if service in SERVICES_WITH_API_KEYS:
                doc.update(_api_key(user, ctx.account_id, created.strftime("%Y%m%d%H%M%S")))
                if p.get("CredentialAgeDays"):
                    doc["ExpirationDate"] = (created + timedelta(days=p["CredentialAgeDays"])).isoformat()
            else:
                doc.update(ServiceUserName=f"{user}-at-{ctx.account_id}", ServicePassword=new_secret(44))
            self._items(SERVICE_CREDENTIALS).put(
                scope(ctx), f"{user}\0{doc['ServiceSpecificCredentialId']}", doc
            )
        return {"ServiceSpecificCredential": doc}

    def _service_credential(self, ctx: RequestContext, p: Params) -> dict[str, Any]:
        user = self._user_for(ctx, p)
        cred_id = p["ServiceSpecificCredentialId"]
        return self._item(ctx, SERVICE_CREDENTIALS, user, cred_id, f"No such credential {cred_id} exists")

    def ListServiceSpecificCredentials(self, ctx: RequestContext, p: Params) -> Params:
        user = self._user_for(ctx, p)
        if p.get("ServiceName"):
            _check_credential_service(p["ServiceName"])
        found = [
            {k: c[k] for k in _CREDENTIAL_SUMMARY if k in c}
            for c in self._user_items(ctx, SERVICE_CREDENTIALS, user)
            if not p.get("ServiceName") or c["ServiceName"] == p["ServiceName"]
        ]
        return page_list(found, p, "ServiceSpecificCredentials")

    def ResetServiceSpecificCredential(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._service_credential(ctx, p)
        if "ServiceCredentialSecret" in doc:
            doc.update(_api_key(doc["UserName"], ctx.account_id, now().strftime("%Y%m%d%H%M%S")))
        else:
            doc["ServicePassword"] = new_secret(44)
        self._items(SERVICE_CREDENTIALS).put(
            scope(ctx), f"{doc['UserName']}\0{doc['ServiceSpecificCredentialId']}", doc
        )
        return {"ServiceSpecificCredential": doc}

    def UpdateServiceSpecificCredential(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._service_credential(ctx, p)
        doc["Status"] = p["Status"]
        self._items(SERVICE_CREDENTIALS).put(
            scope(ctx), f"{doc['UserName']}\0{doc['ServiceSpecificCredentialId']}", doc
        )
        return {}

    def DeleteServiceSpecificCredential(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._service_credential(ctx, p)
        self._items(SERVICE_CREDENTIALS).delete(
            scope(ctx), f"{doc['UserName']}\0{doc['ServiceSpecificCredentialId']}"
        )
        return {}

    def rename_user_credentials(self, ctx: RequestContext, old: str, new: str) -> None:
        """UpdateUser's new name on the user's SSH keys, signing certificates, service credentials
        and MFA devices. A service credential keeps its ServiceUserName ("<old>-at-<account>"),
        as on AWS: that is the name the credential signs in with."""
        for kind, id_field in (
            (SSH_KEYS, "SSHPublicKeyId"),
            (SIGNING_CERTIFICATES, "CertificateId"),
            (SERVICE_CREDENTIALS, "ServiceSpecificCredentialId"),
        ):
            items = self._items(kind)
            for doc in self._user_items(ctx, kind, old):
                items.delete(scope(ctx), f"{old}\0{doc[id_field]}")
                doc["UserName"] = new
                items.put(scope(ctx), f"{new}\0{doc[id_field]}", doc)
        self.rename_mfa_user(ctx, old, new)  # type: ignore[attr-defined]

    def remaining_user_credentials(self, ctx: RequestContext, user: str) -> str | None:
        """AWS's DeleteConflict message for the first credential DeleteUser must refuse to orphan."""
        if self.user_mfa_devices(ctx, user):  # type: ignore[attr-defined]
            return "Cannot delete entity, must delete MFA device first."
        for kind, message in (
            (SIGNING_CERTIFICATES, "Cannot delete entity, must delete signing certificates first."),
            (SSH_KEYS, "Cannot delete entity, must delete SSH public keys first."),
            # Worded apart from the others (as recorded against AWS).
            (SERVICE_CREDENTIALS, "Cannot delete entity, must remove referenced objects first."),
        ):
            if self._items(kind).scan(scope(ctx), prefix=user + "\0", limit=1):
                return message
        return None
