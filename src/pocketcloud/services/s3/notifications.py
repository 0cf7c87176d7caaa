"""S3 event notifications: the configuration is checked as S3 checks it, and events are
delivered in S3's event format to SQS queues and Lambda functions.

A destination must let s3.amazonaws.com deliver (the queue policy must allow
sqs:SendMessage, the function policy lambda:InvokeFunction), which is decided by
the IAM engine exactly as for any other caller. Every queue destination gets an
`s3:TestEvent` on each put that validates destinations. Events are sent after the
change is committed; a destination that has since gone away loses the event, as in
AWS, without failing the request.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import logging
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import service_allowed
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.s3 import host_id
from pocketcloud.protocol.serializers.scalars import iso8601_millis
from pocketcloud.services.s3.notification_overlap import overlap_error
from pocketcloud.services.s3.state import S3State

log = logging.getLogger("pocketcloud.s3.notifications")
Params = dict[str, Any]

EVENT_TYPES = {
    "s3:TestEvent",
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
}
# (configuration list, ARN member, service, action S3 must be allowed)
_DESTINATIONS = (
    ("QueueConfigurations", "QueueArn", "sqs", "sqs:SendMessage"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda", "lambda:InvokeFunction"),
    ("TopicConfigurations", "TopicArn", "sns", "sns:Publish"),
)
# What AWS calls each kind of destination when it cannot parse its ARN.
_ARN_ARGUMENT = {"sqs": "Queue", "lambda": "CloudFunction", "sns": "Topic"}
# Events about an object's subresources (tags, ACL) are of a later event version, and tell the
# object's ETag but neither its size nor a sequencer.
_SUBRESOURCE_EVENTS = ("s3:ObjectTagging:", "s3:ObjectAcl:")


def amazon_customer_id(account: str) -> str:
    """The account's "Amazon customer ID", which events name owners and root callers by: not the
    64-hex canonical user ID of ACLs but a short upper-case ID ("A3NL1KOZZKExample" in the User
    Guide's "Event message structure"); stable, derived from the account ID."""
    digest = base64.b32encode(hashlib.sha256(f"pocketcloud-customer:{account}".encode()).digest())
    return "A" + digest.decode()[:13]


def _invalid(message: str, name: str = "", value: str = "") -> ServiceError:
    fields: dict[str, Any] = {"ArgumentName": name, "ArgumentValue": value} if name else {}
    return ServiceError("InvalidArgument", message, status=400, **fields)


def _rules(configuration: Params) -> list[Params]:
    return (((configuration.get("Filter") or {}).get("Key") or {}).get("FilterRules")) or []


def _event_key(key: str) -> str:
    """The key as an event names it: URL-encoded, a space as '+', '/' kept."""
    return quote_plus(key, safe="/")


def _matches(configuration: Params, event: str, key: str) -> bool:
    if not any(fnmatch.fnmatchcase(event, pattern) for pattern in configuration.get("Events") or []):
        return False
    # S3 compares filter values with the key as the event names it, so a prefix for "my photos/"
    # is written "my+photos/" (Amazon S3 User Guide, "Configuring event notifications using
    # object key name filtering").
    key = _event_key(key)
    for rule in _rules(configuration):
        name, value = str(rule.get("Name", "")).lower(), str(rule.get("Value") or "")
        if name == "prefix" and not key.startswith(value):
            return False
        if name == "suffix" and not key.endswith(value):
            return False
    return True


def _parsable_arn(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) >= 6 and parts[0] == "arn" and all(parts[i] for i in (1, 2, 5))


def normalized_notification(config: Params) -> Params:
    """The configuration as S3 keeps it: filter rule names spelled `Prefix`/`Suffix` whatever the
    request's casing, and an Id (a base64 UUID) for every configuration that came without one."""
    out = dict(config)
    for list_name, _, _, _ in _DESTINATIONS:
        entries = []
        for entry in config.get(list_name) or []:
            entry = dict(entry)
            if not entry.get("Id"):
                entry["Id"] = base64.b64encode(str(uuid.uuid4()).encode()).decode()
            rules = _rules(entry)
            if rules:
                entry["Filter"] = {
                    **entry["Filter"],
                    "Key": {
                        **entry["Filter"]["Key"],
                        "FilterRules": [
                            {**rule, "Name": str(rule.get("Name", "")).capitalize()} for rule in rules
                        ],
                    },
                }
            entries.append(entry)
        if list_name in out:
            out[list_name] = entries
    return out


def _compact(body: Params) -> str:
    """An event as S3 writes it: JSON without spaces ({"Records":[{"eventVersion":"2.1",...)."""
    return json.dumps(body, separators=(",", ":"))


class NotificationOperations:
    s3: S3State

    # -- configuration --------------------------------------------------------

    def validate_notification(
        self, ctx: RequestContext, bucket: str, config: Params | None, skip_destinations: bool = False
    ) -> None:
        """S3's checks in S3's order: the form of every configuration first (events, filter rules,
        ARNs and their Region; even with SkipDestinationValidation), then configurations that
        overlap one another, then every destination, all failures named."""
        config = config or {}
        bucket_arn = f"arn:aws:s3:::{bucket}"
        bucket_doc = self.s3.bucket(bucket)
        owner, region = bucket_doc["Account"], bucket_doc.get("Region") or "us-east-1"
        for list_name, arn_member, service, _ in _DESTINATIONS:
            for entry in config.get(list_name) or []:
                arn = entry.get(arn_member, "")
                events = entry.get("Events") or []
                if not events:
                    raise _invalid("The event is not supported for notifications", "Event", "")
                for event in events:
                    if event not in EVENT_TYPES:
                        raise _invalid("The event is not supported for notifications", "Event", event)
                names = [str(r.get("Name", "")) for r in _rules(entry)]
                kinds = [n.lower() for n in names]
                for name, kind in zip(names, kinds, strict=True):
                    if kind not in ("prefix", "suffix"):
                        raise _invalid(
                            "filter rule name must be either prefix or suffix", "FilterRule.Name", name
                        )
                if len(kinds) != len(set(kinds)):
                    raise _invalid(
                        "Cannot specify more than one prefix rule in a filter."
                        if kinds.count("prefix") > 1
                        else "Cannot specify more than one suffix rule in a filter.",
                        "FilterRule",
                        "",
                    )
                if not _parsable_arn(arn):
                    raise _invalid("The ARN could not be parsed", _ARN_ARGUMENT[service], arn)
                if arn.split(":")[3] != region:  # S3 delivers only within the bucket's Region
                    raise _invalid(
                        "The notification destination service region is not valid for the bucket location constraint"
                    )
        overlap = overlap_error(
            [entry for name, _, _, _ in _DESTINATIONS for entry in config.get(name) or []]
        )
        if overlap is not None:
            raise overlap
        if not skip_destinations:
            failures: Params = {}
            for list_name, arn_member, service, action in _DESTINATIONS:
                for entry in config.get(list_name) or []:
                    arn = entry.get(arn_member, "")
                    problem = self._destination_problem(arn, service, action, bucket_arn, owner)
                    if problem is not None:
                        number = len(failures) // 2 + 1
                        failures[f"ArgumentName{number}"], failures[f"ArgumentValue{number}"] = problem
            if failures:
                raise ServiceError(
                    "InvalidArgument",
                    "Unable to validate the following destination configurations",
                    status=400,
                    **failures,
                )
        chained = getattr(super(), "validate_notification", None)
        if chained is not None:
            chained(ctx, bucket, config)

    def _destination_problem(
        self, arn: str, service: str, action: str, bucket_arn: str, owner: str
    ) -> tuple[str, str] | None:
        """(what AWS names the destination, why it fails) when S3 may not deliver to it, else None."""
        kind = "queue" if service == "sqs" else "topic"
        if service == "lambda":  # a missing function is not told apart from a forbidden one
            refused = (f"{arn}, null", f"Not authorized to invoke function [{arn}]")
        else:
            refused = (
                arn,
                f"Permissions on the destination {kind} do not allow S3 to publish notifications from this bucket",
            )
        provider = self.runtime.provider(service)  # type: ignore[attr-defined]
        find = {"sqs": "queue_policy", "lambda": "function_policy"}.get(service)
        lookup = getattr(provider, find, None) if provider is not None and find else None
        found = lookup(arn) if lookup is not None else None
        if found is None:  # no topic exists here: SNS is not one of our services
            return refused if service == "lambda" else (arn, f"The destination {kind} does not exist")
        if service == "sqs" and arn.endswith(".fifo"):
            # "Currently, Standard SQS queue is only allowed as an Amazon S3 event notification
            # destination, whereas FIFO SQS queue is not allowed" (S3 User Guide).
            return (arn, "FIFO SQS queues are not supported as Amazon S3 event notification destinations")
        policy_text, account = found
        context = {"aws:SourceArn": bucket_arn, "aws:SourceAccount": owner}
        if not service_allowed(policy_text, "s3.amazonaws.com", action, arn, account, context):
            return refused
        if service == "sqs":  # an encrypted queue: S3 must be able to use its key (it reads back to verify)
            try:
                provider.check_queue_key(
                    arn, _s3_sender(bucket_arn, owner, arn), "kms:GenerateDataKey", "kms:Decrypt"
                )
            except ServiceError:
                return refused
        return None

    async def send_test_events(
        self, bucket: str, config: Params | None, skip_destinations: bool, request_id: str
    ) -> None:
        """S3 validates a queue destination by sending it an s3:TestEvent, on every
        PutBucketNotificationConfiguration that does not skip destination validation (API
        Reference, PutBucketNotificationConfiguration): once to each queue named. The event
        names that put (`request_id`) by its answer's request ids, as every event does."""
        sqs = self.runtime.provider("sqs")  # type: ignore[attr-defined]
        if skip_destinations or sqs is None:
            return
        arns = dict.fromkeys(
            str(q.get("QueueArn", "")) for q in (config or {}).get("QueueConfigurations") or []
        )
        owner = self.s3.bucket(bucket)["Account"]
        for arn in arns:
            body = {
                "Service": "Amazon S3",
                "Event": "s3:TestEvent",
                "Time": iso8601_millis(datetime.now(UTC)),
                "Bucket": bucket,
                "RequestId": request_id,
                "HostId": host_id(request_id),
            }
            try:
                sender = _s3_sender(f"arn:aws:s3:::{bucket}", owner, arn)
                await sqs.deliver_message(arn, _compact(body), sender=sender)
            except ServiceError:
                log.warning("test event to %s not delivered", arn)

    # -- delivery -----------------------------------------------------------------

    async def notify(
        self,
        ctx: RequestContext | None,
        event: str,
        bucket: str,
        key: str,
        record: Params | None,
        extra: Params | None = None,
    ) -> None:
        """Send `event` about `key` to every destination whose filter matches (ctx None: S3 itself
        acted); `extra` holds members of the event record beyond the common ones."""
        try:
            bucket_doc = self.s3.bucket(bucket)
        except ServiceError:
            return
        config = (bucket_doc.get("Configs") or {}).get("Notification") or {}
        if not config:
            return
        for list_name, arn_member, service, _ in _DESTINATIONS:
            for entry in config.get(list_name) or []:
                if _matches(entry, event, key):
                    message = self._event(ctx, event, bucket_doc, key, record, entry.get("Id") or "", extra)
                    trace = ctx.request.headers.get("x-amzn-trace-id") if ctx is not None else None
                    await self._deliver(service, entry.get(arn_member, ""), message, trace, bucket_doc)

    async def notify_lifecycle(
        self, event: str, bucket: str, key: str, version_id: str | None, record: Params | None = None
    ) -> None:
        """An s3:LifecycleExpiration:* or s3:LifecycleTransition event: S3 itself is the actor, as in
        AWS's example message; a transition names the object's new storage class in
        lifecycleEventData ("Event message structure")."""
        extra = None
        if event == "s3:LifecycleTransition" and record is not None:
            destination = record.get("StorageClass", "STANDARD")
            extra = {"lifecycleEventData": {"transitionEventData": {"destinationStorageClass": destination}}}
        await self.notify(None, event, bucket, key, record or {"VersionId": version_id}, extra)

    def _event(
        self,
        ctx: RequestContext | None,
        event: str,
        bucket_doc: Params,
        key: str,
        record: Params | None,
        configuration_id: str,
        extra: Params | None = None,
    ) -> str:
        # AWS's member order: key, size, eTag, versionId, sequencer.
        obj: Params = {"key": _event_key(key)}
        subresource = event.startswith(_SUBRESOURCE_EVENTS)
        if record is not None and not event.startswith(("s3:ObjectRemoved", "s3:LifecycleExpiration")):
            if not subresource:
                obj["size"] = record.get("Size", 0)
            obj["eTag"] = str(record.get("ETag", "")).strip('"')
        if record is not None and record.get("VersionId") not in (None, "null"):
            obj["versionId"] = record["VersionId"]
        if not subresource:
            # 18 upper-case hex digits, as S3's are (0055AED6DCD90281E5): later events of a key sort after.
            obj["sequencer"] = f"{time.time_ns():018X}"
        if ctx is None:  # S3's own action (lifecycle): AWS names the service, and uses eventVersion 2.3
            version, principal_id, source_ip = "2.3", "s3.amazonaws.com", "s3.amazonaws.com"
            request_id = secrets.token_hex(8).upper()
        else:
            principal = ctx.principal
            version = "2.3" if subresource else "2.1"
            principal_id = (
                amazon_customer_id(principal.account_id) if principal.is_root else f"AWS:{principal.user_id}"
            )
            source_ip, request_id = ctx.request.client_ip, ctx.request_id
        body = {
            "Records": [
                {
                    "eventVersion": version,
                    "eventSource": "aws:s3",
                    "awsRegion": bucket_doc["Region"],
                    "eventTime": iso8601_millis(datetime.now(UTC)),
                    "eventName": event.removeprefix("s3:"),
                    "userIdentity": {"principalId": principal_id},
                    "requestParameters": {"sourceIPAddress": source_ip},
                    "responseElements": {
                        "x-amz-request-id": request_id,
                        # The answer's own x-amz-id-2, so an event leads back to its request.
                        "x-amz-id-2": host_id(request_id),
                    },
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "configurationId": configuration_id,
                        "bucket": {
                            "name": bucket_doc["Name"],
                            "ownerIdentity": {"principalId": amazon_customer_id(bucket_doc["Account"])},
                            "arn": f"arn:aws:s3:::{bucket_doc['Name']}",
                        },
                        "object": obj,
                    },
                    **(extra or {}),
                }
            ]
        }
        return _compact(body)

    async def _deliver(
        self, service: str, arn: str, message: str, trace: str | None, bucket_doc: Params
    ) -> None:
        # Every delivery is S3 calling the destination, which its policy must allow then, not only
        # when the configuration was put ("You must grant the Amazon S3 principal the necessary
        # permissions to call the relevant API to publish messages", S3 User Guide): a queue or
        # function whose policy no longer lets S3 in loses the event.
        action = {"sqs": "sqs:SendMessage", "lambda": "lambda:InvokeFunction"}.get(service)
        bucket_arn = f"arn:aws:s3:::{bucket_doc['Name']}"
        if action is not None and self._destination_problem(arn, service, action, bucket_arn, bucket_doc["Account"]):
            log.warning("S3 event to %s not delivered: S3 may not publish to it", arn)
            return
        try:
            if service == "sqs":
                sqs = self.runtime.provider("sqs")  # type: ignore[attr-defined]
                if sqs is not None:
                    sender = _s3_sender(f"arn:aws:s3:::{bucket_doc['Name']}", bucket_doc["Account"], arn)
                    await sqs.deliver_message(arn, message, trace_header=trace, sender=sender)
            elif service == "lambda":
                lam = self.runtime.provider("lambda")  # type: ignore[attr-defined]
                parts = arn.split(":")
                if lam is not None and len(parts) >= 7:
                    lam.enqueue(
                        parts[4],
                        parts[3],
                        parts[6],
                        parts[7] if len(parts) > 7 else None,
                        message.encode(),
                        trace_header=trace,
                    )
        except ServiceError:
            log.warning("S3 event to %s not delivered", arn)


def _s3_sender(bucket_arn: str, owner: str, queue_arn: str) -> RequestContext:
    """S3 itself, sending a bucket's events to a queue: an encrypted queue's key policy must let it."""
    region = queue_arn.split(":")[3] if queue_arn.count(":") >= 3 else ""
    return RequestContext.service_principal(
        "s3.amazonaws.com", "sqs", "SendMessage", region, owner, bucket_arn
    )


def restore_completed(bucket_doc: Params, record: Params) -> Params:
    """What an s3:ObjectRestore:Completed record holds beyond the common members: S3 acts for
    the bucket owner ("AmazonCustomer:<owner>"), and tells when the restored copy expires."""
    return {
        "userIdentity": {"principalId": f"AmazonCustomer:{amazon_customer_id(bucket_doc['Account'])}"},
        "glacierEventData": {
            "restoreEventData": {
                "lifecycleRestorationExpiryTime": iso8601_millis(
                    datetime.fromisoformat(record["RestoreExpiry"])
                ),
                "lifecycleRestoreStorageClass": record.get("StorageClass", "GLACIER"),
            }
        },
    }
