"""What users, groups and roles have in common: lookup, inline policies, attached
managed policies, tags and permissions boundaries — written once, used by all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.iam.common import (
    already_exists,
    arn,
    check_path,
    check_policy_document,
    encode_document,
    limit_exceeded,
    merge_tags,
    name_taken,
    no_such_entity,
    page,
    remove_tags,
    scope,
)
from pocketcloud.services.iam.policy_quotas import check_inline_policies_size
from pocketcloud.services.iam.policy_store import PolicyStore
from pocketcloud.services.iam.trust_principals import retarget
from pocketcloud.store import Store

MAX_ATTACHED_POLICIES = 10
# What the store keeps on a user, group or role that AWS returns through other calls.
_INTERNAL = frozenset(
    {"InlinePolicies", "AttachedPolicies", "Groups", "LoginProfile", "InstanceProfiles", "Password"}
)


def public_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _INTERNAL}


@dataclass(frozen=True)
class Kind:
    label: str  # "user": used in messages and ARNs
    collection: str
    name_member: str  # "UserName"
    id_member: str  # "UserId"
    id_prefix: str  # "AIDA"


USER = Kind("user", "users", "UserName", "UserId", "AIDA")
GROUP = Kind("group", "groups", "GroupName", "GroupId", "AGPA")
ROLE = Kind("role", "roles", "RoleName", "RoleId", "AROA")


class Principals:
    """Operations shared by users, groups and roles, parameterised by their Kind."""

    def __init__(self, store: Store, policies: PolicyStore) -> None:
        self.store = store
        self.policies = policies

    def collection(self, kind: Kind) -> Any:
        return self.store.collection("iam", kind.collection)

    def get(self, ctx: RequestContext, kind: Kind, name: str) -> dict[str, Any]:
        doc = self.collection(kind).get(scope(ctx), name)
        if doc is None:
            raise no_such_entity(f"The {kind.label} with name {name} cannot be found.")
        return doc

    def save(self, ctx: RequestContext, kind: Kind, doc: dict[str, Any]) -> None:
        self.collection(kind).put(scope(ctx), doc[kind.name_member], doc)

    def retarget_trust(self, ctx: RequestContext, old_arn: str, replacement: str) -> None:
        """Have the account's trust policies that name the user or role `old_arn` name
        `replacement` instead: its new ARN, or its unique id once it is deleted."""
        roles = self.collection(ROLE)
        for name, role in list(roles.scan(scope(ctx))):
            document = retarget(role["AssumeRolePolicyDocument"], old_arn, replacement)
            if document is not None:
                role["AssumeRolePolicyDocument"] = document
                roles.put(scope(ctx), name, role)

    def update(
        self,
        ctx: RequestContext,
        kind: Kind,
        name: str,
        new_name: str | None,
        new_path: str | None,
        on_rename: Callable[[dict[str, Any]], None],
    ) -> None:
        """UpdateUser / UpdateGroup: a new path and a new name, in one transaction. `on_rename` is
        given the renamed document to carry the new name wherever else the principal is named."""
        coll = self.collection(kind)
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            old_arn = doc["Arn"]
            new_name = new_name or name
            if new_path:
                doc["Path"] = check_path(new_path, "newPath")
            if new_name != name:
                if name_taken(coll, scope(ctx), new_name, besides=name):
                    raise already_exists(f"{kind.label.capitalize()} with name {new_name} already exists.")
                coll.delete(scope(ctx), name)
                doc[kind.name_member] = new_name
                on_rename(doc)
            doc["Arn"] = arn(ctx.account_id, kind.label, doc["Path"], new_name)
            coll.put(scope(ctx), new_name, doc)
            if kind is USER and doc["Arn"] != old_arn:
                self.retarget_trust(ctx, old_arn, doc["Arn"])

    # -- inline policies --------------------------------------------------

    def put_inline(self, ctx: RequestContext, kind: Kind, name: str, policy: str, document: str) -> None:
        check_policy_document(document)
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            inline = doc.setdefault("InlinePolicies", {})
            # The quota is on all of the entity's inline policies together, this one replacing
            # any of the same name.
            check_inline_policies_size(kind.label, name, document, (d for n, d in inline.items() if n != policy))
            inline[policy] = document
            self.save(ctx, kind, doc)

    def get_inline(self, ctx: RequestContext, kind: Kind, name: str, policy: str) -> dict[str, Any]:
        doc = self.get(ctx, kind, name)
        document = doc.get("InlinePolicies", {}).get(policy)
        if document is None:
            raise no_such_entity(f"The {kind.label} policy with name {policy} cannot be found.")
        return {kind.name_member: name, "PolicyName": policy, "PolicyDocument": encode_document(document)}

    def delete_inline(self, ctx: RequestContext, kind: Kind, name: str, policy: str) -> None:
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            if policy not in doc.get("InlinePolicies", {}):
                raise no_such_entity(f"The {kind.label} policy with name {policy} cannot be found.")
            del doc["InlinePolicies"][policy]
            self.save(ctx, kind, doc)

    def list_inline(
        self, ctx: RequestContext, kind: Kind, name: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        names = sorted(self.get(ctx, kind, name).get("InlinePolicies", {}))
        return page_list(names, params, "PolicyNames")

    # -- attached managed policies ---------------------------------------

    def attach(self, ctx: RequestContext, kind: Kind, name: str, policy_arn: str) -> None:
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            self.policies.require_attachable(ctx, policy_arn)
            attached = doc.setdefault("AttachedPolicies", [])
            if policy_arn in attached:
                return
            if len(attached) >= MAX_ATTACHED_POLICIES:
                raise limit_exceeded(
                    f"Cannot exceed quota for PoliciesPerUser: {MAX_ATTACHED_POLICIES}"
                    if kind is USER
                    else f"Cannot exceed quota for PoliciesPer{kind.label.capitalize()}: {MAX_ATTACHED_POLICIES}"
                )
            attached.append(policy_arn)
            self.save(ctx, kind, doc)
            self.policies.count_attachment(ctx, policy_arn, +1)

    def detach(self, ctx: RequestContext, kind: Kind, name: str, policy_arn: str) -> None:
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            attached = doc.get("AttachedPolicies", [])
            if policy_arn not in attached:
                raise no_such_entity(f"Policy {policy_arn} was not found.")
            attached.remove(policy_arn)
            self.save(ctx, kind, doc)
            self.policies.count_attachment(ctx, policy_arn, -1)

    def list_attached(
        self, ctx: RequestContext, kind: Kind, name: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        doc = self.get(ctx, kind, name)
        prefix = params.get("PathPrefix") or "/"
        entries = []
        for policy_arn in doc.get("AttachedPolicies", []):
            policy = self.policies.find(ctx, policy_arn)
            if policy is not None and policy.get("Path", "/").startswith(prefix):
                entries.append({"PolicyName": policy["PolicyName"], "PolicyArn": policy_arn})
        return page_list(entries, params, "AttachedPolicies")

    # -- tags and boundaries ---------------------------------------------

    def tag(self, ctx: RequestContext, kind: Kind, name: str, tags: list[dict[str, str]]) -> None:
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            doc["Tags"] = merge_tags(doc.get("Tags", []), tags)
            self.save(ctx, kind, doc)

    def untag(self, ctx: RequestContext, kind: Kind, name: str, keys: list[str]) -> None:
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            doc["Tags"] = remove_tags(doc.get("Tags", []), keys)
            self.save(ctx, kind, doc)

    def list_tags(self, ctx: RequestContext, kind: Kind, name: str, params: dict[str, Any]) -> dict[str, Any]:
        return list_tags(self.get(ctx, kind, name).get("Tags", []), params)

    def set_boundary(self, ctx: RequestContext, kind: Kind, name: str, policy_arn: str | None) -> None:
        with self.store.transaction():
            doc = self.get(ctx, kind, name)
            self.apply_boundary(ctx, doc, policy_arn)
            self.save(ctx, kind, doc)

    def apply_boundary(self, ctx: RequestContext, doc: dict[str, Any], policy_arn: str | None) -> None:
        """Set (or, with None, remove) the boundary on a user or role document, keeping each
        policy's PermissionsBoundaryUsageCount right."""
        if policy_arn is not None:
            self.policies.require_boundary(ctx, policy_arn)
        old = (doc.pop("PermissionsBoundary", None) or {}).get("PermissionsBoundaryArn")
        if old:
            self.policies.count_attachment(ctx, old, -1, "PermissionsBoundaryUsageCount")
        if policy_arn is not None:
            doc["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": policy_arn,
            }
            self.policies.count_attachment(ctx, policy_arn, +1, "PermissionsBoundaryUsageCount")

    def listing(
        self, ctx: RequestContext, kind: Kind, params: dict[str, Any], keep: Any = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return page(self.collection(kind), scope(ctx), params, keep)


def list_tags(tags: list[dict[str, str]], params: dict[str, Any]) -> dict[str, Any]:
    """List*Tags: AWS answers with the tags sorted by key, paged by Marker/MaxItems."""
    return page_list(sorted(tags, key=lambda t: t["Key"]), params, "Tags")


def page_list(items: list[Any], params: dict[str, Any], member: str) -> dict[str, Any]:
    """Marker/MaxItems paging over a small in-memory list (the marker is an index)."""
    limit = params.get("MaxItems") or 100
    marker = str(params.get("Marker", ""))
    start = int(marker) if is_digits(marker) else 0
    chunk = items[start : start + limit]
    result: dict[str, Any] = {member: chunk, "IsTruncated": start + limit < len(items)}
    if result["IsTruncated"]:
        result["Marker"] = str(start + limit)
    return result


SERVICE_LINKED_PATH = "/aws-service-role/"
# AWS's managed policies for service-linked roles: attachable to those roles only.
_SERVICE_ROLE_POLICIES = "arn:aws:iam::aws:policy/aws-service-role/"


def protected_role(name: str) -> ServiceError:
    """What IAM answers a change a caller asks of a service-linked role ("service-linked roles are
    protected AWS resources. Only the service that depends on the service-linked role can modify or
    delete the role", UnmodifiableEntity in AttachRolePolicy, PutRolePolicy, UpdateAssumeRolePolicy)."""
    return ServiceError(
        "UnmodifiableEntity",
        f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS",
        status=400,
    )


def is_service_linked(doc: dict[str, Any]) -> bool:
    return str(doc.get("Path", "")).startswith(SERVICE_LINKED_PATH)


def refuse_if_service_linked(doc: dict[str, Any]) -> None:
    """A caller's change to a service-linked role is refused (`protected_role`); a role's or another
    principal's document otherwise passes."""
    if is_service_linked(doc):
        raise protected_role(str(doc.get("RoleName")))


def shared_operations(kind: Kind, noun: str, tags: bool = True, boundary: bool = True) -> type:
    """A mixin with the operations every principal kind shares, named as AWS names them:
    Put/Get/Delete/List{noun}Policy(ies), Attach/Detach/ListAttached{noun}Policies,
    Tag/Untag/List{noun}Tags and Put/Delete{noun}PermissionsBoundary."""
    name_member = kind.name_member

    def put_policy(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        refuse_if_service_linked(self.principals.get(ctx, kind, p[name_member]))
        self.principals.put_inline(ctx, kind, p[name_member], p["PolicyName"], p["PolicyDocument"])
        return {}

    def get_policy(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        return self.principals.get_inline(ctx, kind, p[name_member], p["PolicyName"])

    def delete_policy(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.principals.delete_inline(ctx, kind, p[name_member], p["PolicyName"])
        return {}

    def list_policies(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        return self.principals.list_inline(ctx, kind, p[name_member], p)

    def attach(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        refuse_if_service_linked(self.principals.get(ctx, kind, p[name_member]))
        if str(p["PolicyArn"]).startswith(_SERVICE_ROLE_POLICIES):
            # AttachRolePolicy's PolicyNotAttachable: "AWS service role policies can only be attached to
            # the service-linked role for that service", worded as IAM words it.
            raise ServiceError("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", status=400)
        self.principals.attach(ctx, kind, p[name_member], p["PolicyArn"])
        return {}

    def detach(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.principals.detach(ctx, kind, p[name_member], p["PolicyArn"])
        return {}

    def list_attached(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        return self.principals.list_attached(ctx, kind, p[name_member], p)

    def tag(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.principals.tag(ctx, kind, p[name_member], p["Tags"])
        return {}

    def untag(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.principals.untag(ctx, kind, p[name_member], p["TagKeys"])
        return {}

    def list_tags(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        return self.principals.list_tags(ctx, kind, p[name_member], p)

    def put_boundary(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.principals.set_boundary(ctx, kind, p[name_member], p["PermissionsBoundary"])
        return {}

    def delete_boundary(self: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.principals.set_boundary(ctx, kind, p[name_member], None)
        return {}

    methods: dict[str, Any] = {
        f"Put{noun}Policy": put_policy,
        f"Get{noun}Policy": get_policy,
        f"Delete{noun}Policy": delete_policy,
        f"List{noun}Policies": list_policies,
        f"Attach{noun}Policy": attach,
        f"Detach{noun}Policy": detach,
        f"ListAttached{noun}Policies": list_attached,
    }
    if tags:
        methods.update({f"Tag{noun}": tag, f"Untag{noun}": untag, f"List{noun}Tags": list_tags})
    if boundary:
        methods.update(
            {
                f"Put{noun}PermissionsBoundary": put_boundary,
                f"Delete{noun}PermissionsBoundary": delete_boundary,
            }
        )
    for method_name, method in methods.items():
        method.__name__ = method_name
    return type(f"{noun}SharedOperations", (), methods)
