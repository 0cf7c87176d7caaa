"""Managed policies: create, versions (at most five), default version, tags, listing, entities."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.iam.common import (
    already_exists,
    arn,
    check_path,
    check_path_prefix,
    check_policy_document,
    delete_conflict,
    encode_document,
    invalid_input,
    limit_exceeded,
    merge_tags,
    name_taken,
    new_id,
    no_such_entity,
    now,
    remove_tags,
    scope,
)
from pocketcloud.services.iam.managed_policies import all_aws_managed_policies
from pocketcloud.services.iam.policy_quotas import check_managed_policy_size
from pocketcloud.services.iam.policy_store import PolicyStore
from pocketcloud.services.iam.principals import GROUP, ROLE, USER, Principals, page_list

Params = dict[str, Any]
MAX_VERSIONS = 5
_POLICY_FIELDS = (
    "PolicyName",
    "PolicyId",
    "Arn",
    "Path",
    "DefaultVersionId",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "IsAttachable",
    "Description",
    "CreateDate",
    "UpdateDate",
    "Tags",
)


def policy_view(doc: dict[str, Any]) -> dict[str, Any]:
    view = {k: doc[k] for k in _POLICY_FIELDS if k in doc}
    view.setdefault("PolicyId", "ANPA" + doc["PolicyName"].upper()[:17].ljust(17, "X"))
    view.setdefault("AttachmentCount", 0)
    view.setdefault("PermissionsBoundaryUsageCount", 0)
    view.setdefault("IsAttachable", True)
    return view


class PolicyOperations:
    principals: Principals
    policies: PolicyStore

    def _local(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        doc = self.policies.find(ctx, policy_arn)
        if doc is None:
            raise no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
        if "Versions" not in doc:
            raise invalid_input(f"Policy {policy_arn} is an AWS managed policy and cannot be changed.")
        return doc

    def CreatePolicy(self, ctx: RequestContext, p: Params) -> Params:
        name = p["PolicyName"]
        path = check_path(p.get("Path"))
        document = check_policy_document(p["PolicyDocument"], managed=True)
        check_managed_policy_size(document)
        created = now().isoformat()
        doc: dict[str, Any] = {
            "PolicyName": name,
            "PolicyId": new_id("ANPA"),
            "Arn": arn(ctx.account_id, "policy", path, name),
            "Path": path,
            "DefaultVersionId": "v1",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": created,
            "UpdateDate": created,
            "Versions": {"v1": {"Document": document, "CreateDate": created}},
            "NextVersion": 2,
        }
        if p.get("Description") is not None:
            doc["Description"] = p["Description"]
        if p.get("Tags"):
            doc["Tags"] = merge_tags([], p["Tags"], case_sensitive=True)
        if name_taken(self.policies.local, scope(ctx), name) or not self.policies.local.insert(scope(ctx), name, doc):
            raise already_exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        view = policy_view(doc)
        view.pop("Description", None)
        return {"Policy": view}

    def _existing(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        """A customer managed policy that must exist ("was not found" otherwise)."""
        doc = self.policies.find(ctx, policy_arn)
        if doc is None:
            raise no_such_entity(f"Policy {policy_arn} was not found.")
        if "Versions" not in doc:
            raise invalid_input(f"Policy {policy_arn} is an AWS managed policy and cannot be changed.")
        return doc

    def _version_of(self, ctx: RequestContext, p: Params) -> dict[str, Any]:
        """The policy of a *PolicyVersion call whose version must exist (one message for both misses)."""
        doc = self.policies.find(ctx, p["PolicyArn"])
        if doc is None or ("Versions" in doc and p["VersionId"] not in doc["Versions"]):
            raise no_such_entity(
                f"Policy {p['PolicyArn']} version {p['VersionId']} does not exist or is not attachable."
            )
        return doc

    def GetPolicy(self, ctx: RequestContext, p: Params) -> Params:
        doc = self.policies.find(ctx, p["PolicyArn"])
        if doc is None:
            raise no_such_entity(f"Policy {p['PolicyArn']} was not found.")
        # GetPolicy always answers with the policy's tags, an empty list included.
        return {"Policy": {**policy_view(doc), "Tags": doc.get("Tags", [])}}

    def DeletePolicy(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            doc = self._existing(ctx, p["PolicyArn"])  # "was not found", as AWS words it here
            # A policy some user or role has as its permissions boundary is attached too.
            if doc.get("AttachmentCount", 0) > 0 or doc.get("PermissionsBoundaryUsageCount", 0) > 0:
                raise delete_conflict("Cannot delete a policy attached to entities.")
            if len(doc["Versions"]) > 1:
                raise delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you must delete "
                    "the policy's versions. The default version is deleted with the policy."
                )
            self.policies.local.delete(scope(ctx), doc["PolicyName"])
        return {}

    def ListPolicies(self, ctx: RequestContext, p: Params) -> Params:
        which = p.get("Scope") or "All"
        prefix = p.get("PathPrefix") or "/"
        only_attached = bool(p.get("OnlyAttached"))
        # With PolicyUsageFilter PermissionsBoundary, "attached" is used as some user's or role's
        # permissions boundary; otherwise attached as a permissions policy.
        attached_count = (
            "PermissionsBoundaryUsageCount" if p.get("PolicyUsageFilter") == "PermissionsBoundary" else "AttachmentCount"
        )
        found: list[dict[str, Any]] = []
        # The account's own policies come first: AWS lists one made a moment ago on the first
        # page of ListPolicies, ahead of the thousand-odd AWS managed ones.
        if which in ("All", "Local"):
            found += [d for _, d in self.principals.store.iter_collection("iam", "policies", scope(ctx))]
        if which in ("All", "AWS"):
            for policy in all_aws_managed_policies():
                found.append(self.policies.find(ctx, policy["Arn"]) or policy)
        found = [
            d
            for d in found
            if d.get("Path", "/").startswith(prefix)
            and (not only_attached or d.get(attached_count, 0) > 0)
        ]
        result = page_list(found, p, "Policies")
        # ListPolicies leaves out descriptions and tags, as AWS does (GetPolicy has them).
        result["Policies"] = [
            {k: v for k, v in policy_view(d).items() if k not in ("Description", "Tags")} for d in result["Policies"]
        ]
        return result

    def CreatePolicyVersion(self, ctx: RequestContext, p: Params) -> Params:
        document = check_policy_document(p["PolicyDocument"], managed=True)
        check_managed_policy_size(document)
        with self.principals.store.transaction():
            doc = self._local(ctx, p["PolicyArn"])
            if len(doc["Versions"]) >= MAX_VERSIONS:
                raise limit_exceeded(
                    f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new version, "
                    "you must delete an existing version."
                )
            version_id = f"v{doc['NextVersion']}"
            created = now().isoformat()
            doc["NextVersion"] += 1
            doc["Versions"][version_id] = {"Document": document, "CreateDate": created}
            if p.get("SetAsDefault"):
                doc["DefaultVersionId"] = version_id
            doc["UpdateDate"] = created
            self.policies.local.put(scope(ctx), doc["PolicyName"], doc)
        return {"PolicyVersion": self._version_view(doc, version_id, include_document=False)}

    def _version_view(self, doc: dict[str, Any], version_id: str, include_document: bool = True) -> Params:
        version = doc["Versions"][version_id]
        view: Params = {
            "VersionId": version_id,
            "IsDefaultVersion": version_id == doc["DefaultVersionId"],
            "CreateDate": version["CreateDate"],
        }
        if include_document:
            view["Document"] = encode_document(version["Document"])
        return view

    def GetPolicyVersion(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._version_of(ctx, p)
        if "Versions" not in doc:  # AWS managed: only the default version is bundled
            if p["VersionId"] != doc.get("DefaultVersionId"):
                raise no_such_entity(
                    f"Policy {p['PolicyArn']} version {p['VersionId']} does not exist or is not attachable."
                )
            document = self.policies.default_document(ctx.account_id, p["PolicyArn"]) or "{}"
            return {
                "PolicyVersion": {
                    "Document": encode_document(document),
                    "VersionId": p["VersionId"],
                    "IsDefaultVersion": True,
                    "CreateDate": doc.get("UpdateDate"),
                }
            }
        return {"PolicyVersion": self._version_view(doc, p["VersionId"])}

    def ListPolicyVersions(self, ctx: RequestContext, p: Params) -> Params:
        doc = self.policies.find(ctx, p["PolicyArn"])
        if doc is None:
            raise no_such_entity(f"Policy {p['PolicyArn']} was not found.")
        if "Versions" not in doc:
            versions = [
                {
                    "VersionId": doc["DefaultVersionId"],
                    "IsDefaultVersion": True,
                    "CreateDate": doc.get("UpdateDate"),
                }
            ]
        else:
            order = sorted(doc["Versions"], key=lambda v: int(v[1:]), reverse=True)
            versions = [self._version_view(doc, v, include_document=False) for v in order]
        return page_list(versions, p, "Versions")

    def DeletePolicyVersion(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            doc = self._version_of(ctx, p)
            self._local(ctx, p["PolicyArn"])
            if p["VersionId"] == doc["DefaultVersionId"]:
                raise delete_conflict("Cannot delete the default version of a policy.")
            del doc["Versions"][p["VersionId"]]
            self.policies.local.put(scope(ctx), doc["PolicyName"], doc)
        return {}

    def SetDefaultPolicyVersion(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            doc = self._version_of(ctx, p)
            self._local(ctx, p["PolicyArn"])
            doc["DefaultVersionId"] = p["VersionId"]
            doc["UpdateDate"] = now().isoformat()
            self.policies.local.put(scope(ctx), doc["PolicyName"], doc)
        return {}

    def _tag_policy(self, ctx: RequestContext, policy_arn: str, change: Any) -> None:
        with self.principals.store.transaction():
            doc = self._existing(ctx, policy_arn)
            doc["Tags"] = change(doc.get("Tags", []))
            self.policies.local.put(scope(ctx), doc["PolicyName"], doc)

    def TagPolicy(self, ctx: RequestContext, p: Params) -> Params:
        self._tag_policy(ctx, p["PolicyArn"], lambda tags: merge_tags(tags, p["Tags"], case_sensitive=True))
        return {}

    def UntagPolicy(self, ctx: RequestContext, p: Params) -> Params:
        self._tag_policy(ctx, p["PolicyArn"], lambda tags: remove_tags(tags, p["TagKeys"], case_sensitive=True))
        return {}

    def ListPolicyTags(self, ctx: RequestContext, p: Params) -> Params:
        # A managed policy's tags (whose keys are case sensitive) are listed shortest key first,
        # then by key: AWS lists "abc", "b", "z", "a" as a, b, z, abc.
        tags = sorted(
            self._existing(ctx, p["PolicyArn"]).get("Tags", []), key=lambda t: (len(t["Key"]), t["Key"])
        )
        return page_list(tags, p, "Tags")

    def ListEntitiesForPolicy(self, ctx: RequestContext, p: Params) -> Params:
        check_path_prefix(p.get("PathPrefix"))
        policy_arn = p["PolicyArn"]
        if self.policies.find(ctx, policy_arn) is None:
            raise no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
        wanted = p.get("EntityFilter")  # User, Role or Group: only that kind is listed
        prefix = p.get("PathPrefix") or "/"
        usage = p.get("PolicyUsageFilter")  # PermissionsPolicy or PermissionsBoundary; both when left out

        def uses(doc: Params) -> bool:
            attached = usage != "PermissionsBoundary" and policy_arn in doc.get("AttachedPolicies", [])
            boundary = (doc.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") == policy_arn
            return attached or (usage != "PermissionsPolicy" and boundary)

        entities: list[tuple[str, Params]] = []
        for kind, member, name_key, id_key in (
            (USER, "PolicyUsers", "UserName", "UserId"),
            (GROUP, "PolicyGroups", "GroupName", "GroupId"),
            (ROLE, "PolicyRoles", "RoleName", "RoleId"),
        ):
            if wanted and wanted.lower() != kind.label:
                continue
            for _, doc in self.principals.store.iter_collection("iam", kind.collection, scope(ctx)):
                if uses(doc) and doc.get("Path", "/").startswith(prefix):
                    entities.append((member, {name_key: doc[name_key], id_key: doc[id_key]}))
        # MaxItems counts users, groups and roles together; each page sorts its share into the three lists.
        page = page_list(entities, p, "Entities")
        result: Params = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
        for member, entry in page.pop("Entities"):
            result[member].append(entry)
        return {**result, **page}
