"""Environments of each function revision: warm reuse, concurrency limits, idle reaping.

An environment serves one invocation at a time. A warm idle one is reused
(module-level code ran once); otherwise a new one is started (a cold start,
with Init Duration). One whose runtime timed out, crashed or outgrew its memory
is kept, and its next invocation starts the runtime again first (AWS's reset
and "suppressed init", in the same environment, with the same /tmp); one whose
init failed is discarded. Idle environments are stopped after `idle_seconds`,
and all of them when the server stops. At most `max_idle` are kept idle at once: a cold start
beyond that first stops the one unused longest (a tenant-isolated function has environments
for every tenant its callers name, and each is a process of its own).

A function's reserved concurrency holds its provisioned concurrency too: an invocation of a
provisioned version or alias takes one of that qualifier's provisioned executions while one is
free, and every other invocation shares what the reservation leaves beyond all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pocketcloud.lambda_runtime.environment import EnvironmentSpec, ExecutionEnvironment


class ConcurrencyExceeded(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Revision:
    idle: list[ExecutionEnvironment] = field(default_factory=list)
    busy: int = 0
    retired: bool = False  # its code or configuration changed: environments finishing now are stopped


class EnvironmentPool:
    def __init__(self, account_limit: int, idle_seconds: float, max_idle: int = 64) -> None:
        self.account_limit = account_limit
        self.idle_seconds = idle_seconds
        self.max_idle = max(1, max_idle)
        self._revisions: dict[str, _Revision] = {}
        self._busy_by_function: dict[str, int] = {}
        self._busy_total = 0
        # Busy provisioned executions: by provisioned qualifier key, by function, and whose each one is.
        self._busy_provisioned: dict[str, int] = {}
        self._provisioned_by_function: dict[str, int] = {}
        self._claims: dict[ExecutionEnvironment, str] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._all: set[ExecutionEnvironment] = set()
        self._stopping: set[asyncio.Task[None]] = set()  # idle environments `_make_room` is stopping

    def start(self) -> None:
        if self._reaper is None:
            self._reaper = asyncio.create_task(self._reap())

    async def acquire(
        self,
        revision: str,
        function: str,
        reserved: int | None,
        make_spec: Callable[[], EnvironmentSpec],
        make_base_env: Callable[[], dict[str, str]],
        provisioned: tuple[str, int, int] | None = None,
    ) -> tuple[ExecutionEnvironment, bool]:
        """An environment for one invocation: (environment, is it a cold start).

        `make_spec` and `make_base_env` are called for a cold start only: the environment's
        credentials are issued once, when it starts, not on every invocation. `provisioned`,
        for a function with a reservation: (the invoked qualifier's key, its provisioned
        executions, the function's provisioned executions in all).
        """
        busy_here = self._busy_by_function.get(function, 0)
        claim = self._provisioned_claim(function, reserved, busy_here, provisioned)
        if self._busy_total >= self.account_limit:
            raise ConcurrencyExceeded("ConcurrentInvocationLimitExceeded")
        slot = self._revisions.setdefault(revision, _Revision())
        slot.retired = False
        slot.busy += 1
        self._busy_by_function[function] = busy_here + 1
        self._busy_total += 1
        if claim is not None:
            self._busy_provisioned[claim] = self._busy_provisioned.get(claim, 0) + 1
            self._provisioned_by_function[function] = self._provisioned_by_function.get(function, 0) + 1
        while slot.idle:
            env = slot.idle.pop()
            if _reusable(env):
                self._note_claim(env, claim)
                return env, False
            self._all.discard(env)
            await env.kill()
        self._make_room()
        try:
            env = ExecutionEnvironment(make_spec(), make_base_env())
        except BaseException:
            self._release_counts(revision, function, claim)
            raise
        self._all.add(env)
        try:
            await env.start()
        except BaseException:
            self._release_counts(revision, function, claim)
            self._all.discard(env)
            await env.kill()
            raise
        self._note_claim(env, claim)
        return env, True

    def _make_room(self) -> None:
        """Before a cold start: while `max_idle` are idle, the one unused longest is taken out of use
        at once and stopped beside the invocation (its SIGTERM may take up to half a second)."""
        idle = [(env.last_used, id(env), slot, env) for slot in self._revisions.values() for env in slot.idle]
        if len(idle) < self.max_idle:
            return
        idle.sort(key=lambda item: item[:2])
        for _, _, slot, env in idle[: len(idle) - self.max_idle + 1]:
            slot.idle.remove(env)
            self._all.discard(env)
            task = asyncio.get_running_loop().create_task(env.shutdown())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    def _provisioned_claim(
        self, function: str, reserved: int | None, busy_here: int, provisioned: tuple[str, int, int] | None
    ) -> str | None:
        """The provisioned key an invocation runs under (None: on demand), or ConcurrencyExceeded."""
        if reserved is None:
            return None
        if provisioned is None:
            if busy_here >= reserved:
                raise ConcurrencyExceeded("ReservedFunctionConcurrentInvocationLimitExceeded")
            return None
        key, here, total = provisioned
        if self._busy_provisioned.get(key, 0) < here:
            return key
        # On demand: what the reservation leaves beyond all provisioned executions ($LATEST gets
        # nothing when they take the whole reservation, as in AWS).
        on_demand = busy_here - self._provisioned_by_function.get(function, 0)
        if on_demand >= reserved - total:
            raise ConcurrencyExceeded("ReservedFunctionConcurrentInvocationLimitExceeded")
        return None

    def _note_claim(self, env: ExecutionEnvironment, claim: str | None) -> None:
        if claim is not None:
            self._claims[env] = claim

    def _release_counts(self, revision: str, function: str, claim: str | None = None) -> None:
        slot = self._revisions.get(revision)
        if slot is not None:
            slot.busy = max(0, slot.busy - 1)
        self._busy_by_function[function] = max(0, self._busy_by_function.get(function, 1) - 1)
        self._busy_total = max(0, self._busy_total - 1)
        if claim is not None:
            self._busy_provisioned[claim] = max(0, self._busy_provisioned.get(claim, 1) - 1)
            self._provisioned_by_function[function] = max(0, self._provisioned_by_function.get(function, 1) - 1)

    async def release(self, revision: str, function: str, env: ExecutionEnvironment) -> None:
        self._release_counts(revision, function, self._claims.pop(env, None))
        slot = self._revisions.setdefault(revision, _Revision())
        if slot.retired or not _reusable(env):
            self._all.discard(env)
            await (env.shutdown() if slot.retired and not env.dead else env.kill())
            return
        env.last_used = time.monotonic()
        slot.idle.append(env)

    async def retire(self, prefix: str) -> None:
        """Stop the idle environments of every revision starting with `prefix` (code or config changed)."""
        for revision in [r for r in self._revisions if r.startswith(prefix)]:
            slot = self._revisions.get(revision)
            if slot is None:  # the reaper forgot it while an environment before it shut down
                continue
            slot.retired = True
            idle, slot.idle = slot.idle, []
            for env in idle:
                self._all.discard(env)
                await env.shutdown()

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(min(5.0, max(0.2, self.idle_seconds / 4)))
            cutoff = time.monotonic() - self.idle_seconds
            # A copy: invocations add revisions while an environment shuts down.
            for revision, slot in list(self._revisions.items()):
                stale = [env for env in slot.idle if env.last_used < cutoff]
                slot.idle = [env for env in slot.idle if env.last_used >= cutoff]
                for env in stale:
                    self._all.discard(env)
                    await env.shutdown()
                if not slot.idle and not slot.busy and self._revisions.get(revision) is slot:
                    # Nothing of it left: forgotten, or revisions (a tenant-isolated function's, one
                    # per tenant the callers name) would pile up for as long as the server runs.
                    del self._revisions[revision]

    async def close(self) -> None:
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        for slot in self._revisions.values():
            idle, slot.idle = slot.idle, []
            for env in idle:
                await env.shutdown()
        for env in list(self._all):
            await env.kill()
        self._all.clear()


def _reusable(env: ExecutionEnvironment) -> bool:
    """A live environment, or one whose runtime ended and starts again with the next invocation, its
    /tmp kept (Lambda's reset): one that ended in an invocation, and one that ended after answering
    (a Node.js runtime exits on an uncaught exception from a timer), which the invocation finds gone
    before it takes the event (invoke.py's `not_taken`). Taking the latter out of use instead made
    the next event's fresh environment depend on whether its exit had been seen yet."""
    if env.dead:
        return False
    return env.needs_init or env.process is not None
