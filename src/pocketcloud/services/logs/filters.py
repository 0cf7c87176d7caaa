"""Metric filters and subscription filters of log groups, and delivery to subscribed Lambdas.

Both kinds are documents keyed "<group>\\0<filter name>" beside the group, which
keeps its `metricFilterCount` up to date. A metric filter is kept and described
(no CloudWatch metrics are published). A subscription filter whose destination
is a Lambda function of the same account gets, for every batch of events the
filter matches, an asynchronous invocation with AWS's payload:
`{"awslogs": {"data": base64(gzip(json))}}`, the JSON carrying messageType
DATA_MESSAGE, owner, logGroup, logStream, subscriptionFilters and logEvents
(id, timestamp, message); as on AWS, the function's resource policy must let
CloudWatch Logs invoke it (logs.amazonaws.com or logs.<region>.amazonaws.com, for
the group's `log-group:<name>:*` ARN), or the filter is refused. Kinesis, Firehose
and Logs destinations are kept but nothing is sent to them; a Logs destination
must exist and, for another account, allow it.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import service_allowed
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.events import now_ms
from pocketcloud.services.logs.masking import Masker
from pocketcloud.services.logs.patterns import FilterPattern, FilterPatternError, compile_filter
from pocketcloud.store import Collection, Scope

log = logging.getLogger(__name__)

Params = dict[str, Any]

MAX_METRIC_FILTERS = 100  # per log group
MAX_SUBSCRIPTION_FILTERS = 2  # per log group
# "There is a maximum of 5 filter patterns containing regex for each log group when creating
# metric filters or subscription filters" (FilterAndPatternSyntax, Quotas): both kinds count.
MAX_REGEX_FILTERS = 5


def _limit_exceeded() -> ServiceError:
    return ServiceError("LimitExceededException", "Resource limit exceeded.", status=400)


def _page_token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _page_after(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("The specified nextToken is invalid.") from exc


# MetricTransformation's fields in the order AWS's Java class prints them (the model lists
# dimensions before unit).
_TRANSFORMATION_FIELDS = ("metricName", "metricNamespace", "metricValue", "defaultValue", "unit", "dimensions")


def _java(value: Any) -> str:
    """`value` as Java's toString prints it: null, a Double ("0.0", "1.0E7"), a Map ("{k=v}")."""
    if value is None:
        return "null"
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e7:
            text = repr(value)
            return text if "." in text else text + ".0"
        digits, exponent = f"{value:.16e}".split("e")
        mantissa = repr(float(digits)).rstrip("0")
        return f"{mantissa}0E{int(exponent)}" if mantissa.endswith(".") else f"{mantissa}E{int(exponent)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java(v)}" for k, v in value.items()) + "}"
    return str(value)


def _check_transformation_count(transformations: list[Params]) -> None:
    # AWS takes one transformation per filter, and shows what it refused as Java prints it.
    if len(transformations) > 1:
        shown = ", ".join(
            "MetricTransformation(" + ", ".join(f"{f}={_java(t.get(f))}" for f in _TRANSFORMATION_FIELDS) + ")"
            for t in transformations
        )
        raise invalid(
            f"1 validation error detected: Value '[{shown}]' at 'metricTransformations' failed to satisfy "
            "constraint: Member must have length less than or equal to 1"
        )


def checked_pattern(pattern: str) -> FilterPattern:
    try:
        return compile_filter(pattern)
    except FilterPatternError as exc:
        raise invalid(str(exc)) from exc


def page_by(docs: list[Params], key: str, p: Params) -> tuple[list[Params], str | None]:
    """One page of `docs` (sorted by `key`) after the token's key, with the next token if more remain."""
    after = _page_after(p.get("nextToken"))
    if after is not None:
        docs = [d for d in docs if d[key] > after]
    limit = p.get("limit") or 50
    more = len(docs) > limit
    docs = docs[:limit]
    return docs, (_page_token(docs[-1][key]) if more else None)


