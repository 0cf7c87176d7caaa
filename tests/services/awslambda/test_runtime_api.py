"""The Runtime API as a runtime of its own speaks it: a provided.al2023 bootstrap on raw sockets.

Its requests arrive in pieces (a head split in two, a response body sent chunked,
chunk by chunk) as real HTTP clients may send them; the server must put each
request together. A post for a request id that is not the current invocation's
is refused (400) and an unknown path is 404, without disturbing the invocation.
"""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions, invoke

RAW_BOOTSTRAP = r"""#!/usr/bin/env python3
import json, os, socket, time

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
sock = socket.create_connection((host, int(port)))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
reader = sock.makefile("rb")
API = "/2018-06-01/runtime"


def send(*pieces):
    for piece in pieces:
        sock.sendall(piece)
        time.sleep(0.01)  # each piece its own segment


def answer():
    status = int(reader.readline().split()[1])
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", 0)))


while True:
    send(f"GET {API}/invocation/next HTTP/1.1\r\nHost: api\r\n".encode(), b"\r\n")
    _, headers, body = answer()
    request_id = headers["lambda-runtime-aws-request-id"]
    event = json.loads(body)
    seen = {}
    if event.get("probe"):
        send(f"POST {API}/invocation/not-{request_id}/response HTTP/1.1\r\nHost: api\r\n"
             "Content-Length: 2\r\n\r\n{}".encode())
        status, _, body = answer()
        seen["other id"] = [status, json.loads(body).get("errorType")]
        send(f"GET {API}/no/such/thing HTTP/1.1\r\nHost: api\r\n\r\n".encode())
        seen["unknown path"] = answer()[0]
    payload = json.dumps({"echo": event, "seen": seen}).encode()
    half = len(payload) // 2
    send(f"POST {API}/invocation/{request_id}/response HTTP/1.1\r\nHost: api\r\n"
         "Transfer-Encoding: chunked\r\n\r\n".encode(),
         b"%x\r\n" % half + payload[:half] + b"\r\n",
         b"%x\r\n" % (len(payload) - half) + payload[half:] + b"\r\n",
         b"0\r\n\r\n")
    assert answer()[0] == 202
"""


def test_requests_sent_in_pieces_and_chunked_responses_are_understood(functions: Functions, lam: Any) -> None:
    name = functions.create({"bootstrap": RAW_BOOTSTRAP}, runtime="provided.al2023", handler="unused")
    for n in range(3):  # warm invocations on the same connection, too
        result = invoke(lam, name, {"n": n})
        assert result.function_error is None, result.raw
        assert result.payload == {"echo": {"n": n}, "seen": {}}


def test_a_post_for_another_request_id_is_refused_and_an_unknown_path_is_404(
    functions: Functions, lam: Any
) -> None:
    name = functions.create({"bootstrap": RAW_BOOTSTRAP}, runtime="provided.al2023", handler="unused")
    result = invoke(lam, name, {"probe": True})
    assert result.function_error is None, result.raw
    assert result.payload["seen"] == {"other id": [400, "InvalidRequestID"], "unknown path": 404}
    assert invoke(lam, name, {"after": 1}).payload == {"echo": {"after": 1}, "seen": {}}


PIPELINING_BOOTSTRAP = r"""#!/usr/bin/env python3
import json, os, socket

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
sock = socket.create_connection((host, int(port)))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
reader = sock.makefile("rb")
API = "/2018-06-01/runtime"
NEXT = f"GET {API}/invocation/next HTTP/1.1\r\nHost: api\r\n\r\n".encode()


def answer():
    status = int(reader.readline().split()[1])
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", 0)))


sock.sendall(NEXT)
answered = 0
while True:
    status, headers, body = answer()
    assert status == 200, status
    request_id = headers["lambda-runtime-aws-request-id"]
    payload = json.dumps({"echo": json.loads(body), "answered before": answered}).encode()
    # The answer and the next `next` in one write: HTTP/1.1 pipelining.
    sock.sendall(f"POST {API}/invocation/{request_id}/response HTTP/1.1\r\nHost: api\r\n"
                 f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload + NEXT)
    assert answer()[0] == 202  # the answer's 202 comes first, then the next event
    answered += 1
"""


def test_a_runtime_that_pipelines_its_next_request_gets_each_202_and_then_the_event(
    functions: Functions, lam: Any
) -> None:
    name = functions.create({"bootstrap": PIPELINING_BOOTSTRAP}, runtime="provided.al2023", handler="unused")
    for n in range(3):
        result = invoke(lam, name, {"n": n})
        assert result.function_error is None, result.raw
        assert result.payload == {"echo": {"n": n}, "answered before": n}
