"""A bucket's configurations kept by ID: analytics, inventory, metrics, S3 Intelligent-Tiering.

Each kind has Put/Get/Delete by ID and a List that pages 100 at a time, as S3 does; a
bucket holds up to 1,000 of each. They live in a collection of their own (scope = the
bucket, key = "<kind>\\0<id>") rather than on the bucket document, which every request
reads: a bucket with a thousand inventory configurations must not make GetObject slower.
Deleting the bucket deletes them in the same transaction. Nothing acts on them (no
reports, metrics or archiving run here); S3 answers for them, and so do we.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3 import bucket_config_checks as checks
from pocketcloud.services.s3.errors import invalid_argument, malformed_xml
from pocketcloud.services.s3.state import S3State, bucket_scope

Params = dict[str, Any]

MAX_CONFIGS = 1000  # per kind and bucket
PAGE_SIZE = 100


@dataclass(frozen=True)
class KeyedConfig:
    kind: str  # Analytics, Inventory, Metrics, IntelligentTiering: the operations' middle name
    check: Any  # what S3 refuses beyond its schema
    id_mismatch: ServiceError | None = None  # the answer to a body whose Id is not the query's

    @property
    def member(self) -> str:
        return f"{self.kind}Configuration"


KEYED_CONFIGS = (
    KeyedConfig("Analytics", checks.check_analytics),
    KeyedConfig(
        "Inventory",
        checks.check_inventory,
        ServiceError("IdMismatch", "Document ID does not match the specified configuration ID.", status=400),
    ),
    KeyedConfig("Metrics", checks.check_metrics),
    KeyedConfig("IntelligentTiering", checks.check_intelligent_tiering),
)


def no_such_configuration() -> ServiceError:
    return ServiceError("NoSuchConfiguration", "The specified configuration does not exist.", status=404)


def too_many_configurations() -> ServiceError:
    return ServiceError(
        "TooManyConfigurations",
        "You are attempting to create a new configuration but have already reached the "
        f"{MAX_CONFIGS:,}-configuration limit.",
        status=400,
    )


class KeyedConfigOperations:
    """The generated operations below, over the `s3/bucket_configs` collection."""

    s3: S3State

    @property
    def keyed_configs(self) -> Any:
        return self.s3.store.collection("s3", "bucket_configs")

    def DeleteBucket(self, ctx: RequestContext, p: Params) -> Params:
        with self.s3.store.transaction():
            result: Params = super().DeleteBucket(ctx, p)  # type: ignore[misc]
            self.keyed_configs.delete_prefix(bucket_scope(p["Bucket"]), "")
        return result


def _key(config: KeyedConfig, config_id: str) -> str:
    return f"{config.kind}\0{config_id}"


def _make_put(config: KeyedConfig) -> Any:
    def put(self: Any, ctx: RequestContext, p: Params) -> Params:
        bucket, config_id = p["Bucket"], p.get("Id")
        self.s3.bucket(bucket)
        checks.check_config_id(config_id)
        document = p.get(config.member)
        if document is None:
            raise malformed_xml()
        checks.check_schema(checks.config_shape(config.member), document)
        if document["Id"] != config_id:
            raise config.id_mismatch or malformed_xml()
        config.check(document)
        scope = bucket_scope(bucket)
        with self.s3.store.transaction():
            existing = self.keyed_configs.get(scope, _key(config, config_id))
            if existing is None and self.keyed_configs.count(scope, f"{config.kind}\0") >= MAX_CONFIGS:
                raise too_many_configurations()
            self.keyed_configs.put(scope, _key(config, config_id), document)
        return {"__status": 204}  # S3 answers each of these puts 204 No Content

    put.__name__ = f"PutBucket{config.kind}Configuration"
    return put


def _make_get(config: KeyedConfig) -> Any:
    def get(self: Any, ctx: RequestContext, p: Params) -> Params:
        self.s3.bucket(p["Bucket"])
        document = self.keyed_configs.get(bucket_scope(p["Bucket"]), _key(config, p.get("Id") or ""))
        if document is None:
            raise no_such_configuration()
        return {config.member: document}

    get.__name__ = f"GetBucket{config.kind}Configuration"
    return get


def _make_delete(config: KeyedConfig) -> Any:
    def delete(self: Any, ctx: RequestContext, p: Params) -> Params:
        self.s3.bucket(p["Bucket"])
        with self.s3.store.transaction():
            if not self.keyed_configs.delete(bucket_scope(p["Bucket"]), _key(config, p.get("Id") or "")):
                raise no_such_configuration()
        return {}

    delete.__name__ = f"DeleteBucket{config.kind}Configuration"
    return delete


def _make_list(config: KeyedConfig) -> Any:
    def list_configs(self: Any, ctx: RequestContext, p: Params) -> Params:
        self.s3.bucket(p["Bucket"])
        prefix = f"{config.kind}\0"
        token = p.get("ContinuationToken")
        start_after = None
        if token is not None:
            start_after = prefix + _decode_token(token)
        found = self.keyed_configs.scan(bucket_scope(p["Bucket"]), prefix, start_after, PAGE_SIZE + 1)
        page = [document for _, document in found[:PAGE_SIZE]]
        result: Params = {"IsTruncated": len(found) > PAGE_SIZE}
        if page:
            result[f"{config.member}List"] = page
        if token is not None:
            result["ContinuationToken"] = token
        if result["IsTruncated"]:
            result["NextContinuationToken"] = base64.urlsafe_b64encode(page[-1]["Id"].encode()).decode()
        return result

    list_configs.__name__ = f"ListBucket{config.kind}Configurations"
    return list_configs


def _decode_token(token: str) -> str:
    try:
        last_id = base64.urlsafe_b64decode(token.encode()).decode()
        # b64decode skips characters outside the alphabet: only a token this module wrote passes.
        if base64.urlsafe_b64encode(last_id.encode()).decode() != token:
            raise ValueError(token)
        return last_id
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid_argument(
            "The continuation token provided is incorrect", "continuation-token", token
        ) from None


for _config in KEYED_CONFIGS:
    for _make in (_make_put, _make_get, _make_delete, _make_list):
        _operation = _make(_config)
        setattr(KeyedConfigOperations, _operation.__name__, _operation)
