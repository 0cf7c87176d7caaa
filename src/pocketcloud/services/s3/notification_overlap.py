"""S3's refusal of notification configurations that could both claim one event.

Two configurations of a bucket (whatever their destination kinds) may not share an event type
when their key filters overlap: prefixes overlap when one starts with the other, suffixes when
one ends with the other, and a missing rule overlaps everything ("Examples of notification
configurations with invalid Prefix/Suffix overlapping", Amazon S3 User Guide). S3 words the
refusal one way when neither configuration filters keys and another way when either does.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from pocketcloud.protocol.errors import ServiceError

Params = dict[str, Any]

UNFILTERED = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
AMBIGUOUS = (
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules "
    "if the prefixes are overlapping for the same event type."
)


def _shared_event(first: list[str], second: list[str]) -> tuple[str, str] | None:
    """A pair of events, one from each list, that some S3 event matches both of."""
    for a in first:
        for b in second:
            if (
                a == b
                or (a.endswith(":*") and b.startswith(a[:-1]))
                or (b.endswith(":*") and a.startswith(b[:-1]))
            ):
                return a, b
    return None


def _bounds(configuration: Params) -> tuple[bool, str, str]:
    """(has key rules, prefix, suffix); a missing rule is the empty string, which every key has."""
    rules = ((configuration.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    found = {str(rule.get("Name", "")).lower(): str(rule.get("Value") or "") for rule in rules}
    return bool(rules), found.get("prefix", ""), found.get("suffix", "")


def overlap_error(configurations: list[Params]) -> ServiceError | None:
    """S3's InvalidArgument for the first two configurations that overlap, else None."""
    for first, second in combinations(configurations, 2):
        shared = _shared_event(list(first.get("Events") or []), list(second.get("Events") or []))
        if shared is None:
            continue
        filtered_1, prefix_1, suffix_1 = _bounds(first)
        filtered_2, prefix_2, suffix_2 = _bounds(second)
        prefixes = prefix_1.startswith(prefix_2) or prefix_2.startswith(prefix_1)
        suffixes = suffix_1.endswith(suffix_2) or suffix_2.endswith(suffix_1)
        if not (prefixes and suffixes):
            continue
        if filtered_1 or filtered_2:
            return ServiceError("InvalidArgument", AMBIGUOUS, status=400)
        # As S3 answers it: the two events named together.
        return ServiceError(
            "InvalidArgument", UNFILTERED, status=400, ArgumentName="Event", ArgumentValue=", ".join(shared)
        )
    return None
