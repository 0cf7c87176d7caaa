"""KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant.

A grant lets its grantee principal perform the grant's operations with one key, beside the key
policy and IAM policies ("Grants in AWS KMS"). The authorizer sees each grant as one more
statement of the key policy (`grant_statements`), naming the grantee and allowing the grant's
operations, under its encryption-context constraints; a grantee needs no IAM policy for them.
Grants are documents of `kms/grants` under "<key id>/<grant id>", so a key's grants are one scan.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.kms.base import KmsBase, validation
from pocketcloud.services.kms.keys import now
from pocketcloud.store import Scope

Params = dict[str, Any]
# The operations a grant may allow, by the usage of its key ("Grant operations").
_OPERATIONS = {
    "ENCRYPT_DECRYPT": {
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "DeriveSharedSecret",
    },
    "SIGN_VERIFY": {"Sign", "Verify", "GetPublicKey"},
    "GENERATE_VERIFY_MAC": {"GenerateMac", "VerifyMac"},
    "KEY_AGREEMENT": {"DeriveSharedSecret", "GetPublicKey"},
}
_ANY_KEY = {"CreateGrant", "DescribeKey", "RetireGrant"}


def grant_statements(grants: list[Params]) -> list[Params]:
    """Each grant as a statement of its key's policy."""
    statements = []
    for grant in grants:
        grantee = grant["GranteePrincipal"]
        principal = {"Service": grantee} if grantee.endswith(".amazonaws.com") else {"AWS": grantee}
        actions = sorted(
            f"kms:{op}" for op in grant["Operations"]
        )  # kms:ReEncryptFrom and To, as IAM has them
        statement: Params = {"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": "*"}
        constraints = grant.get("Constraints") or {}
        context = {
            **(constraints.get("EncryptionContextSubset") or {}),
            **(constraints.get("EncryptionContextEquals") or {}),
        }
        if context:
            statement["Condition"] = {
                "StringEquals": {f"kms:EncryptionContext:{k}": v for k, v in context.items()}
            }
        statements.append(statement)
    return statements


def _not_found(grant_id: str) -> ServiceError:
    return ServiceError("NotFoundException", f"Grant ID {grant_id} not found", status=400)


class GrantOperations(KmsBase):
    def key_grants(self, scope: Scope, key_id: str) -> list[Params]:
        return [doc for _, doc in self.grants.scan(scope, prefix=key_id + "/")]

    def CreateGrant(self, ctx: RequestContext, p: Params) -> Params:
        scope, key = self._key(ctx, p["KeyId"])
        operations = p.get("Operations") or []
        allowed = _OPERATIONS.get(key["KeyUsage"], set()) | _ANY_KEY
        wrong = [op for op in operations if op not in allowed]
        if wrong:
            raise validation(
                f"Grant operations {wrong} are not valid for a KMS key of usage {key['KeyUsage']}"
            )
        constraints = p.get("Constraints") or {}
        if constraints.get("EncryptionContextSubset") and constraints.get("EncryptionContextEquals"):
            raise validation("EncryptionContextSubset and EncryptionContextEquals cannot both be specified")
        grant: Params = {
            "KeyId": key["Arn"],
            "Name": p.get("Name") or "",
            "GranteePrincipal": p["GranteePrincipal"],
            "IssuingAccount": f"arn:aws:iam::{ctx.account_id}:root",
            "Operations": operations,
        }
        if p.get("RetiringPrincipal"):
            grant["RetiringPrincipal"] = p["RetiringPrincipal"]
        if constraints:
            grant["Constraints"] = constraints
        if grant["Name"]:  # the same named grant again is the grant already made (CreateGrant is idempotent)
            for existing in self.key_grants(scope, key["KeyId"]):
                if {k: v for k, v in existing.items() if k in grant} == grant:
                    return {"GrantToken": existing["Token"], "GrantId": existing["GrantId"]}
        grant_id = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        grant.update(GrantId=grant_id, CreationDate=now().isoformat(), Token=secrets.token_urlsafe(96))
        self.grants.put(scope, f"{key['KeyId']}/{grant_id}", grant)
        return {"GrantToken": grant["Token"], "GrantId": grant_id}

    @staticmethod
    def _listed(grant: Params) -> Params:
        return {k: v for k, v in grant.items() if k != "Token"}

    def ListGrants(self, ctx: RequestContext, p: Params) -> Params:
        scope, key = self._key(ctx, p["KeyId"])
        grants = [
            self._listed(g)
            for g in self.key_grants(scope, key["KeyId"])
            if p.get("GrantId") in (None, g["GrantId"])
            and p.get("GranteePrincipal") in (None, g["GranteePrincipal"])
        ]
        return {"Grants": grants, "Truncated": False}

    def ListRetirableGrants(self, ctx: RequestContext, p: Params) -> Params:
        scope = self._scope(ctx)
        grants = [
            self._listed(g)
            for _, g in self.grants.scan(scope)
            if g.get("RetiringPrincipal") == p["RetiringPrincipal"]
        ]
        return {"Grants": grants, "Truncated": False}

    def RevokeGrant(self, ctx: RequestContext, p: Params) -> Params:
        scope, key = self._key(ctx, p["KeyId"])
        if not self.grants.delete(scope, f"{key['KeyId']}/{p['GrantId']}"):
            raise _not_found(p["GrantId"])
        return {}

    def RetireGrant(self, ctx: RequestContext, p: Params) -> Params:
        """By its token, or by key and grant id; the retiring principal, the grantee (when the grant
        allows RetireGrant) or the key's account may retire it."""
        scope = self._scope(ctx)
        if p.get("GrantToken"):
            found = [(k, g) for k, g in self.grants.scan(scope) if g["Token"] == p["GrantToken"]]
            if not found:
                raise ServiceError("InvalidGrantTokenException", "Invalid grant token", status=400)
        elif p.get("KeyId") and p.get("GrantId"):
            _, key = self._key(ctx, p["KeyId"])
            grant = self.grants.get(scope, f"{key['KeyId']}/{p['GrantId']}")
            if grant is None:
                raise _not_found(p["GrantId"])
            found = [(f"{key['KeyId']}/{p['GrantId']}", grant)]
        else:
            raise validation("Grant token OR (grant ID, key ID) must be specified")
        name, grant = found[0]
        caller = ctx.principal.arn
        may = {grant.get("RetiringPrincipal"), f"arn:aws:iam::{ctx.account_id}:root"}
        if "RetireGrant" in grant["Operations"]:
            may.add(grant["GranteePrincipal"])
        if caller not in may and (ctx.principal.role_arn or "") not in may and not ctx.principal.is_root:
            raise ServiceError(
                "AccessDeniedException", f"{caller} is not authorized to retire the grant", status=400
            )
        self.grants.delete(scope, name)
        return {}
