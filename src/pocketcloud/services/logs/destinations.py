"""Logical destinations for cross-account subscriptions: PutDestination, PutDestinationPolicy,
DescribeDestinations, DeleteDestination, and their tags (TagResource & co. on a destination ARN).

A destination names a Kinesis stream or Firehose delivery stream (`targetArn`)
and the role CloudWatch Logs writes to it as (`roleArn`), under the ARN
`arn:aws:logs:<region>:<account>:destination:<name>`. Its access policy says
which accounts may subscribe log groups to it: a subscription filter of another
account naming the destination is refused unless that policy lets the account
`logs:PutSubscriptionFilter` on it (`check_logs_destination`). Destinations
are kept and described; nothing is delivered to Kinesis or Firehose.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import ROOT, AuthorizationRequest, evaluate
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.events import now_ms
from pocketcloud.store import Collection

Params = dict[str, Any]

MAX_DESTINATIONS = 1000  # AWS's default quota per account and region
_TARGET_SERVICES = ("kinesis", "firehose")


# A service named as an "AWS" principal ("logs.us-east-1.amazonaws.com"): AWS takes the access policy
# and keeps the service's global name ("logs.amazonaws.com") in its place.
_SERVICE_NAME = re.compile(r"([a-z0-9-]+)(?:\.[a-z]{2}(?:-[a-z]+)+-\d)?\.amazonaws\.com")


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _global_name(service: str) -> str:
    return _SERVICE_NAME.sub(r"\1.amazonaws.com", service)


def _with_service_names(text: str) -> tuple[str, str]:
    """(the access policy as AWS keeps it, the same with its services moved from "AWS" to
    "Service", which is the form the policy grammar checks)."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        return text, text
    if not isinstance(doc, dict):
        return text, text
    checked = copy.deepcopy(doc)
    changed = False
    for statement, twin in zip(_listed(doc.get("Statement")), _listed(checked.get("Statement")), strict=True):
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if not isinstance(principal, dict):
            continue
        given = principal.get("AWS")
        entries = _listed(given)
        services = [e for e in entries if isinstance(e, str) and _SERVICE_NAME.fullmatch(e)]
        if not services:
            continue
        changed = True
        renamed = [_global_name(e) if e in services else e for e in entries]
        principal["AWS"] = renamed if isinstance(given, list) else renamed[0]
        others = [e for e in entries if e not in services]
        twin_principal = twin["Principal"]
        if others:
            twin_principal["AWS"] = others
        else:
            del twin_principal["AWS"]
        twin_principal["Service"] = [*_listed(twin_principal.get("Service")), *map(_global_name, services)]
    if not changed:
        return text, text
    return json.dumps(doc, separators=(",", ":")), json.dumps(checked)


def _missing() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified destination does not exist.", status=400)


def _arn_parts(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" and parts[5] else None


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"d:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("The specified nextToken is invalid.") from exc
    kind, _, value = raw.partition(":")
    if kind != "d" or not is_digits(value):
        raise invalid("The specified nextToken is invalid.")
    return int(value)


class DestinationOperations(LogsMixin):
    destinations: Collection
    store: Any

    def PutDestination(self, ctx: RequestContext, p: Params) -> Params:
        name, target, role = p["destinationName"], p["targetArn"], p["roleArn"]
        target_parts = _arn_parts(target)
        if target_parts is None or target_parts[2] not in _TARGET_SERVICES:
            raise invalid(f"Invalid target ARN: {target}. Only Kinesis and Firehose streams are supported.")
        role_parts = _arn_parts(role)
        if role_parts is None or role_parts[2] != "iam" or not role_parts[5].startswith("role/"):
            raise invalid(f"Invalid role ARN: {role}")
        scope = self._scope(ctx)
        with self.store.transaction():
            doc = self.destinations.get(scope, name)
            if doc is None:
                if self.destinations.count(scope) >= MAX_DESTINATIONS:
                    raise ServiceError("LimitExceededException", "Resource limit exceeded.", status=400)
                doc = {
                    "destinationName": name,
                    "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:destination:{name}",
                    "creationTime": now_ms(),
                }
            doc.update(targetArn=target, roleArn=role)
            if p.get("tags"):
                doc["tags"] = {**doc.get("tags", {}), **p["tags"]}
            self.destinations.put(scope, name, doc)
        return {"destination": self._destination_view(doc)}

    @staticmethod
    def _destination_view(doc: Params) -> Params:
        return {k: v for k, v in doc.items() if k != "tags"}

    def PutDestinationPolicy(self, ctx: RequestContext, p: Params) -> Params:
        text, checked = _with_service_names(p["accessPolicy"])
        try:
            parse_policy(checked, "resource", policy_id="destination")
        except MalformedPolicy as exc:
            raise invalid(f"Invalid access policy: {exc}") from exc
        scope, name = self._scope(ctx), p["destinationName"]
        with self.store.transaction():
            doc = self.destinations.get(scope, name)
            if doc is None:
                raise _missing()
            doc["accessPolicy"] = text
            self.destinations.put(scope, name, doc)
        return {}

    def DescribeDestinations(self, ctx: RequestContext, p: Params) -> Params:
        prefix = p.get("DestinationNamePrefix") or ""
        docs = [d for _, d in self.destinations.scan(self._scope(ctx), prefix=prefix)]
        start = _page_offset(p["nextToken"]) if p.get("nextToken") else 0
        limit = p.get("limit") or 50
        result: Params = {"destinations": [self._destination_view(d) for d in docs[start : start + limit]]}
        if start + limit < len(docs):
            result["nextToken"] = _page_token(start + limit)
        return result

    def DeleteDestination(self, ctx: RequestContext, p: Params) -> Params:
        if not self.destinations.delete(self._scope(ctx), p["destinationName"]):
            raise _missing()
        return {}

    def check_logs_destination(self, ctx: RequestContext, arn: str) -> None:
        """A subscription filter may name this destination: it exists and, for another account's
        caller, its access policy lets that account logs:PutSubscriptionFilter on it."""
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[5] != "destination" or not parts[6]:
            raise invalid(f"Invalid destinationArn: {arn}")
        region, account, name = parts[3], parts[4], parts[6]
        doc = self.destinations.get((account, region), name)
        if doc is None:
            raise _missing()
        if account == ctx.account_id:
            return
        allowed = False
        if doc.get("accessPolicy"):
            try:
                checked = _with_service_names(doc["accessPolicy"])[1]
                policy = parse_policy(checked, "resource", policy_id="destination")
            except MalformedPolicy:
                policy = None
            if policy is not None:
                caller = ctx.account_id
                decision = evaluate(
                    AuthorizationRequest(
                        action="logs:PutSubscriptionFilter",
                        resources=arn,
                        principal_arn=f"arn:aws:iam::{caller}:root",
                        principal_type=ROOT,
                        principal_account=caller,
                        user_id=caller,
                        resource_policy=policy,
                        resource_account=account,
                    )
                )
                allowed = decision.allowed
        if not allowed:
            raise ServiceError(
                "AccessDeniedException",
                f"User with accountId: {ctx.account_id} is not authorized to perform: "
                f"logs:PutSubscriptionFilter on resource: {arn}",
                status=400,
            )
