"""Export tasks: a log group's events of [from, to) copied to an S3 bucket.

As in AWS, CreateExportTask checks that CloudWatch Logs may read the bucket's
ACL and write to it (it writes `<prefix>/aws-logs-write-test`), answers with a
task id, and the export runs afterwards: PENDING, then RUNNING, then COMPLETED
(or CANCELLED by CancelExportTask, or FAILED). Each stream that has events in
the window becomes `<prefix>/<task id>/<stream>/000000.gz` (then 000001.gz ...
past `FILE_BYTES` of text), gzip'd lines `<ISO-8601 UTC timestamp> <message>`.
The objects are written through the S3 provider as the service principal
(`s3_delivery.py`). An account has at most one active (PENDING or RUNNING) task.

Tasks are documents keyed by task id; a task still active when the server
stopped runs again from the start when it comes back (`resume_exports`).
`logs_export_delay_seconds` keeps a new task PENDING that long first.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import logging
import uuid
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.scalars import iso8601_epoch_ms
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.events import EventLog, now_ms
from pocketcloud.services.logs.ingest import PendingEvents
from pocketcloud.services.logs.s3_delivery import S3AsLogs
from pocketcloud.store import Collection, Scope

log = logging.getLogger(__name__)

Params = dict[str, Any]

DEFAULT_PREFIX = "exportedlogs"
WRITE_TEST_KEY = "aws-logs-write-test"
WRITE_TEST_BODY = b"Permission Check Successful"
FILE_BYTES = 64 * 1024 * 1024  # uncompressed text per exported file
ACTIVE = ("PENDING", "RUNNING")
# A PENDING task's status has no message in AWS's answers (only its code).
MESSAGES = {
    "RUNNING": "Started successfully",
    "COMPLETED": "Completed successfully",
    "CANCELLED": "Cancelled by user",
}
GET_ACL_FAILED = (
    "GetBucketAcl call on the given bucket failed. "
    "Please check if CloudWatch Logs has been granted permission to perform this operation."
)
NO_SUCH_BUCKET = "The given bucket does not exist. Please make sure the bucket is valid."
PUT_OBJECT_FAILED = (
    "PutObject call on the given bucket failed. "
    "Please check if CloudWatch Logs has been granted permission to perform this operation."
)


def _prefix(p: Params) -> str:
    return (p.get("destinationPrefix") or DEFAULT_PREFIX).strip("/") or DEFAULT_PREFIX


class ExportOperations(LogsMixin):
    """The export task operations of the logs provider, and the work of running a task."""

    exports: Collection
    groups: Collection
    streams: Collection
    log: EventLog
    pending: PendingEvents
    runtime: Any
    store: Any
    _export_runs: dict[str, asyncio.Task[None]]
    _s3_as_logs: S3AsLogs | None

    _window: Callable[..., tuple[int, int]]

    def _delivery(self) -> S3AsLogs:
        if self._s3_as_logs is None:
            self._s3_as_logs = S3AsLogs(self.runtime)
        return self._s3_as_logs

    # -- operations -------------------------------------------------------------------------

    async def CreateExportTask(self, ctx: RequestContext, p: Params) -> Params:
        group, scope = p["logGroupName"], self._scope(ctx)
        group_doc = self._group(ctx, group)
        start, end = p["from"], p["to"]
        if end < start:
            raise invalid("The 'to' time must not be earlier than the 'from' time.")
        bucket, prefix = p["destination"], _prefix(p)
        source = group_doc["logGroupArn"]
        delivery = self._delivery()
        if not delivery.bucket_exists(scope, source, bucket):
            raise invalid(NO_SUCH_BUCKET)
        if not delivery.may_read_acl(scope, source, bucket):
            raise invalid(GET_ACL_FAILED)
        self._check_no_active_task(ctx.account_id)
        try:
            # AWS leaves its write test under a prefix the caller names, else at the bucket's root.
            test_key = f"{prefix}/{WRITE_TEST_KEY}" if p.get("destinationPrefix") else WRITE_TEST_KEY
            written = await delivery.put(scope, source, bucket, test_key, WRITE_TEST_BODY)
        except ServiceError:
            written = False
        if not written:
            raise invalid(PUT_OBJECT_FAILED)
        self._check_no_active_task(ctx.account_id)  # another task may have come in meanwhile
        task_id = str(uuid.uuid4())
        doc: Params = {
            "taskId": task_id,
            "logGroupName": group,
            "from": start,
            "to": end,
            "destination": bucket,
            "destinationPrefix": prefix,
            "status": {"code": "PENDING"},
            "executionInfo": {"creationTime": now_ms()},
        }
        if p.get("taskName"):
            doc["taskName"] = p["taskName"]
        if p.get("logStreamNamePrefix"):
            doc["logStreamNamePrefix"] = p["logStreamNamePrefix"]
        self.exports.put(scope, task_id, doc)
        self._schedule_export(scope, task_id)
        return {"taskId": task_id}

    def _check_no_active_task(self, account: str) -> None:
        for scope in self.exports.scopes():
            if scope[0] != account:
                continue
            for _, doc in self.exports.scan(scope):
                if doc["status"]["code"] in ACTIVE:
                    raise ServiceError("LimitExceededException", "Resource limit exceeded.", status=400)

    def DescribeExportTasks(self, ctx: RequestContext, p: Params) -> Params:
        scope = self._scope(ctx)
        if p.get("taskId"):
            found = self.exports.get(scope, p["taskId"])
            docs = [found] if found else []
        else:
            docs = [d for _, d in self.exports.scan(scope)]
        if p.get("statusCode"):
            docs = [d for d in docs if d["status"]["code"] == p["statusCode"]]
        docs.sort(key=lambda d: (-d["executionInfo"]["creationTime"], d["taskId"]))
        start = 0
        if p.get("nextToken"):
            try:
                start = int(base64.urlsafe_b64decode(p["nextToken"] + "==").decode().removeprefix("x:"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise invalid("The specified nextToken is invalid.") from exc
        limit = p.get("limit") or 50
        shown = [
            {k: v for k, v in d.items() if k != "logStreamNamePrefix"} for d in docs[start : start + limit]
        ]
        result: Params = {"exportTasks": shown}
        if start + limit < len(docs):
            result["nextToken"] = base64.urlsafe_b64encode(f"x:{start + limit}".encode()).decode().rstrip("=")
        return result

    def CancelExportTask(self, ctx: RequestContext, p: Params) -> Params:
        scope, task_id = self._scope(ctx), p["taskId"]
        doc = self.exports.get(scope, task_id)
        if doc is None:
            raise ServiceError(
                "ResourceNotFoundException", "The specified export task does not exist.", status=400
            )
        if doc["status"]["code"] not in ACTIVE:
            raise ServiceError(
                "InvalidOperationException", "The specified export task has already finished", status=400
            )
        self._finish(scope, doc, "CANCELLED")
        run = self._export_runs.pop(task_id, None)
        if run is not None:
            run.cancel()
        return {}

    # -- running a task ---------------------------------------------------------------------

    def _schedule_export(self, scope: Scope, task_id: str) -> None:
        run = asyncio.get_running_loop().create_task(
            self._run_export(scope, task_id), name=f"logs-export-{task_id}"
        )
        self._export_runs[task_id] = run
        run.add_done_callback(lambda _: self._export_runs.pop(task_id, None))

    def resume_exports(self) -> None:
        """Run again, from the start, the tasks a stop interrupted."""
        for scope in self.exports.scopes():
            for task_id, doc in self.exports.scan(scope):
                if doc["status"]["code"] in ACTIVE and task_id not in self._export_runs:
                    self._schedule_export(scope, task_id)

    async def stop_exports(self) -> None:
        runs = list(self._export_runs.values())
        for run in runs:
            run.cancel()
        for run in runs:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await run

    def _finish(self, scope: Scope, doc: Params, code: str, message: str | None = None) -> None:
        doc["status"] = {"code": code, "message": message or MESSAGES[code]}
        if code not in ACTIVE:
            doc["executionInfo"]["completionTime"] = now_ms()
        self.exports.put(scope, doc["taskId"], doc)

    def _current(self, scope: Scope, task_id: str, wanted: tuple[str, ...]) -> Params | None:
        doc = self.exports.get(scope, task_id)
        return doc if doc is not None and doc["status"]["code"] in wanted else None

    async def _run_export(self, scope: Scope, task_id: str) -> None:
        delay = self.runtime.settings.logs_export_delay_seconds
        if delay > 0:
            await asyncio.sleep(delay)
        doc = self._current(scope, task_id, ACTIVE)
        if doc is None:
            return
        self._finish(scope, doc, "RUNNING")
        try:
            await self._export(scope, doc)
        except ServiceError as exc:
            if self._current(scope, task_id, ACTIVE):
                self._finish(scope, doc, "FAILED", exc.message)
            return
        except Exception:
            log.exception("export task %s failed", task_id)
            if self._current(scope, task_id, ACTIVE):
                self._finish(scope, doc, "FAILED", "Internal error")
            return
        if self._current(scope, task_id, ACTIVE):  # not cancelled meanwhile
            self._finish(scope, doc, "COMPLETED")

    async def _export(self, scope: Scope, doc: Params) -> None:
        self.pending.flush()  # lines other services logged before the task ran are exported too
        group = doc["logGroupName"]
        group_doc = self.groups.get(scope, group)
        if group_doc is None:  # deleted since
            raise ServiceError(
                "ResourceNotFoundException", "The specified log group does not exist.", status=400
            )
        low, high = self._window(group_doc, doc["from"], doc["to"], end_inclusive=False)
        base = f"{doc['destinationPrefix']}/{doc['taskId']}"
        prefix = f"{group}\0{doc.get('logStreamNamePrefix') or ''}"
        names = [d["logStreamName"] for _, d in self.streams.scan(scope, prefix=prefix)]
        delivery = self._delivery()
        for name in names:
            if self._current(scope, doc["taskId"], ACTIVE) is None:
                return
            files = await asyncio.to_thread(self._stream_files, scope, group, name, low, high)
            for number, body in enumerate(files):
                key = f"{base}/{name}/{number:06d}.gz"
                if not await delivery.put(scope, group_doc["logGroupArn"], doc["destination"], key, body):
                    raise invalid(PUT_OBJECT_FAILED)

    def _stream_files(self, scope: Scope, group: str, stream: str, low: int, high: int) -> list[bytes]:
        """The gzip'd files of one stream's events in the window (none when it has no events there)."""
        files: list[bytes] = []
        lines: list[bytes] = []
        size = 0
        for _, event in self.log.read(scope, group, stream, low, high, first_page=500):
            line = f"{iso8601_epoch_ms(event['timestamp'])} {event['message']}\n".encode(
                "utf-8", "surrogatepass"
            )
            lines.append(line)
            size += len(line)
            if size >= FILE_BYTES:
                files.append(gzip.compress(b"".join(lines)))
                lines, size = [], 0
        if lines:
            files.append(gzip.compress(b"".join(lines)))
        return files
