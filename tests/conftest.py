"""Fixtures shared by every test: a real pocketcloud server on a free port, and clients for it.

Tests talk to the server over HTTP with real clients (boto3, the AWS CLI);
nothing in our own stack is mocked. `server` is one ephemeral server for the
whole session; `ServerProcess` starts extra ones (restarts, kill -9).
"""

from __future__ import annotations

import atexit
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.compat import HAS_CRT
from botocore.config import Config

ROOT_KEY = "test"
ROOT_SECRET = "test"
ROOT_ACCOUNT = "000000000000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """A `pocketcloud start` child process on its own port."""

    def __init__(self, data_dir: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.env = {**os.environ, "POCKETCLOUD_LOG_LEVEL": "warning", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        # The server's output goes to a file, never to a pipe nobody reads: a pipe's buffer fills
        # after 64 KiB, and the server would then block on its next log line.
        self.log_path = Path(tempfile.mkstemp(prefix="pocketcloud-", suffix=".log")[1])
        atexit.register(self.log_path.unlink, missing_ok=True)  # readable until the test run ends

    def log_text(self) -> str:
        """What the server has logged so far."""
        return self.log_path.read_text(errors="replace")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        args = [sys.executable, "-m", "pocketcloud", "start", "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir)] if self.data_dir else ["--ephemeral"]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pocketcloud exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_pocketcloud/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("pocketcloud did not become healthy in 20 s")

    def health(self) -> dict[str, object]:
        with urllib.request.urlopen(self.endpoint + "/_pocketcloud/health", timeout=5) as r:
            data: dict[str, object] = json.loads(r.read())
            return data

    def stop(self) -> int | None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def client(self, service: str, **kwargs: object) -> object:
        return make_client(self.endpoint, service, **kwargs)


def wait_for(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    """The first truthy answer of `check`, polled every 0.2 s; AssertionError after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


@contextmanager
def signing_clock(at: datetime.datetime) -> Iterator[None]:
    """botocore signs at `at` (naive UTC): its own signer, and the CRT's (used once awscrt is
    installed), which reads the clock through a reference of its own."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch("botocore.auth.get_current_datetime", return_value=at))
        if HAS_CRT:
            aware = at.replace(tzinfo=datetime.UTC)
            stack.enter_context(mock.patch("botocore.crt.auth.get_current_datetime", return_value=aware))
        yield


def make_client(endpoint: str, service: str, key: str = ROOT_KEY, secret: str = ROOT_SECRET,
                region: str = "us-east-1", token: str | None = None, **config: object):  # noqa: ANN201
    return boto3.client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=region,
        config=Config(retries={"total_max_attempts": 1}, **config),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess().start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def endpoint(server: ServerProcess) -> str:
    return server.endpoint


@pytest.fixture
def aws_env(endpoint: str) -> dict[str, str]:
    """Environment for running the AWS CLI against the test server."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ROOT_KEY,
        "AWS_SECRET_ACCESS_KEY": ROOT_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
