"""IAM server certificates: TLS certificates (with their private keys) stored for load
balancers and CloudFront. The body is parsed for its expiry; the private key is kept and
never returned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.iam.common import (
    already_exists,
    arn,
    check_path,
    merge_tags,
    new_id,
    no_such_entity,
    now,
    page,
    path_filter,
    remove_tags,
    scope,
)
from pocketcloud.services.iam.principals import list_tags
from pocketcloud.store import Store

Params = dict[str, Any]
COLLECTION = "server_certificates"
_METADATA = ("Path", "ServerCertificateName", "ServerCertificateId", "Arn", "UploadDate", "Expiration")


def malformed_certificate(message: str) -> ServiceError:
    return ServiceError("MalformedCertificate", message, status=400)


_UNPARSABLE = "Unable to parse certificate. Please ensure the certificate is in PEM format."


def certificate_expiry(body: str, message: str = _UNPARSABLE, in_force: bool = True) -> str:
    """The certificate's notAfter; MalformedCertificate (with ``message``) if the body is
    no PEM certificate or, when ``in_force``, is outside its validity period now."""
    from cryptography import x509  # imported on use: it slows server start

    try:
        certificate = x509.load_pem_x509_certificate(body.strip().encode())
    except ValueError:
        raise malformed_certificate(message) from None
    # IAM validates an uploaded certificate as X.509 does: an expired one, or one not valid
    # yet, is MalformedCertificate ("malformed or expired"), with the same message.
    valid_now = certificate.not_valid_before_utc <= datetime.now(UTC) <= certificate.not_valid_after_utc
    if in_force and not valid_now:
        raise malformed_certificate(message)
    return certificate.not_valid_after_utc.replace(microsecond=0).isoformat()


def _metadata(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in _METADATA}


class ServerCertificateOperations:
    store: Store

    def _certificates(self) -> Any:
        return self.store.collection("iam", COLLECTION)

    def _certificate(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._certificates().get(scope(ctx), name)
        if doc is None:
            raise no_such_entity(f"The Server Certificate with name {name} cannot be found.")
        return doc

    def UploadServerCertificate(self, ctx: RequestContext, p: Params) -> Params:
        name = p["ServerCertificateName"]
        path = check_path(p.get("Path"))
        expiration = certificate_expiry(p["CertificateBody"])
        if p.get("CertificateChain"):
            certificate_expiry(p["CertificateChain"], in_force=False)  # the chain must parse too
        uploaded = now()
        doc: dict[str, Any] = {
            "Path": path,
            "ServerCertificateName": name,
            "ServerCertificateId": new_id("ASCA"),
            "Arn": arn(ctx.account_id, "server-certificate", path, name),
            "UploadDate": uploaded.isoformat(),
            "Expiration": expiration or (uploaded + timedelta(days=365)).isoformat(),
            "CertificateBody": p["CertificateBody"],
            "PrivateKey": p["PrivateKey"],
            "Tags": merge_tags([], p.get("Tags") or []),
        }
        if p.get("CertificateChain"):
            doc["CertificateChain"] = p["CertificateChain"]
        if not self._certificates().insert(scope(ctx), name, doc):
            raise already_exists(f"The Server Certificate with name {name} already exists.")
        result: Params = {"ServerCertificateMetadata": _metadata(doc)}
        if doc["Tags"]:
            result["Tags"] = doc["Tags"]
        return result

    def GetServerCertificate(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._certificate(ctx, p["ServerCertificateName"])
        certificate: Params = {
            "ServerCertificateMetadata": _metadata(doc),
            "CertificateBody": doc["CertificateBody"],
            "Tags": doc["Tags"],
        }
        if doc.get("CertificateChain"):
            certificate["CertificateChain"] = doc["CertificateChain"]
        return {"ServerCertificate": certificate}

    def ListServerCertificates(self, ctx: RequestContext, p: Params) -> Params:
        found, info = page(self._certificates(), scope(ctx), p, path_filter(p))
        return {"ServerCertificateMetadataList": [_metadata(d) for d in found], **info}

    def UpdateServerCertificate(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            doc = self._certificate(ctx, p["ServerCertificateName"])
            new_name = p.get("NewServerCertificateName") or doc["ServerCertificateName"]
            path = check_path(p["NewPath"]) if p.get("NewPath") else doc["Path"]
            if new_name != doc["ServerCertificateName"]:
                if self._certificates().get(scope(ctx), new_name) is not None:
                    raise already_exists(f"The Server Certificate with name {new_name} already exists.")
                self._certificates().delete(scope(ctx), doc["ServerCertificateName"])
            doc.update(
                ServerCertificateName=new_name,
                Path=path,
                Arn=arn(ctx.account_id, "server-certificate", path, new_name),
            )
            self._certificates().put(scope(ctx), new_name, doc)
        return {}

    def DeleteServerCertificate(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._certificate(ctx, p["ServerCertificateName"])
        self._certificates().delete(scope(ctx), doc["ServerCertificateName"])
        return {}

    def TagServerCertificate(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._certificate(ctx, p["ServerCertificateName"])
        doc["Tags"] = merge_tags(doc["Tags"], p["Tags"])
        self._certificates().put(scope(ctx), doc["ServerCertificateName"], doc)
        return {}

    def UntagServerCertificate(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._certificate(ctx, p["ServerCertificateName"])
        doc["Tags"] = remove_tags(doc["Tags"], p["TagKeys"])
        self._certificates().put(scope(ctx), doc["ServerCertificateName"], doc)
        return {}

    def ListServerCertificateTags(self, ctx: RequestContext, p: Params) -> Params:
        return list_tags(self._certificate(ctx, p["ServerCertificateName"])["Tags"], p)
