"""Masking what a data protection policy protects, in GetLogEvents and FilterLogEvents.

AWS detects sensitive data when an event is ingested, so only events ingested
after the policy was put are masked; each match is shown as asterisks. The log
group's own policy and the account's DATA_PROTECTION_POLICY are cumulative.
Recognised here: the managed identifiers EmailAddress, IpAddress and
CreditCardNumber (Luhn-checked), and custom data identifiers (the policy's
Configuration.CustomDataIdentifier name → Regex); other managed identifiers are
accepted but mask nothing. `unmask=true` shows the events as ingested, for a
caller allowed `logs:Unmask` on the group (AccessDeniedException otherwise).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.iam.evaluate import AuthorizationRequest, denial_message, evaluate
from pocketcloud.iam.policy import MalformedPolicy, Policy, parse_policy
from pocketcloud.services.logs.events import now_ms

Params = dict[str, Any]
Masker = Callable[[str, int], str]  # (message, ingestion time) -> message as shown

MANAGED_PREFIX = "arn:aws:dataprotection::aws:data-identifier/"
_MANAGED = {
    "EmailAddress": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "IpAddress": re.compile(
        r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
    ),
}
_CARD = re.compile(r"(?<!\d)\d{13,19}(?!\d)")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _patterns(document: str) -> list[re.Pattern[str]]:
    """The expressions of the identifiers a policy document protects."""
    try:
        doc = json.loads(document)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        return []
    custom = {}
    for entry in (doc.get("Configuration") or {}).get("CustomDataIdentifier") or []:
        try:
            custom[entry["Name"]] = re.compile(entry["Regex"])
        except (KeyError, TypeError, re.error):
            continue
    found: list[re.Pattern[str]] = []
    for statement in doc.get("Statement") or []:
        for identifier in statement.get("DataIdentifier") or []:
            name = identifier.removeprefix(MANAGED_PREFIX)
            pattern = (
                _MANAGED.get(name) or custom.get(name) or (_CARD if name == "CreditCardNumber" else None)
            )
            if pattern is not None and pattern not in found:
                found.append(pattern)
    return found


def _stars(match: re.Match[str]) -> str:
    if match.re is _CARD and not _luhn(match.group(0)):
        return match.group(0)
    return "*" * len(match.group(0))


def policy_start() -> int:
    """The time (ms) a data protection policy put now applies from, once that millisecond is over: an
    event ingested before the policy's answer has this time or an earlier one, an event ingested after
    it a later one, however fast the calls follow each other (masker masks ingestion times after it)."""
    start = now_ms()
    while now_ms() <= start:
        time.sleep(0.0001)
    return start


def masker(policies: list[Params]) -> Masker | None:
    """What masks events under these policies ({"policyDocument", "lastUpdatedTime"}); None: nothing to mask."""
    rules = [(doc["lastUpdatedTime"], _patterns(doc["policyDocument"])) for doc in policies]
    rules = [(since, patterns) for since, patterns in rules if patterns]
    if not rules:
        return None

    def mask(message: str, ingested: int) -> str:
        for since, patterns in rules:
            if ingested > since:
                for pattern in patterns:
                    message = pattern.sub(_stars, message)
        return message

    return mask


def _parsed(document: str, kind: str, policy_id: str) -> Policy | None:
    try:
        return parse_policy(document, kind, policy_id=policy_id)  # type: ignore[arg-type]
    except MalformedPolicy:
        return None  # grants nothing


def check_unmask(runtime: Any, ctx: RequestContext, group_arn: str) -> None:
    """AccessDeniedException unless the caller may logs:Unmask the group (root may, in its account)."""
    principal = ctx.principal
    if runtime.settings.auth_disabled or principal.is_root:
        return
    iam = runtime.provider("iam")
    found = iam.identity_policies(principal) if iam is not None and principal.has_identity_policies else None
    identity = [p for pid, doc in (found.identity if found else ()) if (p := _parsed(doc, "identity", pid))]
    boundary = None
    if found is not None and found.boundary:
        # A boundary that no longer parses allows nothing (it must never lift the cap).
        boundary = _parsed(found.boundary, "boundary", "boundary") or Policy("boundary", "2012-10-17", ())
    session: tuple[Policy, ...] | None = None
    if principal.session_policy:
        parsed = _parsed(principal.session_policy, "session", "session")
        session = (parsed,) if parsed is not None else ()
    decision = evaluate(
        AuthorizationRequest.for_principal(
            principal,
            "logs:Unmask",
            group_arn,
            identity_policies=identity,
            permissions_boundary=boundary,
            session_policies=session,
        )
    )
    if not decision.allowed:
        raise access_denied("logs", denial_message(decision, principal.arn, "logs:Unmask", group_arn))
