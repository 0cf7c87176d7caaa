"""Multi-Region keys: a primary key and its replicas in other Regions of the same account.

CreateKey with MultiRegion=true makes a primary key whose id is "mrk-" and 32 hex digits; ReplicateKey
makes a replica of it in another Region, with the same key id, key spec, usage and key material, and a
key policy, description and tags of its own ("Multi-Region keys in AWS KMS"). So a ciphertext sealed
with one opens with any related key, in its own Region (`KmsBase._sealing_key` looks a multi-Region key
up by its id in the caller's Region). UpdatePrimaryRegion makes a replica the primary and the primary a
replica.

Every related key's document carries the set's MultiRegionConfiguration (the primary's ARN and
Region, and every replica's), rewritten on each of them whenever the set changes. Key material is
shared: an on-demand rotation of the primary adds the same new material to every replica, and the
rotation settings are the primary's ("To enable or disable automatic rotation of a set of related
multi-Region keys, set the property on the primary key", GetKeyRotationStatus).

Not modelled: the Creating and Updating key states (a replica is Enabled when ReplicateKey answers,
which reports it Creating, as AWS does), PendingReplicaDeletion (a primary with replicas goes to
PendingDeletion as any key does), and multi-Region keys of imported material.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from pocketcloud.config import REGION_NAME
from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.kms.base import KmsBase, unsupported, validation
from pocketcloud.services.kms.keys import key_arn, metadata, not_found, now
from pocketcloud.store import Scope

Params = dict[str, Any]

_REGION = re.compile(REGION_NAME)
PRIMARY, REPLICA = "PRIMARY", "REPLICA"


def new_multi_region_key_id() -> str:
    return "mrk-" + secrets.token_hex(16)


def primary_configuration(arn: str, region: str) -> Params:
    return {"MultiRegionKeyType": PRIMARY, "PrimaryKey": {"Arn": arn, "Region": region}, "ReplicaKeys": []}


class MultiRegionOperations(KmsBase):
    def _related(self, account: str, doc: Params) -> list[tuple[Scope, Params]]:
        """(scope, document) of every key of `doc`'s multi-Region set, the primary first."""
        config = doc["MultiRegionConfiguration"]
        regions = [config["PrimaryKey"]["Region"], *(replica["Region"] for replica in config["ReplicaKeys"])]
        found = [((account, region), self.keys.get((account, region), doc["KeyId"])) for region in regions]
        return [(scope, key) for scope, key in found if key is not None]

    def _save_set(self, keys: list[tuple[Scope, Params]], primary_region: str) -> None:
        """Store each key of a set with the set's configuration, `primary_region`'s key the primary."""
        by_region = {scope[1]: doc for scope, doc in keys}
        primary = by_region[primary_region]
        replicas = [{"Arn": doc["Arn"], "Region": region} for region, doc in by_region.items() if region != primary_region]
        for scope, doc in keys:
            doc["MultiRegionConfiguration"] = {
                "MultiRegionKeyType": PRIMARY if scope[1] == primary_region else REPLICA,
                "PrimaryKey": {"Arn": primary["Arn"], "Region": primary_region},
                "ReplicaKeys": replicas,
            }
            self._put(scope, doc)

    def _multi_region_key(self, ctx: RequestContext, key_id: str, wanted: str) -> tuple[Scope, Params]:
        """The caller's multi-Region key `key_id`, which must be the set's `wanted` type."""
        scope, doc = self._own_key(ctx, key_id)
        config = doc.get("MultiRegionConfiguration")
        if not doc.get("MultiRegion") or config is None:
            raise unsupported(f"{doc['Arn']} is not a multi-Region key.")
        if config["MultiRegionKeyType"] != wanted:
            raise unsupported(f"{doc['Arn']} is not a {wanted.lower()} multi-Region key.")
        return scope, doc

    def ReplicateKey(self, ctx: RequestContext, p: Params) -> Params:
        region = p["ReplicaRegion"]
        if not isinstance(region, str) or not _REGION.fullmatch(region):
            raise validation(f"{region} is not a valid AWS Region.")
        with self.store.transaction():
            scope, primary = self._multi_region_key(ctx, p["KeyId"], PRIMARY)
            if region == scope[1] or self.keys.get((scope[0], region), primary["KeyId"]) is not None:
                raise ServiceError(
                    "AlreadyExistsException",
                    f"Multi-region key {primary['KeyId']} already exists in region {region}.",
                    status=400,
                )
            replica_scope = (scope[0], region)
            arn = key_arn(replica_scope, primary["KeyId"])
            policy = p.get("Policy") or primary["Policy"]
            if p.get("Policy"):
                self._check_policy(ctx, policy, p.get("BypassPolicyLockoutSafetyCheck"), arn)  # type: ignore[attr-defined]
            tags = p.get("Tags") or []
            self._check_tags(tags)  # type: ignore[attr-defined]
            self._not_pending_deletion(primary)
            own = ("Arn", "CreationDate", "Description", "Policy", "Tags", "DeletionDate", "PendingDeletionWindowInDays")
            replica = {
                **{field: value for field, value in primary.items() if field not in own},  # material included
                "Arn": arn,
                "CreationDate": now().isoformat(),
                "Description": p.get("Description") or "",
                "Policy": policy,
                "Tags": tags,
                "KeyState": "Enabled" if primary["KeyState"] != "Disabled" else "Disabled",
            }
            related = self._related(scope[0], primary)
            self._save_set([*related, (replica_scope, replica)], scope[1])
        answer = metadata(replica)
        answer.update(KeyState="Creating", Enabled=False)  # AWS answers while it copies the key
        return {"ReplicaKeyMetadata": answer, "ReplicaPolicy": policy, "ReplicaTags": tags}

    def UpdatePrimaryRegion(self, ctx: RequestContext, p: Params) -> Params:
        region = p["PrimaryRegion"]
        with self.store.transaction():
            scope, doc = self._multi_region_key(ctx, p["KeyId"], PRIMARY)
            related = self._related(scope[0], doc)
            if region not in {key_scope[1] for key_scope, _ in related}:
                raise not_found(
                    f"Key '{key_arn((scope[0], region), doc['KeyId'])}' does not exist"
                )
            if region != scope[1]:
                self._save_set(related, region)
        return {}

    def _put_rotation(self, scope: Scope, doc: Params) -> None:
        """Store `doc` after a change of its rotation or key material; a multi-Region primary's reaches
        each of its replicas, which share both."""
        self._put(scope, doc)
        if not doc.get("MultiRegionConfiguration"):
            return
        for replica_scope, replica in self._related(scope[0], doc):
            if replica_scope != scope:
                for field in ("Versions", "Rotations", "Rotation"):
                    if field in doc:
                        replica[field] = doc[field]
                self._put(replica_scope, replica)
