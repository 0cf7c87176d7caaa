"""What the race tests of every service share: racers released together by a barrier, each on its
own thread with its own boto3 client, and the AWS error code each got."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.conftest import make_client

THREADS = 12


def clients(endpoint: str, service: str, n: int = THREADS, **config: Any) -> list[Any]:
    # Made here, not in the racing threads: boto3's default session is not safe to share while it
    # creates clients.
    return [make_client(endpoint, service, **config) for _ in range(n)]


def race(racers: list[Any], act: Callable[[int, Any], Any]) -> list[Any]:
    """Run act(i, racers[i]) on one thread each, released together by a barrier: what each returned,
    or the ClientError it raised (anything else fails the test, naming the racer)."""
    barrier = threading.Barrier(len(racers))
    results: list[Any] = [None] * len(racers)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = act(i, racers[i])
        except ClientError as exc:
            results[i] = exc
        except Exception as exc:  # noqa: BLE001 - reported below, with the racer that hit it
            results[i] = AssertionError(f"racer {i}: {exc!r}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(racers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "a racer hung"
    for result in results:
        if isinstance(result, AssertionError):
            raise result
    return results


def code(result: Any) -> str | None:
    """The AWS error code of a racer's ClientError, which must be a 4xx (never a 500); None if the
    racer's call succeeded."""
    if not isinstance(result, ClientError):
        return None
    status = result.response["ResponseMetadata"]["HTTPStatusCode"]
    assert 400 <= status < 500, result.response
    return str(result.response["Error"]["Code"])
