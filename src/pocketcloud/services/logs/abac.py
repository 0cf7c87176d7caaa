"""aws:ResourceTag/<key> of the log group, destination or delivery destination a Logs call acts on,
for the authorizer's condition keys.

"Using identity-based policies (IAM policies) for CloudWatch Logs": "you can't control access to
the DescribeLogGroups action by using the aws:ResourceTag/key-name condition key. Other CloudWatch
Logs actions do support" it. So every call naming one log group (logGroupName, logGroupIdentifier,
a one-group logGroupNames/logGroupIdentifiers list, a log group ARN as resourceArn or
resourceIdentifier) is given that group's tags, its streams' calls included; CreateLogGroup names a
group that is not there yet (its tags are the request's, aws:RequestTag). The Service Authorization
Reference also gives the destination and delivery-destination resource types aws:ResourceTag: calls
naming one (destinationName; a delivery destination's name; its ARN as resourceArn) get its tags.
A call naming several log groups is given none: one set of keys cannot tell whose tags are whose.

The authorizer asks only for callers other than the account's root user. A log group's tags are
remembered (`_group_tags`, emptied by any write to the groups collection, see provider.py), so
PutLogEvents pays one dict lookup; destinations and delivery destinations are read from the store
(their calls are rare).
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.store import Scope

Params = dict[str, Any]

_NO_RESOURCE_TAGS = frozenset({"DescribeLogGroups", "CreateLogGroup"})
_DELIVERY_DESTINATION_NAMES = {
    "PutDeliveryDestination": "name",
    "GetDeliveryDestination": "name",
    "DeleteDeliveryDestination": "name",
    "PutDeliveryDestinationPolicy": "deliveryDestinationName",
    "GetDeliveryDestinationPolicy": "deliveryDestinationName",
    "DeleteDeliveryDestinationPolicy": "deliveryDestinationName",
}


class AbacOperations:
    _group_tags: dict[tuple[Scope, str], dict[str, str]]

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """aws:ResourceTag/<key> of the resource the call names ({} if it names none, or several,
        or one that is not there)."""
        if operation in _NO_RESOURCE_TAGS:
            return {}
        tags = self._named_resource_tags(ctx, operation, params)
        return resource_tag_values(tags)

    def _named_resource_tags(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> dict[str, str] | None:
        scope: Scope = (ctx.account_id, ctx.region)
        arn = params.get("resourceArn") or params.get("resourceIdentifier")
        if isinstance(arn, str):
            return self._tags_by_arn(ctx, arn)
        member = _DELIVERY_DESTINATION_NAMES.get(operation)
        if member is not None:
            return _stored_tags(self.delivery_destinations, scope, params.get(member))  # type: ignore[attr-defined]
        if "destinationName" in params:
            return _stored_tags(self.destinations, scope, params["destinationName"])  # type: ignore[attr-defined]
        group = params.get("logGroupName") or params.get("logGroupIdentifier")
        if group is None:
            listed = params.get("logGroupNames") or params.get("logGroupIdentifiers")
            if isinstance(listed, list) and len(listed) == 1:
                group = listed[0]
        if not isinstance(group, str) or not group:
            return None
        if group.startswith("arn:"):
            return self._tags_by_arn(ctx, group)
        return self._log_group_tags(scope, group)

    def _tags_by_arn(self, ctx: RequestContext, arn: str) -> dict[str, str] | None:
        """The tags of the log group, destination or delivery destination of this account and
        Region an ARN names (a log group's with or without its ":*")."""
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[2] != "logs" or (parts[4], parts[3]) != (ctx.account_id, ctx.region):
            return None
        scope: Scope = (ctx.account_id, ctx.region)
        kind, name = parts[5], parts[6]
        if kind == "log-group":
            return self._log_group_tags(scope, name.split(":", 1)[0])  # a group's name has no ":"
        if kind == "destination":
            return _stored_tags(self.destinations, scope, name)  # type: ignore[attr-defined]
        if kind == "delivery-destination":
            return _stored_tags(self.delivery_destinations, scope, name)  # type: ignore[attr-defined]
        return None

    def _log_group_tags(self, scope: Scope, name: str) -> dict[str, str]:
        key = (scope, name)
        tags = self._group_tags.get(key)
        if tags is None:
            doc = self.groups.get(scope, name)  # type: ignore[attr-defined]
            tags = dict((doc or {}).get("tags") or {})
            if len(self._group_tags) >= 4096:  # a bound on memory; refilled on demand
                self._group_tags.clear()
            self._group_tags[key] = tags
        return tags


def _stored_tags(collection: Any, scope: Scope, name: Any) -> dict[str, str] | None:
    if not isinstance(name, str) or not name:
        return None
    doc = collection.get(scope, name)
    return dict(doc.get("tags") or {}) if doc is not None else None
