"""Asynchronous invocation: Invoke's Event type and the deprecated InvokeAsync.

Asynchronous events are queued durably (they survive a restart) and run by a
named worker: retried on error up to MaximumRetryAttempts (delays of one and
two "retry units", a setting so tests need not wait minutes), dropped after
MaximumEventAgeInSeconds, then sent to the on-failure destination or the
dead-letter target; successes go to the on-success destination.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.gateway.http import BodyTooLarge
from pocketcloud.lambda_runtime.environment import InvokeOutcome
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.scalars import iso8601_epoch_ms as _iso_ms
from pocketcloud.services.awslambda.code import request_too_large
from pocketcloud.services.awslambda.functions import function_arn, split_name
from pocketcloud.services.awslambda.invoke import InvokeOperations, check_tenant

log = logging.getLogger("pocketcloud.lambda")
Params = dict[str, Any]
INVOKE_ASYNC_LIMIT = 262144  # the deprecated InvokeAsync kept 256 KB ("for up to 1MB, use Invoke")
QUEUE = ("", "")


class AsyncInvokeOperations(InvokeOperations):
    async def InvokeAsync(self, ctx: RequestContext, p: Params) -> Params:
        """The deprecated asynchronous call: Invoke's Event type, with its older 256 KB limit."""
        name, qualifier = split_name(ctx, p["FunctionName"])
        doc, _ = self.functions.resolve(  # type: ignore[attr-defined]
            (ctx.account_id, ctx.region), name, qualifier, function_arn(ctx.region, ctx.account_id, name)
        )
        check_tenant(doc, None)  # InvokeAsync names no tenant: a tenant-isolated function refuses it
        body = p.get("InvokeArgs")
        try:
            payload = await body.read(INVOKE_ASYNC_LIMIT) if body is not None else b""  # a streaming body
        except BodyTooLarge as exc:
            raise request_too_large(INVOKE_ASYNC_LIMIT, "InvokeAsync") from exc
        if len(payload) > INVOKE_ASYNC_LIMIT:
            raise request_too_large(INVOKE_ASYNC_LIMIT, "InvokeAsync")
        self.enqueue(ctx.account_id, ctx.region, name, qualifier, payload, request_id=ctx.request_id)
        return {"Status": 202}

    def enqueue(
        self,
        account: str,
        region: str,
        name: str,
        qualifier: str | None,
        payload: bytes,
        attempt: int = 0,
        request_id: str | None = None,
        first_seen_ms: int | None = None,
        due_ms: int | None = None,
        incarnation: str | None = None,
        tenant_id: str | None = None,
        trace_header: str | None = None,
    ) -> str:
        request_id = request_id or str(uuid.uuid4())
        now_ms = int(time.time() * 1000)
        due = due_ms or now_ms
        if incarnation is None:  # a new event: it is for the function of that name as it is now
            current = self.functions.cached_function((account, region), name)  # type: ignore[attr-defined]
            incarnation = (current or {}).get("Incarnation")
        self.async_queue.put(  # type: ignore[attr-defined]
            QUEUE,
            f"{due:015d}\0{request_id}",
            {
                "Account": account,
                "Region": region,
                "Name": name,
                "Qualifier": qualifier,
                "Payload": base64.b64encode(payload).decode(),
                "Attempt": attempt,
                "RequestId": request_id,
                "FirstSeen": first_seen_ms or now_ms,
                "Incarnation": incarnation,
                **({"TenantId": tenant_id} if tenant_id else {}),
                **({"TraceHeader": trace_header} if trace_header else {}),
            },
        )
        self._queue_wakeup.set()  # type: ignore[attr-defined]
        return request_id

    async def async_worker(self) -> None:
        """Runs queued events when they are due; survives restarts because the queue is in the store.

        An event stays queued while it runs and leaves the queue only once its outcome is settled
        (done, re-queued for a retry, or delivered to a destination), so a server killed mid-run runs it
        again after the restart: at least once, as Lambda promises.
        """
        running: set[str] = self._async_running  # type: ignore[attr-defined]
        while True:
            now_ms = int(time.time() * 1000)
            queued = self.async_queue.scan(QUEUE, limit=len(running) + 20)  # type: ignore[attr-defined]
            waiting = [(k, d) for k, d in queued if k not in running]
            due = [(k, d) for k, d in waiting if int(k.split("\0")[0]) <= now_ms]
            if not due:
                self._queue_wakeup.clear()  # type: ignore[attr-defined]
                wait = 1.0
                if waiting:
                    wait = max(0.01, min(1.0, (int(waiting[0][0].split("\0")[0]) - now_ms) / 1000))
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._queue_wakeup.wait(), wait)  # type: ignore[attr-defined]
                continue
            for key, item in due:
                running.add(key)
                task = asyncio.create_task(self._run_queued(key, item))
                self._async_tasks.add(task)  # type: ignore[attr-defined]
                task.add_done_callback(self._async_tasks.discard)  # type: ignore[attr-defined]

    def _requeue(self, key: str, item: Params, payload: bytes, attempt: int, due_ms: int) -> None:
        """The queued event `key` again, as attempt `attempt`, due at `due_ms` (its id and age kept).
        The new entry and the old one's removal commit together: a server killed between them would
        otherwise run the attempt that just ended once more after the restart, beside its retry."""
        with self.store.transaction():  # type: ignore[attr-defined]
            self.enqueue(
                item["Account"],
                item["Region"],
                item["Name"],
                item["Qualifier"],
                payload,
                attempt,
                item["RequestId"],
                item["FirstSeen"],
                due_ms,
                item.get("Incarnation"),
                item.get("TenantId"),
                item.get("TraceHeader"),  # a retry continues the caller's trace
            )
            self.async_queue.delete(QUEUE, key)  # type: ignore[attr-defined]

    async def _run_queued(self, key: str, item: Params) -> None:
        try:
            await self._run_event(key, item)
        except Exception:
            log.exception("asynchronous invocation %s failed", item.get("RequestId"))
        self.async_queue.delete(QUEUE, key)  # type: ignore[attr-defined]
        self._async_running.discard(key)  # type: ignore[attr-defined]

    async def _run_event(self, key: str, item: Params) -> None:
        account, region, name, qualifier = item["Account"], item["Region"], item["Name"], item["Qualifier"]
        payload = base64.b64decode(item["Payload"])
        config = self.event_invoke_config(account, region, name, qualifier)  # type: ignore[attr-defined]
        max_retries = config.get("MaximumRetryAttempts", 2)
        max_age = config.get("MaximumEventAgeInSeconds", 21600)
        now_ms = int(time.time() * 1000)
        try:
            doc, executed = self.functions.resolve(  # type: ignore[attr-defined]
                (account, region),
                name,
                qualifier,
                function_arn(region, account, name),
                cached=True,
                routed=True,
            )
        except ServiceError:
            return  # the function was deleted meanwhile: the event has nowhere to go
        # A retry re-queued while its attempt ran (or an event queued before a DeleteFunction) must
        # not run on a new function created under the same name since: the deleted function's events
        # go with it. Events queued before incarnations were recorded carry none and run as before.
        base = self.functions.cached_function((account, region), name) or doc  # type: ignore[attr-defined]
        if "Incarnation" in item and item["Incarnation"] != base.get("Incarnation"):
            return
        if now_ms - item["FirstSeen"] > max_age * 1000:
            await self._deliver_failure(account, region, doc, item, payload, None, "EventAgeExceeded")
            return
        try:
            outcome, _, _ = await self.run(
                account,
                region,
                doc,
                executed,
                payload,
                request_id=item["RequestId"],
                invoked_arn=function_arn(region, account, name, qualifier),
                tenant_id=item.get("TenantId"),
                trace_header=item.get("TraceHeader"),
            )
        except ServiceError as exc:
            base = self.functions.cached_function((account, region), name) or doc  # type: ignore[attr-defined]
            if exc.code == "TooManyRequestsException" and base.get("ReservedConcurrency") == 0:
                # A function that may never run fails its events at once, without an attempt.
                await self._deliver_failure(
                    account, region, doc, item, payload, None, "ZeroReservedConcurrency", 0
                )
            elif exc.code == "TooManyRequestsException":
                # Throttled events are retried until they are too old, as Lambda does.
                self._requeue(key, item, payload, item["Attempt"], now_ms + 1000)
            return
        # Read again: the attempt ran for a while, and PutFunctionEventInvokeConfig (or its update
        # or delete) made meanwhile decides the retries and destinations of what it answered.
        config = self.event_invoke_config(account, region, name, qualifier)  # type: ignore[attr-defined]
        max_retries = config.get("MaximumRetryAttempts", 2)
        max_age = config.get("MaximumEventAgeInSeconds", 21600)
        attempts = item["Attempt"] + 1
        if outcome.status == "success":
            await self._deliver(
                account, region, doc, config, "OnSuccess", item, payload, outcome, "Success", attempts
            )
            return
        if item["Attempt"] < max_retries:
            unit = self.runtime.settings.lambda_retry_seconds  # type: ignore[attr-defined]
            due_ms = int(time.time() * 1000) + int(unit * 1000 * (item["Attempt"] + 1))
            if due_ms - item["FirstSeen"] > max_age * 1000:
                # A retry that would come too late is not made: the event fails now, with the answer it got.
                await self._deliver_failure(
                    account, region, doc, item, payload, outcome, "EventAgeExceeded", attempts
                )
                return
            self._requeue(key, item, payload, attempts, due_ms)
            return
        await self._deliver_failure(
            account, region, doc, item, payload, outcome, "RetriesExhausted", attempts
        )

    async def _deliver_failure(
        self,
        account: str,
        region: str,
        doc: Params,
        item: Params,
        payload: bytes,
        outcome: InvokeOutcome | None,
        condition: str,
        attempts: int | None = None,
    ) -> None:
        config = self.event_invoke_config(account, region, doc["FunctionName"], item["Qualifier"])  # type: ignore[attr-defined]
        delivered = await self._deliver(
            account,
            region,
            doc,
            config,
            "OnFailure",
            item,
            payload,
            outcome,
            condition,
            attempts if attempts is not None else item["Attempt"],
        )
        target = (doc.get("DeadLetterConfig") or {}).get("TargetArn")
        if not delivered and target:
            error_type = outcome.error_type if outcome else "EventAgeExceeded"
            message = _error_message(outcome)
            await self.send_to_target(  # type: ignore[attr-defined]
                account,
                region,
                target,
                payload,
                {
                    "RequestID": item["RequestId"],
                    "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                    "ErrorMessage": message or str(error_type),
                },
                function=doc,
            )

    async def _deliver(
        self,
        account: str,
        region: str,
        doc: Params,
        config: Params,
        which: str,
        item: Params,
        payload: bytes,
        outcome: InvokeOutcome | None,
        condition: str,
        attempts: int,
    ) -> bool:
        destination = ((config.get("DestinationConfig") or {}).get(which) or {}).get("Destination")
        if not destination:
            return False
        record: Params = {
            "version": "1.0",
            "timestamp": _iso_ms(int(time.time() * 1000)),
            "requestContext": {
                "requestId": item["RequestId"],
                "functionArn": function_arn(
                    region, account, doc["FunctionName"], item["Qualifier"] or "$LATEST"
                ),
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "requestPayload": _json_or_text(payload),
            "responseContext": {"statusCode": 200, "executedVersion": doc.get("Version", "$LATEST")},
        }
        if outcome is not None:
            if outcome.status != "success":
                record["responseContext"]["functionError"] = "Unhandled"
            record["responsePayload"] = _json_or_text(outcome.payload)
        else:
            record.pop("responseContext")
        await self.send_to_target(account, region, destination, json.dumps(record).encode(), None, doc)  # type: ignore[attr-defined]
        return True


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        return data.decode("utf-8", "replace")


def _error_message(outcome: InvokeOutcome | None) -> str:
    """The dead-letter message's ErrorMessage: "The first 1 KB of the error message" (Lambda
    Developer Guide, "Adding a dead-letter queue"), cut on a character boundary."""
    if outcome is None:
        return "Event age exceeded"
    try:
        message = str(json.loads(outcome.payload).get("errorMessage", ""))
    except (ValueError, AttributeError, RecursionError):
        return ""
    return message.encode()[:1024].decode("utf-8", "ignore")
