"""IAM OpenID Connect identity providers: the issuers AssumeRoleWithWebIdentity trusts.

A provider is named by its URL without the scheme ("token.actions.githubusercontent.com",
"oidc.eks.us-east-1.amazonaws.com/id/ABC"); that name is the tail of its ARN
(arn:aws:iam::ACCOUNT:oidc-provider/NAME) and the prefix of its condition keys (NAME:aud).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.iam.common import (
    MAX_TAGS,
    already_exists,
    invalid_input,
    limit_exceeded,
    merge_tags,
    no_such_entity,
    now,
    remove_tags,
    scope,
)
from pocketcloud.services.iam.principals import list_tags
from pocketcloud.store import Store

Params = dict[str, Any]
COLLECTION = "oidc_providers"
MAX_THUMBPRINTS = 5
MAX_CLIENT_IDS = 100
MAX_PROVIDERS = 100


def provider_name(url: str) -> str:
    """The provider's name: its URL without "https://" and without a trailing "/"."""
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            url = url[len(scheme) :]
    return url.rstrip("/")


_HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


def _check_url(url: str) -> str:
    """An https URL of a host and maybe a path: "Per the OIDC standard, path components are allowed but
    query parameters are not ... The URL should not contain a port number" (CreateOpenIDConnectProvider);
    user info, a fragment or a host no DNS name can be are refused alike (versity/versitygw's
    IAMCreateOpenIDConnectProvider_invalid_url)."""
    name = provider_name(url)
    parts = urlsplit(url)
    if (
        not url.lower().startswith("https://")
        or not name
        or name.startswith("/")
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
        or not _HOST.fullmatch(parts.netloc)
    ):
        raise ServiceError("ValidationError", "Invalid Open ID Connect Provider URL", status=400)
    return name


def _check_thumbprints(thumbprints: list[str]) -> list[str]:
    if len(thumbprints) > MAX_THUMBPRINTS:
        raise invalid_input(f"Thumbprint list must contain fewer than {MAX_THUMBPRINTS} entries.")
    return list(dict.fromkeys(thumbprints))


def _check_client_ids(client_ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(client_ids))
    if len(unique) > MAX_CLIENT_IDS:
        raise limit_exceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}")
    return unique


def _tags(existing: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    if len({t["Key"] for t in existing} | {t["Key"] for t in new}) > MAX_TAGS:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return merge_tags(existing, new)


class OidcOperations:
    store: Store

    def _oidc(self, ctx: RequestContext) -> Any:
        return self.store.collection("iam", COLLECTION)

    def _oidc_get(self, ctx: RequestContext, provider_arn: str, missing: str | None = None) -> dict[str, Any]:
        prefix = f"arn:aws:iam::{ctx.account_id}:oidc-provider/"
        doc = (
            self._oidc(ctx).get(scope(ctx), provider_arn[len(prefix) :])
            if provider_arn.startswith(prefix)
            else None
        )
        if doc is None:
            raise no_such_entity(missing or f"OpenIDConnect Provider not found for arn {provider_arn}")
        return doc

    def oidc_provider(self, account: str, name: str) -> dict[str, Any] | None:
        """The provider registered in `account` under `name` (for AssumeRoleWithWebIdentity)."""
        return self.store.collection("iam", COLLECTION).get((account, ""), name)

    def CreateOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        name = _check_url(p["Url"])
        if len(self._oidc(ctx).scan(scope(ctx), limit=MAX_PROVIDERS)) >= MAX_PROVIDERS:
            # IAM quotas: "OpenID Connect providers per account: 100"
            raise limit_exceeded(f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}")
        doc: dict[str, Any] = {
            "Arn": f"arn:aws:iam::{ctx.account_id}:oidc-provider/{name}",
            "Url": name,
            "ClientIDList": _check_client_ids(p.get("ClientIDList") or []),
            # Since 2024 AWS verifies well-known IdPs itself and no longer requires thumbprints.
            "ThumbprintList": _check_thumbprints(p.get("ThumbprintList") or []),
            "CreateDate": now().isoformat(),
            "Tags": _tags([], p.get("Tags") or []),
        }
        if not self._oidc(ctx).insert(scope(ctx), name, doc):
            raise already_exists(f"Provider with url {p['Url']} already exists.")
        result: Params = {"OpenIDConnectProviderArn": doc["Arn"]}
        if doc["Tags"]:
            result["Tags"] = doc["Tags"]
        return result

    def GetOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._oidc_get(ctx, p["OpenIDConnectProviderArn"])
        return {k: doc[k] for k in ("Url", "ClientIDList", "ThumbprintList", "CreateDate", "Tags")}

    def DeleteOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        # Not idempotent, whatever the API reference says: AWS answers NoSuchEntity for a provider
        # that is not there (responses recorded against AWS in 2026).
        provider_arn = p["OpenIDConnectProviderArn"]
        doc = self._oidc_get(ctx, provider_arn, f"OpenId connect Provider {provider_arn} cannot be found.")
        self._oidc(ctx).delete(scope(ctx), doc["Url"])
        return {}

    def ListOpenIDConnectProviders(self, ctx: RequestContext, p: Params) -> Params:
        found = [{"Arn": doc["Arn"]} for _, doc in self.store.iter_collection("iam", COLLECTION, scope(ctx))]
        return {"OpenIDConnectProviderList": found}

    def _oidc_update(self, ctx: RequestContext, p: Params, change: Any) -> Params:
        doc = self._oidc_get(ctx, p["OpenIDConnectProviderArn"])
        change(doc)
        self._oidc(ctx).put(scope(ctx), doc["Url"], doc)
        return {}

    def UpdateOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        # Only IAM Identity Center settings change here; pocketcloud has no Identity Center to link.
        self._oidc_get(ctx, p["OpenIDConnectProviderArn"])
        return {}

    def AddClientIDToOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        def add(doc: dict[str, Any]) -> None:
            doc["ClientIDList"] = _check_client_ids([*doc["ClientIDList"], p["ClientID"]])

        return self._oidc_update(ctx, p, add)

    def RemoveClientIDFromOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        def remove(doc: dict[str, Any]) -> None:
            doc["ClientIDList"] = [c for c in doc["ClientIDList"] if c != p["ClientID"]]

        return self._oidc_update(ctx, p, remove)

    def UpdateOpenIDConnectProviderThumbprint(self, ctx: RequestContext, p: Params) -> Params:
        def update(doc: dict[str, Any]) -> None:
            doc["ThumbprintList"] = _check_thumbprints(p["ThumbprintList"])

        return self._oidc_update(ctx, p, update)

    def TagOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        def tag(doc: dict[str, Any]) -> None:
            doc["Tags"] = _tags(doc["Tags"], p["Tags"])

        return self._oidc_update(ctx, p, tag)

    def UntagOpenIDConnectProvider(self, ctx: RequestContext, p: Params) -> Params:
        def untag(doc: dict[str, Any]) -> None:
            doc["Tags"] = remove_tags(doc["Tags"], p["TagKeys"])

        return self._oidc_update(ctx, p, untag)

    def ListOpenIDConnectProviderTags(self, ctx: RequestContext, p: Params) -> Params:
        return list_tags(self._oidc_get(ctx, p["OpenIDConnectProviderArn"])["Tags"], p)
