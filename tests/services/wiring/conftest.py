"""Fixtures of the wiring tests: `first` (a server of its own on a data directory) and `restart`
(stop it, by SIGTERM or kill -9, and start another on the same directory and port)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ServerProcess


@pytest.fixture
def restart(tmp_path: Path) -> Iterator[Callable[[ServerProcess, str], ServerProcess]]:
    """Stop a server (SIGTERM or kill -9) and start a new one on the same data directory and port."""
    started: list[ServerProcess] = []

    def again(first: ServerProcess, how: str) -> ServerProcess:
        if how == "kill9":
            first.kill9()
        else:
            first.stop()
        second = ServerProcess(data_dir=tmp_path, env=first.env)
        second.port = first.port  # the same endpoint, so queue URLs and the like compare equal
        second.start()
        started.append(second)
        return second

    yield again
    for proc in started:
        proc.stop()


@pytest.fixture
def first(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(data_dir=tmp_path).start()
    yield proc
    proc.stop()

