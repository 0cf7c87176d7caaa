"""Organization authorization policies as the IAM engine sees them: one compiled chain per member
account and policy type (service control policies and resource control policies).

Both types work level by level ("SCP evaluation", "RCP evaluation"): at every level
from the root down to the account (the root, each OU on the way, the account itself)
some attached policy must allow, and no policy on that path may deny. Neither ever
grants anything. SCPs limit what the principals of a member account may do; RCPs
limit what may be done to the resources of a member account, whoever asks (another
account's principal, an anonymous caller), on the services that support them. The
management account and service-linked roles are never limited by either.
`PolicyChain` holds one account's levels of one type compiled; the Organizations
provider builds it once and hands out the same object until an attachment, a policy
or the account's place changes, so the authorizer can key its caches on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pocketcloud.iam.policy import MalformedPolicy, Policy, PolicyKind, parse_policy

SCP_TYPE = "SERVICE_CONTROL_POLICY"
RCP_TYPE = "RESOURCE_CONTROL_POLICY"

# The AWS-managed policies attached everywhere when their type is enabled.
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess"
RCP_FULL_AWS_ACCESS = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
)

# Action prefixes of the services RCPs apply to (Organizations User Guide, "List of AWS services
# that support RCPs"): an RCP may name only these.
RCP_SERVICES = frozenset(
    """appstream dsql clouddirectory cloudfront cloudsearch logs networkmonitor cognito-identity
    cognito-idp comprehend comprehendmedical firehose dynamodb dax autoscaling ecr ecr-public gamelift
    inspector-scan kendra kinesisvideo memorydb aoss personalize polly s3 swf sqs textract
    timestream-influxdb transcribe translate workspaces appconfig autoscaling-plans budgets
    servicediscovery cloudtrail-data codeartifact codebuild codecommit codepipeline compute-optimizer
    cost-optimization-hub events fms fis health rolesanywhere kms opensearch pricing pca-connector-ad
    resource-groups secretsmanager sts signin support transfer notifications wafv2 xray""".split()
)

_KIND: dict[str, PolicyKind] = {SCP_TYPE: "scp", RCP_TYPE: "rcp"}


class PolicyChain:
    """The policies of one type over one member account, level by level from the root down;
    compared by identity."""

    __slots__ = ("levels", "keys")

    def __init__(self, levels: tuple[tuple[Policy, ...], ...]) -> None:
        self.levels = levels
        found: dict[str, None] = {}
        for level in levels:
            for policy in level:
                found.update(dict.fromkeys(key.lower() for key in policy.context_keys))
        self.keys: tuple[str, ...] = tuple(found)  # every context key some policy reads, lower-cased


def compile_chain(levels: Iterable[Sequence[tuple[str, str]]], policy_type: str = SCP_TYPE) -> PolicyChain:
    """Levels of (policy id, content) pairs → a chain; a stored policy that no longer parses allows nothing."""
    kind = _KIND[policy_type]
    compiled = []
    for level in levels:
        policies = []
        for policy_id, content in level:
            try:
                policies.append(parse_policy(content, kind, policy_id=policy_id))
            except MalformedPolicy:
                continue
        compiled.append(tuple(policies))
    return PolicyChain(tuple(compiled))


def is_service_linked_role(role_arn: str | None) -> bool:
    """SCPs and RCPs "don't affect service-linked roles": roles under the /aws-service-role/ path."""
    return bool(role_arn) and ":role/aws-service-role/" in role_arn  # type: ignore[operator]


def check_rcp(content: str) -> None:
    """Refuse (MalformedPolicy) what an RCP that a customer writes may not hold ("RCP syntax"):
    Allow (only RCPFullAWSAccess allows), a Principal other than "*", NotPrincipal, NotAction,
    the bare "*" action, an action of a service RCPs do not support, or a Version other than
    2012-10-17 ("Every RCP must include a Version element with the value 2012-10-17")."""
    parse_policy(content, "rcp", require_current_version=True)  # the policy language, Principal required
    raw: Any = json.loads(content)
    statements = raw["Statement"] if isinstance(raw["Statement"], list) else [raw["Statement"]]
    for statement in statements:
        if statement["Effect"] != "Deny":
            raise MalformedPolicy("An RCP statement's Effect must be Deny.")
        if "NotPrincipal" in statement or "NotAction" in statement:
            raise MalformedPolicy("NotPrincipal and NotAction are not supported in RCPs.")
        if statement.get("Principal") != "*":
            raise MalformedPolicy('The Principal of an RCP statement must be "*".')
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            if action.partition(":")[0].lower() not in RCP_SERVICES:
                raise MalformedPolicy(f"Action {action} is not of a service that supports RCPs.")
