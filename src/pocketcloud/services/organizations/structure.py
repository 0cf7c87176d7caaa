"""The organization's tree: its root, organizational units (OUs) and where each account sits.

The whole tree is one document (`state["structure"]`): the root, the OUs, each
child's parent, the policies attached to each target and the tags of each
resource. An organization is small, and one document keeps every change atomic.
An account with no recorded parent sits in the root (accounts created before
the tree existed, the management account). Ids and ARNs take AWS's forms:
`r-xxxx`, `ou-<root suffix>-xxxxxxxx`, `arn:aws:organizations::<management>:ou/<org>/<ou>`.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.values import is_digits

Params = dict[str, Any]
GLOBAL = ("", "")
_KEY = "structure"
_MAX_OU_DEPTH = 5  # "OU maximum nesting in a root: five levels of OUs deep under a root"
_LOWER = string.ascii_lowercase + string.digits


def now_iso() -> str:
    """Now, to the second, as the organization's timestamps are kept."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _random(n: int) -> str:
    return "".join(random.choices(_LOWER, k=n))


_model_messages: dict[str, str] = {}


def org_error(code: str, **fields: Any) -> ServiceError:
    """An Organizations error with the message its model documents (AWS's wording)."""
    message = _model_messages.get(code)
    if message is None:
        doc = service_model("organizations").shape_for(code).documentation
        text = re.sub(r"<[^>]+>", " ", doc or "")
        text = re.split(r"\s(?:For (?:more information|details|example)|This exception includes)", text)[0]
        message = _model_messages[code] = " ".join(text.split()).replace("\u2019", "'")
    return ServiceError(code, message, status=400, **fields)


def access_denied() -> ServiceError:
    """Organizations' one wording for every refusal, whatever decided it."""
    return ServiceError(
        "AccessDeniedException", "You don't have permissions to access this resource.", status=400
    )


def available_policy_types(feature_set: str) -> list[Params]:
    """DescribeOrganization's AvailablePolicyTypes: SCPs with all features, none with consolidated
    billing only (the API reference's example)."""
    return [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}] if feature_set == "ALL" else []


def invalid_token() -> ServiceError:
    return ServiceError(
        "InvalidInputException",
        "You specified an invalid value for nextToken. You must get the value from the response "
        "to a previous call to the API.",
        status=400,
        Reason="INVALID_PAGINATION_TOKEN",
    )


def page(items: list[Any], p: Params, member: str) -> Params:
    """One page of `items` under `member`, with Organizations' NextToken and MaxResults (at most 20)."""
    token = p.get("NextToken")
    if token is not None and not is_digits(str(token)):
        raise invalid_token()
    start = int(token or 0)
    limit = p.get("MaxResults") or 20
    result: Params = {member: items[start : start + limit]}
    if start + limit < len(items):
        result["NextToken"] = str(start + limit)
    return result


