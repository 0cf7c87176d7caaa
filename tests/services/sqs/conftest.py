"""Fixtures of the SQS tests: `sqs` (a boto3 client of the session server, json protocol),
`query` (the same server over the query protocol) and `new_queue` (unique queues)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.sqs.support import QueryClient, unique


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
