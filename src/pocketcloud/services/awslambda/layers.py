"""Lambda layers: published layer versions, their permissions, and their use by functions.

    layers          scope (account, region), key = "<name>\\0<0000000001>"  → a layer version
    layer_counters  scope (account, region), key = name                    → the next version number
    retired_layers  scope (account, region), key as layers                 → a deleted version's code

AWS never reuses a layer version number, not even after the newest version is
deleted, hence the counter beside the versions.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.code import (
    MAX_UNZIPPED_BYTES,
    requested_package,
    save_code,
    unpacked_code,
    unzipped_size,
)
from pocketcloud.services.awslambda.errors import conflict, invalid_parameter, not_found, revision_mismatch
from pocketcloud.services.awslambda.functions import lambda_timestamp
from pocketcloud.services.awslambda.paging import paged
from pocketcloud.services.awslambda.permissions import compact_json

Params = dict[str, Any]
_VIEW = (
    "LayerVersionArn",
    "Version",
    "Description",
    "CreatedDate",
    "CompatibleRuntimes",
    "CompatibleArchitectures",
    "LicenseInfo",
)

# Left out of a listed version published without them, as AWS lists it (moto's test_list_lambda_layers,
# verified against AWS through its s3_aws_verified decorator).
_UNLISTED_WHEN_EMPTY = ("Description", "CompatibleArchitectures")


def _list_item(layer: Params) -> Params:
    """A layer version as ListLayerVersions and ListLayers show it."""
    return {
        k: layer[k]
        for k in _VIEW
        if layer.get(k) is not None and (layer[k] or k not in _UNLISTED_WHEN_EMPTY)
    }


class LayerOperations:
    # -- naming -----------------------------------------------------------------------

    def _layer_arn(self, ctx: RequestContext, name: str) -> str:
        return f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:layer:{name}"

    def _layer_name(self, ctx: RequestContext, name_or_arn: str) -> tuple[tuple[str, str], str]:
        """A LayerName parameter (name or layer ARN) → (scope, name)."""
        if name_or_arn.startswith("arn:"):
            parts = name_or_arn.split(":")
            return (parts[4], parts[3]), parts[6]
        return (ctx.account_id, ctx.region), name_or_arn

    def code_location(self, code_hex: str) -> str:
        """Where a client downloads a package (AWS answers a presigned S3 URL here)."""
        signed = self.code_urls.query(code_hex)  # type: ignore[attr-defined]
        return f"{self.runtime.settings.endpoint}/_pocketcloud/lambda/code/{code_hex}?{signed}"  # type: ignore[attr-defined]

    def _layer_view(self, layer: Params) -> Params:
        view = {k: layer[k] for k in ("LayerArn", *_VIEW) if layer.get(k) is not None}
        view["Content"] = {
            "Location": self.code_location(layer["CodeHex"]),
            "CodeSha256": layer["CodeSha256"],
            "CodeSize": layer["CodeSize"],
        }
        return view

    # -- versions -----------------------------------------------------------------------

    def PublishLayerVersion(self, ctx: RequestContext, p: Params) -> Params:
        data = requested_package(self.runtime, p["Content"], "PublishLayerVersion", ctx)  # type: ignore[attr-defined]
        if data is None:
            raise invalid_parameter("Please provide a source for layer content.")
        code = save_code(self.store, data)  # type: ignore[attr-defined]
        name = p["LayerName"]
        scope = (ctx.account_id, ctx.region)
        layer_arn = self._layer_arn(ctx, name)
        with self.store.transaction():  # type: ignore[attr-defined]
            counter = self.layer_counters.get(scope, name)  # type: ignore[attr-defined]
            if counter is None:  # layers published before the counter existed
                existing = self.layers.scan(scope, prefix=name + "\0", reverse=True, limit=1)  # type: ignore[attr-defined]
                counter = {"Next": (existing[0][1]["Version"] + 1) if existing else 1}
            version = counter["Next"]
            self.layer_counters.put(scope, name, {"Next": version + 1})  # type: ignore[attr-defined]
            layer = {
                "LayerArn": layer_arn,
                "LayerVersionArn": f"{layer_arn}:{version}",
                "Description": p.get("Description") or "",
                "CreatedDate": lambda_timestamp(),
                "Version": version,
                # Named only when the request named them, empty lists included, as AWS answers
                # (LocalStack's validated test_layer_s3_content and test_layer_exceptions).
                "CompatibleRuntimes": p.get("CompatibleRuntimes"),
                "CompatibleArchitectures": p.get("CompatibleArchitectures"),
                "LicenseInfo": p.get("LicenseInfo"),
                **code,
            }
            self.layers.put(scope, f"{name}\0{version:010d}", layer)  # type: ignore[attr-defined]
        return self._layer_view(layer)

    def _layer(self, scope: tuple[str, str], name: str, version: int) -> Params | None:
        return self.layers.get(scope, f"{name}\0{version:010d}")  # type: ignore[attr-defined]

    def _existing_layer(
        self, ctx: RequestContext, name_or_arn: str, version: int
    ) -> tuple[tuple[str, str], str, Params]:
        scope, name = self._layer_name(ctx, name_or_arn)
        layer = self._layer(scope, name, version)
        if layer is None:
            raise not_found(
                f"Layer version arn:aws:lambda:{scope[1]}:{scope[0]}:layer:{name}:{version} does not exist."
            )
        return scope, name, layer

    def GetLayerVersion(self, ctx: RequestContext, p: Params) -> Params:
        if p["VersionNumber"] < 1:
            raise invalid_parameter("Layer Version Cannot be less than 1")
        scope, name = self._layer_name(ctx, p["LayerName"])
        layer = self._layer(scope, name, p["VersionNumber"])
        if layer is None:
            raise not_found("The resource you requested does not exist.")
        return self._layer_view(layer)

    def GetLayerVersionByArn(self, ctx: RequestContext, p: Params) -> Params:
        parts = p["Arn"].split(":")
        layer = (
            self._layer((parts[4], parts[3]), parts[6], int(parts[7]))
            if len(parts) == 8 and parts[7].isdigit()
            else None
        )
        if layer is None:
            raise not_found("The resource you requested does not exist.")
        return self._layer_view(layer)

    def DeleteLayerVersion(self, ctx: RequestContext, p: Params) -> Params:
        if p["VersionNumber"] < 1:
            raise invalid_parameter("Layer Version Cannot be less than 1")
        scope, name = self._layer_name(ctx, p["LayerName"])
        key = f"{name}\0{p['VersionNumber']:010d}"
        with self.store.transaction():  # type: ignore[attr-defined]
            layer = self._layer(scope, name, p["VersionNumber"])
            if layer is not None:
                # "To avoid breaking functions, a copy of the version remains in Lambda until no
                # functions refer to it" (DeleteLayerVersion): a function naming it, cold-starting
                # now or later, still gets its files, though the version is gone from every listing.
                retired = {"Blob": layer["Blob"], "CodeHex": layer["CodeHex"]}
                self.retired_layers.put(scope, key, retired)  # type: ignore[attr-defined]
                self.layers.delete(scope, key)  # type: ignore[attr-defined]
        return {}  # deleting what is not there succeeds, as in AWS

    @staticmethod
    def _matches(layer: Params, p: Params) -> bool:
        runtime, architecture = p.get("CompatibleRuntime"), p.get("CompatibleArchitecture")
        return (not runtime or runtime in (layer.get("CompatibleRuntimes") or [])) and (
            not architecture or architecture in (layer.get("CompatibleArchitectures") or [])
        )

    def ListLayerVersions(self, ctx: RequestContext, p: Params) -> Params:
        scope, name = self._layer_name(ctx, p["LayerName"])
        layers = [layer for _, layer in self.layers.scan(scope, prefix=name + "\0", reverse=True)]  # type: ignore[attr-defined]
        return paged(
            "LayerVersions",
            [_list_item(layer) for layer in layers if self._matches(layer, p)],
            p,
        )

    def ListLayers(self, ctx: RequestContext, p: Params) -> Params:
        latest: dict[str, Params] = {}  # each layer's newest version that matches the filters
        for key, layer in self.layers.scan((ctx.account_id, ctx.region)):  # type: ignore[attr-defined]
            if self._matches(layer, p):
                latest[key.split("\0")[0]] = layer
        listed = [
            {
                "LayerName": name,
                "LayerArn": layer["LayerArn"],
                "LatestMatchingVersion": _list_item(layer),
            }
            for name, layer in latest.items()
        ]
        return paged("Layers", listed, p)

    # -- permissions ----------------------------------------------------------------------

    def AddLayerVersionPermission(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():  # type: ignore[attr-defined]
            scope, name, layer = self._existing_layer(ctx, p["LayerName"], p["VersionNumber"])
            policy = layer.get("Policy") or {"Statements": [], "RevisionId": str(uuid.uuid4())}
            if any(s["Sid"] == p["StatementId"] for s in policy["Statements"]):
                raise conflict(
                    f"The statement id ({p['StatementId']}) provided already exists. Please provide a new statement id, or remove the existing statement."
                )
            if p.get("RevisionId") and p["RevisionId"] != policy["RevisionId"]:
                raise revision_mismatch("GetLayerPolicy")
            statement: Params = {
                "Sid": p["StatementId"],
                "Effect": "Allow",
                "Principal": _principal(p["Principal"]),
                "Action": p["Action"],
                "Resource": layer["LayerVersionArn"],
            }
            if p.get("OrganizationId"):
                statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": p["OrganizationId"]}}
            policy = {"Statements": [*policy["Statements"], statement], "RevisionId": str(uuid.uuid4())}
            layer["Policy"] = policy
            self.layers.put(scope, f"{name}\0{layer['Version']:010d}", layer)  # type: ignore[attr-defined]
        return {"Statement": compact_json(statement), "RevisionId": policy["RevisionId"]}

    def RemoveLayerVersionPermission(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():  # type: ignore[attr-defined]
            scope, name, layer = self._existing_layer(ctx, p["LayerName"], p["VersionNumber"])
            policy = layer.get("Policy") or {"Statements": [], "RevisionId": ""}
            if p.get("RevisionId") and p["RevisionId"] != policy["RevisionId"]:
                raise revision_mismatch("GetLayerPolicy")
            kept = [s for s in policy["Statements"] if s["Sid"] != p["StatementId"]]
            if len(kept) == len(policy["Statements"]):
                raise not_found(f"Statement {p['StatementId']} is not found in resource policy.")
            layer["Policy"] = {"Statements": kept, "RevisionId": str(uuid.uuid4())}
            self.layers.put(scope, f"{name}\0{layer['Version']:010d}", layer)  # type: ignore[attr-defined]
        return {}

    def GetLayerVersionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        _, _, layer = self._existing_layer(ctx, p["LayerName"], p["VersionNumber"])
        document = _policy_document(layer)
        if document is None:
            raise not_found("No policy is associated with the given resource.")
        return {"Policy": document, "RevisionId": layer["Policy"]["RevisionId"]}

    def layer_policy(self, scope: tuple[str, str], name: str, version: int) -> str | None:
        """A layer version's policy, for the authorizer (None: no such version, or no policy)."""
        layer = self._layer(scope, name, version)
        return _policy_document(layer) if layer is not None else None

    # -- use by functions ----------------------------------------------------------------------

    def _layers(self, ctx: RequestContext, arns: list[str]) -> list[Params]:
        if len(arns) > 5:
            raise invalid_parameter("Cannot reference more than 5 layers.")
        found = []
        seen: dict[str, str] = {}
        for arn in arns:
            parts = arn.split(":")
            if len(parts) != 8 or parts[5] != "layer" or not parts[7].isdigit():
                raise invalid_parameter(
                    f"1 validation error detected: Value '[{arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{{12}}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]"
                )
            if parts[3] != ctx.region:
                raise invalid_parameter(
                    f"Layers are not in the same region as the function. Layers are expected to be in region {ctx.region}."
                )
            # Using a layer takes lambda:GetLayerVersion on the version ("Layer permissions": in the
            # caller's own policies for its account's layers, in the layer's policy for another's).
            self.authorize_as(ctx, "GetLayerVersionByArn", {"Arn": arn})  # type: ignore[attr-defined]
            layer = self._layer((parts[4], parts[3]), parts[6], int(parts[7]))
            if layer is None:
                raise invalid_parameter(f"Layer version {arn} does not exist.")
            unversioned = arn.rsplit(":", 1)[0]
            if unversioned in seen:
                raise invalid_parameter(
                    f"Two different versions of the same layer are not allowed to be referenced in the same function. "
                    f"{seen[unversioned]} and {arn} are versions of the same layer."
                )
            seen[unversioned] = arn
            found.append({"Arn": arn, "CodeSize": layer["CodeSize"]})
        return found

    def check_combined_size(self, doc: Params) -> None:
        """A function's code and its layers may be 250 MB unzipped together ("Lambda quotas"), as
        AWS refuses more at CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration."""
        if not doc.get("Layers"):
            return  # the code alone is held to the quota when it is uploaded (check_zip)
        total = unzipped_size(self.store, doc["Blob"])  # type: ignore[attr-defined]
        for layer in self._layer_docs(doc):
            total += unzipped_size(self.store, layer["Blob"])  # type: ignore[attr-defined]
        if total > MAX_UNZIPPED_BYTES:
            raise invalid_parameter(
                f"Function code combined with layers exceeds the maximum allowed size of {MAX_UNZIPPED_BYTES} "
                f"bytes. The actual size is {total} bytes."
            )

    def _layer_docs(self, doc: Params) -> list[Params]:
        """The stored versions of the layers a function names, in its order."""
        found = []
        for entry in doc.get("Layers") or []:
            parts = entry["Arn"].split(":")
            scope, key = (parts[4], parts[3]), f"{parts[6]}\0{int(parts[7]):010d}"
            # A version deleted since the function named it still runs (see DeleteLayerVersion).
            layer = self.layers.get(scope, key) or self.retired_layers.get(scope, key)  # type: ignore[attr-defined]
            if layer is not None:
                found.append(layer)
        return found

    def _layer_paths(self, doc: Params) -> list[Path]:
        return [unpacked_code(self.store, layer["Blob"], layer["CodeHex"]) for layer in self._layer_docs(doc)]  # type: ignore[attr-defined]


def _principal(value: str) -> Params | str:
    """A statement's Principal as AWS writes it: an account id as its root user's ARN, and that ARN
    itself (which the Principal pattern also takes: arn:aws:iam::<account>:root) the same way."""
    if value.isdigit():
        return {"AWS": f"arn:aws:iam::{value}:root"}
    return {"AWS": value} if value.startswith("arn:") else value


def _policy_document(layer: Params) -> str | None:
    policy = layer.get("Policy")
    if not policy or not policy["Statements"]:
        return None
    # Statements stored before principals were written as AWS writes them are read that way too.
    statements = [
        {**s, "Principal": _principal(s["Principal"])} if isinstance(s.get("Principal"), str) else s
        for s in policy["Statements"]
    ]
    return compact_json({"Version": "2012-10-17", "Id": "default", "Statement": statements})
