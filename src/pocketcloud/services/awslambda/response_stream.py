"""InvokeWithResponseStream: a synchronous Invoke whose answer is an event stream.

The invocation itself is Invoke's (same checks, environments, logs, errors); only the
answer differs: the payload as PayloadChunk events, then one InvokeComplete event with
the error (if the function failed) and the log tail (if asked for). The stream is answered
buffered, written at once: a function without a streaming handler's answer is its JSON, as in
AWS; a streaming handler's (Node.js `awslambda.streamifyResponse`, any runtime posting in
Lambda's streaming response mode) is the bytes it wrote, whole, once its stream has ended. A
streaming handler that fails reports only the error: what it wrote before is not passed on.
"""

from __future__ import annotations

import json
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol import eventstream

Params = dict[str, Any]
CHUNK = 64 * 1024  # payload bytes per PayloadChunk event


def _error_of(payload: bytes) -> tuple[str, str]:
    """(ErrorCode, ErrorDetails) of a failed invocation's error document."""
    text = payload.decode("utf-8", "replace")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        document = None
    code = document.get("errorType") if isinstance(document, dict) else None
    return (code if isinstance(code, str) and code else "Unhandled"), text


class ResponseStreamOperations:
    async def InvokeWithResponseStream(self, ctx: RequestContext, p: Params) -> Params:
        kind = p.get("InvocationType") or "RequestResponse"
        result = await self.Invoke(ctx, {**p, "InvocationType": kind})  # type: ignore[attr-defined]
        if kind == "DryRun":
            return {"StatusCode": 204}
        payload = result.get("Payload") or b""
        if isinstance(payload, str):
            payload = payload.encode()
        frames: list[bytes] = []
        complete: Params = {"LogResult": result.get("LogResult")}
        if result.get("FunctionError"):
            complete["ErrorCode"], complete["ErrorDetails"] = _error_of(payload)
        else:
            frames += [
                eventstream.event("PayloadChunk", payload[start : start + CHUNK])
                for start in range(0, len(payload), CHUNK)
            ]
        frames.append(eventstream.json_event("InvokeComplete", complete))
        return {
            "StatusCode": 200,
            "ExecutedVersion": result.get("ExecutedVersion"),
            "ResponseStreamContentType": eventstream.CONTENT_TYPE,
            "EventStream": b"".join(frames),
        }
