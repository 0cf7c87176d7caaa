"""IAM groups: a set of users sharing inline and attached policies."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.iam.common import (
    already_exists,
    arn,
    check_path,
    delete_conflict,
    name_taken,
    new_id,
    now,
    path_filter,
    scope,
)
from pocketcloud.services.iam.principals import (
    GROUP,
    USER,
    Principals,
    page_list,
    public_view,
    shared_operations,
)

Params = dict[str, Any]


class GroupOperations(shared_operations(GROUP, "Group", tags=False, boundary=False)):  # type: ignore[misc]
    principals: Principals

    def _members(self, ctx: RequestContext, group: str) -> list[dict[str, Any]]:
        users = self.principals.store.iter_collection("iam", USER.collection, scope(ctx))
        return [doc for _, doc in users if group in doc.get("Groups", [])]

    def CreateGroup(self, ctx: RequestContext, p: Params) -> Params:
        name = p["GroupName"]
        path = check_path(p.get("Path"))
        doc = {
            "Path": path,
            "GroupName": name,
            "GroupId": new_id("AGPA"),
            "Arn": arn(ctx.account_id, "group", path, name),
            "CreateDate": now().isoformat(),
        }
        groups = self.principals.collection(GROUP)
        if name_taken(groups, scope(ctx), name) or not groups.insert(scope(ctx), name, doc):
            raise already_exists(f"Group with name {name} already exists.")
        return {"Group": public_view(doc)}

    def GetGroup(self, ctx: RequestContext, p: Params) -> Params:
        group = self.principals.get(ctx, GROUP, p["GroupName"])
        # A group's members are listed as ListUsers lists them: without tags or boundary.
        members = [
            {k: v for k, v in public_view(u).items() if k not in ("Tags", "PermissionsBoundary")}
            for u in self._members(ctx, p["GroupName"])
        ]
        return {"Group": public_view(group), **page_list(members, p, "Users")}

    def ListGroups(self, ctx: RequestContext, p: Params) -> Params:
        groups, info = self.principals.listing(ctx, GROUP, p, path_filter(p))
        return {"Groups": [public_view(g) for g in groups], **info}

    def UpdateGroup(self, ctx: RequestContext, p: Params) -> Params:
        name = p["GroupName"]

        def renamed(doc: Params) -> None:
            for user in self._members(ctx, name):
                user["Groups"] = [doc["GroupName"] if g == name else g for g in user["Groups"]]
                self.principals.save(ctx, USER, user)

        self.principals.update(ctx, GROUP, name, p.get("NewGroupName"), p.get("NewPath"), renamed)
        return {}

    def DeleteGroup(self, ctx: RequestContext, p: Params) -> Params:
        name = p["GroupName"]
        with self.principals.store.transaction():
            doc = self.principals.get(ctx, GROUP, name)
            if self._members(ctx, name):
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            if doc.get("AttachedPolicies"):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if doc.get("InlinePolicies"):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            self.principals.collection(GROUP).delete(scope(ctx), name)
        return {}
