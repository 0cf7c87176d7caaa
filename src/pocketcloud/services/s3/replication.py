"""S3 replication acted on: a new object version (or delete marker) in a bucket whose replication
configuration has an enabled rule for its key is copied to the rule's destination bucket, and to
every destination whose rules select it (`replication_rules.py`: per destination, the matching
rule of highest priority).

As at AWS, the source version reports `x-amz-replication-status: PENDING` from the moment it is
written, then `COMPLETED` once every destination has its replica, or `FAILED` when any destination
could not take it (missing, or without versioning enabled). The replica keeps the source's version
id, key, body, metadata, tags, checksums and encryption (an SSE-KMS replica under the rule's
ReplicaKmsKeyID), takes the rule's storage class if it names one, and reports `REPLICA`; a replica
is not replicated again. Delete markers are replicated when the rule says so
(`DeleteMarkerReplication`, or any rule of the older schema without a filter); deleting a version
by its id is never replicated; objects written before the configuration are not replicated. An
SSE-C object's replica is its ciphertext as it is (S3 never has the customer's key), read with the
same key. The copy runs in the background, right after the call that wrote the version
answers.

The copy is made as the configuration's role (`services/role_access.py`, as S3 assumes it): the
role must exist and be allowed s3:GetObjectVersionForReplication on the source version (under
the source bucket's policy) and s3:ReplicateObject, or s3:ReplicateDelete for a delete marker,
on the destination key (under the destination bucket's policy), and for a tagged version
s3:GetObjectVersionTagging and s3:ReplicateTags (the guide's role policy), or the version is
FAILED. A version's Object Lock retention and legal hold go with it (the role needs
s3:GetObjectRetention and s3:GetObjectLegalHold for them), to a destination with Object Lock
enabled if the source has it. A change of a replicated version's tags reaches the replicas made
(the source PENDING meanwhile); it does not replicate the version anywhere else. A failure under
a rule with replication metrics enabled is also announced as an
s3:Replication:OperationFailedReplication event, with S3's failure reason (DstBucketNotFound,
DstBucketUnversioned, AssumeRoleNotPermitted, SrcGetObjectNotPermitted, DstPutObjectNotPermitted,
SrcGetTaggingNotPermitted, DstPutTaggingNotPermitted, DstBucketObjectLockConfigMissing,
SrcGetRetentionNotPermitted, SrcGetLegalHoldNotPermitted).

Each version to copy is a job in the store (`replication_queue`), written with the PENDING status
and removed once its copies are settled; a server that stops or crashes before then makes the
copies when it starts again. Copies run one at a time, in the order their versions were written.
SSE-KMS objects are replicated only when the rule opts in (SourceSelectionCriteria). What is not
modelled: replication time control and the metrics themselves (stored, not measured; so none of
the threshold events), ReplicaModifications, and the replication of ACLs and annotations.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.scalars import iso8601_millis
from pocketcloud.services.role_access import RoleAccess
from pocketcloud.services.s3.bodies import clone_blob, read_blob, store_body
from pocketcloud.services.s3.objects import ObjectOperations
from pocketcloud.services.s3.replication_rules import destination_bucket, rules_by_destination, rules_for
from pocketcloud.services.s3.state import GLOBAL, now
from pocketcloud.store import Collection

log = logging.getLogger(__name__)
Params = dict[str, Any]
# How many times a job passes on tags that changed while it copied, before it settles anyway.
_TAG_PASSES = 3
# The record fields a replica takes from its source, beside its body.
_COPIED = (
    "Key",
    "Owner",
    "Metadata",
    "Tags",
    "ETag",
    "Size",
    "Checksums",
    "ChecksumType",
    "PartsCount",
    "PartSizes",
    "SSE",
    "SSECustomer",
    "Retention",
    "LegalHold",
    "StorageClass",
    "LastModified",
    "ContentType",
    "ContentEncoding",
    "ContentLanguage",
    "ContentDisposition",
    "CacheControl",
    "Expires",
    "WebsiteRedirectLocation",
)


def _job_key(job: Params) -> str:
    return f"{job['Bucket']}\0{job['Key']}\0{job['VersionId']}"


def _takes_kms_objects(rule: Params) -> bool:
    criteria = (rule.get("SourceSelectionCriteria") or {}).get("SseKmsEncryptedObjects") or {}
    return criteria.get("Status") == "Enabled"


def _replicates_delete_markers(rule: Params) -> bool:
    if rule.get("Filter") is None:  # the older schema: delete markers are replicated
        return True
    return (rule.get("DeleteMarkerReplication") or {}).get("Status") == "Enabled"


class ReplicationOperations(ObjectOperations):
    _replications: set[asyncio.Task[None]]
    _replication_lock: asyncio.Lock
    _replication_access: RoleAccess

    @property
    def _role_access(self) -> RoleAccess:
        if not hasattr(self, "_replication_access"):
            runtime = self.runtime  # type: ignore[attr-defined]
            self._replication_access = RoleAccess(runtime, "s3.amazonaws.com")
        return self._replication_access

    def _role_may(self, role: str, action: str, bucket_doc: Params, key: str) -> bool:
        """Whether the replication role may perform `action` on `key` of the bucket, under its policy."""
        return self._role_access.may(
            role,
            "s3-replication",
            "PutObject",
            action,
            f"arn:aws:s3:::{bucket_doc['Name']}/{key}",
            bucket_doc.get("Region") or "us-east-1",
            policy_text=(bucket_doc.get("Configs") or {}).get("Policy"),
            resource_account=bucket_doc["Account"],
        )

    def replicate(self, bucket: str, key: str, version_id: str | None, tags_only: bool = False) -> None:
        """Start replicating the version just written, if a rule of the bucket's says so. `tags_only`:
        the version's tags changed, which S3 passes on to the replicas it has made."""
        if not version_id or version_id == "null":
            return  # replication needs versioning on: every replicated version has an id
        try:
            bucket_doc = self.s3.bucket(bucket)
            config: Params = (bucket_doc.get("Configs") or {}).get("Replication") or {}
            if not config:
                return
            record = self.find_object(bucket, key, version_id)
        except ServiceError as error:
            if error.code != "MethodNotAllowed":  # a delete marker is found as a 405: read it below
                return
            found = self._version(bucket, key, version_id)
            if found is None:
                return  # removed meanwhile
            record = found
        status = record.get("ReplicationStatus")
        if status == "REPLICA" or (tags_only and status != "COMPLETED"):
            return
        kms = (record.get("SSE") or {}).get("Algorithm", "AES256") != "AES256"
        # A tag change goes to every replica made: whether the new tags match the rules is moot.
        rules = [
            rule
            for rule in (rules_by_destination(config) if tags_only else rules_for(config, key, record))
            if (not record.get("IsDeleteMarker") or _replicates_delete_markers(rule))
            # SSE-KMS objects are replicated only by a rule that opts in (SourceSelectionCriteria)
            and (_takes_kms_objects(rule) or not kms)
        ]
        if not rules:
            return
        job = {
            "Bucket": bucket,
            "Key": key,
            "VersionId": version_id,
            "Rules": rules,
            "Role": config.get("Role"),
            "Order": time.time_ns(),
            "TagsOnly": tags_only,
        }
        with self.s3.store.transaction():  # the status and the job together: a restart resumes the job
            if not record.get("IsDeleteMarker"):
                self._set_status(bucket, key, version_id, "PENDING")
            self._replication_queue.put(GLOBAL, _job_key(job), job)
        self._run(job)

    async def start(self) -> None:
        await super().start()  # type: ignore[misc]
        self.resume_replication()

    @property
    def _replication_queue(self) -> Collection:
        return self.s3.store.collection("s3", "replication_queue")

    def resume_replication(self) -> None:
        """Start again the copies a stop or a crash interrupted (their versions are still PENDING)."""
        jobs = [job for _, job in self._replication_queue.scan(GLOBAL)]
        for job in sorted(jobs, key=lambda j: j.get("Order", 0)):  # in the order they were written
            self._run(job)

    async def stop(self) -> None:
        """Cancel the copies under way; their jobs stay in the store and run at the next start."""
        tasks = list(getattr(self, "_replications", ()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await super().stop()  # type: ignore[misc]

    def _run(self, job: Params) -> None:
        task = asyncio.get_running_loop().create_task(self._replicate_job(job))
        if not hasattr(self, "_replications"):
            self._replications = set()
        self._replications.add(task)
        task.add_done_callback(self._replications.discard)

    async def _replicate_job(self, job: Params) -> None:
        # After the call that wrote the version has answered, and the delay the settings ask for;
        # then one copy at a time, in the order they were asked for (a lock is first come, first
        # served), so that a key's replicas are written in its versions' order.
        await asyncio.sleep(self.runtime.settings.s3_replication_delay)  # type: ignore[attr-defined]
        if not hasattr(self, "_replication_lock"):
            self._replication_lock = asyncio.Lock()
        bucket, key, version_id = job["Bucket"], job["Key"], job["VersionId"]
        role, tags_only = str(job.get("Role") or ""), bool(job.get("TagsOnly"))
        rules = job.get("Rules") or [job["Rule"]]  # "Rule": a job stored by an older server
        async with self._replication_lock:
            # The source reports PENDING until every destination has its copy, then COMPLETED, or
            # FAILED if any destination could not take it. Tags changed while the copies were made
            # (the source PENDING: no job of their own) are passed on before it is COMPLETED.
            for _ in range(_TAG_PASSES):
                tags = self._tags(bucket, key, version_id)
                statuses = [
                    await self._copy(bucket, key, version_id, rule, role, tags_only) for rule in rules
                ]
                if "FAILED" in statuses or self._tags(bucket, key, version_id) == tags:
                    break
                tags_only = True
            if statuses and None not in statuses:
                self._set_status(bucket, key, version_id, "FAILED" if "FAILED" in statuses else "COMPLETED")
            self._replication_queue.delete(GLOBAL, _job_key(job))

    def _tags(self, bucket: str, key: str, version_id: str) -> list[Params] | None:
        version = self._version(bucket, key, version_id)
        return None if version is None else version.get("Tags") or []

    def _set_status(self, bucket: str, key: str, version_id: str, status: str) -> None:
        try:
            self._update_record(bucket, key, version_id, lambda r: r.__setitem__("ReplicationStatus", status))
        except ServiceError:
            pass  # the version was deleted meanwhile

    def _version(self, bucket: str, key: str, version_id: str) -> Params | None:
        """The version (or delete marker) of `key` with that id, if it is still there."""
        return next((v for _, v in self.s3.key_versions(bucket, key) if v["VersionId"] == version_id), None)

    async def _copy(
        self, bucket: str, key: str, version_id: str, rule: Params, role: str, tags_only: bool
    ) -> str | None:
        """Copy the version to the rule's destination (`tags_only`: pass its tags on to the replica
        there, if there is one): COMPLETED or FAILED, or None when there is no status to report (the
        version is gone, or it is a delete marker)."""
        source = self._version(bucket, key, version_id)
        if source is None:
            return None
        marker = bool(source.get("IsDeleteMarker"))
        try:
            reason = await self._copy_to(bucket, key, source, rule, role, tags_only)
        except Exception:  # a replication that breaks is FAILED, as S3 reports it; the server goes on
            log.exception("replication of %s/%s (%s) failed", bucket, key, version_id)
            reason = "InternalError"
        if marker:
            return None
        if reason is None:
            return "COMPLETED"
        if ((rule.get("Destination") or {}).get("Metrics") or {}).get("Status") == "Enabled":
            try:
                await self._report_failure(bucket, key, source, rule, reason)
            except Exception:  # the event is lost, not the status
                log.exception("replication failure event of %s/%s (%s) not sent", bucket, key, version_id)
        return "FAILED"

    async def _copy_to(
        self, bucket: str, key: str, source: Params, rule: Params, role: str, tags_only: bool
    ) -> str | None:
        """Store the replica of `source` in the rule's destination, or bring its tags up to date;
        None once it is there, else why not, in S3's words ("Amazon S3 replication failure reasons")."""
        version_id = source["VersionId"]
        target = destination_bucket(rule)
        target_doc = self.s3.live_bucket(target)
        if target_doc is None:
            return None if tags_only else "DstBucketNotFound"
        replica = self._version(target, key, version_id)
        tags = source.get("Tags") or []
        if replica is not None and (source.get("IsDeleteMarker") or (replica.get("Tags") or []) == tags):
            return None  # made already (before a restart interrupted the job), and its tags the source's
        if replica is None and tags_only:
            return None  # a tag change reaches only the replicas made: it does not replicate the version
        refusal = self._refusal(bucket, key, source, target_doc, role, replica is None)
        if refusal is not None:
            return refusal
        if replica is not None:
            self._update_record(
                target, key, version_id, lambda r: r.update(Tags=tags) if tags else r.pop("Tags", None)
            )
        else:
            await self._store_replica(key, source, rule, target_doc)
        return None

    def _refusal(
        self, bucket: str, key: str, source: Params, target_doc: Params, role: str, new: bool
    ) -> str | None:
        """Why the role may not replicate the version to `target_doc` (`new`: a copy to make, else
        its tags to pass on), or None if it may."""
        marker = bool(source.get("IsDeleteMarker"))
        if self._role_access.principal(role, "s3-replication") is None:
            return "AssumeRoleNotPermitted"
        source_doc = self.s3.bucket(bucket)
        if new:
            if self.versioning_status(target_doc) != "Enabled":
                return "DstBucketUnversioned"
            if not self._role_may(role, "s3:GetObjectVersionForReplication", source_doc, key):
                return "SrcGetObjectNotPermitted"
            if source_doc.get("ObjectLockEnabled") and not target_doc.get("ObjectLockEnabled"):
                return "DstBucketObjectLockConfigMissing"
            if source.get("Retention") and not self._role_may(role, "s3:GetObjectRetention", source_doc, key):
                return "SrcGetRetentionNotPermitted"
            if source.get("LegalHold") and not self._role_may(role, "s3:GetObjectLegalHold", source_doc, key):
                return "SrcGetLegalHoldNotPermitted"
            write = "s3:ReplicateDelete" if marker else "s3:ReplicateObject"
            if not self._role_may(role, write, target_doc, key):
                return "DstDelObjNotPermitted" if marker else "DstPutObjectNotPermitted"
        if source.get("Tags") or not new:  # tags go with the copy, and a change of them after it
            if not self._role_may(role, "s3:GetObjectVersionTagging", source_doc, key):
                return "SrcGetTaggingNotPermitted"
            if not self._role_may(role, "s3:ReplicateTags", target_doc, key):
                return "DstPutTaggingNotPermitted"
        return None

    async def _store_replica(self, key: str, source: Params, rule: Params, target_doc: Params) -> None:
        version_id = source["VersionId"]
        if source.get("IsDeleteMarker"):
            marker = {
                "Key": key,
                "IsDeleteMarker": True,
                "LastModified": now().isoformat(),
                "Owner": source.get("Owner"),
            }
            self.commit_version(target_doc, key, marker, version_id=version_id)
            return
        replica = {k: source[k] for k in _COPIED if source.get(k) is not None}
        replica["ReplicationStatus"] = "REPLICA"
        destination = rule.get("Destination") or {}
        if destination.get("StorageClass"):
            replica["StorageClass"] = destination["StorageClass"]
        replica_key = (destination.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID")
        if replica_key and (source.get("SSE") or {}).get("KeyId"):
            replica["SSE"] = {**source["SSE"], "KeyId": replica_key}  # the destination's key
        blobs, blob = self.s3.store.blobs, source.get("Blob")
        if source.get("SSECustomer") and blob:
            # Its ciphertext as it is: S3 does not have the customer's key to read it with.
            replica["Blob"] = await asyncio.to_thread(clone_blob, blobs, blob)
            self.commit_version(target_doc, key, replica, version_id=version_id)
            return
        body = read_blob(blobs, source["Blob"]) if source.get("Size") else b""  # streamed
        stored = await store_body(blobs, body, {}, inline=True)
        replica["Blob"] = stored.blob
        self.commit_version(target_doc, key, replica, stored, version_id=version_id)

    async def _report_failure(self, bucket: str, key: str, source: Params, rule: Params, reason: str) -> None:
        """s3:Replication:OperationFailedReplication, sent where the source bucket's notification
        configuration asks for it; S3 sends it for rules with replication metrics enabled."""
        written = datetime.fromisoformat(str(source.get("LastModified") or now().isoformat()))
        data = {
            "replicationRuleId": rule.get("ID", ""),
            "destinationBucket": (rule.get("Destination") or {}).get("Bucket", ""),
            "s3Operation": "OBJECT_PUT",
            "requestTime": iso8601_millis(written),
            "failureReason": reason,
        }
        record = {
            "Size": source.get("Size", 0),
            "ETag": source.get("ETag", ""),
            "VersionId": source["VersionId"],
        }
        event = "s3:Replication:OperationFailedReplication"
        await self.notify(  # type: ignore[attr-defined]
            None, event, bucket, key, record, {"eventVersion": "2.2", "replicationEventData": data}
        )
