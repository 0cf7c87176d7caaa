"""KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant.

A grant lets its grantee principal (an AWS principal's ARN, or with GranteeServicePrincipal an AWS
service under a SourceArn constraint) perform the grant's operations with one key, beside the key
policy and IAM policies ("Grants in AWS KMS"). The authorizer sees each grant as one more statement
of the key policy (`grant_policy.py`), naming the grantee and allowing the grant's operations, under
its constraints; a grantee needs no IAM policy for them. Grants are documents of `kms/grants` under
"<key id>/<grant id>" in the key's account and Region, so a key's grants are one scan.

RetireGrant and ListRetirableGrants look in every account of the caller's Region: a retiring
principal may retire (and list) grants on other accounts' keys. RetireGrant is decided by the grant
("Retiring and revoking grants"), not by the request chain: its retiring principal, its grantee if
it allows RetireGrant, and the account that created it (its root user, or a principal its IAM
policies allow kms:RetireGrant) may retire it.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.kms.base import KmsBase, validation
from pocketcloud.services.kms.grant_policy import check_principal, invalid_arn, is_service_principal
from pocketcloud.services.kms.keys import now, parse_key_arn, usable
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
    "ENCAPSULATE_DECAPSULATE": {"Encapsulate", "Decapsulate", "GetPublicKey"},
}
_ANY_KEY = {"CreateGrant", "DescribeKey", "RetireGrant"}


def _not_found(grant_id: str) -> ServiceError:
    return ServiceError("NotFoundException", f"Grant ID {grant_id} not found", status=400)


class GrantOperations(KmsBase):
    def CreateGrant(self, ctx: RequestContext, p: Params) -> Params:
        operations = p.get("Operations")
        if operations is None or operations == []:
            value = "null" if operations is None else "'[]'"
            constraint = "not be null" if operations is None else "have length greater than or equal to 1"
            raise validation(
                f"1 validation error detected: Value {value} at 'operations' failed to satisfy constraint: "
                f"Member must {constraint}"
            )
        grantee, service = p.get("GranteePrincipal"), p.get("GranteeServicePrincipal")
        if bool(grantee) == bool(service):
            raise validation("You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.")
        retiring, retiring_service = p.get("RetiringPrincipal"), p.get("RetiringServicePrincipal")
        if retiring and retiring_service:
            raise validation("You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.")
        constraints = p.get("Constraints") or {}
        if constraints.get("EncryptionContextSubset") and constraints.get("EncryptionContextEquals"):
            raise validation("EncryptionContextSubset and EncryptionContextEquals cannot both be specified")
        if service and not constraints.get("SourceArn"):
            raise validation("A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.")
        if service and not (retiring or retiring_service):
            raise validation(
                "A grant for a GranteeServicePrincipal must have a RetiringPrincipal or RetiringServicePrincipal."
            )
        scope, key = self._key(ctx, p["KeyId"])
        usable(key)  # a disabled key or one pending deletion takes no grant ("Key states of AWS KMS keys")
        allowed = _OPERATIONS.get(key["KeyUsage"], set()) | _ANY_KEY
        wrong = [op for op in operations if op not in allowed]
        if wrong:
            raise validation(
                f"Grant operations {wrong} are not valid for a KMS key of usage {key['KeyUsage']}"
            )
        for principal in (grantee, retiring):
            if principal:
                check_principal(principal)
                self._check_principal_exists(principal)
        for principal in (service, retiring_service):
            if principal and not is_service_principal(principal):
                raise validation(f"{principal} is not a valid service principal.")
        grant: Params = {
            "KeyId": key["Arn"],
            "Name": p.get("Name") or "",
            "IssuingAccount": f"arn:aws:iam::{ctx.account_id}:root",
            "Operations": operations,
        }
        principals: dict[str, Any] = {
            "GranteePrincipal": grantee,
            "GranteeServicePrincipal": service,
            "RetiringPrincipal": retiring,
            "RetiringServicePrincipal": retiring_service,
        }
        grant.update({member: value for member, value in principals.items() if value})
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

    def _check_principal_exists(self, principal: str) -> None:
        """A user or role that does not exist is no valid principal: InvalidArnException, which the
        Terraform AWS provider retries CreateGrant on while a new role propagates (kms/grant.go), and
        whose words Lambda passes on ("KMS Message: ARN does not refer to a valid principal: ...")."""
        iam = self.runtime.provider("iam")
        policy = {"Statement": [{"Principal": {"AWS": principal}}]}
        if iam is not None and iam.missing_principal(policy) is not None:  # type: ignore[attr-defined]
            raise invalid_arn(principal)

    @staticmethod
    def _listed(grant: Params) -> Params:
        return {k: v for k, v in grant.items() if k != "Token"}

    def ListGrants(self, ctx: RequestContext, p: Params) -> Params:
        scope, key = self._key(ctx, p["KeyId"])
        grants = [
            (g["GrantId"], self._listed(g))
            for g in self.key_grants(scope, key["KeyId"])
            if p.get("GrantId") in (None, g["GrantId"])
            and p.get("GranteePrincipal") in (None, g.get("GranteePrincipal"))
        ]
        return self._page(p, "Grants", grants, 50)

    def _regional_grants(self, ctx: RequestContext) -> list[tuple[Scope, str, Params]]:
        """(scope, name, grant) of every grant on a key of any account in the caller's Region."""
        return [
            (scope, name, grant)
            for scope in self.grants.scopes()
            if scope[1] == ctx.region
            for name, grant in self.grants.scan(scope)
        ]

    def ListRetirableGrants(self, ctx: RequestContext, p: Params) -> Params:
        """The grants of the caller's Region, on keys of any account, whose retiring principal (or
        retiring service principal) is the one asked for."""
        retiring, service = p.get("RetiringPrincipal"), p.get("RetiringServicePrincipal")
        if bool(retiring) == bool(service):
            raise validation("You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.")
        member, wanted = ("RetiringPrincipal", retiring) if retiring else ("RetiringServicePrincipal", service)
        grants = [
            (f"{scope[0]}/{name}", self._listed(g))
            for scope, name, g in self._regional_grants(ctx)
            if g.get(member) == wanted
        ]
        return self._page(p, "Grants", grants, 50)

    def RevokeGrant(self, ctx: RequestContext, p: Params) -> Params:
        scope, key = self._key(ctx, p["KeyId"])
        if not self.grants.delete(scope, f"{key['KeyId']}/{p['GrantId']}"):
            raise _not_found(p["GrantId"])
        return {}

    def RetireGrant(self, ctx: RequestContext, p: Params) -> Params:
        """By its token, or by key and grant id, on a key of any account in the caller's Region."""
        if p.get("GrantToken"):
            found = [(s, k, g) for s, k, g in self._regional_grants(ctx) if g.get("Token") == p["GrantToken"]]
            if not found:
                raise ServiceError("InvalidGrantTokenException", "Invalid grant token", status=400)
        elif p.get("KeyId") and p.get("GrantId"):
            scope, key = self._key(ctx, p["KeyId"])
            name = f"{key['KeyId']}/{p['GrantId']}"
            grant = self.grants.get(scope, name)
            if grant is None:
                raise _not_found(p["GrantId"])
            found = [(scope, name, grant)]
        else:
            raise validation("Grant token OR (grant ID, key ID) must be specified")
        scope, name, grant = found[0]
        self._check_retiring(ctx, scope, grant)
        self.grants.delete(scope, name)
        return {}

    def _check_retiring(self, ctx: RequestContext, scope: Scope, grant: Params) -> None:
        """AccessDeniedException unless the caller may retire the grant: its retiring principal (or
        retiring service principal), its grantee if it allows RetireGrant, or the account that created
        it (its root user, or a principal of it whose IAM policies allow kms:RetireGrant)."""
        if self.runtime.settings.auth_disabled:
            return
        principal = ctx.principal
        names = {principal.arn, principal.role_arn} - {None}
        may = {grant.get("RetiringPrincipal"), grant.get("RetiringServicePrincipal")}
        if "RetireGrant" in (grant.get("Operations") or ()):
            may |= {grant.get("GranteePrincipal"), grant.get("GranteeServicePrincipal")}
        if names & (may - {None}):
            return
        issuing = str(grant.get("IssuingAccount") or f"arn:aws:iam::{scope[0]}:root")
        if principal.kind != "Service" and issuing.split(":")[4:5] == [principal.account_id]:
            key = parse_key_arn(str(grant.get("KeyId", "")))
            resource = str(grant["KeyId"]) if key is not None else "*"
            self.runtime.authorizer.authorize_action(
                ctx, operation_model("kms", "RetireGrant"), "kms:RetireGrant", resource
            )
            return
        raise ServiceError(
            "AccessDeniedException", f"{principal.arn} is not authorized to retire the grant", status=400
        )
