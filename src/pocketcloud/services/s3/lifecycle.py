"""S3 lifecycle: configurations checked as S3 checks them, and a worker that applies them.

What a rule does, as the S3 User Guide describes it:

- Expiration (Days or Date) of the current version: removed in an unversioned
  bucket, hidden behind a new delete marker in a versioned one. With Days, a
  delete marker left alone (no noncurrent versions) that is old enough goes too.
- ExpiredObjectDeleteMarker: a delete marker with no noncurrent versions goes.
- NoncurrentVersionExpiration: a version goes NoncurrentDays after it stopped
  being current (when its successor was written), keeping the
  NewerNoncurrentVersions newest noncurrent ones.
- Transitions / NoncurrentVersionTransitions: the storage class changes.
- AbortIncompleteMultipartUpload: an upload goes DaysAfterInitiation after it began.

A rule applies to the keys its Filter (or legacy Prefix) selects: prefix, tags
(all of them), object size (strictly greater / less). Days are counted from the
object's creation and the result is rounded up to the next midnight UTC, as S3
does; versions under Object Lock retention or legal hold are never removed.

One lifecycle day lasts `settings.s3_lifecycle_day_seconds` (86400; tests set a
few seconds), and "midnight" is then a multiple of that length since the epoch.
`LifecycleWorker` applies every bucket's rules each `s3_lifecycle_interval`
seconds; it keeps no state of its own (everything it decides follows from the
stored objects and the clock), so it simply resumes after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, time
from email.utils import format_datetime
from functools import cache
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.parsers.xml import local_name
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.s3.directory_buckets import is_directory_bucket
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml
from pocketcloud.services.s3.protection import under_object_lock
from pocketcloud.services.s3.state import GLOBAL, LAST_DAY, S3State, bucket_scope, now

log = logging.getLogger("pocketcloud.s3.lifecycle")
Params = dict[str, Any]

MAX_RULES = 1000
MAX_ID_LENGTH = 255
_FILTER_MEMBERS = ("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan")
_ACTIONS = (
    "Expiration",
    "Transitions",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionTransitions",
    "AbortIncompleteMultipartUpload",
)
# What a configuration says about objects too small to transition (S3's default since September 2024).
DEFAULT_MINIMUM_SIZE = "all_storage_classes_128K"
MINIMUM_SIZES = ("all_storage_classes_128K", "varies_by_storage_class")
# Storage classes S3 moves objects to no earlier than 30 days after creation.
_THIRTY_DAY_CLASSES = ("STANDARD_IA", "ONEZONE_IA")


@cache
def _transition_classes() -> frozenset[str]:
    """The storage classes a transition may name (the model's TransitionStorageClass)."""
    return frozenset(service_model("s3").shape_for("TransitionStorageClass").enum)


# -- checking a configuration -----------------------------------------------------------------


def validate_lifecycle_configuration(config: Params | None) -> None:
    """Refuse what S3 refuses; give rules without an ID one (S3 does, and returns it)."""
    rules = (config or {}).get("Rules")
    if not rules or len(rules) > MAX_RULES:
        raise malformed_xml()
    seen: set[str] = set()
    for rule in rules:
        _check_rule(rule, seen)


def check_single_and_prefix(document: bytes | None) -> None:
    """An And of a rule's Filter names at most one Prefix. The parser keeps the first of a repeated
    element, so this is read from the document itself (which has parsed once already): S3 refuses it
    with "An And operator may only contain one 'Prefix'." (the AWS SDK for .NET's
    LifecycleTests.TestLifecycleFilterAndTwoPrefixes)."""
    if not document or b"And" not in document:
        return
    for element in ElementTree.fromstring(document).iter():
        if local_name(element.tag) == "And" and sum(local_name(c.tag) == "Prefix" for c in element) > 1:
            raise invalid_request("An And operator may only contain one 'Prefix'.")


def _check_rule(rule: Params, seen: set[str]) -> None:
    if rule.get("Status") not in ("Enabled", "Disabled"):
        raise malformed_xml()
    rule_id = rule.get("ID")
    if rule_id is None or rule_id == "":
        rule["ID"] = rule_id = secrets.token_urlsafe(36)[:48]
    if len(rule_id) > MAX_ID_LENGTH:
        raise invalid_argument(f"ID length should not exceed allowed limit of {MAX_ID_LENGTH}", "ID", rule_id)
    if rule_id in seen:
        raise invalid_argument("Rule ID must be unique. Found same ID for more than one rule", "ID", rule_id)
    seen.add(rule_id)
    has_filter, has_prefix = "Filter" in rule, "Prefix" in rule
    if has_filter == has_prefix:
        raise malformed_xml()
    rule_filter = rule.get("Filter") or {}
    check_filter(rule_filter)
    # An Expiration element is an action even when empty (<Expiration/>, which the Terraform AWS
    # provider sent for an empty expiration block until 2025 and AWS took and named back:
    # TestAccS3BucketLifecycleConfiguration_RuleExpiration_emptyBlock and its migration test).
    if not any(rule.get(action) for action in _ACTIONS) and rule.get("Expiration") is None:
        raise invalid_request("At least one action needs to be specified in a rule.")
    uses_tags = bool(rule_filter.get("Tag") or (rule_filter.get("And") or {}).get("Tags"))
    uses_size = any(
        k in rule_filter or k in (rule_filter.get("And") or {})
        for k in ("ObjectSizeGreaterThan", "ObjectSizeLessThan")
    )
    expiration = rule.get("Expiration")
    if expiration is not None:
        _check_expiration(expiration, uses_tags)
    if rule.get("AbortIncompleteMultipartUpload") is not None:
        if uses_tags:
            raise invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.")
        if uses_size:
            raise invalid_request(
                "AbortIncompleteMultipartUpload cannot be specified with an object size filter."
            )
        days = rule["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation")
        if days is None:
            raise malformed_xml()
        if days <= 0:
            raise invalid_argument(
                "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
                "DaysAfterInitiation",
                str(days),
            )
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent is not None:
        days = noncurrent.get("NoncurrentDays")
        if days is None:
            raise malformed_xml()
        if days <= 0:
            raise invalid_argument(
                "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
                "NoncurrentDays",
                str(days),
            )
        newer = noncurrent.get("NewerNoncurrentVersions")
        if newer is not None and not 1 <= newer <= 100:
            raise invalid_argument(
                "NewerNoncurrentVersions must be a value between 1 and 100",
                "NewerNoncurrentVersions",
                str(newer),
            )
    _check_transitions(rule)


def check_filter(rule_filter: Params) -> None:
    present = [k for k in _FILTER_MEMBERS if k in rule_filter]
    if len(present) > 1:
        raise malformed_xml()
    tag = rule_filter.get("Tag")
    if tag is not None and not tag.get("Key"):
        raise malformed_xml()
    conjunction = rule_filter.get("And")
    if conjunction is not None:
        keys = [t.get("Key") for t in conjunction.get("Tags") or []]
        if len(keys) != len(set(keys)):
            raise invalid_request("Duplicate Tag Keys are not allowed.")
        low, high = conjunction.get("ObjectSizeGreaterThan"), conjunction.get("ObjectSizeLessThan")
        if low is not None and high is not None and high <= low:
            raise invalid_argument(
                "ObjectSizeLessThan must be greater than ObjectSizeGreaterThan",
                "ObjectSizeLessThan",
                str(high),
            )
    for member in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        for value in (rule_filter.get(member), (conjunction or {}).get(member)):
            if value is not None and value < 0:
                raise invalid_argument(f"{member} must be a non-negative integer", member, str(value))


def _check_expiration(expiration: Params, uses_tags: bool) -> None:
    given = [k for k in ("Days", "Date", "ExpiredObjectDeleteMarker") if expiration.get(k) is not None]
    if len(given) > 1:
        raise malformed_xml()  # an empty one expires nothing (see _check_rule)
    if "Days" in given and expiration["Days"] <= 0:
        raise invalid_argument(
            "'Days' for Expiration action must be a positive integer", "Days", str(expiration["Days"])
        )
    if "Date" in given:
        _check_midnight(expiration["Date"])
    if "ExpiredObjectDeleteMarker" in given and expiration["ExpiredObjectDeleteMarker"] and uses_tags:
        raise invalid_request("ExpiredObjectDeleteMarker cannot be specified with Tags.")


def _check_midnight(value: Any) -> None:
    when = to_datetime(value)
    if when.astimezone(UTC).timetz().replace(tzinfo=None) != time(0):
        raise invalid_argument("'Date' must be at midnight GMT", "Date", when.isoformat())


def _check_transitions(rule: Params) -> None:
    for list_name, day_member in (
        ("Transitions", "Days"),
        ("NoncurrentVersionTransitions", "NoncurrentDays"),
    ):
        transitions = rule.get(list_name) or []
        classes = [t.get("StorageClass") for t in transitions]
        if None in classes or not set(classes) <= _transition_classes():
            raise malformed_xml()  # a class its schema does not list (STANDARD, REDUCED_REDUNDANCY, ...)
        if len(classes) != len(set(classes)):
            raise invalid_argument(
                "'StorageClass' must be different for 'Transition' actions in same 'Rule'",
                "StorageClass",
                str(classes[0]),
            )
        for transition in transitions:
            given = [k for k in (day_member, "Date") if transition.get(k) is not None]
            if len(given) != 1 or (list_name == "NoncurrentVersionTransitions" and given != [day_member]):
                raise malformed_xml()
            if "Date" in given:
                _check_midnight(transition["Date"])
                continue
            days = transition[day_member]
            if days < 0:
                raise invalid_argument(
                    f"'{day_member}' for Transition action must be a positive integer", day_member, str(days)
                )
            if transition["StorageClass"] in _THIRTY_DAY_CLASSES and days < 30:
                raise invalid_argument(
                    f"'{day_member}' in {'NoncurrentVersionTransition' if day_member == 'NoncurrentDays' else 'Transition'} "
                    f"action must be greater than or equal to 30 for storageClass '{transition['StorageClass']}'",
                    day_member,
                    str(days),
                )
    noncurrent_days = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        if noncurrent_days is not None and transition.get("NoncurrentDays") is not None and (
            transition["NoncurrentDays"] >= noncurrent_days
        ):
            # S3's answer as recorded in go-to-k/cdkd#1426, the noncurrent twin of the check below.
            raise invalid_argument(
                "'NoncurrentDays' in the NoncurrentVersionExpiration action must be greater than "
                "'NoncurrentDays' in the NoncurrentVersionTransition action",
                "NoncurrentDays",
                str(noncurrent_days),
            )
    expiration_days = (rule.get("Expiration") or {}).get("Days")
    for transition in rule.get("Transitions") or []:
        if (
            expiration_days is not None
            and transition.get("Days") is not None
            and transition["Days"] >= expiration_days
        ):
            raise invalid_argument(
                "'Days' in the Expiration action for filter must be greater than 'Days' in the Transition action",
                "Days",
                str(expiration_days),
            )


# -- which rules apply, and when ----------------------------------------------------------------


def rule_prefix(rule: Params) -> str:
    rule_filter = rule.get("Filter") or {}
    return str(
        rule.get("Prefix") or rule_filter.get("Prefix") or (rule_filter.get("And") or {}).get("Prefix") or ""
    )


def rule_matches(rule: Params, key: str, record: Params | None) -> bool:
    """Whether an enabled rule's filter selects `key` (with its version `record`: tags, size)."""
    if rule.get("Status") != "Enabled" or not key.startswith(rule_prefix(rule)):
        return False
    rule_filter = rule.get("Filter") or {}
    conjunction = rule_filter.get("And") or {}
    wanted = ([rule_filter["Tag"]] if rule_filter.get("Tag") else []) + list(conjunction.get("Tags") or [])
    if wanted:
        tags = {t["Key"]: t.get("Value", "") for t in (record or {}).get("Tags") or []}
        if any(tags.get(t["Key"]) != t.get("Value", "") for t in wanted):
            return False
    size = int((record or {}).get("Size") or 0)
    low = rule_filter.get("ObjectSizeGreaterThan", conjunction.get("ObjectSizeGreaterThan"))
    high = rule_filter.get("ObjectSizeLessThan", conjunction.get("ObjectSizeLessThan"))
    return (low is None or size > low) and (high is None or size < high)


class LifecycleClock:
    """Lifecycle days of `day_seconds` each; "midnight" is a multiple of a day since the epoch."""

    def __init__(self, day_seconds: float) -> None:
        self.day = max(float(day_seconds), 0.001)

    def after_days(self, start: Any, days: int) -> datetime:
        """`days` lifecycle days after `start`, rounded up to the next lifecycle midnight; the last day
        datetime holds when that is later (a rule of 3,000,000 Days made every GET and PUT of the
        bucket's objects, which answer their expiry, fail with 500)."""
        try:
            moment = to_datetime(start).timestamp() + days * self.day
            return datetime.fromtimestamp(math.ceil(moment / self.day - 1e-9) * self.day, UTC)
        except (OverflowError, ValueError, OSError):
            return LAST_DAY


def enabled_rules(bucket_doc: Params) -> list[Params]:
    """The bucket's lifecycle rules that are Enabled, in their order."""
    rules = ((bucket_doc.get("Configs") or {}).get("Lifecycle") or {}).get("Rules") or []
    return [r for r in rules if r.get("Status") == "Enabled"]


def expiry_of(
    rules: list[Params], key: str, record: Params, clock: LifecycleClock
) -> tuple[datetime, str] | None:
    """When the current version `record` expires, and by which rule (the earliest), or None."""
    best: tuple[datetime, str] | None = None
    for rule in rules:
        expiration = rule.get("Expiration") or {}
        if expiration.get("Days") is None and expiration.get("Date") is None:
            continue
        if not rule_matches(rule, key, record):
            continue
        if expiration.get("Date") is not None:
            when = to_datetime(expiration["Date"])
        else:
            when = clock.after_days(record["LastModified"], int(expiration["Days"]))
        if best is None or when < best[0]:
            best = (when, str(rule.get("ID", "")))
    return best


# -- the operations' side -------------------------------------------------------------------------


class LifecycleOperations:
    """Validation of PutBucketLifecycleConfiguration, the x-amz-expiration header, and the worker."""

    s3: S3State
    runtime: Any

    configs: Any

    def validate_lifecycle(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        check_single_and_prefix(ctx.request.body.buffered)
        validate_lifecycle_configuration(value)

    def PutBucketLifecycleConfiguration(self, ctx: RequestContext, p: Params) -> Params:
        """Stored with the bucket's TransitionDefaultMinimumObjectSize, which Get reports back."""
        config = dict(p.get("LifecycleConfiguration") or {})
        self.validate_lifecycle(ctx, p["Bucket"], config)
        if self.s3.bucket(p["Bucket"]).get("BucketType") == "Directory":
            # "This parameter applies to general purpose buckets only. It isn't supported for directory
            # bucket lifecycle configurations" (TransitionDefaultMinimumObjectSize): none is named.
            self.configs.put(p["Bucket"], "Lifecycle", config)
            return {}
        size = p.get("TransitionDefaultMinimumObjectSize") or DEFAULT_MINIMUM_SIZE
        if size not in MINIMUM_SIZES:
            raise invalid_argument(
                "Invalid TransitionDefaultMinimumObjectSize",
                "x-amz-transition-default-minimum-object-size",
                str(size),
            )
        config["TransitionDefaultMinimumObjectSize"] = size
        self.configs.put(p["Bucket"], "Lifecycle", config)
        return {"TransitionDefaultMinimumObjectSize": size}

    def lifecycle_clock(self) -> LifecycleClock:
        return LifecycleClock(self.runtime.settings.s3_lifecycle_day_seconds)

    def expiration_headers(self, bucket_doc: Params, record: Params, for_completed_upload: bool = False) -> Params:
        """`Expiration` (x-amz-expiration) for the current version of an object a rule will expire.
        A directory bucket answers "NotImplemented" in every PutObject, CopyObject, GetObject and
        HeadObject ("Object expiration information is not returned in directory buckets and this header
        returns the value "NotImplemented" in all responses"), and CompleteMultipartUpload nothing."""
        if is_directory_bucket(bucket_doc):
            return {} if for_completed_upload else {"Expiration": "NotImplemented"}
        rules = ((bucket_doc.get("Configs") or {}).get("Lifecycle") or {}).get("Rules")
        if not rules or record.get("IsDeleteMarker"):
            return {}
        current = self.s3.objects.get(bucket_scope(bucket_doc["Name"]), record["Key"])
        if current is None or current.get("VersionId") != record.get("VersionId"):
            return {}
        found = expiry_of(rules, record["Key"], record, self.lifecycle_clock())
        if found is None:
            return {}
        when, rule_id = found
        # "The value of the rule-id is URL-encoded" (GetObject, HeadObject, PutObject: Expiration).
        rule = quote(rule_id, safe="")
        return {"Expiration": f'expiry-date="{format_datetime(when, usegmt=True)}", rule-id="{rule}"'}

    def abort_headers(self, bucket_doc: Params, key: str, initiated: Any) -> Params:
        """`AbortDate` and `AbortRuleId` (x-amz-abort-date, x-amz-abort-rule-id) of a multipart upload
        that an enabled AbortIncompleteMultipartUpload rule selects: when the earliest such rule makes
        it eligible for abort, as CreateMultipartUpload and ListParts report it ("If the bucket has a
        lifecycle rule configured with an action to abort incomplete multipart uploads and the prefix
        in the lifecycle rule matches the object name in the request, the response includes this
        header"), a lifecycle midnight as the sweep counts it."""
        best: tuple[datetime, str] | None = None
        for rule in enabled_rules(bucket_doc):
            days = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
            if days and key.startswith(rule_prefix(rule)):
                when = self.lifecycle_clock().after_days(initiated, int(days))
                if best is None or when < best[0]:
                    best = (when, str(rule.get("ID", "")))
        return {} if best is None else {"AbortDate": best[0], "AbortRuleId": best[1]}

    # -- the worker ----------------------------------------------------------------------------

    async def start(self) -> None:
        await super().start()  # type: ignore[misc]
        worker = getattr(self, "_lifecycle_worker", None)
        if worker is None:
            worker = self._lifecycle_worker = LifecycleWorker(self)
        worker.start()

    async def stop(self) -> None:
        worker = getattr(self, "_lifecycle_worker", None)
        if worker is not None:
            await worker.stop()
        await super().stop()  # type: ignore[misc]


class LifecycleWorker:
    """Applies every bucket's lifecycle rules, once per `s3_lifecycle_interval` seconds.

    States: stopped → running (start) → stopped (stop). A sweep runs in a worker thread
    (the store serializes it with requests); each decision is re-checked inside the
    transaction that acts on it, so an object written meanwhile is never the one removed.
    """

    def __init__(self, provider: Any) -> None:
        self.provider = provider
        self.s3: S3State = provider.s3
        self._task: asyncio.Task[None] | None = None
        self._sweep: asyncio.Future[int] | None = None
        self._stopping = False
        # Events of what a sweep removed, (event, bucket, key, version id): the sweep runs in a
        # thread, so they are delivered from the event loop once it has finished.
        # (event, bucket, key, version id, the record a transition changed)
        self.events: list[tuple[str, str, str, str | None, Params | None]] = []

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="s3-lifecycle")

    async def stop(self) -> None:
        """Stop sweeping; a sweep under way ends at its next key, and is waited for."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._sweep is not None:
            with contextlib.suppress(Exception):
                await self._sweep

    async def _run(self) -> None:
        while not self._stopping:
            self._sweep = asyncio.ensure_future(asyncio.to_thread(self.sweep))
            try:
                await asyncio.shield(self._sweep)
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed sweep is tried again next round
                log.exception("S3 lifecycle sweep failed")
            await self._deliver_events()
            await asyncio.sleep(max(float(self.provider.runtime.settings.s3_lifecycle_interval), 0.05))

    async def _deliver_events(self) -> None:
        """s3:LifecycleExpiration:* and s3:LifecycleTransition events for what the last sweep removed
        or moved, in the order it did."""
        events, self.events = self.events, []
        for event, bucket, key, version_id, record in events:
            try:
                await self.provider.notify_lifecycle(event, bucket, key, version_id, record)
            except Exception:  # a failed delivery must not stop the sweeps
                log.exception("S3 lifecycle event %s for %s/%s not delivered", event, bucket, key)

    def sweep(self, at: datetime | None = None) -> int:
        """Apply every rule that is due at `at` (now); how many actions were taken."""
        at = at or datetime.now(UTC)
        done = 0
        for name, doc in list(self.s3.store.iter_collection("s3", "buckets", GLOBAL)):
            if self._stopping:
                break
            rules = enabled_rules(doc)
            if rules:
                done += self.sweep_bucket(name, rules, at)
        return done

    def _rules_hold(self, bucket: str, rules: list[Params]) -> bool:
        """Whether the bucket still has exactly the enabled `rules` the sweep is applying. Asked in
        each transaction that acts: the sweep runs in a thread beside the loop, where the bucket's
        configuration may have been replaced or deleted (or the bucket deleted and made again)
        since the sweep read it, and S3 acts on no object by a rule that is gone."""
        doc = self.s3.buckets.get(GLOBAL, bucket)
        return doc is not None and enabled_rules(doc) == rules

    def sweep_bucket(self, bucket: str, rules: list[Params], at: datetime) -> int:
        clock = self.provider.lifecycle_clock()
        done = self._abort_uploads(bucket, rules, at, clock)
        for key, versions in self._keys(bucket):
            if self._stopping:
                break
            try:
                done += self._apply(bucket, key, versions, rules, at, clock)
            except ServiceError:  # the bucket went away mid-sweep
                return done
        return done

    def _keys(self, bucket: str) -> Iterator[tuple[str, list[Params]]]:
        """Each key with its versions, newest first."""
        key: str | None = None
        versions: list[Params] = []
        for version_key, version in self.s3.store.iter_collection("s3", "versions", bucket_scope(bucket)):
            name = version_key.rpartition("\0")[0]
            if name != key:
                if key is not None:
                    yield key, versions
                key, versions = name, []
            versions.append(version)
        if key is not None:
            yield key, versions

    def _abort_uploads(self, bucket: str, rules: list[Params], at: datetime, clock: LifecycleClock) -> int:
        done = 0
        for upload_id, upload in list(self.s3.store.iter_collection("s3", "uploads", bucket_scope(bucket))):
            for rule in rules:
                days = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
                if (
                    days
                    and upload["Key"].startswith(rule_prefix(rule))
                    and clock.after_days(upload["Initiated"], days) <= at
                ):
                    with self.s3.store.transaction():
                        if not self._rules_hold(bucket, rules):
                            return done
                        self.provider.abort_upload(bucket, upload_id)
                    done += 1
                    break
        return done

    def _apply(
        self,
        bucket: str,
        key: str,
        versions: list[Params],
        rules: list[Params],
        at: datetime,
        clock: LifecycleClock,
    ) -> int:
        done = 0
        current = versions[0]
        if not current.get("IsDeleteMarker"):
            found = expiry_of(rules, key, current, clock)
            if found is not None and found[0] <= at:
                return self._expire_current(bucket, key, current, rules, at)
            done += self._transition(bucket, key, current, rules, at, clock, noncurrent_since=None)
        done += self._expire_noncurrent(bucket, key, versions, rules, at, clock)
        remaining = self.s3.key_versions(bucket, key) if done else [(None, v) for v in versions]
        if len(remaining) == 1 and remaining[0][1].get("IsDeleteMarker"):
            marker = remaining[0][1]
            if self._marker_expired(key, marker, rules, at, clock):
                done += self._remove(bucket, key, marker, rules, at)
        return done

    def _expire_current(
        self, bucket: str, key: str, record: Params, rules: list[Params], at: datetime
    ) -> int:
        with self.s3.store.transaction():
            bucket_doc = self.s3.buckets.get(GLOBAL, bucket)
            current = self.s3.objects.get(bucket_scope(bucket), key)
            if bucket_doc is None or current is None or current.get("Rank") != record.get("Rank"):
                return 0  # changed since the sweep looked
            if enabled_rules(bucket_doc) != rules:
                return 0  # the rules changed since (see _rules_hold)
            if self.provider.versioning_status(bucket_doc) is None:
                if under_object_lock(current, at):
                    return 0
                self.provider.remove_version(bucket, key, current["VersionId"])
                event = ("s3:LifecycleExpiration:Delete", bucket, key, current["VersionId"])
            else:
                marker = self.provider.commit_version(
                    bucket_doc,
                    key,
                    {
                        "Key": key,
                        "IsDeleteMarker": True,
                        "LastModified": now().isoformat(),
                        "Owner": bucket_doc["Account"],
                    },
                )
                event = ("s3:LifecycleExpiration:DeleteMarkerCreated", bucket, key, marker["VersionId"])
        self.events.append((*event, None))  # once the transaction has committed
        return 1

    def _expire_noncurrent(
        self,
        bucket: str,
        key: str,
        versions: list[Params],
        rules: list[Params],
        at: datetime,
        clock: LifecycleClock,
    ) -> int:
        done = 0
        for index in range(1, len(versions)):
            version = versions[index]
            since = versions[index - 1]["LastModified"]  # it stopped being current when its successor came
            newer_noncurrent = index - 1
            for rule in rules:
                expiration = rule.get("NoncurrentVersionExpiration") or {}
                days = expiration.get("NoncurrentDays")
                if not days or not rule_matches(rule, key, version):
                    continue
                if newer_noncurrent < int(expiration.get("NewerNoncurrentVersions") or 0):
                    continue
                if clock.after_days(since, int(days)) <= at:
                    done += self._remove(bucket, key, version, rules, at)
                    break
            else:
                if not version.get("IsDeleteMarker"):
                    done += self._transition(bucket, key, version, rules, at, clock, noncurrent_since=since)
        return done

    def _marker_expired(
        self, key: str, marker: Params, rules: list[Params], at: datetime, clock: LifecycleClock
    ) -> bool:
        for rule in rules:
            expiration = rule.get("Expiration") or {}
            if not rule_matches(rule, key, marker):
                continue
            if expiration.get("ExpiredObjectDeleteMarker"):
                return True
            # With Days, S3 also clears a lone delete marker once it is old enough.
            if (
                expiration.get("Days")
                and clock.after_days(marker["LastModified"], int(expiration["Days"])) <= at
            ):
                return True
        return False

    def _remove(self, bucket: str, key: str, version: Params, rules: list[Params], at: datetime) -> int:
        if under_object_lock(version, at):
            return 0
        with self.s3.store.transaction():
            if not self._rules_hold(bucket, rules):
                return 0
            still = [v for _, v in self.s3.key_versions(bucket, key) if v.get("Rank") == version.get("Rank")]
            if not still:
                return 0
            self.provider.remove_version(bucket, key, version["VersionId"])
        self.events.append(("s3:LifecycleExpiration:Delete", bucket, key, version["VersionId"], None))
        return 1

    def _transition(
        self,
        bucket: str,
        key: str,
        record: Params,
        rules: list[Params],
        at: datetime,
        clock: LifecycleClock,
        noncurrent_since: Any,
    ) -> int:
        target: tuple[datetime, str] | None = None
        for rule in rules:
            if not rule_matches(rule, key, record):
                continue
            if noncurrent_since is None:
                transitions, start, member = rule.get("Transitions") or [], record["LastModified"], "Days"
            else:
                transitions, start, member = (
                    rule.get("NoncurrentVersionTransitions") or [],
                    noncurrent_since,
                    "NoncurrentDays",
                )
            for transition in transitions:
                if transition.get("Date") is not None:
                    when = to_datetime(transition["Date"])
                else:
                    when = clock.after_days(start, int(transition.get(member) or 0))
                if when <= at and (target is None or when > target[0]):
                    target = (when, transition["StorageClass"])
        if target is None or record.get("StorageClass", "STANDARD") == target[1]:
            return 0
        storage_class = target[1]

        def change(found: Params) -> None:
            found["StorageClass"] = storage_class

        with self.s3.store.transaction():
            if not self._rules_hold(bucket, rules):
                return 0
            try:
                found = self.provider.find_object(bucket, key, record["VersionId"])
            except ServiceError:
                return 0
            if found.get("Rank") != record.get("Rank"):
                return 0
            moved = self.provider._update_record(bucket, key, record["VersionId"], change)
        self.events.append(("s3:LifecycleTransition", bucket, key, record["VersionId"], moved))
        return 1
