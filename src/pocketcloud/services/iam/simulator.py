"""The IAM policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy, and the
condition keys a policy uses (GetContextKeysForPrincipalPolicy / GetContextKeysForCustomPolicy).

It answers "could this principal do X on Y?" with the same engine that
authorizes real calls (`iam/evaluate.py`), so the simulator and the real
calls can never disagree.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import AuthorizationRequest, Decision, evaluate
from pocketcloud.iam.policy import MalformedPolicy, Policy, parse_policy
from pocketcloud.services.iam.common import invalid_input, malformed_policy, no_such_entity
from pocketcloud.services.iam.principals import page_list

Params = dict[str, Any]


def _parse_all(documents: list[str], kind: str, prefix: str) -> list[Policy]:
    policies = []
    for index, document in enumerate(documents or [], 1):
        try:
            policies.append(parse_policy(document, kind, policy_id=f"{prefix}{index}"))  # type: ignore[arg-type]
        except MalformedPolicy as exc:
            raise malformed_policy(exc.message) from exc
    return policies


def _context(entries: list[Params] | None) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for entry in entries or []:
        values = entry.get("ContextKeyValues") or []
        multi = str(entry.get("ContextKeyType", "")).endswith("List")
        context[entry["ContextKeyName"]] = values if multi else (values[0] if values else None)
    return {k: v for k, v in context.items() if v is not None}


def _context_keys(policies: list[Policy]) -> list[str]:
    """Every condition key the policies use, once each (keys are case insensitive)."""
    keys: dict[str, str] = {}
    for policy in policies:
        for key in policy.context_keys:
            keys.setdefault(key.lower(), key)
    return list(keys.values())


def _policy_type(policy_id: str) -> str:
    if policy_id.startswith("arn:aws:iam::aws:policy"):
        return "aws-managed"
    if ":policy/" in policy_id:
        return "IAM Policy"  # AWS's word for a customer managed policy here (not "user-managed")
    if policy_id.startswith(("PolicyInputList", "boundary", "resource")):
        return {"P": "user", "b": "none", "r": "resource"}[policy_id[0]]
    if ":user/" in policy_id:
        return "user"
    if ":group/" in policy_id:
        return "group"
    if ":role/" in policy_id:
        return "role"
    return "none"


def _statement(policy_id: str, index: int, texts: dict[str, str]) -> Params:
    start, end = _statement_position(texts.get(policy_id, ""), index)
    return {
        # An inline policy is named by its name alone (ours are "<owner ARN>#<name>").
        "SourcePolicyId": policy_id.rsplit("#", 1)[-1],
        "SourcePolicyType": _policy_type(policy_id),
        "StartPosition": start,
        "EndPosition": end,
    }


def _statement_position(text: str, index: int) -> tuple[Params, Params]:
    """Where statement `index` of a policy's text starts and ends, as AWS reports it: the line, and
    the column one past its opening and its closing brace (AWS counts from 1 and reports 41..113
    for a statement spanning the 1-based columns 40..112 of a one-line policy)."""
    spans = _statement_spans(text)
    if index >= len(spans):
        return {"Line": 1, "Column": index + 1}, {"Line": 1, "Column": index + 2}
    return tuple(_line_column(text, offset) for offset in spans[index])  # type: ignore[return-value]


def _line_column(text: str, offset: int) -> Params:
    line_start = text.rfind("\n", 0, offset) + 1
    return {"Line": text.count("\n", 0, offset) + 1, "Column": offset - line_start + 2}


def _statement_spans(text: str) -> list[tuple[int, int]]:
    """(offset of "{", offset of its "}") of each statement in a policy's JSON text."""
    start = text.find("{")
    i = start + 1
    while 0 < i < len(text):
        i = _skip_space(text, i)
        if i >= len(text) or text[i] != '"':
            return []
        key_end = _closing(text, i)
        key = text[i + 1 : key_end]
        i = _skip_space(text, key_end + 1) + 1  # past the ":"
        i = _skip_space(text, i)
        value_end = _closing(text, i) if text[i] in '{["' else _scalar_end(text, i)
        if key == "Statement":
            if text[i] == "{":
                return [(i, value_end)]
            spans, j = [], i + 1
            while j < value_end:
                j = _skip_space(text, j)
                if text[j] == "{":
                    spans.append((j, _closing(text, j)))
                    j = spans[-1][1]
                j += 1
            return spans
        i = _skip_space(text, value_end + 1)
        i += 1 if i < len(text) and text[i] == "," else len(text)
    return []


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _scalar_end(text: str, i: int) -> int:
    while i < len(text) and text[i] not in ",}]":
        i += 1
    return i - 1


def _closing(text: str, i: int) -> int:
    """The offset of what closes the string, object or array opening at `i`."""
    if text[i] == '"':
        j = i + 1
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        return j
    depth, j = 0, i
    while j < len(text):
        char = text[j]
        if char == '"':
            j = _closing(text, j)
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return len(text) - 1


def _result(
    action: str, resource: str, decision: Decision, has_boundary: bool, texts: dict[str, str]
) -> Params:
    matched = [_statement(m.policy_id, m.index, texts) for m in decision.matched_statements]
    missing = list(decision.missing_context_keys)
    result: Params = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.decision,
        "MatchedStatements": matched,
        "MissingContextValues": missing,
    }
    if resource != "*":
        # With resources named, AWS adds per-resource results and (empty, for one account)
        # decision details; with "*" it leaves both out.
        result["EvalDecisionDetails"] = {}
        result["ResourceSpecificResults"] = [
            {
                "EvalResourceName": resource,
                "EvalResourceDecision": decision.decision,
                "MatchedStatements": matched,
                "MissingContextValues": missing,
            }
        ]
    if has_boundary:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": bool(decision.allowed_by_boundary)
        }
    return result


