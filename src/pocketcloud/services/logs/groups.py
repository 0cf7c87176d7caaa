"""Log groups, their retention and their tags: CreateLogGroup, DeleteLogGroup,
PutLogGroupDeletionProtection, DescribeLogGroups, ListLogGroups, Put/DeleteRetentionPolicy,
Tag/Untag/ListTagsLogGroup and Tag/Untag/ListTagsForResource (a destination's ARN goes to
`destinations.py`, a delivery destination's or a delivery's to `deliveries.py`).

A group is a document keyed by its name; its tags live in the document (and are
left out of what DescribeLogGroups shows). PutRetentionPolicy deletes what the
new retention leaves behind at once; the provider's "logs-retention" worker does
the same for every group later on.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs.errors import LogsMixin, invalid, no_resource, not_found, tags_of_resource
from pocketcloud.services.logs.events import EventLog
from pocketcloud.services.logs.kms_keys import check_group_key
from pocketcloud.services.logs.tokens import opaque, unopaque
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]


RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
DAY_MS = 86_400_000
MAX_TAGS = 50


class GroupOperations(LogsMixin):
    """The log group, retention and tag operations of the logs provider."""

    groups: Collection
    streams: Collection
    data_protection: Collection
    account_policies: Collection
    transformers: Collection
    index_policies: Collection
    log: EventLog

    _group_doc: Callable[[Scope, str], Params]
    _sweep_group: Callable[[Scope, str, Params], int]
    _delete_group_filters: Callable[[Scope, str], None]
    destinations: Collection
    delivery_destinations: Collection
    anomaly_detectors: Collection

    def CreateLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        name = p["logGroupName"]
        if name.lower().startswith("aws/"):
            raise invalid("Log groups starting with AWS/ are reserved for AWS.")
        doc = self._group_doc(self._scope(ctx), name)
        if p.get("logGroupClass"):
            doc["logGroupClass"] = p["logGroupClass"]
            if p["logGroupClass"] == "DELIVERY":
                # AWS keeps a DELIVERY group's events two days, and says so ("AWS API forces
                # retention_in_days to 2": the Terraform AWS provider's logGroupClassDELIVERY tests).
                doc["retentionInDays"] = 2
        if p.get("kmsKeyId"):
            check_group_key(self.runtime, ctx, p["kmsKeyId"], name)  # type: ignore[attr-defined]
            doc["kmsKeyId"] = p["kmsKeyId"]
        if p.get("deletionProtectionEnabled") is not None:
            doc["deletionProtectionEnabled"] = bool(p["deletionProtectionEnabled"])
        if p.get("tags"):
            doc["tags"] = dict(p["tags"])
        if not self.groups.insert(self._scope(ctx), name, doc):
            raise ServiceError(
                "ResourceAlreadyExistsException", "The specified log group already exists", status=400
            )
        return {}

    def DeleteLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["logGroupName"], self._scope(ctx)
        with self.store.transaction():
            doc = self._group(ctx, name)
            if doc.get("deletionProtectionEnabled"):
                raise ServiceError(
                    "ValidationException",
                    "Log group deletion is not allowed while deletion protection is enabled.",
                    status=400,
                )
            self.groups.delete(scope, name)
            self.streams.delete_prefix(scope, name + "\0")
            self.log.delete_group(scope, name)
            self._delete_group_filters(scope, name)
            for collection in (self.data_protection, self.transformers, self.index_policies):
                collection.delete(scope, name)
        return {}

    def PutLogGroupDeletionProtection(self, ctx: RequestContext, p: Params) -> Params:
        name = self._from_identifier(ctx, p["logGroupIdentifier"])
        with self.store.transaction():
            doc = self._group(ctx, name)
            doc["deletionProtectionEnabled"] = bool(p["deletionProtectionEnabled"])
            self.groups.put(self._scope(ctx), name, doc)
        return {}

    @staticmethod
    def _group_view(doc: Params, inherited: list[str]) -> Params:
        view = {k: v for k, v in doc.items() if k != "tags"}
        view.setdefault("deletionProtectionEnabled", False)
        if inherited:
            view["inheritedProperties"] = inherited
        return view

    def _inherited_properties(self, ctx: RequestContext) -> list[str]:
        """What every group of the account inherits from its account-level settings: an account data
        protection policy applies to all its log groups, which show ACCOUNT_DATA_PROTECTION (LogGroup's
        inheritedProperties in the API reference)."""
        if self.account_policies.count(self._scope(ctx), prefix="DATA_PROTECTION_POLICY\0"):
            return ["ACCOUNT_DATA_PROTECTION"]
        return []

    def DescribeLogGroups(self, ctx: RequestContext, p: Params) -> Params:
        prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
        if prefix and pattern:
            raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        identifiers = p.get("logGroupIdentifiers")
        if identifiers and (prefix or pattern):
            raise invalid(
                "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern."
            )
        wanted: set[str] | None = None
        if identifiers:
            wanted = set()
            for identifier in identifiers:
                with contextlib.suppress(ServiceError):  # another account's ARN: nothing to list here
                    wanted.add(self._from_identifier(ctx, identifier))
        group_class = p.get("logGroupClass")
        classes = (
            {"INFREQUENT_ACCESS", "ESSENTIALS"}
            if group_class in ("INFREQUENT_ACCESS", "ESSENTIALS")
            else {group_class}
        )
        after = unopaque("g", p["nextToken"]) if p.get("nextToken") else None

        def keep(name: str, doc: Params) -> bool:
            return (
                (not pattern or pattern in name)
                and (wanted is None or name in wanted)
                and (not group_class or doc.get("logGroupClass", "STANDARD") in classes)
            )

        found, more = self._groups_page(ctx, prefix or "", after, p.get("limit") or 50, keep)
        groups: list[Params]
        if pattern:  # a pattern search shows fewer fields
            fields = (
                "arn",
                "creationTime",
                "logGroupArn",
                "logGroupClass",
                "logGroupName",
                "metricFilterCount",
            )
            groups = [{k: d[k] for k in fields if k in d} for d in found]
        else:
            inherited = self._inherited_properties(ctx)
            groups = [self._group_view(d, inherited) for d in found]
        result: Params = {"logGroups": groups}
        if more:
            result["nextToken"] = opaque("g", found[-1]["logGroupName"])
        return result

    def _groups_page(
        self,
        ctx: RequestContext,
        prefix: str,
        after: str | None,
        limit: int,
        keep: Callable[[str, Params], bool],
    ) -> tuple[list[Params], bool]:
        """Up to `limit` groups after `after` that `keep` accepts, in name order, and whether more follow."""
        batch = max(limit + 1, 200)
        found: list[Params] = []
        while True:
            page = self.groups.scan(self._scope(ctx), prefix=prefix, start_after=after, limit=batch)
            for name, doc in page:
                if keep(name, doc):
                    if len(found) == limit:
                        return found, True
                    found.append(doc)
            if len(page) < batch:
                return found, False
            after = page[-1][0]

    def ListLogGroups(self, ctx: RequestContext, p: Params) -> Params:
        pattern = p.get("logGroupNamePattern")
        # The model allows only names, "^" anchors and "|" alternatives: a safe regular expression.
        matcher = re.compile(pattern) if pattern else None
        group_class = p.get("logGroupClass")
        after = unopaque("l", p["nextToken"]) if p.get("nextToken") else None

        def keep(name: str, doc: Params) -> bool:
            return (matcher is None or matcher.search(name) is not None) and (
                not group_class or doc.get("logGroupClass", "STANDARD") == group_class
            )

        found, more = self._groups_page(ctx, "", after, p.get("limit") or 50, keep)
        fields = ("logGroupName", "logGroupArn", "logGroupClass")
        result: Params = {"logGroups": [{k: d[k] for k in fields if k in d} for d in found]}
        if more:
            result["nextToken"] = opaque("l", found[-1]["logGroupName"])
        return result

    def PutRetentionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        days = p["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise invalid(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]"
            )
        name, scope = p["logGroupName"], self._scope(ctx)
        with self.store.transaction():
            doc = self._group(ctx, name)
            doc["retentionInDays"] = days
            self.groups.put(scope, name, doc)
        # What the new retention leaves behind goes now rather than at the next sweep.
        self._sweep_group(scope, name, doc)
        return {}

    def DeleteRetentionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            doc = self._group(ctx, p["logGroupName"])
            doc.pop("retentionInDays", None)
            self.groups.put(self._scope(ctx), p["logGroupName"], doc)
        return {}

    # -- tags ---------------------------------------------------------------------------

    def _group_from_arn(self, ctx: RequestContext, arn: str) -> str:
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs":
            raise invalid(f"Invalid resource arn: {arn}")
        if parts[5] != "log-group":
            raise not_found(f"The specified resource does not exist: {arn}")
        return self._from_identifier(ctx, arn)

    def _tag(
        self,
        ctx: RequestContext,
        group: str,
        add: dict[str, str] | None = None,
        remove: list[str] | None = None,
        too_many: str = "InvalidParameterException",
    ) -> None:
        with self.store.transaction():
            doc = self._group(ctx, group)
            tags = dict(doc.get("tags") or {})
            tags.update(add or {})
            for key in remove or []:
                tags.pop(key, None)
            if len(tags) > MAX_TAGS:
                raise ServiceError(
                    too_many,
                    f"A resource can have no more than {MAX_TAGS} tags.",
                    status=400,
                    **({"resourceName": doc["logGroupArn"]} if too_many == "TooManyTagsException" else {}),
                )
            doc["tags"] = tags
            self.groups.put(self._scope(ctx), group, doc)

    def TagLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, p["logGroupName"], add=p["tags"])
        return {}

    def UntagLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, p["logGroupName"], remove=p["tags"])
        return {}

    def ListTagsLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        return {"tags": self._group(ctx, p["logGroupName"]).get("tags") or {}}

    def _resource_tags(self, arn: str) -> Callable[..., dict[str, str]] | None:
        """The tag keeper of a destination's, delivery destination's, delivery's or anomaly detector's
        ARN: keeper(ctx, arn, add=, remove=, max_tags=) → the tags after the change (None: a log
        group's ARN, or not a Logs ARN at all). Each is stored under the ARN's last part."""
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs":
            return None
        if parts[5] == "delivery":
            return _no_delivery  # no delivery can exist (deliveries.py)
        stored: dict[str, tuple[Collection, str]] = {
            "destination": (self.destinations, "arn"),
            "delivery-destination": (self.delivery_destinations, "arn"),
            "anomaly-detector": (self.anomaly_detectors, "anomalyDetectorArn"),
        }
        if parts[5] not in stored:
            return None
        collection, arn_member = stored[parts[5]]

        def keeper(
            ctx: RequestContext,
            arn: str,
            add: dict[str, str] | None = None,
            remove: list[str] | None = None,
            max_tags: int = MAX_TAGS,
        ) -> dict[str, str]:
            scope = self._scope(ctx)
            return tags_of_resource(
                self.store, collection, scope, parts[6], arn, add, remove, max_tags, arn_member=arn_member
            )

        return keeper

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["resourceArn"]
        if keeper := self._resource_tags(arn):
            keeper(ctx, arn, add=p["tags"], max_tags=MAX_TAGS)
            return {}
        self._tag(ctx, self._group_from_arn(ctx, arn), add=p["tags"], too_many="TooManyTagsException")
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["resourceArn"]
        if keeper := self._resource_tags(arn):
            keeper(ctx, arn, remove=p["tagKeys"])
            return {}
        self._tag(ctx, self._group_from_arn(ctx, arn), remove=p["tagKeys"])
        return {}

    def ListTagsForResource(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["resourceArn"]
        if keeper := self._resource_tags(arn):
            return {"tags": keeper(ctx, arn)}
        return {"tags": self._group(ctx, self._group_from_arn(ctx, arn)).get("tags") or {}}


def _no_delivery(ctx: RequestContext, arn: str, **changes: Any) -> dict[str, str]:
    raise no_resource(arn)
