"""Invoke: synchronous (RequestResponse), DryRun, and the Event type's checks (async_invoke.py
queues and runs the events).

A synchronous call takes an environment from the pool (warm, or cold with
Init Duration), hands it the event over the Runtime API, and waits at most the
function's timeout; the supervisor kills the tree at the deadline. Every
invocation writes START, the function's output, END and REPORT to
/aws/lambda/<name> as Lambda does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.lambda_runtime.environment import (
    EnvironmentSpec,
    ExecutionEnvironment,
    InvokeOutcome,
    platform_error,
)
from pocketcloud.lambda_runtime.pool import ConcurrencyExceeded, EnvironmentPool
from pocketcloud.lambda_runtime.runtime_api import Invocation
from pocketcloud.lambda_runtime.runtimes import RuntimeUnavailable, execution_env_name
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.scalars import iso8601_epoch_ms as _iso_ms
from pocketcloud.services.awslambda.code import request_too_large, unpacked_code
from pocketcloud.services.awslambda.environment_key import check_invocation_key
from pocketcloud.services.awslambda.errors import invalid_parameter, too_many_requests
from pocketcloud.services.awslambda.functions import (
    function_arn,
    in_owners_account,
    runtime_version_arn,
    split_name,
)
from pocketcloud.services.awslambda.payload_json import payload_error
from pocketcloud.services.awslambda.platform_events import (
    billed_ms,
    json_log_lines,
    reported_init_ms,
    runtime_version,
)
from pocketcloud.services.awslambda.role_access import lambda_session_name

Params = dict[str, Any]
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024  # 256 KB until AWS raised it in 2025 (the Invoke API reference says 1 MB)


def _too_large_for_event(size: int) -> ServiceError:
    return ServiceError(
        "RequestEntityTooLargeException",
        f"{size} byte payload is too large for the Event invocation type (limit {ASYNC_PAYLOAD_LIMIT} bytes)",
        status=413,
        Type="User",
    )


# X-Ray's default sampling rule: the first request each second, and 5% of the others.
_SAMPLING_RATE = 0.05
_sampled_seconds: dict[str, int] = {}  # function ARN -> the last second its reservoir was used


def _trace_header(doc: Params, upstream: str | None) -> str:
    """The X-Ray trace header an invocation runs under (_X_AMZN_TRACE_ID): the caller's trace (its Root
    and sampling decision) when the request carried one, else a new trace, sampled by X-Ray's default
    rule where the function's TracingConfig is Active and not at all under PassThrough. Parent is the
    function segment's, new each time."""
    # Trace ids need to be unique, not secret: the Mersenne Twister spares a getrandom() per call.
    bits = f"{random.getrandbits(160):040x}"
    fields = dict(part.strip().split("=", 1) for part in (upstream or "").split(";") if "=" in part)
    root = fields.get("Root")
    if root and fields.get("Sampled") in ("0", "1"):
        sampled = fields["Sampled"]
    else:
        sampled = "1" if (doc.get("TracingConfig") or {}).get("Mode") == "Active" and _sample(doc) else "0"
    root = root or f"1-{int(time.time()):08x}-{bits[:24]}"
    return f"Root={root};Parent={bits[24:]};Sampled={sampled}"


def _sample(doc: Params) -> bool:
    second, arn = int(time.time()), str(doc.get("FunctionArn"))
    if _sampled_seconds.get(arn) != second:
        if len(_sampled_seconds) > 10_000:
            _sampled_seconds.clear()
        _sampled_seconds[arn] = second
        return True
    return random.random() < _SAMPLING_RATE