class FilterOperations(LogsMixin):
    """The metric and subscription filter operations of the logs provider."""

    groups: Collection
    metric_filters: Collection
    subscriptions: Collection
    runtime: Any
    store: Any
    # (scope, group) -> its subscription filters, read once: Lambda's log lines pass by here.
    _subscribers_cache: dict[tuple[Scope, str], list[Params]]

    check_logs_destination: Callable[[RequestContext, str], None]
    _group_masker: Callable[[Scope, str], Masker | None]

    # -- metric filters ------------------------------------------------------------

    def PutMetricFilter(self, ctx: RequestContext, p: Params) -> Params:
        group, name, scope = p["logGroupName"], p["filterName"], self._scope(ctx)
        _check_transformation_count(p["metricTransformations"])
        pattern = checked_pattern(p["filterPattern"])
        transformations = []
        for given in p["metricTransformations"]:
            transformation = {k: given[k] for k in ("metricName", "metricNamespace", "metricValue")}
            if given.get("defaultValue") is not None:
                transformation["defaultValue"] = float(given["defaultValue"])
            if given.get("dimensions"):
                if given.get("defaultValue") is not None:
                    raise invalid("You cannot specify both dimensions and a default value.")
                if not pattern.supports_dimensions:  # a term pattern names no field to take them from
                    raise invalid("The specified filter pattern does not support dimensions")
                transformation["dimensions"] = dict(given["dimensions"])
            if given.get("unit"):
                transformation["unit"] = given["unit"]
            transformations.append(transformation)
        doc: Params = {
            "filterName": name,
            "filterPattern": p["filterPattern"],
            "metricTransformations": transformations,
            "creationTime": now_ms(),
            "logGroupName": group,
            "applyOnTransformedLogs": bool(p.get("applyOnTransformedLogs")),
        }
        for optional in ("fieldSelectionCriteria", "emitSystemFieldDimensions"):
            if p.get(optional):
                doc[optional] = p[optional]
        with self.store.transaction():
            group_doc = self._group(ctx, group)
            self._check_regex_quota(scope, group, self.metric_filters, name, pattern)
            key = f"{group}\0{name}"
            if self.metric_filters.get(scope, key) is None:
                count = self.metric_filters.count(scope, prefix=group + "\0")
                if count >= MAX_METRIC_FILTERS:
                    raise _limit_exceeded()
                group_doc["metricFilterCount"] = count + 1
                self.groups.put(scope, group, group_doc)
            self.metric_filters.put(scope, key, doc)
        return {}

    def _check_regex_quota(
        self, scope: Scope, group: str, kind: Collection, name: str, pattern: FilterPattern
    ) -> None:
        """LimitExceeded when `pattern` has a regex and the group's other metric and subscription
        filters (the one `name` replaces aside) already hold MAX_REGEX_FILTERS such patterns."""
        if not pattern.regexes:
            return
        count = 0
        for collection in (self.metric_filters, self.subscriptions):
            for _, doc in collection.scan(scope, prefix=group + "\0"):
                if collection is kind and doc["filterName"] == name:
                    continue
                try:
                    count += bool(compile_filter(doc["filterPattern"]).regexes)
                except FilterPatternError:
                    continue
        if count >= MAX_REGEX_FILTERS:
            raise _limit_exceeded()

    def DescribeMetricFilters(self, ctx: RequestContext, p: Params) -> Params:
        scope, group = self._scope(ctx), p.get("logGroupName")
        prefix = p.get("filterNamePrefix") or ""
        if group:
            self._group(ctx, group)
            docs = [d for _, d in self.metric_filters.scan(scope, prefix=f"{group}\0{prefix}")]
        else:
            # "CloudWatch Logs uses the value that you set here only if you also include the
            # logGroupName parameter in your request" (DescribeMetricFilters, filterNamePrefix).
            docs = [d for _, d in self.metric_filters.scan(scope)]
            docs.sort(key=lambda d: (d["filterName"], d["logGroupName"]))
        name, namespace = p.get("metricName"), p.get("metricNamespace")
        if name or namespace:
            docs = [
                d
                for d in docs
                if any(
                    (not name or t["metricName"] == name)
                    and (not namespace or t["metricNamespace"] == namespace)
                    for t in d["metricTransformations"]
                )
            ]
        for d in docs:  # the token names the last filter shown: group and name
            d["_key"] = f"{d['filterName']}\0{d['logGroupName']}" if not group else d["filterName"]
        page, token = page_by(docs, "_key", p)
        result: Params = {"metricFilters": [{k: v for k, v in d.items() if k != "_key"} for d in page]}
        if token:
            result["nextToken"] = token
        return result

    def DeleteMetricFilter(self, ctx: RequestContext, p: Params) -> Params:
        group, scope = p["logGroupName"], self._scope(ctx)
        with self.store.transaction():
            group_doc = self._group(ctx, group)
            if not self.metric_filters.delete(scope, f"{group}\0{p['filterName']}"):
                raise ServiceError(
                    "ResourceNotFoundException", "The specified metric filter does not exist.", status=400
                )
            group_doc["metricFilterCount"] = self.metric_filters.count(scope, prefix=group + "\0")
            self.groups.put(scope, group, group_doc)
        return {}

    # -- subscription filters ------------------------------------------------------------

    @staticmethod
    def _check_destination_arn(ctx: RequestContext, p: Params) -> None:
        """What the destination ARN alone decides; AWS answers these before it looks for the log group
        (a cross-account Lambda on a missing group is AccessDeniedException, not ResourceNotFound)."""
        arn = p["destinationArn"]
        parts = arn.split(":")
        if len(parts) < 6 or parts[0] != "arn":
            raise invalid(f"Invalid destinationArn: {arn}")
        vendor, account = parts[2], parts[4]
        if vendor == "lambda" and account != ctx.account_id:
            raise ServiceError(
                "AccessDeniedException",
                "Cross-account lambda invocation passing is not allowed. "
                "You must use DestinationPolicies to create cross account lambda triggers.",
                status=400,
            )
        if vendor in ("kinesis", "firehose") and not p.get("roleArn"):
            raise invalid(f"destinationArn for vendor {vendor} cannot be used without roleArn")

    def _check_destination(self, ctx: RequestContext, p: Params) -> None:
        """That the destination exists (and, for a Logs destination of another account, allows us)."""
        arn = p["destinationArn"]
        parts = arn.split(":")
        vendor = parts[2]
        if vendor == "lambda" and not (
            self._lambda_exists(parts) and self._logs_may_invoke(ctx, p["logGroupName"], arn)
        ):
            raise invalid(
                "Could not execute the lambda function. "
                "Make sure you have given CloudWatch Logs permission to execute your function."
            )
        if vendor == "logs":  # a logical destination (destinations.py), often another account's
            self.check_logs_destination(ctx, arn)

    def _lambda_exists(self, parts: list[str]) -> bool:
        lam = self.runtime.provider("lambda")
        if lam is None or len(parts) < 7:
            return False
        qualifier = parts[7] if len(parts) > 7 else None
        try:
            lam.functions.resolve((parts[4], parts[3]), parts[6], qualifier, ":".join(parts))
        except ServiceError:
            return False
        return True

    def _logs_may_invoke(self, ctx: RequestContext, group: str, arn: str) -> bool:
        """Does the function's resource policy let CloudWatch Logs (logs.amazonaws.com or its regional
        name) invoke it for this log group? AWS test-invokes the function and refuses the filter when
        it may not; the group is the source, as `arn:...:log-group:<name>:*` (the form AddPermission's
        SourceArn must take to match)."""
        lam = self.runtime.provider("lambda")
        lookup = getattr(lam, "function_policy", None) if lam is not None else None
        found = lookup(arn) if lookup is not None else None
        if found is None:
            return False
        context = {
            "aws:SourceArn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}:*",
            "aws:SourceAccount": ctx.account_id,
        }
        services = ("logs.amazonaws.com", f"logs.{ctx.region}.amazonaws.com")
        return service_allowed(found[0], services, "lambda:InvokeFunction", arn, found[1], context)

    def PutSubscriptionFilter(self, ctx: RequestContext, p: Params) -> Params:
        group, name, scope = p["logGroupName"], p["filterName"], self._scope(ctx)
        self._check_destination_arn(ctx, p)
        self._group(ctx, group)
        pattern = checked_pattern(p["filterPattern"])
        self._check_destination(ctx, p)
        doc: Params = {
            "filterName": name,
            "logGroupName": group,
            "filterPattern": p["filterPattern"],
            "destinationArn": p["destinationArn"],
            "distribution": p.get("distribution") or "ByLogStream",
            "applyOnTransformedLogs": bool(p.get("applyOnTransformedLogs")),
            "creationTime": now_ms(),
        }
        for optional in ("roleArn", "fieldSelectionCriteria", "emitSystemFields"):
            if p.get(optional):
                doc[optional] = p[optional]
        key = f"{group}\0{name}"
        with self.store.transaction():
            self._check_regex_quota(scope, group, self.subscriptions, name, pattern)
            if (
                self.subscriptions.get(scope, key) is None
                and self.subscriptions.count(scope, prefix=group + "\0") >= MAX_SUBSCRIPTION_FILTERS
            ):
                raise _limit_exceeded()
            self.subscriptions.put(scope, key, doc)
        self._subscribers_cache.clear()
        return {}

    def DescribeSubscriptionFilters(self, ctx: RequestContext, p: Params) -> Params:
        group, scope = p["logGroupName"], self._scope(ctx)
        self._group(ctx, group)
        prefix = p.get("filterNamePrefix") or ""
        docs = [d for _, d in self.subscriptions.scan(scope, prefix=f"{group}\0{prefix}")]
        page, token = page_by(docs, "filterName", p)
        result: Params = {"subscriptionFilters": page}
        if token:
            result["nextToken"] = token
        return result

    def DeleteSubscriptionFilter(self, ctx: RequestContext, p: Params) -> Params:
        group, scope = p["logGroupName"], self._scope(ctx)
        with self.store.transaction():
            self._group(ctx, group)
            if not self.subscriptions.delete(scope, f"{group}\0{p['filterName']}"):
                raise ServiceError(
                    "ResourceNotFoundException",
                    "The specified subscription filter does not exist.",
                    status=400,
                )
        self._subscribers_cache.clear()
        return {}

    def _delete_group_filters(self, scope: Scope, group: str) -> None:
        self.metric_filters.delete_prefix(scope, group + "\0")
        self.subscriptions.delete_prefix(scope, group + "\0")
        self._subscribers_cache.clear()

    def _subscribers(self, scope: Scope, group: str) -> list[Params]:
        found = self._subscribers_cache.get((scope, group))
        if found is None:
            found = [d for _, d in self.subscriptions.scan(scope, prefix=group + "\0")]
            self._subscribers_cache[(scope, group)] = found
        return found

    # -- delivery ----------------------------------------------------------------------

    def deliver(
        self,
        scope: Scope,
        group: str,
        stream: str,
        events: list[tuple[int, int, str, str | None]],
        ingestion: int,
    ) -> None:
        """Send (position, timestamp, message, transformed message or None) events just stored (at
        `ingestion`) to the group's Lambda subscribers: a filter with applyOnTransformedLogs matches
        and sends the transformed version of an event that has one. What a data protection policy
        protects is sent masked: AWS masks it "at all egress points, including ... subscription
        filters" (user guide, mask-sensitive-log-data)."""
        if not events:
            return
        mask: Masker | None = None
        masked = False  # the group's masker is looked up once, and only when something is sent
        for sub in self._subscribers(scope, group):
            parts = sub["destinationArn"].split(":")
            if len(parts) < 7 or parts[2] != "lambda":
                continue
            try:
                matcher = compile_filter(sub["filterPattern"])
            except FilterPatternError:
                continue
            transformed = bool(sub.get("applyOnTransformedLogs"))
            matched: list[Params] = []
            for position, timestamp, original, changed in events:
                message = changed if transformed and changed is not None else original
                if matcher.matches(message):
                    matched.append({"id": f"{position:056d}", "timestamp": timestamp, "message": message})
            if not matched:
                continue
            if not masked:
                mask, masked = self._group_masker(scope, group), True
            if mask is not None:
                for event in matched:
                    event["message"] = mask(event["message"], ingestion)
            data = {
                "messageType": "DATA_MESSAGE",
                "owner": scope[0],
                "logGroup": group,
                "logStream": stream,
                "subscriptionFilters": [sub["filterName"]],
                "logEvents": matched,
            }
            packed = base64.b64encode(gzip.compress(json.dumps(data).encode())).decode()
            payload = json.dumps({"awslogs": {"data": packed}}).encode()
            lam = self.runtime.provider("lambda")
            if lam is None:
                return
            try:
                lam.enqueue(parts[4], parts[3], parts[6], parts[7] if len(parts) > 7 else None, payload)
            except ServiceError:  # the function went away: AWS drops the batch too
                log.warning("log events for subscription %s not delivered", sub["filterName"])