class SimulatorOperations:
    def _simulate(
        self,
        principal: Principal,
        identity: list[Policy],
        boundary: Policy | None,
        p: Params,
        resource_account: str | None = None,
    ) -> Params:
        resource_policy = None
        if p.get("ResourcePolicy"):
            resource_policy = _parse_all([p["ResourcePolicy"]], "resource", "resource")[0]
        context = _context(p.get("ContextEntries"))
        texts = {
            policy.policy_id: policy.document
            for policy in (*identity, boundary, resource_policy)
            if policy is not None and isinstance(policy.document, str)
        }
        results = []
        for action in p["ActionNames"]:
            for resource in p.get("ResourceArns") or ["*"]:
                request = AuthorizationRequest.for_principal(
                    principal,
                    action,
                    resource,
                    identity_policies=identity,
                    permissions_boundary=boundary,
                    resource_policy=resource_policy,
                    resource_account=resource_account,
                    context=context,
                )
                results.append(_result(action, resource, evaluate(request), boundary is not None, texts))
        return page_list(results, p, "EvaluationResults")

    def _source_policies(
        self, ctx: RequestContext, source: str
    ) -> tuple[Principal, list[Policy], str | None]:
        """The principal a PolicySourceArn names, its identity policies (its groups' too, for a
        user) and its permissions boundary document."""
        principal, doc = self._principal_for_arn(ctx, source)
        docs = [(doc["Arn"], doc)]
        if ":user/" in source:
            groups = self.store.collection("iam", "groups")  # type: ignore[attr-defined]
            docs += [
                (g["Arn"], g)
                for g in (groups.get((principal.account_id, ""), n) for n in doc.get("Groups", []))
                if g
            ]
        found = self.policies_of(principal.account_id, docs)  # type: ignore[attr-defined]
        identity = [parse_policy(doc, "identity", policy_id=pid) for pid, doc in found.identity]
        return principal, identity, found.boundary

    def SimulatePrincipalPolicy(self, ctx: RequestContext, p: Params) -> Params:
        principal, identity, boundary_doc = self._source_policies(ctx, p["PolicySourceArn"])
        identity += _parse_all(p.get("PolicyInputList") or [], "identity", "PolicyInputList.")
        boundary = parse_policy(boundary_doc, "boundary", policy_id="boundary") if boundary_doc else None
        extra_boundary = _parse_all(p.get("PermissionsBoundaryPolicyInputList") or [], "boundary", "boundary")
        if extra_boundary:
            boundary = extra_boundary[0]
        if p.get("CallerArn"):
            principal = self._principal_for_arn(ctx, p["CallerArn"])[0]
        return self._simulate(principal, identity, boundary, p, p.get("ResourceOwner"))

    def SimulateCustomPolicy(self, ctx: RequestContext, p: Params) -> Params:
        identity = _parse_all(p["PolicyInputList"], "identity", "PolicyInputList.")
        boundaries = _parse_all(p.get("PermissionsBoundaryPolicyInputList") or [], "boundary", "boundary")
        caller = p.get("CallerArn") or f"arn:aws:iam::{ctx.account_id}:user/simulated"
        principal = Principal(
            account_id=ctx.account_id,
            arn=caller,
            user_id="AIDASIMULATED",
            kind="User",
            name=caller.rsplit("/", 1)[-1],
        )
        return self._simulate(
            principal, identity, boundaries[0] if boundaries else None, p, p.get("ResourceOwner")
        )

    def GetContextKeysForCustomPolicy(self, ctx: RequestContext, p: Params) -> Params:
        return {
            "ContextKeyNames": _context_keys(_parse_all(p["PolicyInputList"], "identity", "PolicyInputList."))
        }

    def GetContextKeysForPrincipalPolicy(self, ctx: RequestContext, p: Params) -> Params:
        _, identity, _ = self._source_policies(ctx, p["PolicySourceArn"])
        identity += _parse_all(p.get("PolicyInputList") or [], "identity", "PolicyInputList.")
        return {"ContextKeyNames": _context_keys(identity)}

    def _principal_for_arn(self, ctx: RequestContext, source: str) -> tuple[Principal, Params]:
        parts = source.split(":", 5)
        if len(parts) != 6 or parts[2] != "iam":
            raise invalid_input(f"Invalid ARN {source}")
        account, resource = parts[4], parts[5]
        kind, _, rest = resource.partition("/")
        name = rest.rsplit("/", 1)[-1]
        collection = {"user": "users", "role": "roles", "group": "groups"}.get(kind)
        doc = self.store.collection("iam", collection).get((account, ""), name) if collection else None  # type: ignore[attr-defined]
        if doc is None:
            raise no_such_entity(f"The {kind or 'entity'} with name {name} cannot be found.")
        tags = tuple((t["Key"], t["Value"]) for t in doc.get("Tags", []))
        if kind == "role":
            principal = Principal(
                account_id=account,
                arn=doc["Arn"],
                user_id=doc["RoleId"],
                kind="AssumedRole",
                name=name,
                role_arn=doc["Arn"],
                tags=tags,
            )
        else:  # a user, or a group simulated as a member with only the group's policies
            principal = Principal(
                account_id=account,
                arn=doc["Arn"],
                user_id=doc.get("UserId") or doc["GroupId"],
                kind="User",
                name=name,
                tags=tags,
            )
        return principal, doc
