"""ARN helpers and the wildcard patterns of the policy language.

Policies match three kinds of strings with `*` (any run of characters) and `?`
(one character), each with its own rules:

- actions ("s3:Get*"): the whole string, case-insensitive;
- resources (the `Resource` element): case-sensitive and aware of the six
  colon-separated ARN segments. A wildcard inside one of the first five
  segments stays inside it, but a `*` that ends a segment may run past the
  colons ("arn:aws:*" matches every AWS ARN), as the IAM User Guide's
  Resource element page documents;
- ARN condition values (`ArnLike`, `ArnEquals`): "each of the six
  colon-delimited components of the ARN is checked separately" (Condition
  operators reference), so a `*` never crosses a colon before the resource part.

Patterns travel as *escaped globs*: `\\` makes the next character literal. That
is how a substituted policy variable, or `${*}`, stays a literal `*`. Nothing
here knows about requests or principals.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

GlobMode = Literal["plain", "resource", "arn"]

# The resource part of an ARN starts after the fifth colon.
ARN_SEGMENTS = 6


def split_arn(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """arn:partition:service:region:account:resource, or None if `arn` is not an ARN."""
    parts = arn.split(":", ARN_SEGMENTS - 1)
    if len(parts) != ARN_SEGMENTS or parts[0] != "arn":
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]


def account_of_arn(arn: str) -> str | None:
    parts = split_arn(arn)
    return parts[4] if parts else None


def escape_glob(text: str) -> str:
    """A glob matching `text` literally (for substituted values)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def policy_glob(text: str) -> str:
    """The escaped glob for a pattern written in a policy: its `*` and `?` stay wildcards."""
    return text.replace("\\", "\\\\")


def unescape_glob(glob: str) -> str:
    out: list[str] = []
    chars = iter(glob)
    for ch in chars:
        out.append(next(chars, "\\") if ch == "\\" else ch)
    return "".join(out)


def _tokens(glob: str) -> list[tuple[str, bool]]:
    """(character, is_wildcard) pairs of an escaped glob."""
    tokens: list[tuple[str, bool]] = []
    chars = iter(glob)
    for ch in chars:
        if ch == "\\":
            tokens.append((next(chars, "\\"), False))
        else:
            tokens.append((ch, ch in "*?"))
    return tokens


def glob_to_regex(glob: str, mode: GlobMode = "plain") -> str:
    """The regular expression (for `fullmatch`) of an escaped glob."""
    tokens = _tokens(glob)
    out: list[str] = []
    segment = 0
    for i, (ch, wild) in enumerate(tokens):
        if not wild:
            out.append(re.escape(ch))
            if ch == ":":
                segment += 1
            continue
        confined = mode != "plain" and segment < ARN_SEGMENTS - 1
        if confined and mode == "resource" and ch == "*":
            # A `*` ending a segment may expand beyond the colon boundaries.
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            confined = following is not None and following != (":", False)
        if ch == "*":
            out.append("[^:]*" if confined else ".*")
        else:
            out.append("[^:]" if confined else ".")
    return "".join(out)


@lru_cache(maxsize=8192)
def compile_glob(glob: str, mode: GlobMode = "plain", ignore_case: bool = False) -> re.Pattern[str]:
    """A compiled matcher for one escaped glob; the bare `*` matches everything in every mode."""
    if glob == "*":
        return re.compile(r".*", re.DOTALL)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_to_regex(glob, mode), flags)


def compile_globs(
    globs: tuple[str, ...], mode: GlobMode = "plain", ignore_case: bool = False
) -> re.Pattern[str]:
    """One matcher for any of several escaped globs: a single regex call per check."""
    if "*" in globs:
        return compile_glob("*")
    alternatives = "|".join(f"(?:{glob_to_regex(glob, mode)})" for glob in globs)
    return re.compile(alternatives, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_matches(glob: str, value: str, mode: GlobMode = "plain", ignore_case: bool = False) -> bool:
    return compile_glob(glob, mode, ignore_case).fullmatch(value) is not None
