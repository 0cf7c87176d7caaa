"""Fixtures of the SQS tests: `sqs` (a boto3 client of the session server, json protocol),
`query` (the same server over the query protocol), `new_queue` (unique queues) and `two_accounts`
(clients of two accounts on a server of the test module's own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client
from tests.services.sqs.support import OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, QueryClient, unique


@pytest.fixture(scope="session")
def sqs(endpoint: str) -> Any:
    return make_client(endpoint, "sqs")


@pytest.fixture(scope="session")
def query(endpoint: str) -> QueryClient:
    return QueryClient(endpoint)


@pytest.fixture
def new_queue(sqs: Any) -> Iterator[Callable[..., str]]:
    """Creates queues with unique names (attributes as given) and deletes them after the test."""
    created: list[str] = []

    def create(prefix: str = "q", fifo: bool = False, **attributes: Any) -> str:
        name = unique(prefix) + (".fifo" if fifo else "")
        attrs = {k: str(v) for k, v in attributes.items()}
        if fifo:
            attrs["FifoQueue"] = "true"
        url: str = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        created.append(url)
        return url

    yield create
    for url in created:
        try:
            sqs.delete_queue(QueueUrl=url)
        except Exception:  # deleted by the test itself
            pass


@pytest.fixture(scope="module")
def two_accounts() -> Iterator[tuple[Any, Any]]:
    """(the root account's sqs client, OTHER_ACCOUNT's) on a server that knows both accounts."""
    server = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{OTHER_ACCOUNT}:{OTHER_KEY}:{OTHER_SECRET}"}).start()
    try:
        yield server.client("sqs"), make_client(server.endpoint, "sqs", key=OTHER_KEY, secret=OTHER_SECRET)
    finally:
        server.stop()
