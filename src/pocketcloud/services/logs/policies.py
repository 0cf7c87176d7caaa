"""CloudWatch Logs resource policies and saved Logs Insights query definitions.

Resource policies are kept per account and region, by name (policyScope ACCOUNT,
at most 10) or by the log group ARN they are attached to (policyScope
RESOURCE, with a revision id). PutResourcePolicy answers with the document as
given; DescribeResourcePolicies shows it as AWS stores it: a missing Version
reads "2008-10-17" and a principal list of one entry reads as that entry.
They are stored and described; the authorizer does not evaluate them yet.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.events import now_ms
from pocketcloud.store import Collection

Params = dict[str, Any]

MAX_ACCOUNT_POLICIES = 10
_STATEMENT_ORDER = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def _stored_form(text: str) -> str:
    """The document as DescribeResourcePolicies shows it."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        return text
    if not isinstance(doc, dict):
        return text
    statements = doc.get("Statement")
    listed = statements if isinstance(statements, list) else [statements]
    shown: list[Any] = []
    for statement in listed:
        if not isinstance(statement, dict):
            shown.append(statement)
            continue
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            statement["Principal"] = {
                k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in principal.items()
            }
        ordered = {k: statement[k] for k in _STATEMENT_ORDER if k in statement}
        ordered.update({k: v for k, v in statement.items() if k not in ordered})
        shown.append(ordered)
    result: Params = {"Version": doc.get("Version", "2008-10-17")}
    if "Id" in doc:
        result["Id"] = doc["Id"]
    result["Statement"] = shown if isinstance(statements, list) else shown[0]
    result.update({k: v for k, v in doc.items() if k not in result})
    return json.dumps(result, separators=(",", ":"))


class PolicyOperations(LogsMixin):
    """Resource policy and query definition operations of the logs provider."""

    policies: Collection
    query_definitions: Collection
    store: Any

    # -- resource policies ----------------------------------------------------------------

    def _policy_key(self, ctx: RequestContext, p: Params) -> tuple[str, str | None]:
        """(store key, resource ARN or None) of the policy an operation names."""
        name, resource = p.get("policyName"), p.get("resourceArn")
        if resource:
            self._group(ctx, self._from_identifier(ctx, resource))
            return "\0" + resource.removesuffix(":*"), resource.removesuffix(":*")
        if not name:
            raise invalid("policyName is required when resourceArn is not specified.")
        return name, None

    def PutResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        document = p.get("policyDocument")
        if not document:
            raise invalid("policyDocument is required.")
        try:
            parsed = json.loads(document)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
            raise invalid("Policy document is not valid JSON.") from exc
        if not isinstance(parsed, dict) or "Statement" not in parsed:
            raise invalid("Policy document must contain a Statement.")
        scope = self._scope(ctx)
        key, resource = self._policy_key(ctx, p)
        with self.store.transaction():
            existing = self.policies.get(scope, key)
            if (
                resource
                and p.get("expectedRevisionId")
                and (existing or {}).get("revisionId") != p["expectedRevisionId"]
            ):
                raise ServiceError(
                    "OperationAbortedException",
                    "The expectedRevisionId does not match the current revision of the policy.",
                    status=400,
                )
            if existing is None and resource is None:
                count = sum(1 for k, _ in self.policies.scan(scope) if not k.startswith("\0"))
                if count >= MAX_ACCOUNT_POLICIES:
                    raise ServiceError("LimitExceededException", "Resource limit exceeded.", status=400)
            doc: Params = {"policyDocument": document, "lastUpdatedTime": now_ms()}
            if resource:
                doc.update(policyScope="RESOURCE", resourceArn=resource, revisionId=str(uuid.uuid4()))
                if p.get("policyName"):
                    doc["policyName"] = p["policyName"]
            else:
                doc.update(policyName=p["policyName"], policyScope="ACCOUNT")
            self.policies.put(scope, key, doc)
        result: Params = {"resourcePolicy": doc}
        if resource:
            result["revisionId"] = doc["revisionId"]
        return result

    def DescribeResourcePolicies(self, ctx: RequestContext, p: Params) -> Params:
        scope = self._scope(ctx)
        resource = (p.get("resourceArn") or "").removesuffix(":*")
        wanted_scope = p.get("policyScope") or ("RESOURCE" if resource else "ACCOUNT")
        shown = []
        for _, doc in self.policies.scan(scope):
            if doc.get("policyScope", "ACCOUNT") != wanted_scope:
                continue
            if resource and doc.get("resourceArn") != resource:
                continue
            shown.append({**doc, "policyDocument": _stored_form(doc["policyDocument"])})
        return {"resourcePolicies": shown}

    def DeleteResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        scope = self._scope(ctx)
        key, resource = self._policy_key(ctx, p)
        with self.store.transaction():
            existing = self.policies.get(scope, key)
            if existing is None:
                named = p.get("policyName") or resource
                raise ServiceError(
                    "ResourceNotFoundException", f"Policy with name [{named}] does not exist.", status=400
                )
            if p.get("expectedRevisionId") and existing.get("revisionId") != p["expectedRevisionId"]:
                raise ServiceError(
                    "OperationAbortedException",
                    "The expectedRevisionId does not match the current revision of the policy.",
                    status=400,
                )
            self.policies.delete(scope, key)
        return {}

    # -- query definitions ----------------------------------------------------------------

    def PutQueryDefinition(self, ctx: RequestContext, p: Params) -> Params:
        scope = self._scope(ctx)
        definition_id = p.get("queryDefinitionId")
        with self.store.transaction():
            if definition_id and self.query_definitions.get(scope, definition_id) is None:
                raise ServiceError(
                    "ResourceNotFoundException", "Query definition does not exist.", status=400
                )
            definition_id = definition_id or str(uuid.uuid4())
            doc: Params = {
                "queryLanguage": p.get("queryLanguage") or "CWLI",
                "queryDefinitionId": definition_id,
                "name": p["name"],
                "queryString": p["queryString"],
                "lastModified": now_ms(),
                "logGroupNames": list(p.get("logGroupNames") or []),
            }
            if p.get("parameters"):
                doc["parameters"] = p["parameters"]
            self.query_definitions.put(scope, definition_id, doc)
        return {"queryDefinitionId": definition_id}

    def DescribeQueryDefinitions(self, ctx: RequestContext, p: Params) -> Params:
        prefix = p.get("queryDefinitionNamePrefix") or ""
        language = p.get("queryLanguage")
        docs = [
            d
            for _, d in self.query_definitions.scan(self._scope(ctx))
            if d["name"].startswith(prefix) and (not language or d.get("queryLanguage", "CWLI") == language)
        ]
        docs.sort(key=lambda d: (d["name"], d["queryDefinitionId"]))
        start = 0
        if p.get("nextToken"):
            token = p["nextToken"]
            if not is_digits(token):
                raise invalid("The specified nextToken is invalid.")
            start = int(token)
        limit = p.get("maxResults") or 1000
        result: Params = {"queryDefinitions": docs[start : start + limit]}
        if start + limit < len(docs):
            result["nextToken"] = str(start + limit)
        return result

    def DeleteQueryDefinition(self, ctx: RequestContext, p: Params) -> Params:
        if not self.query_definitions.delete(self._scope(ctx), p["queryDefinitionId"]):
            raise ServiceError("ResourceNotFoundException", "Query definition does not exist.", status=400)
        return {"success": True}
