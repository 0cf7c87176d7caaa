"""Service control policies as the IAM engine sees them: one compiled chain per member account.

AWS Organizations ("SCP evaluation") filters what principals of a member account
may do: at every level from the root down to the account (the root, each OU on
the way, the account itself) some attached SCP must allow the action, and no SCP
on that path may deny it. SCPs never grant anything; the account's own policies
must still allow. The management account and service-linked roles are never
limited. `ScpChain` holds one account's levels compiled; the Organizations
provider builds it once and hands out the same object until an attachment, a
policy or the account's place changes, so the authorizer can key its caches on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pocketcloud.iam.policy import MalformedPolicy, Policy, parse_policy

# The AWS-managed SCP attached everywhere when SCPs are enabled.
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


class ScpChain:
    """The SCPs of one member account, level by level from the root down; compared by identity."""

    __slots__ = ("levels", "keys")

    def __init__(self, levels: tuple[tuple[Policy, ...], ...]) -> None:
        self.levels = levels
        found: dict[str, None] = {}
        for level in levels:
            for policy in level:
                found.update(dict.fromkeys(key.lower() for key in policy.context_keys))
        self.keys: tuple[str, ...] = tuple(found)  # every context key some SCP reads, lower-cased


def compile_chain(levels: Iterable[Sequence[tuple[str, str]]]) -> ScpChain:
    """Levels of (policy id, content) pairs → a chain; a stored SCP that no longer parses allows nothing."""
    compiled = []
    for level in levels:
        policies = []
        for policy_id, content in level:
            try:
                policies.append(parse_policy(content, "scp", policy_id=policy_id))
            except MalformedPolicy:
                continue
        compiled.append(tuple(policies))
    return ScpChain(tuple(compiled))


def is_service_linked_role(role_arn: str | None) -> bool:
    """SCPs "don't affect service-linked roles": roles under the /aws-service-role/ path."""
    return bool(role_arn) and ":role/aws-service-role/" in role_arn  # type: ignore[operator]
