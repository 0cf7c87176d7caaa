"""Service last accessed reports (IAM's Access Advisor) and ListPoliciesGrantingServiceAccess.

A report covers the services an entity's policies allow (an Allow statement whose Action or
NotAction covers any of the service's actions in the catalog of IAM actions); for each, when
the entity's users and roles last tried it, recorded by `access_recorder.AccessRecorder` from
real calls. Reports are worked out when generated, so a job is COMPLETED at once.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.actions import catalog
from pocketcloud.iam.policy import MalformedPolicy, Policy, parse_policy
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.iam.access_recorder import TRACKED_NAMESPACES, AccessRecorder
from pocketcloud.services.iam.common import invalid_input, no_such_entity, now, scope
from pocketcloud.services.iam.policy_store import PolicyStore
from pocketcloud.services.iam.principals import GROUP, ROLE, USER, Kind, Principals

Params = dict[str, Any]
JOBS = "access_reports"
_KINDS = {"user": USER, "role": ROLE, "group": GROUP}


# -- which services a policy allows -----------------------------------------------


@cache
def _catalog_actions() -> dict[str, tuple[str, ...]]:
    """Service namespace → its actions as "prefix:name", lower-cased (as statements match them)."""
    return {
        prefix: tuple(f"{prefix}:{name}".lower() for name in service["actions"])
        for prefix, service in catalog()["services"].items()
    }


@cache
def service_name(namespace: str) -> str:
    found = catalog()["services"].get(namespace)
    return str(found["name"]) if found else namespace


def _compiled(document: str) -> Policy | None:
    try:
        return parse_policy(document, "identity")
    except MalformedPolicy:  # stored policies were validated when written; an old one may not parse now
        return None


def _prefixes_named(raw: Any) -> set[str] | None:
    """The service prefixes a statement's Action names without wildcards in them; None if it may
    cover any service (NotAction, "*", a wildcard before the colon): those are checked against all."""
    if not isinstance(raw, dict) or "Action" not in raw:
        return None
    actions = raw["Action"] if isinstance(raw["Action"], list) else [raw["Action"]]
    prefixes = set()
    for action in actions:
        prefix = str(action).partition(":")[0].lower()
        if "*" in prefix or "?" in prefix:
            return None
        prefixes.add(prefix)
    return prefixes


@lru_cache(maxsize=1024)
def namespaces_allowed(document: str) -> frozenset[str]:
    """The service namespaces any of whose actions an Allow statement of `document` covers."""
    policy = _compiled(document)
    if policy is None:
        return frozenset()
    raw = json.loads(document).get("Statement", [])
    raw_statements = raw if isinstance(raw, list) else [raw]
    catalog_actions = _catalog_actions()
    found: set[str] = set()
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        named = _prefixes_named(raw_statements[statement.index])
        candidates = catalog_actions if named is None else {p: catalog_actions.get(p, ()) for p in named}
        for prefix, actions in candidates.items():
            if prefix not in found and any(statement.matches_action(action) for action in actions):
                found.add(prefix)
    return frozenset(found)


def _allows_action(documents: list[str], action: str) -> bool:
    lowered = action.lower()
    for document in documents:
        policy = _compiled(document)
        if policy and any(st.effect == "Allow" for st in policy.statements_for(lowered)):
            return True
    return False


# -- what a report is about ---------------------------------------------------------


@dataclass
class Granting:
    """One policy of a report's entity, as ListPoliciesGrantingServiceAccess names it."""

    view: Params
    document: str


@dataclass
class Subject:
    """What a report's ARN names: the policies that count and the users and roles whose calls count."""

    policies: list[Granting] = field(default_factory=list)
    entities: list[tuple[str, Params]] = field(default_factory=list)  # ("USER" | "ROLE", document)


