"""IAM SAML 2.0 identity providers: the IdPs AssumeRoleWithSAML trusts.

A provider holds its IdP's metadata document; the metadata's entityID is the Issuer its
assertions must carry. The XML is parsed for that and for validUntil only: signing keys are
kept but never used, since pocketcloud does not verify assertion signatures.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.iam.common import (
    already_exists,
    invalid_input,
    merge_tags,
    no_such_entity,
    now,
    remove_tags,
    scope,
)
from pocketcloud.services.iam.principals import list_tags
from pocketcloud.store import Store

Params = dict[str, Any]
COLLECTION = "saml_providers"


def _metadata(document: str) -> tuple[str, str | None]:
    """(entityID, validUntil) of a SAML metadata document; InvalidInput if it is not one."""
    try:
        # Python's expat refuses entity-expansion bombs and ElementTree never fetches external entities.
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise invalid_input("Could not parse metadata") from None
    if not root.tag.endswith("EntityDescriptor") or not root.get("entityID"):
        raise invalid_input("Could not parse metadata")
    return root.get("entityID", ""), root.get("validUntil")


def _valid_until(stated: str | None, created: datetime) -> str:
    if stated:
        try:
            return datetime.fromisoformat(stated.replace("Z", "+00:00")).isoformat()
        except ValueError:
            raise invalid_input("Could not parse metadata") from None
    return (created + timedelta(days=36500)).isoformat()  # metadata with no validUntil: far future


class SamlOperations:
    store: Store

    def _saml(self) -> Any:
        return self.store.collection("iam", COLLECTION)

    def _saml_get(self, ctx: RequestContext, provider_arn: str) -> dict[str, Any]:
        prefix = f"arn:aws:iam::{ctx.account_id}:saml-provider/"
        name = provider_arn[len(prefix) :] if provider_arn.startswith(prefix) else None
        doc = self._saml().get(scope(ctx), name) if name else None
        if doc is None:
            raise no_such_entity(f"Manifest not found for arn {provider_arn}")
        return doc

    def saml_provider(self, provider_arn: str) -> dict[str, Any] | None:
        """The SAML provider an ARN names, in whichever account (for AssumeRoleWithSAML)."""
        parts = provider_arn.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("saml-provider/"):
            return None
        return self._saml().get((parts[4], ""), parts[5][len("saml-provider/") :])

    def CreateSAMLProvider(self, ctx: RequestContext, p: Params) -> Params:
        name = p["Name"]
        issuer, valid_until = _metadata(p["SAMLMetadataDocument"])
        created = now()
        doc: dict[str, Any] = {
            "Arn": f"arn:aws:iam::{ctx.account_id}:saml-provider/{name}",
            "Name": name,
            "SAMLProviderUUID": str(uuid.uuid4()),
            "SAMLMetadataDocument": p["SAMLMetadataDocument"],
            "Issuer": issuer,
            "CreateDate": created.isoformat(),
            "ValidUntil": _valid_until(valid_until, created),
            "AssertionEncryptionMode": p.get("AssertionEncryptionMode") or "Allowed",
            "Tags": merge_tags([], p.get("Tags") or []),
        }
        if not self._saml().insert(scope(ctx), name, doc):
            raise already_exists(f"SAMLProvider {name} already exists")
        result: Params = {"SAMLProviderArn": doc["Arn"]}
        if doc["Tags"]:
            result["Tags"] = doc["Tags"]
        return result

    def GetSAMLProvider(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._saml_get(ctx, p["SAMLProviderArn"])
        keys = (
            "SAMLProviderUUID",
            "SAMLMetadataDocument",
            "CreateDate",
            "ValidUntil",
            "Tags",
            "AssertionEncryptionMode",
        )
        return {**{k: doc[k] for k in keys}, "PrivateKeyList": []}

    def UpdateSAMLProvider(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._saml_get(ctx, p["SAMLProviderArn"])
        if p.get("SAMLMetadataDocument"):
            issuer, valid_until = _metadata(p["SAMLMetadataDocument"])
            doc.update(
                SAMLMetadataDocument=p["SAMLMetadataDocument"],
                Issuer=issuer,
                ValidUntil=_valid_until(valid_until, datetime.fromisoformat(doc["CreateDate"])),
            )
        if p.get("AssertionEncryptionMode"):
            doc["AssertionEncryptionMode"] = p["AssertionEncryptionMode"]
        self._saml().put(scope(ctx), doc["Name"], doc)
        return {"SAMLProviderArn": doc["Arn"]}

    def DeleteSAMLProvider(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._saml_get(ctx, p["SAMLProviderArn"])
        self._saml().delete(scope(ctx), doc["Name"])
        return {}

    def ListSAMLProviders(self, ctx: RequestContext, p: Params) -> Params:
        found = [
            {"Arn": d["Arn"], "ValidUntil": d["ValidUntil"], "CreateDate": d["CreateDate"]}
            for _, d in self.store.iter_collection("iam", COLLECTION, scope(ctx))
        ]
        return {"SAMLProviderList": found}

    def TagSAMLProvider(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._saml_get(ctx, p["SAMLProviderArn"])
        doc["Tags"] = merge_tags(doc["Tags"], p["Tags"])
        self._saml().put(scope(ctx), doc["Name"], doc)
        return {}

    def UntagSAMLProvider(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._saml_get(ctx, p["SAMLProviderArn"])
        doc["Tags"] = remove_tags(doc["Tags"], p["TagKeys"])
        self._saml().put(scope(ctx), doc["Name"], doc)
        return {}

    def ListSAMLProviderTags(self, ctx: RequestContext, p: Params) -> Params:
        return list_tags(self._saml_get(ctx, p["SAMLProviderArn"])["Tags"], p)
