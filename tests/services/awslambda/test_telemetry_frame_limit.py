"""The telemetry log channel holds no more of a record than CloudWatch keeps: a frame whose
header claims more than 256 KiB is stored cut at 256 KiB and the rest of it is dropped as it
arrives, so a function cannot grow the server's memory by claiming a huge frame and streaming.

awslambdaric takes `_LAMBDA_TELEMETRY_LOG_FD` out of the environment, so the function finds the
channel as the write end of a pipe other than its stdout's in /proc/self/fd.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke, log_messages, unique

MAX_EVENT = 262144
STREAMED = 16 * 2**20

STREAMS_A_HUGE_FRAME = f"""
import os, struct, time

def channel():
    stdout = os.readlink('/proc/self/fd/1')
    for name in os.listdir('/proc/self/fd'):
        try:
            target = os.readlink('/proc/self/fd/' + name)
            flags = open('/proc/self/fdinfo/' + name).read().split('flags:')[1].split()[0]
        except (OSError, IndexError):
            continue
        if int(name) > 2 and target.startswith('pipe:') and target != stdout and int(flags, 8) & 3 == 1:
            return int(name)

def handler(event, context):
    fd = channel()
    if fd is None:
        return 'no channel'
    # A text frame whose header claims 4 GiB, then {STREAMED} bytes of it.
    os.write(fd, struct.pack('>IIQ', 0xA55A0003, 0xFFFFFFFF, int(time.time() * 1e6)))
    block = b'x' * 65536
    for _ in range({STREAMED // 65536}):
        os.write(fd, block)
    return 'streamed'
"""


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_frame_claiming_4_gib_is_stored_cut_at_256_kib(functions: Functions, logs: Any) -> None:
    name = functions.python(STREAMS_A_HUGE_FRAME, timeout=60)
    result = invoke(functions.lam, name)
    assert result.payload == "streamed"
    events = log_messages(logs, f"/aws/lambda/{name}", "x" * 1000, wait=10)
    [cut] = [e for e in events if e.startswith("x")]
    # Stored as a text event, with the newline one ends with (as a stdout line cut there is).
    assert cut.removesuffix("\n") == "x" * MAX_EVENT


@pytest.fixture
def fresh() -> Iterator[tuple[ServerProcess, Functions]]:
    """A server of its own: memory freed by earlier tests, kept by the allocator, would hide growth."""
    proc = ServerProcess().start()
    iam: Any = proc.client("iam")
    role = iam.create_role(RoleName=unique("frames"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    made = Functions(proc.client("lambda"), role)
    yield proc, made
    made.cleanup()
    proc.stop()


def test_streaming_after_a_huge_frame_header_does_not_grow_the_servers_memory(
    fresh: tuple[ServerProcess, Functions],
) -> None:
    server, functions = fresh
    assert server.proc is not None
    name = functions.python(STREAMS_A_HUGE_FRAME, timeout=60)
    assert invoke(functions.lam, name).payload == "streamed"  # warm: the environment is up
    before = _rss_kib(server.proc.pid)
    assert invoke(functions.lam, name).payload == "streamed"
    grown = _rss_kib(server.proc.pid) - before
    # Held, the bytes streamed would be there still (the frame never ends); skipped, they are not.
    assert grown * 1024 < STREAMED // 2