class StructureOperations:
    """ListRoots, the OU operations, ListChildren/ListParents/ListAccountsForParent and MoveAccount."""

    state: Any
    store: Any
    accounts: Any
    _require_administrator: Callable[[RequestContext, Params], Params]
    _public: Callable[[Params], Params]
    _changed: Callable[[], None]

    # -- the document ---------------------------------------------------------

    def structure(self, org: Params) -> Params:
        """The tree of `org`, made (a root with no policy types) on first use."""
        doc: Params | None = self.state.get(GLOBAL, _KEY)
        if doc is None:
            root_id = "r-" + _random(4)
            root = {
                "Id": root_id,
                "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:root/{org['Id']}/{root_id}",
                "Name": "Root",
                "PolicyTypes": [],
            }
            doc = {"Root": root, "OUs": {}, "Parents": {}, "Attached": {}, "Tags": {}}
            self.state.put(GLOBAL, _KEY, doc)
        return doc

    def save_structure(self, doc: Params) -> None:
        self.state.put(GLOBAL, _KEY, doc)
        self._changed()

    def account_ids(self) -> list[str]:
        return sorted(key for key, _ in self.store.iter_collection("organizations", "accounts", GLOBAL))

    def parent_of(self, doc: Params, child_id: str) -> str:
        parent: str = doc["Parents"].get(child_id, doc["Root"]["Id"])
        return parent

    def is_parent(self, doc: Params, parent_id: str) -> bool:
        return parent_id == doc["Root"]["Id"] or parent_id in doc["OUs"]

    def path_to(self, doc: Params, target_id: str) -> list[str]:
        """Ids from the root down to `target_id` (an OU or an account), both included."""
        path = [target_id]
        root_id = doc["Root"]["Id"]
        while path[-1] != root_id:
            path.append(self.parent_of(doc, path[-1]))
        return path[::-1]

    def ou_path(self, org: Params, doc: Params, ou_id: str) -> str:
        return f"{org['Id']}/" + "/".join(self.path_to(doc, ou_id)) + "/"

    def children(self, doc: Params, parent_id: str, child_type: str) -> Iterator[str]:
        if child_type == "ORGANIZATIONAL_UNIT":
            yield from (ou_id for ou_id in doc["OUs"] if doc["Parents"].get(ou_id) == parent_id)
        else:
            yield from (a for a in self.account_ids() if self.parent_of(doc, a) == parent_id)

    def _ou_view(self, org: Params, doc: Params, ou_id: str) -> Params:
        ou = doc["OUs"][ou_id]
        return {"Id": ou_id, "Arn": ou["Arn"], "Name": ou["Name"], "Path": self.ou_path(org, doc, ou_id)}

    def _parent_or_fail(self, doc: Params, parent_id: str) -> None:
        if not self.is_parent(doc, parent_id):
            raise org_error("ParentNotFoundException")

    def _ou_or_fail(self, doc: Params, ou_id: str) -> Params:
        ou: Params | None = doc["OUs"].get(ou_id)
        if ou is None:
            raise org_error("OrganizationalUnitNotFoundException")
        return ou

    def _sibling_named(self, doc: Params, parent_id: str, name: str, but: str | None = None) -> bool:
        return any(
            ou["Name"] == name and doc["Parents"].get(ou_id) == parent_id and ou_id != but
            for ou_id, ou in doc["OUs"].items()
        )

    def new_target(self, doc: Params, target_id: str) -> None:
        """A new OU or account: it gets FullAWSAccess / RCPFullAWSAccess while SCPs / RCPs are enabled."""
        hook = getattr(self, "attach_defaults", None)
        if hook is not None:
            hook(doc, target_id)

    # -- roots and OUs --------------------------------------------------------

    def ListRoots(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        return page([self.structure(org)["Root"]], p, "Roots")

    def CreateOrganizationalUnit(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        parent_id, name = p["ParentId"], p["Name"]
        self._parent_or_fail(doc, parent_id)
        if self._sibling_named(doc, parent_id, name):
            raise org_error("DuplicateOrganizationalUnitException")
        if parent_id != doc["Root"]["Id"] and len(self.path_to(doc, parent_id)) > _MAX_OU_DEPTH:
            raise org_error("ConstraintViolationException", Reason="OU_DEPTH_LIMIT_EXCEEDED")
        root_suffix = doc["Root"]["Id"][2:]
        ou_id = f"ou-{root_suffix}-{_random(8)}"
        while ou_id in doc["OUs"]:
            ou_id = f"ou-{root_suffix}-{_random(8)}"
        doc["OUs"][ou_id] = {
            "Name": name,
            "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:ou/{org['Id']}/{ou_id}",
        }
        doc["Parents"][ou_id] = parent_id
        if p.get("Tags"):
            doc["Tags"][ou_id] = {t["Key"]: t["Value"] for t in p["Tags"]}
        self.new_target(doc, ou_id)
        self.save_structure(doc)
        return {"OrganizationalUnit": self._ou_view(org, doc, ou_id)}

    def DescribeOrganizationalUnit(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._ou_or_fail(doc, p["OrganizationalUnitId"])
        return {"OrganizationalUnit": self._ou_view(org, doc, p["OrganizationalUnitId"])}

    def UpdateOrganizationalUnit(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        ou_id = p["OrganizationalUnitId"]
        ou = self._ou_or_fail(doc, ou_id)
        if p.get("Name"):
            if self._sibling_named(doc, doc["Parents"][ou_id], p["Name"], but=ou_id):
                raise org_error("DuplicateOrganizationalUnitException")
            ou["Name"] = p["Name"]
            self.save_structure(doc)
        return {"OrganizationalUnit": self._ou_view(org, doc, ou_id)}

    def DeleteOrganizationalUnit(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        ou_id = p["OrganizationalUnitId"]
        self._ou_or_fail(doc, ou_id)
        if any(True for _ in self.children(doc, ou_id, "ORGANIZATIONAL_UNIT")) or any(
            True for _ in self.children(doc, ou_id, "ACCOUNT")
        ):
            raise org_error("OrganizationalUnitNotEmptyException")
        for table in ("OUs", "Parents", "Attached", "Tags"):
            doc[table].pop(ou_id, None)
        self.save_structure(doc)
        return {}

    # -- listing the tree -----------------------------------------------------

    def ListOrganizationalUnitsForParent(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._parent_or_fail(doc, p["ParentId"])
        ous = [
            self._ou_view(org, doc, ou_id)
            for ou_id in self.children(doc, p["ParentId"], "ORGANIZATIONAL_UNIT")
        ]
        return page(ous, p, "OrganizationalUnits")

    def ListAccountsForParent(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._parent_or_fail(doc, p["ParentId"])
        found = [
            self._public(self.accounts.get(GLOBAL, a)) for a in self.children(doc, p["ParentId"], "ACCOUNT")
        ]
        return page(found, p, "Accounts")

    def ListChildren(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._parent_or_fail(doc, p["ParentId"])
        kind = p["ChildType"]
        children = [{"Id": child, "Type": kind} for child in self.children(doc, p["ParentId"], kind)]
        return page(children, p, "Children")

    def ListParents(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        child = p["ChildId"]
        if child not in doc["OUs"] and self.accounts.get(GLOBAL, child) is None:
            raise org_error("ChildNotFoundException")
        parent = self.parent_of(doc, child)
        kind = "ROOT" if parent == doc["Root"]["Id"] else "ORGANIZATIONAL_UNIT"
        return page([{"Id": parent, "Type": kind}], p, "Parents")

    def MoveAccount(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        account, source, destination = p["AccountId"], p["SourceParentId"], p["DestinationParentId"]
        if self.accounts.get(GLOBAL, account) is None:
            raise org_error("AccountNotFoundException")
        if not self.is_parent(doc, source):
            raise org_error("SourceParentNotFoundException")
        if not self.is_parent(doc, destination):
            raise org_error("DestinationParentNotFoundException")
        current = self.parent_of(doc, account)
        if current == destination:
            raise org_error("DuplicateAccountException")
        if current != source:
            raise org_error("AccountNotFoundException")
        doc["Parents"][account] = destination
        self.save_structure(doc)
        return {}
