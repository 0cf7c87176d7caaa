"""Policy variables: `${aws:username}` and friends, substituted at evaluation time.

What AWS documents ("IAM policy elements: Variables and tags"), and this follows:

- Only policies with `"Version": "2012-10-17"` substitute; older or missing
  versions treat `${...}` as literal text (the caller decides, see
  `policy.parse_policy`).
- `${key}` takes the value of any single-valued request-context key
  (`aws:username`, `aws:userid`, `aws:PrincipalTag/team`, `s3:prefix`...);
  key names are case-insensitive. Multivalued keys cannot be variables.
- `${*}`, `${?}` and `${$}` are the literal characters `*`, `?` and `$`.
- `${key, 'default'}` uses the default when the key is absent.
- A variable that resolves to nothing makes the value it sits in unusable:
  that Resource entry or condition value matches nothing.

Substituted text is always literal: a `*` inside a user's tag value is not a
wildcard (only the policy author's own `*` is).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pocketcloud.iam.arn import escape_glob, policy_glob

# Looks up a context key (already lower-cased) and returns its values, or None when absent.
KeyLookup = Callable[[str], "tuple[str, ...] | None"]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")
_SPECIAL = frozenset("*?$")


def has_variables(text: str) -> bool:
    return "${" in text and _VARIABLE.search(text) is not None


@dataclass(frozen=True, slots=True)
class _Variable:
    key: str  # as written, for MissingContextValues
    key_lower: str
    default: str | None


@dataclass(frozen=True, slots=True)
class _Text:
    """Fixed text, in both renderings: as is, and as an escaped glob (see `render`)."""

    plain: str
    glob: str


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string with variables, split once into fixed text and variables."""

    parts: tuple[_Text | _Variable, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(part.key for part in self.parts if isinstance(part, _Variable))

    def render(self, lookup: KeyLookup, *, glob: bool, missing: set[str] | None = None) -> str | None:
        """The string with every variable replaced, or None if one has no value.

        With `glob=True` the result is an escaped glob (see `arn.py`): the
        policy's own text keeps its wildcards, substituted values are literal.
        """
        out: list[str] = []
        for part in self.parts:
            if type(part) is _Text:
                out.append(part.glob if glob else part.plain)
                continue
            assert isinstance(part, _Variable)
            values = lookup(part.key_lower)
            if values is not None and len(values) == 1:
                value = values[0]
            elif part.default is not None:
                value = part.default
            else:
                if missing is not None and values is None:
                    missing.add(part.key)
                return None
            out.append(escape_glob(value) if glob else value)
        return "".join(out)


def parse_template(text: str) -> Template:
    parts: list[_Text | _Variable] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        literal = text[position : found.start()]
        position = found.end()
        inner = found.group(1)
        parts.append(_Text(literal, policy_glob(literal)))
        if inner in _SPECIAL:
            # ${*} and friends: the character itself, never a wildcard.
            parts.append(_Text(inner, escape_glob(inner)))
            continue
        with_default = _DEFAULT.match(inner)
        if with_default:
            key, default = with_default.group(1), with_default.group(2)
        else:
            key, default = inner.strip(), None
        parts.append(_Variable(key=key, key_lower=key.lower(), default=default))
    tail = text[position:]
    parts.append(_Text(tail, policy_glob(tail)))
    return Template(tuple(part for part in parts if not (isinstance(part, _Text) and not part.plain)))