class InvokeOperations:
    pool: EnvironmentPool

    # -- the environment a function runs in ---------------------------------------

    def _base_env(self, account: str, region: str, doc: Params, version: str) -> dict[str, str]:
        settings = self.runtime.settings  # type: ignore[attr-defined]
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "SHLVL": "0",  # AWS's bootstrap starts the runtime from a shell: its processes see SHLVL 0
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": execution_env_name(doc["Runtime"] or "provided"),
            "AWS_LAMBDA_FUNCTION_NAME": doc["FunctionName"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(doc["MemorySize"]),
            "AWS_LAMBDA_FUNCTION_VERSION": version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": doc["LoggingConfig"]["LogGroup"],
            "_HANDLER": doc.get("Handler") or "",
            "AWS_ENDPOINT_URL": settings.endpoint,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            # Where Lambda's X-Ray daemon listens; an SDK sending segments there (UDP) loses nothing here.
            "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
            "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
            "_AWS_XRAY_DAEMON_PORT": "2000",
        }
        logging_config = doc.get("LoggingConfig") or {}
        if logging_config.get("LogFormat") == "JSON":
            # The runtimes write their application logs as JSON objects when these are set, as in AWS.
            env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
            env["AWS_LAMBDA_LOG_LEVEL"] = logging_config.get("ApplicationLogLevel") or "INFO"
        sts = self.runtime.provider("sts")  # type: ignore[attr-defined]
        session = lambda_session_name(doc["FunctionName"])
        credentials = sts.service_role_session(doc["Role"], session) if sts else None
        if credentials:
            env.update(
                {
                    "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                    "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                    "AWS_SESSION_TOKEN": credentials["SessionToken"],
                }
            )
        return env

    def _spec(self, account: str, region: str, doc: Params, version: str) -> EnvironmentSpec:
        code_dir = unpacked_code(self.store, doc["Blob"], doc["CodeHex"])  # type: ignore[attr-defined]
        stream = f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"
        tmp = self.store.data_dir / "lambda" / "tmp" / secrets.token_hex(8)  # type: ignore[attr-defined]
        tmp.mkdir(parents=True, exist_ok=True)
        variables = dict((doc.get("Environment") or {}).get("Variables") or {})
        variables["AWS_LAMBDA_LOG_STREAM_NAME"] = stream
        return EnvironmentSpec(
            function_name=doc["FunctionName"],
            function_arn=doc["FunctionArn"],
            version=version,
            runtime=doc["Runtime"] or "provided",
            handler=doc.get("Handler") or "",
            code_dir=code_dir,
            memory_mb=doc["MemorySize"],
            timeout_seconds=doc["Timeout"],
            variables=variables,
            log_group=doc["LoggingConfig"]["LogGroup"],
            log_stream=stream,
            tmp_dir=tmp,
            python_client=self.runtime.settings.lambda_python_client,  # type: ignore[attr-defined]
            layers=self._layer_paths(doc),  # type: ignore[attr-defined]
        )

    async def retire_environments(self, arn: str, version: str | None = None) -> None:
        """Stop the environments of one version ($LATEST after an update), or of all versions when None.

        Revisions are "<arn>:<version>:<revision id>"; the colons keep function "a" from retiring "ab".
        """
        await self.pool.retire(f"{arn}:{version}:" if version else f"{arn}:")

    # -- running one invocation ---------------------------------------------------

    async def run(
        self,
        account: str,
        region: str,
        doc: Params,
        version: str,
        payload: bytes,
        client_context: str | None = None,
        request_id: str | None = None,
        log_text: bool = True,
        invoked_arn: str | None = None,
        tenant_id: str | None = None,
        trace_header: str | None = None,
    ) -> tuple[InvokeOutcome, str, str]:
        """Run one invocation; returns (outcome, request id, the log text of this invocation).

        `invoked_arn` is the ARN the caller named (an alias's, `:$LATEST`, or unqualified), which the
        function sees as its invoked ARN; without it, the ARN of the version that runs. A
        tenant-isolated function runs each `tenant_id`'s invocations in environments of that tenant's own.
        `trace_header`: the caller's X-Amzn-Trace-Id, whose trace the invocation continues.

        With `log_text` False the text is "" and the log lines are built and queued for
        CloudWatch Logs just after the caller's answer has gone out (the next turn of the loop).
        """
        request_id = request_id or str(uuid.uuid4())
        base = doc  # $LATEST's configuration is the function's own document
        if version != "$LATEST":  # a version's lacks the function's ReservedConcurrency
            base = self.functions.cached_function((account, region), doc["FunctionName"]) or doc  # type: ignore[attr-defined]
        revision = f"{doc['FunctionArn'].rsplit(':', 1)[0] if version != '$LATEST' else doc['FunctionArn']}:{version}:{doc['RevisionId']}"
        if tenant_id:
            revision += f"\0{tenant_id}"  # still under the version's prefix, which retire_environments stops
        reserved = base.get("ReservedConcurrency")
        check_invocation_key(self.runtime, self._role_access(), account, region, doc)  # type: ignore[attr-defined]
        try:
            env, cold = await self.pool.acquire(
                revision,
                base["FunctionArn"],
                reserved,
                lambda: self._spec(account, region, doc, version),
                lambda: self._base_env(account, region, doc, version),
                self._provisioned_share(account, region, doc, version, invoked_arn) if reserved else None,
            )
        except ConcurrencyExceeded as exc:
            raise too_many_requests(exc.reason) from exc
        except RuntimeUnavailable as exc:
            raise invalid_parameter(str(exc)) from exc
        except OSError as exc:
            raise _not_started(exc) from exc
        timeout = float(doc["Timeout"])
        lines: list[tuple[int, str]] = []
        try:
            init_failure = await env.wait_ready() if cold else None
            first_init: tuple[float, list[tuple[int, str]], str | None] | None = None
            spent_ms = 0.0
            if init_failure is not None:
                # Lambda retries a failed init at the invocation, within the function's timeout (the
                # Lambda developer guide, "Init phase": 'If all three tasks do not complete within 10
                # seconds, Lambda retries the Init phase at the time of the first function invocation
                # with the configured function timeout'); an init error is retried too, as AWS's logs
                # show: "INIT_REPORT ... Phase: init Status: error Error Type: Runtime.ImportModuleError",
                # the error again, "INIT_REPORT ... Phase: invoke Status: error ...", START, END, REPORT.
                first = await self._init_outcome(env, init_failure, request_id, timeout)
                first_ms = env.init_duration_ms or 0.0
                printed = first.log_lines + await self._restarted(env)
                first_init = (first_ms, printed, None if init_failure == "init_timeout" else first.error_type)
                init_failure = await env.wait_ready(timeout)
                spent_ms = env.init_duration_ms or 0.0
            if not cold and env.needs_init:
                # The runtime ended in this environment's last invocation: Lambda's reset runs its init
                # again with this one (the developer guide, "Failures during the invoke phase": a
                # "suppressed init", reported in no log line of its own; its time is in this Duration).
                await self._restarted(env, reset=True)
                init_failure = await env.wait_ready(timeout)
                spent_ms = env.init_duration_ms or 0.0
            if init_failure is not None:
                outcome = await self._init_outcome(env, init_failure, request_id, timeout)
                if init_failure != "init_timeout":
                    outcome.duration_ms = spent_ms  # the retried init is the invocation's time
            else:
                arn = invoked_arn or function_arn(
                    region, account, doc["FunctionName"], None if version == "$LATEST" else version
                )

                trace_id = _trace_header(doc, trace_header)

                def event(spent: float) -> Invocation:
                    deadline_ms = int(time.time() * 1000 + timeout * 1000 - spent)
                    return Invocation(
                        request_id, payload, deadline_ms, arn, trace_id, client_context, tenant_id=tenant_id
                    )

                outcome = await env.invoke(event(spent_ms), timeout, spent_ms)
                if outcome.status == "exit" and outcome.not_taken:
                    # The runtime ended after answering the event before and never took this one: on
                    # AWS no event reaches a runtime that has not asked for it, and a fresh init
                    # (Lambda's reset) takes it. What the old process printed last goes before START.
                    printed = outcome.log_lines
                    await self._restarted(env, reset=True)
                    init_failure = await env.wait_ready(timeout)
                    spent_ms = env.init_duration_ms or 0.0
                    if init_failure is None:
                        outcome = await env.invoke(event(spent_ms), timeout, spent_ms)
                    else:
                        outcome = await self._init_outcome(env, init_failure, request_id, timeout)
                    outcome.preamble = printed + outcome.preamble
            outcome.first_init = first_init
            if outcome.status == "init_error":
                env.dead = True
        finally:
            await self.pool.release(revision, base["FunctionArn"], env)
        args = (
            account,
            region,
            request_id,
            version,
            doc,
            outcome,
            cold,
            env.init_duration_ms,
            timeout,
            env.spec.log_stream,
        )
        if not log_text:
            asyncio.get_running_loop().call_soon(self._write_log, *args)
            return outcome, request_id, ""
        lines = self._write_log(*args)
        # Each line ends with its newline in the tail. A framed record (a line holding a line break:
        # the runtime's telemetry channel) is given as framed, so AWS's [ERROR] record, which ends
        # with no newline, runs straight into what follows ('raise Exception("...")END RequestId',
        # as AWS's tail reads in LocalStack's recorded TestLambdaDLQ::test_dead_letter_queue).
        return outcome, request_id, "".join(m if "\n" in m else f"{m}\n" for _, m in lines)

    def _provisioned_share(
        self, account: str, region: str, doc: Params, version: str, invoked_arn: str | None
    ) -> tuple[str, int, int] | None:
        """For a function with a reservation: (the invoked version's or alias's key, its provisioned
        executions, the function's in all), or None when it has none."""
        name = doc["FunctionName"]
        configs = dict(self.provisioned.scan((account, region), prefix=name + "\0"))  # type: ignore[attr-defined]
        if not configs:
            return None
        # The qualifier the caller named: an alias's provisioned executions serve calls through the alias.
        named = (invoked_arn or "").split(":")
        qualifier = named[7] if len(named) > 7 else version
        here = configs.get(f"{name}\0{qualifier}", {}).get("Requested", 0)
        total = sum(c["Requested"] for c in configs.values())
        return f"{function_arn(region, account, name)}\0{qualifier}", here, total

    def _write_log(
        self,
        account: str,
        region: str,
        request_id: str,
        version: str,
        doc: Params,
        outcome: InvokeOutcome,
        cold: bool,
        init_ms: float | None,
        timeout: float,
        stream: str,
    ) -> list[tuple[int, str]]:
        """The invocation's lines (START, output, END, REPORT), queued for /aws/lambda/<name>.

        A cold start's log opens with INIT_START, as in AWS; the lines returned (the tail a caller
        may ask for) begin at what the environment printed. A JSON-format function's platform
        lines are JSON events (`platform_events.py`), its tail the whole of them.
        """
        logs = self.runtime.provider("logs")  # type: ignore[attr-defined]
        if doc["LoggingConfig"].get("LogFormat") == "JSON":
            now_ms = int(time.time() * 1000)
            lines = json_log_lines(region, request_id, version, doc, outcome, cold, init_ms, stream, now_ms)
            if logs is not None:
                logs.write_events((account, region), doc["LoggingConfig"]["LogGroup"], stream, lines)
            return lines
        lines = self._log_lines(request_id, version, doc, outcome, cold, init_ms, timeout)
        if logs is not None:
            logged = lines
            if cold and init_ms is not None:
                logged = [
                    (min(t for t, _ in lines), _init_start(region, doc["Runtime"] or "provided")),
                    *lines,
                ]
            # A text-format event ends with its newline in AWS ("START RequestId: … $LATEST\n",
            # "REPORT …\t\n"), and a blank line the function printed is no event at all. A line
            # holding a line break is a framed record of the runtime's telemetry channel: its event
            # is the record as framed (a `logging` record ends with its newline, the [ERROR] record
            # of an unhandled exception does not, as AWS stores them).
            logged = [(t, m if "\n" in m else f"{m}\n") for t, m in logged if m]
            logs.write_events((account, region), doc["LoggingConfig"]["LogGroup"], stream, logged)
        return lines

    @staticmethod
    async def _restarted(env: ExecutionEnvironment, reset: bool = False) -> list[tuple[int, str]]:
        """Start `env`'s runtime again (`reset`: Lambda's reset after a runtime that ended in an
        invocation); what the old one printed last. A runtime that cannot be started answers
        ServiceException, and its environment is dropped (the next invocation starts another)."""
        try:
            if reset:
                await env.reinit()
                return []
            return await env.restart()
        except OSError as exc:
            env.dead = True
            raise _not_started(exc) from exc

    async def _init_outcome(self, env: Any, reason: str, request_id: str, timeout: float) -> InvokeOutcome:
        """The outcome of a failed init; one that ran out of time is the retry at the invocation, which
        had the function's `timeout` (the first, out of Lambda's init limit, is always retried)."""
        outcome = await self._init_failure(env, reason, request_id, timeout)
        # What the init used, as AWS's REPORT of a failed init says ("Max Memory Used: 46 MB"), never 0.
        outcome.max_memory_mb = min(max(1, env.peak_memory_kb // 1024), env.spec.memory_mb)
        return outcome

    async def _init_failure(self, env: Any, reason: str, request_id: str, timeout: float) -> InvokeOutcome:
        await env.drain_output(wait_exit=0.5)
        lines = env.take_lines()
        if reason == "init_error" and env.api.init_error is not None:
            body = env.api.init_error[0]
            try:
                error_type = json.loads(body).get("errorType", "Runtime.Unknown")
            except (ValueError, RecursionError):  # RecursionError: nested too deep for json
                error_type = "Runtime.Unknown"
            return InvokeOutcome("init_error", body, error_type, log_lines=lines, init_failure=reason)
        if reason == "entrypoint":
            message = f"RequestId: {request_id} Error: {env.entrypoint_error}"
            return InvokeOutcome(
                "init_error",
                platform_error("Runtime.InvalidEntrypoint", message),
                "Runtime.InvalidEntrypoint",
                log_lines=lines,
                init_failure=reason,
            )
        if reason == "exit":
            code = env.process.returncode if env.process else None
            message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
            if code == 0:  # no error for Lambda to quote
                message = f"RequestId: {request_id} Error: Runtime exited without providing a reason"
            return InvokeOutcome(
                "init_error",
                platform_error("Runtime.ExitError", message),
                "Runtime.ExitError",
                log_lines=lines,
                init_failure=reason,
            )
        # The retry ran into the function's timeout: a timeout like any other, as AWS reports it
        # (troubleshooting guide: "Function times out during Init phase (Sandbox.Timedout)").
        message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
        return InvokeOutcome(
            "init_error",
            platform_error("Sandbox.Timedout", message),
            "Sandbox.Timedout",
            duration_ms=timeout * 1000,
            log_lines=lines,
            init_failure=reason,
        )

    def _log_lines(
        self,
        request_id: str,
        version: str,
        doc: Params,
        outcome: InvokeOutcome,
        cold: bool,
        init_ms: float | None,
        timeout: float,
    ) -> list[tuple[int, str]]:
        now_ms = int(time.time() * 1000)
        # START carries the moment the event was handed over, so the function's own lines sort after it.
        started = outcome.started_ms or now_ms - int(outcome.duration_ms)
        lines: list[tuple[int, str]] = []
        phase = "init"
        retried = outcome.first_init is not None
        if outcome.first_init is not None:
            # The init that failed, then the retry at the invocation: its INIT_REPORT, if it fails too,
            # says "Phase: invoke" (as AWS's do: "INIT_REPORT Init Duration: 180000.45 ms Phase: invoke
            # Status: timeout", DataDog/datadog-lambda-extension#1237).
            first_ms, first_lines, first_error = outcome.first_init
            lines += first_lines
            at = max([t for t, _ in first_lines], default=started)
            first_status = f"error\tError Type: {first_error}" if first_error else "timeout"
            lines.append(
                (at, f"INIT_REPORT Init Duration: {first_ms:.2f} ms\tPhase: init\tStatus: {first_status}")
            )
            phase = "invoke"
        if cold and init_ms is not None and outcome.status == "init_error":
            lines += outcome.log_lines
            status = f"error\tError Type: {outcome.error_type}"
            if outcome.init_failure == "init_timeout":  # AWS's line names no error type then
                status = "timeout"
            lines.append(
                (started, f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: {phase}\tStatus: {status}")
            )
            outcome.log_lines = []
        lines += outcome.preamble
        lines.append((started, f"START RequestId: {request_id} Version: {version}"))
        if outcome.init_failure in ("entrypoint", "exit"):
            # The platform's own fault (a runtime that could not start, or exited, in its init), in the
            # invocation as AWS logs it: "RequestId: <id> Error: Couldn't find valid bootstrap(s):
            # [/var/task/bootstrap /opt/bootstrap]\nRuntime.InvalidEntrypoint", "RequestId: <id> Error:
            # Runtime exited with error: signal: segmentation fault\nRuntime.ExitError".
            fault = json.loads(outcome.payload)["errorMessage"]
            lines.append((started, f"{fault}\n{outcome.error_type}\n"))
        lines += outcome.log_lines
        if outcome.status == "timeout":
            lines.append(
                (now_ms, f"{_iso_ms(now_ms)} {request_id} Task timed out after {timeout:.2f} seconds")
            )
        lines.append((now_ms, f"END RequestId: {request_id}"))
        duration = outcome.duration_ms
        reported_init = reported_init_ms(outcome, cold, init_ms)
        billed = billed_ms(duration, reported_init)
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {doc['MemorySize']} MB\tMax Memory Used: {outcome.max_memory_mb} MB"
        )
        if reported_init is not None:
            report += f"\tInit Duration: {reported_init:.2f} ms"
        if outcome.status == "timeout" or (retried and outcome.init_failure == "init_timeout"):
            report += "\tStatus: timeout"
        elif outcome.status in ("exit", "init_error"):
            report += f"\tStatus: error\tError Type: {outcome.error_type}"
        lines.append((now_ms, report + "\t"))
        return lines

    # -- the operation ------------------------------------------------------------

    async def Invoke(self, ctx: RequestContext, p: Params) -> Params:
        # Another account's function, named by its ARN, runs in its own account: its policy let the caller in.
        ctx = in_owners_account(ctx, p["FunctionName"])
        account = ctx.account_id
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (account, ctx.region)
        # The ARN names a missing function; AWS's Invoke names an unqualified one as $LATEST.
        arn = function_arn(ctx.region, account, name, None if qualifier else "$LATEST")
        doc, executed = self.functions.resolve(scope, name, qualifier, arn, cached=True, routed=True)  # type: ignore[attr-defined]
        kind = p.get("InvocationType") or "RequestResponse"
        payload = p.get("Payload") or b""
        if isinstance(payload, str):
            payload = payload.encode()
        # Too large is refused before what it holds is read (413 whatever the bytes are).
        if kind == "Event" and len(payload) > ASYNC_PAYLOAD_LIMIT:
            raise _too_large_for_event(len(payload))
        if kind != "Event" and len(payload) > SYNC_PAYLOAD_LIMIT:  # DryRun too: the limit is the request's
            raise request_too_large(SYNC_PAYLOAD_LIMIT, "InvokeFunction")
        if payload:
            problem = payload_error(payload)
            if problem is not None:
                raise ServiceError("InvalidRequestContentException", problem, status=400, Type="User")
        else:
            payload = b"{}"  # no payload at all: the function's event is an empty object, as in AWS
        tenant = p.get("TenantId")
        check_tenant(doc, tenant)
        if kind == "DryRun":
            return {"StatusCode": 204}
        client_context = None
        if p.get("ClientContext"):
            try:
                client_context = base64.b64decode(p["ClientContext"], validate=True).decode()
                if not isinstance(json.loads(client_context), dict):
                    raise ValueError("not an object")
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
                raise ServiceError(
                    "InvalidRequestContentException",
                    "Client context must be a valid Base64-encoded JSON object.",
                    status=400,
                    Type="User",
                ) from exc
        if kind == "Event":
            self.enqueue(  # type: ignore[attr-defined]  # async_invoke.py
                account,
                ctx.region,
                name,
                qualifier,
                payload,
                request_id=ctx.request_id,
                tenant_id=tenant,
                trace_header=ctx.request.headers.get("x-amzn-trace-id"),
            )
            return {"StatusCode": 202, "Payload": b""}
        # The response's x-amzn-RequestId is the invocation's request id, as in the function's log.
        tail = p.get("LogType") == "Tail"
        outcome, _, log_text = await self.run(
            account,
            ctx.region,
            doc,
            executed,
            payload,
            client_context,
            request_id=ctx.request_id,
            log_text=tail,
            invoked_arn=function_arn(ctx.region, account, name, qualifier),
            tenant_id=tenant,
            trace_header=ctx.request.headers.get("x-amzn-trace-id"),
        )
        result: Params = {"StatusCode": 200, "ExecutedVersion": executed, "Payload": outcome.payload}
        if outcome.status != "success":
            result["FunctionError"] = "Unhandled"
        if tail:
            result["LogResult"] = base64.b64encode(log_text.encode()[-4096:]).decode()
        return result


def check_tenant(doc: Params, tenant: str | None) -> None:
    """A tenant-isolated function (TenancyConfig PER_TENANT) is invoked for a tenant, and only it is."""
    isolated = (doc.get("TenancyConfig") or {}).get("TenantIsolationMode") == "PER_TENANT"
    if isolated and not tenant:
        raise invalid_parameter(
            "TenantId is required to invoke a function with tenant isolation mode PER_TENANT."
        )
    if tenant and not isolated:
        raise invalid_parameter(
            "TenantId can only be provided for functions with tenant isolation mode enabled."
        )


def _init_start(region: str, runtime: str) -> str:
    """INIT_START with the runtime's version ("python:3.12.v1", "nodejs:20.v1", "provided:al2023.v1")."""
    return (
        f"INIT_START Runtime Version: {runtime_version(runtime)}\t"
        f"Runtime Version ARN: {runtime_version_arn(region, runtime)}"
    )


def _not_started(exc: OSError) -> ServiceError:
    """Lambda's answer when an execution environment's runtime could not be started."""
    return ServiceError("ServiceException", f"Could not start the execution environment: {exc}", status=500)
