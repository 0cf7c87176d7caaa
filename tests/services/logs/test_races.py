"""Clients writing to and deleting one log group or stream at the same time, and the retention
sweep (a worker thread beside the server's loop) racing them: no acknowledged event is lost,
events read back in timestamp order, nothing outlives a deleted group or stream (a group or stream
created again under its name starts empty), and each racer gets CloudWatch Logs' documented answer,
never a 500."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.config import Settings
from pocketcloud.services import PROVIDERS
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.logs.events import END
from pocketcloud.services.logs.provider import LogsProvider
from pocketcloud.store import Store, open_store
from tests.conftest import ServerProcess
from tests.services.logs.support import DAY_MS, now_ms, unique
from tests.services.race_support import clients, code, race

PER_CALL = 20


def _events(logs: Any, group: str, stream: str) -> list[tuple[int, str]]:
    """Every event of a stream, oldest first, following the forward tokens to the end."""
    events: list[tuple[int, str]] = []
    token = None
    while True:
        extra: dict[str, str] = {"nextToken": token} if token else {}
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, **extra)
        events += [(e["timestamp"], e["message"]) for e in page["events"]]
        if page["nextForwardToken"] == token:
            return events
        token = page["nextForwardToken"]


def test_concurrent_puts_to_one_stream_keep_every_event_in_timestamp_order(
    endpoint: str, logs: Any, group: str
) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    base = now_ms() - 60_000
    racers = clients(endpoint, "logs")
    calls = 3

    def act(i: int, c: Any) -> Any:
        for n in range(calls):
            # Racers' timestamps interleave: racer i's events fall between the others'.
            stamps = [base + (n * PER_CALL + k) * len(racers) + i for k in range(PER_CALL)]
            c.put_log_events(
                logGroupName=group,
                logStreamName="s",
                logEvents=[{"timestamp": t, "message": f"r{i} c{n} e{k}"} for k, t in enumerate(stamps)],
            )

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    events = _events(logs, group, "s")
    assert len(events) == len(racers) * calls * PER_CALL
    assert len({m for _, m in events}) == len(events)  # none lost, none doubled
    assert [t for t, _ in events] == sorted(t for t, _ in events)
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (events[0][0], events[-1][0])


def test_delete_log_group_racing_puts_leaves_nothing_in_the_group_made_again(
    endpoint: str, logs: Any
) -> None:
    racers = clients(endpoint, "logs")
    for _ in range(3):
        name = unique("/pc/race")
        logs.create_log_group(logGroupName=name)
        for i in range(2, len(racers)):
            logs.create_log_stream(logGroupName=name, logStreamName=f"s{i}")

        def act(i: int, c: Any, name: str = name) -> Any:
            if i < 2:
                time.sleep(0.05 * i)  # a few puts land first
                return c.delete_log_group(logGroupName=name)
            for n in range(10):
                c.put_log_events(
                    logGroupName=name,
                    logStreamName=f"s{i}",
                    logEvents=[{"timestamp": now_ms(), "message": f"{i}-{n}"}],
                )
            return None

        results = race(racers, act)
        assert sorted(code(r) or "" for r in results[:2]) == ["", "ResourceNotFoundException"]
        assert {code(r) for r in results[2:]} <= {None, "ResourceNotFoundException"}
        logs.create_log_group(logGroupName=name)
        assert logs.describe_log_streams(logGroupName=name)["logStreams"] == []
        assert logs.filter_log_events(logGroupName=name)["events"] == []
        # A stream made again under an old name starts empty too.
        logs.create_log_stream(logGroupName=name, logStreamName="s2")
        assert _events(logs, name, "s2") == []
        logs.delete_log_group(logGroupName=name)


def test_delete_log_stream_racing_puts_leaves_nothing_in_the_stream_made_again(
    endpoint: str, logs: Any, group: str
) -> None:
    racers = clients(endpoint, "logs")
    for round_ in range(3):
        stream = f"s{round_}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)

        def act(i: int, c: Any, stream: str = stream) -> Any:
            if i == 0:
                time.sleep(0.05)
                return c.delete_log_stream(logGroupName=group, logStreamName=stream)
            for n in range(10):
                c.put_log_events(
                    logGroupName=group,
                    logStreamName=stream,
                    logEvents=[{"timestamp": now_ms(), "message": f"{i}-{n}"}],
                )
            return None

        results = race(racers, act)
        assert code(results[0]) is None
        assert {code(r) for r in results[1:]} <= {None, "ResourceNotFoundException"}
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        assert _events(logs, group, stream) == []
        streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)["logStreams"]
        assert [(s["logStreamName"], "firstEventTimestamp" in s) for s in streams] == [(stream, False)]


# -- the retention sweep ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweeping() -> Iterator[ServerProcess]:
    """A server whose retention worker sweeps every 50 ms."""
    proc = ServerProcess(env={"POCKETCLOUD_LOGS_RETENTION_SWEEP_SECONDS": "0.05"}).start()
    yield proc
    proc.stop()


def test_a_group_made_again_without_retention_keeps_its_old_events_under_the_sweep(
    sweeping: ServerProcess,
) -> None:
    logs: Any = sweeping.client("logs")
    # Other groups with a retention give each sweep work to do while the race goes on.
    for _ in range(20):
        other = unique("/pc/other")
        logs.create_log_group(logGroupName=other)
        logs.put_retention_policy(logGroupName=other, retentionInDays=1)
        logs.create_log_stream(logGroupName=other, logStreamName="s")
    name = unique("/pc/race")
    old = now_ms() - 2 * DAY_MS
    for _ in range(10):
        # One day of retention while the sweep reads the group; then the group is deleted and made
        # again without one, and takes two-day-old events, which nothing may delete now.
        logs.create_log_group(logGroupName=name)
        logs.put_retention_policy(logGroupName=name, retentionInDays=1)
        logs.create_log_stream(logGroupName=name, logStreamName="s")
        time.sleep(0.03)
        logs.delete_log_group(logGroupName=name)
        logs.create_log_group(logGroupName=name)
        logs.create_log_stream(logGroupName=name, logStreamName="s")
        logs.put_log_events(
            logGroupName=name,
            logStreamName="s",
            logEvents=[{"timestamp": old + k, "message": f"old {k}"} for k in range(5)],
        )
        time.sleep(0.15)  # a few sweeps
        assert [m for _, m in _events(logs, name, "s")] == [f"old {k}" for k in range(5)]
        logs.delete_log_group(logGroupName=name)


def test_a_sweep_holding_a_stale_retention_keeps_what_the_group_keeps_now() -> None:
    """The race above made certain, driving the provider in-process (as test_retention_worker.py
    does): the sweep thread read the group while it had a day of retention, and by the time it
    deletes, the group holds no retention (deleted and made again, or DeleteRetentionPolicy)."""
    settings = Settings()
    store: Store = open_store(None)
    runtime = ServiceRuntime(
        settings=settings, store=store, credentials=CredentialDirectory(settings), provider_paths=PROVIDERS
    )
    try:
        provider = LogsProvider(runtime)
        scope = ("000000000000", "us-east-1")
        provider.write_events(scope, "g", "s", [(now_ms() - 2 * DAY_MS, "two days old")])
        provider.pending.flush()
        group = provider.groups.get(scope, "g")
        assert group is not None
        stale = {**group, "retentionInDays": 1}  # what the sweep read
        assert provider._sweep_group(scope, "g", stale) == 0
        kept = [e["message"] for _, e in provider.log.read(scope, "g", "s", 0, END)]
        assert kept == ["two days old"]
    finally:
        store.close()
