"""Lambda's own log events for a function whose LoggingConfig LogFormat is JSON.

Such a function's system logs are JSON objects, one per CloudWatch event, instead of the
INIT_START / START / END / REPORT text lines: {"time": ..., "type": "platform.<event>", "record": ...}
with the Telemetry API's record shapes, serialized compactly with the fields in the order AWS
writes them. Each event has the level of AWS's "system log level event mapping", and only those at
or above the function's SystemLogLevel are logged: at the default INFO a successful invocation
writes platform.initStart (cold starts), platform.start and platform.report; a timeout or a crash
adds platform.runtimeDone, and a failed init platform.initRuntimeDone and platform.initReport
(all WARN then). An init that ran out of time has only its initReport, "status":"timeout" and no
errorType, as AWS writes it. DEBUG adds the successful runtimeDone and init records; WARN keeps
only failures.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from pocketcloud.lambda_runtime.environment import InvokeOutcome
from pocketcloud.protocol.serializers.scalars import iso8601_epoch_ms as iso_ms
from pocketcloud.services.awslambda.functions import runtime_version_arn

LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "ERROR": 4, "FATAL": 5}
DEBUG, INFO, WARN = LEVELS["DEBUG"], LEVELS["INFO"], LEVELS["WARN"]
# The platform's status by the outcome's. A function's own error is an answer like any other (its
# text REPORT has no Status either); only the platform's failures are "timeout" or "error".
STATUS = {"success": "success", "error": "success", "timeout": "timeout"}
ON_DEMAND = {"initializationType": "on-demand", "phase": "init"}


def runtime_version(runtime: str) -> str:
    """The runtime's version as INIT_START names it: "python:3.12.v1", "nodejs:20.v1", "provided:al2023.v1"."""
    family = next((f for f in ("python", "nodejs", "provided") if runtime.startswith(f)), runtime)
    release = runtime[len(family) :].lstrip(".").removesuffix(".x") or "al2"
    return f"{family}:{release}.v1"


def _event(at_ms: int, kind: str, record: dict[str, Any]) -> tuple[int, str]:
    # orjson writes the compact form AWS does ({"time":...}), floats as repr does (3000.0, 12.346).
    return at_ms, orjson.dumps({"time": iso_ms(at_ms), "type": kind, "record": record}).decode()


def reported_init_ms(outcome: Any, cold: bool, init_ms: float | None) -> float | None:
    """The Init Duration a REPORT names: a cold start's, unless its init was retried (the retry is
    then part of the Duration)."""
    return init_ms if cold and init_ms is not None and outcome.first_init is None else None


def billed_ms(duration_ms: float, init_ms: float | None) -> int:
    """Billed Duration: since August 2025 AWS bills the init phase of every function, as it always had
    for container images and custom runtimes, so a cold invocation's is its Duration and Init Duration,
    rounded up to the millisecond."""
    return math.ceil(duration_ms + (init_ms or 0.0))