def _parse_arn(arn: str) -> tuple[str, str, str]:
    """(account, kind, name) of an IAM user, role, group or policy ARN; InvalidInput otherwise."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or "/" not in parts[5]:
        raise invalid_input(f"ARN {arn} is not valid.")
    kind, _, rest = parts[5].partition("/")
    if kind not in ("user", "role", "group", "policy") or not rest or rest.endswith("/"):
        raise invalid_input(f"ARN {arn} is not valid.")
    return parts[4], kind, rest.rsplit("/", 1)[-1]


def _entity_info(kind: Kind, doc: Params) -> Params:
    return {
        "Arn": doc["Arn"],
        "Name": doc[kind.name_member],
        "Type": kind.label.upper(),
        "Id": doc[kind.id_member],
        "Path": doc.get("Path", "/"),
    }


class LastAccessedOperations:
    principals: Principals
    policies: PolicyStore
    recorder: AccessRecorder

    def _granting(self, ctx: RequestContext, kind: Kind, doc: Params) -> list[Granting]:
        found = [
            Granting(
                {
                    "PolicyName": name,
                    "PolicyType": "INLINE",
                    "EntityType": kind.label.upper(),
                    "EntityName": doc[kind.name_member],
                },
                document,
            )
            for name, document in doc.get("InlinePolicies", {}).items()
        ]
        for policy_arn in doc.get("AttachedPolicies", []):
            document = self.policies.default_document(ctx.account_id, policy_arn)
            if document is not None:
                view = {
                    "PolicyName": policy_arn.rsplit("/", 1)[-1],
                    "PolicyType": "MANAGED",
                    "PolicyArn": policy_arn,
                }
                found.append(Granting(view, document))
        return found

    def _entity(self, ctx: RequestContext, kind: Kind, name: str) -> Params:
        doc: Params | None = self.principals.collection(kind).get(scope(ctx), name)
        if doc is None:
            raise no_such_entity(f"The {kind.label} with name {name} cannot be found.")
        return doc

    def _subject(self, ctx: RequestContext, arn: str, policies_allowed: bool = True) -> Subject:
        account, kind_name, name = _parse_arn(arn)
        if kind_name == "policy":
            if not policies_allowed:
                raise invalid_input(f"ARN {arn} is not valid.")
            return self._policy_subject(ctx, arn)
        if account != ctx.account_id:
            raise no_such_entity(f"The {kind_name} with name {name} cannot be found.")
        kind = _KINDS[kind_name]
        doc = self._entity(ctx, kind, name)
        subject = Subject(self._granting(ctx, kind, doc))
        if kind is USER:
            subject.entities.append(("USER", doc))
            for group_name in doc.get("Groups", []):
                group = self.principals.collection(GROUP).get(scope(ctx), group_name)
                if group is not None:
                    subject.policies += self._granting(ctx, GROUP, group)
        elif kind is ROLE:
            subject.entities.append(("ROLE", doc))
        else:  # a group: its members' calls count
            for _, user in self.principals.store.iter_collection("iam", USER.collection, scope(ctx)):
                if name in user.get("Groups", []):
                    subject.entities.append(("USER", user))
        return subject

    def _policy_subject(self, ctx: RequestContext, policy_arn: str) -> Subject:
        if self.policies.find(ctx, policy_arn) is None:
            raise no_such_entity(f"Policy {policy_arn} was not found.")
        document = self.policies.default_document(ctx.account_id, policy_arn) or "{}"
        view = {"PolicyName": policy_arn.rsplit("/", 1)[-1], "PolicyType": "MANAGED", "PolicyArn": policy_arn}
        subject = Subject([Granting(view, document)])
        groups = set()
        for kind in (USER, ROLE, GROUP):
            for _, doc in self.principals.store.iter_collection("iam", kind.collection, scope(ctx)):
                if policy_arn not in doc.get("AttachedPolicies", []):
                    continue
                if kind is GROUP:
                    groups.add(doc["GroupName"])
                else:
                    subject.entities.append((kind.label.upper(), doc))
        if groups:  # the users who have the policy through a group
            seen = {doc["Arn"] for _, doc in subject.entities}
            for _, user in self.principals.store.iter_collection("iam", USER.collection, scope(ctx)):
                if user["Arn"] not in seen and groups & set(user.get("Groups", [])):
                    subject.entities.append(("USER", user))
        return subject

    # -- operations ---------------------------------------------------------------

    def GenerateServiceLastAccessedDetails(self, ctx: RequestContext, p: Params) -> Params:
        granularity = p.get("Granularity") or "SERVICE_LEVEL"
        subject = self._subject(ctx, p["Arn"])
        documents = [g.document for g in subject.policies]
        allowed = sorted(set().union(*(namespaces_allowed(d) for d in documents)))
        # namespace → entity ARN → that entity's record of its last attempt
        access: dict[str, dict[str, Params]] = {}
        for _, doc in subject.entities:
            for namespace, record in self.recorder.entries(ctx.account_id, doc["Arn"]).items():
                access.setdefault(namespace, {})[doc["Arn"]] = record
        services = [
            self._service_view(namespace, access.get(namespace, {}), documents, granularity)
            for namespace in allowed
        ]
        created = now().isoformat()
        job_id = str(uuid.uuid4())
        job = {
            "JobId": job_id,
            "JobType": granularity,
            "JobStatus": "COMPLETED",
            "JobCreationDate": created,
            "JobCompletionDate": created,
            "ServicesLastAccessed": services,
            "Entities": [
                _entity_info(USER if label == "USER" else ROLE, doc) for label, doc in subject.entities
            ],
            "Access": {
                namespace: {arn: record["LastAuthenticated"] for arn, record in records.items()}
                for namespace, records in access.items()
                if namespace in allowed
            },
        }
        self.principals.store.collection("iam", JOBS).put(scope(ctx), job_id, job)
        return {"JobId": job_id}

    def _service_view(
        self, namespace: str, records: dict[str, Params], documents: list[str], granularity: str
    ) -> Params:
        view: Params = {"ServiceName": service_name(namespace), "ServiceNamespace": namespace}
        if records:
            latest_arn = max(records, key=lambda arn: records[arn]["LastAuthenticated"])
            latest = records[latest_arn]
            view.update(
                LastAuthenticated=latest["LastAuthenticated"],
                LastAuthenticatedEntity=latest_arn,
                LastAuthenticatedRegion=latest["Region"],
            )
        view["TotalAuthenticatedEntities"] = len(records)
        if granularity == "ACTION_LEVEL" and namespace in TRACKED_NAMESPACES:
            actions: dict[str, Params] = {}
            for arn, record in records.items():
                for name, used in record.get("Actions", {}).items():
                    if name not in actions or used["Time"] > actions[name]["LastAccessedTime"]:
                        actions[name] = {
                            "ActionName": name,
                            "LastAccessedEntity": arn,
                            "LastAccessedTime": used["Time"],
                            "LastAccessedRegion": used["Region"],
                        }
            tracked = [a for n, a in sorted(actions.items()) if _allows_action(documents, f"{namespace}:{n}")]
            if tracked:
                view["TrackedActionsLastAccessed"] = tracked
        return view

    def _job(self, ctx: RequestContext, job_id: str) -> Params:
        job: Params | None = self.principals.store.collection("iam", JOBS).get(scope(ctx), job_id)
        if job is None:
            raise no_such_entity(f"The job with ID {job_id} cannot be found.")
        return job

    def GetServiceLastAccessedDetails(self, ctx: RequestContext, p: Params) -> Params:
        job = self._job(ctx, p["JobId"])
        items, info = _page(job["ServicesLastAccessed"], p)
        fields = ("JobStatus", "JobType", "JobCreationDate", "JobCompletionDate")
        return {**{k: job[k] for k in fields}, "ServicesLastAccessed": items, **info}

    def GetServiceLastAccessedDetailsWithEntities(self, ctx: RequestContext, p: Params) -> Params:
        job = self._job(ctx, p["JobId"])
        namespace = p["ServiceNamespace"]
        covered = any(s["ServiceNamespace"] == namespace for s in job["ServicesLastAccessed"])
        used = job["Access"].get(namespace, {})
        details = []
        for info in job["Entities"] if covered else []:
            detail: Params = {"EntityInfo": info}
            if info["Arn"] in used:
                detail["LastAuthenticated"] = used[info["Arn"]]
            details.append(detail)
        items, page_info = _page(details, p)
        fields = ("JobStatus", "JobCreationDate", "JobCompletionDate")
        return {**{k: job[k] for k in fields}, "EntityDetailsList": items, **page_info}

    def ListPoliciesGrantingServiceAccess(self, ctx: RequestContext, p: Params) -> Params:
        subject = self._subject(ctx, p["Arn"], policies_allowed=False)
        result = [
            {
                "ServiceNamespace": namespace,
                "Policies": [g.view for g in subject.policies if namespace in namespaces_allowed(g.document)],
            }
            for namespace in p["ServiceNamespaces"]
        ]
        return {"PoliciesGrantingServiceAccess": result, "IsTruncated": False}


def _page(items: list[Params], p: Params) -> tuple[list[Params], Params]:
    """IAM's Marker/MaxItems paging over a job's stored list (the marker is the next index)."""
    limit = p.get("MaxItems") or 100
    marker = str(p.get("Marker") or "0")
    if not is_digits(marker):
        raise invalid_input("Invalid Marker.")
    start = int(marker)
    chunk = items[start : start + limit]
    info: Params = {"IsTruncated": start + limit < len(items)}
    if info["IsTruncated"]:
        info["Marker"] = str(start + limit)
    return chunk, info
