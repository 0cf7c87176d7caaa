"""S3's deprecated `?lifecycle` and `?notification` operations, over the current configurations.

On the wire the old and the new operations are the same request (`PUT /{Bucket}?lifecycle`),
and their bodies share element names (a legacy `<Rule>` with a top-level `<Prefix>` and one
`<Transition>`, a legacy `<QueueConfiguration>` with `<Queue>` and `<Event>`), so the router
sends both to the current operation (the one the model does not mark deprecated) and an old
client reads the current answer as S3 gives it: a rule selected by `<Filter>` comes back
without a top-level Prefix. The methods here serve whoever dispatches a legacy operation by
name: they translate its shapes to the current ones and store one configuration, as S3 keeps
one.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext

Params = dict[str, Any]

# (legacy member, current list, legacy ARN member, current ARN member)
_NOTIFICATION_KINDS = (
    ("TopicConfiguration", "TopicConfigurations", "Topic", "TopicArn"),
    ("QueueConfiguration", "QueueConfigurations", "Queue", "QueueArn"),
    ("CloudFunctionConfiguration", "LambdaFunctionConfigurations", "CloudFunction", "LambdaFunctionArn"),
)
# (legacy single member, current list member)
_TRANSITIONS = (
    ("Transition", "Transitions"),
    ("NoncurrentVersionTransition", "NoncurrentVersionTransitions"),
)


def lifecycle_from_legacy(config: Params) -> Params:
    rules = []
    for legacy in config.get("Rules") or []:
        rule = {k: v for k, v in legacy.items() if k not in dict(_TRANSITIONS)}
        for single, plural in _TRANSITIONS:
            if legacy.get(single) is not None:
                rule[plural] = [legacy[single]]
        rules.append(rule)
    return {"Rules": rules}


def lifecycle_to_legacy(config: Params) -> Params:
    rules = []
    for current in config.get("Rules") or []:
        rule = {k: v for k, v in current.items() if k not in ("Filter", *dict(_TRANSITIONS).values())}
        for single, plural in _TRANSITIONS:
            if current.get(plural):
                rule[single] = current[plural][0]
        rules.append(rule)
    return {"Rules": rules}


def notification_from_legacy(config: Params) -> Params:
    current: Params = {}
    for legacy_member, plural, legacy_arn, arn in _NOTIFICATION_KINDS:
        legacy = config.get(legacy_member)
        if legacy is None:
            continue
        events = list(legacy.get("Events") or [])
        if legacy.get("Event") is not None and legacy["Event"] not in events:
            events.append(legacy["Event"])
        entry: Params = {arn: legacy.get(legacy_arn, ""), "Events": events}
        if legacy.get("Id") is not None:
            entry["Id"] = legacy["Id"]
        current[plural] = [entry]
    return current


def notification_to_legacy(config: Params) -> Params:
    legacy: Params = {}
    for legacy_member, plural, legacy_arn, arn in _NOTIFICATION_KINDS:
        entries = config.get(plural) or []
        if entries:
            entry = entries[0]
            legacy[legacy_member] = {
                k: v
                for k, v in (
                    ("Id", entry.get("Id")),
                    ("Events", entry.get("Events")),
                    (legacy_arn, entry.get(arn)),
                )
                if v is not None
            }
    return legacy


class LegacyConfigOperations:
    """PutBucketLifecycle / GetBucketLifecycle / PutBucketNotification / GetBucketNotification."""

    def PutBucketLifecycle(self, ctx: RequestContext, p: Params) -> Params:
        current = {
            "Bucket": p["Bucket"],
            "LifecycleConfiguration": lifecycle_from_legacy(p.get("LifecycleConfiguration") or {}),
        }
        self.PutBucketLifecycleConfiguration(ctx, current)  # type: ignore[attr-defined]
        return {}

    def GetBucketLifecycle(self, ctx: RequestContext, p: Params) -> Params:
        return lifecycle_to_legacy(self.GetBucketLifecycleConfiguration(ctx, p))  # type: ignore[attr-defined]

    async def PutBucketNotification(self, ctx: RequestContext, p: Params) -> Params:
        current = {
            "Bucket": p["Bucket"],
            "NotificationConfiguration": notification_from_legacy(p.get("NotificationConfiguration") or {}),
        }
        await self.PutBucketNotificationConfiguration(ctx, current)  # type: ignore[attr-defined]
        return {}

    def GetBucketNotification(self, ctx: RequestContext, p: Params) -> Params:
        return notification_to_legacy(self.GetBucketNotificationConfiguration(ctx, p))  # type: ignore[attr-defined]
