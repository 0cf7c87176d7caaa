"""A thread-safe cache of compiled per-shape plans (writers, converters) that copes with recursive shapes.

A plan is built once, on first use, and then read without locking. Shapes can
be recursive (a DynamoDB AttributeValue holds a list of AttributeValues), so
while a plan is being built, a nested request for the same key gets a
*trampoline* that calls the finished plan once it exists. Plans made during a
build are published only when the outermost build completes: before that,
they may hold trampolines whose target is not there yet, and another thread
must not pick them up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Plan = TypeVar("Plan")


class PlanCache(Generic[Plan]):
    def __init__(self, trampoline: Callable[[Callable[[], Plan]], Plan]) -> None:
        """`trampoline(resolve)` makes a stand-in plan that defers to `resolve()` when run."""
        self._trampoline = trampoline
        self._plans: dict[Hashable, Plan] = {}
        self._pending: dict[Hashable, Plan] = {}
        self._building: dict[Hashable, Plan] = {}
        self._lock = threading.RLock()
        self._depth = 0

    def get(self, key: Hashable, build: Callable[[], Plan]) -> Plan:
        try:
            return self._plans[key]
        except KeyError:
            pass
        with self._lock:
            for table in (self._plans, self._pending, self._building):
                if key in table:
                    return table[key]
            cell: list[Plan] = []
            self._building[key] = self._trampoline(lambda: cell[0])
            self._depth += 1
            try:
                plan = build()
            except BaseException:
                if self._depth == 1:  # plans made so far may point at this failed one
                    self._pending.clear()
                raise
            finally:
                self._depth -= 1
                del self._building[key]
            cell.append(plan)
            self._pending[key] = plan
            if self._depth == 0:
                self._plans.update(self._pending)
                self._pending.clear()
            return plan