def json_log_lines(
    region: str,
    request_id: str,
    version: str,
    doc: dict[str, Any],
    outcome: InvokeOutcome,
    cold: bool,
    init_ms: float | None,
    stream: str,
    now_ms: int,
) -> list[tuple[int, str]]:
    """One invocation's log in the JSON format: the platform's events around what the function wrote.

    The whole of it is also the tail (LogType=Tail), platform.initStart included, as AWS returns it.
    """
    floor = LEVELS.get(doc["LoggingConfig"].get("SystemLogLevel") or "INFO", INFO)
    lines: list[tuple[int, str]] = []

    def emit(at_ms: int, level: int, kind: str, record: dict[str, Any]) -> None:
        if level >= floor:
            lines.append(_event(at_ms, kind, record))

    def emit_init_done(at_ms: int, level: int, done: dict[str, Any], duration_ms: float) -> None:
        # A runtime that ran out of time never said its init was done: Lambda's runtime interface
        # (rapid) sends no initRuntimeDone for a timed-out init, only the initReport.
        if done["status"] != "timeout":
            emit(at_ms, level, "platform.initRuntimeDone", done)
        emit(at_ms, level, "platform.initReport", {**done, "metrics": {"durationMs": round(duration_ms, 3)}})

    # platform.start carries the moment the event was handed over, so the function's lines sort after it.
    started = outcome.started_ms or now_ms - int(outcome.duration_ms)
    status = STATUS.get(outcome.status, "error")
    if outcome.first_init is not None and outcome.init_failure == "init_timeout":
        status = "timeout"  # the init retried at the invocation ran into the function's timeout
    failed = status != "success"
    error = {"errorType": outcome.error_type} if status == "error" and outcome.error_type else {}
    init_failed = False
    if cold and init_ms is not None:
        runtime = doc["Runtime"] or "provided"
        init_failed = outcome.status == "init_error"
        printed = [t for t, _ in outcome.preamble] + [t for t, _ in outcome.log_lines]
        head, _, tail = stream.partition("[")
        emit(
            min([started, *printed]),
            INFO,  # a managed runtime's initStart names its version, which makes it INFO
            "platform.initStart",
            {
                **ON_DEMAND,
                "runtimeVersion": runtime_version(runtime),
                "runtimeVersionArn": runtime_version_arn(region, runtime),
                "functionName": doc["FunctionName"],
                "functionVersion": version,
                "instanceId": f"{head}{doc['FunctionName']}[{tail}",
                "instanceMaxMemory": doc["MemorySize"] * 1024 * 1024,
            },
        )
        init_phase = ON_DEMAND
        if outcome.first_init is not None:
            # A failed init, retried at the invocation: the first attempt's records, then the
            # retry's in the invoke phase.
            first_ms, first_lines, first_error = outcome.first_init
            lines += first_lines
            first_done = (
                {"status": "error", "errorType": first_error} if first_error else {"status": "timeout"}
            )
            emit_init_done(started, WARN, {**ON_DEMAND, **first_done}, first_ms)
            init_phase = {**ON_DEMAND, "phase": "invoke"}
        # What init printed: an init that failed never got the event, so all it wrote is init's.
        lines += outcome.log_lines if init_failed else outcome.preamble
        timed_out = outcome.init_failure == "init_timeout"
        done = {"status": "error", **error} if init_failed else {"status": "success"}
        if timed_out:
            done = {"status": "timeout"}  # AWS's initReport for it names no errorType
        emit_init_done(started, WARN if init_failed else DEBUG, {**init_phase, **done}, init_ms)
    if not cold or init_ms is None or init_failed:
        lines += outcome.preamble
    emit(
        started,
        INFO,
        "platform.start",
        {"requestId": request_id, "functionArn": doc["FunctionArn"], "version": version},
    )
    if not init_failed:
        lines += outcome.log_lines
    duration = round(outcome.duration_ms, 3)
    # The platform's own error answers (timeout, crash, failed init) are not the function's output.
    produced = len(outcome.payload) if outcome.status in ("success", "error") else 0
    emit(
        now_ms,
        WARN if failed else DEBUG,
        "platform.runtimeDone",
        {
            "requestId": request_id,
            "status": status,
            **error,
            "metrics": {"durationMs": duration, "producedBytes": produced},
        },
    )
    reported_init = reported_init_ms(outcome, cold, init_ms)
    metrics: dict[str, Any] = {
        "durationMs": duration,
        "billedDurationMs": billed_ms(outcome.duration_ms, reported_init),
        "memorySizeMB": doc["MemorySize"],
        "maxMemoryUsedMB": outcome.max_memory_mb,
    }
    if reported_init is not None:
        metrics["initDurationMs"] = round(reported_init, 3)
    emit(
        now_ms,
        WARN if failed else INFO,
        "platform.report",
        {"requestId": request_id, "metrics": metrics, "status": status, **error},
    )
    return lines
