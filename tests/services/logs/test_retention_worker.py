"""The logs-retention worker deletes events once they are older than their group's retention.

Aging takes days, so instead of moving a server's clock this drives the provider
in-process, on a real (ephemeral) store: events are written with old timestamps
through `write_events` (Lambda's path, which does not refuse old events), the
group gets a retention, and the worker started by `start()` must delete the old
events from the store, not merely hide them (reads hide them already; the HTTP
tests in test_events cover that and PutRetentionPolicy's own sweep).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.config import Settings
from pocketcloud.services import PROVIDERS
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.logs.events import END
from pocketcloud.services.logs.provider import LogsProvider
from pocketcloud.store import Store, open_store

SCOPE = ("000000000000", "us-east-1")
DAY_MS = 86_400_000


@pytest.fixture
def provider() -> Iterator[LogsProvider]:
    settings = Settings()
    settings.logs_retention_sweep_seconds = 0.01
    store: Store = open_store(None)
    runtime = ServiceRuntime(settings=settings, store=store, credentials=CredentialDirectory(settings),
                             provider_paths=PROVIDERS)
    yield LogsProvider(runtime)
    store.close()


def stored(provider: LogsProvider, group: str, stream: str) -> list[str]:
    return [e["message"] for _, e in provider.log.read(SCOPE, group, stream, 0, END)]


def with_retention(provider: LogsProvider, group: str, days: int) -> None:
    doc = provider.groups.get(SCOPE, group)
    assert doc is not None
    provider.groups.put(SCOPE, group, {**doc, "retentionInDays": days})


def test_sweep_deletes_only_events_past_the_retention(provider: LogsProvider) -> None:
    now = int(time.time() * 1000)
    provider.write_events(SCOPE, "g", "s", [(now - 3 * DAY_MS - 60_000, "three days"), (now - 2 * DAY_MS, "two days"), (now, "now")])
    provider.write_events(SCOPE, "kept", "s", [(now - 3 * DAY_MS, "no retention here")])
    with_retention(provider, "g", 3)
    assert provider.sweep_expired() == 1
    assert stored(provider, "g", "s") == ["two days", "now"]
    with_retention(provider, "g", 1)
    assert provider.sweep_expired() == 1
    assert stored(provider, "g", "s") == ["now"]
    assert stored(provider, "kept", "s") == ["no retention here"]
    assert provider.sweep_expired() == 0


def test_the_named_worker_runs_the_sweep_until_stopped(provider: LogsProvider) -> None:
    now = int(time.time() * 1000)
    provider.write_events(SCOPE, "g", "s", [(now - 10 * DAY_MS, "old"), (now, "new")])

    async def scenario() -> list[str]:
        await provider.start()
        assert any(t.get_name() == "logs-retention" for t in asyncio.all_tasks())
        with_retention(provider, "g", 7)  # the retention arrives after the worker started
        deadline = time.monotonic() + 5
        while stored(provider, "g", "s") != ["new"] and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await provider.stop()
        assert not any(t.get_name() == "logs-retention" for t in asyncio.all_tasks())
        return stored(provider, "g", "s")

    assert asyncio.run(scenario()) == ["new"]
