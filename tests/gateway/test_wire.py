"""HTTP/1.1 on the wire: what a client sees of each response on a raw keep-alive connection.

The server speaks HTTP/1.1 itself (gateway/connection.py) and writes each
response's head and body together; these tests pin down that every kind of
answer still arrives whole and in order: a body, a HEAD answer with none,
`100 Continue` before an upload's body, pipelined requests, chunked request
bodies, large bodies, and when the connection closes (HTTP/1.0, `Connection:
close`, a request that does not parse, a client that leaves mid-body).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_KEY, ROOT_SECRET, ServerProcess, make_client

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"


def _signed(
    endpoint: str, method: str, path: str, body: bytes, service: str, headers: dict[str, str]
) -> bytes:
    """The bytes of one SigV4-signed request (head and body)."""
    request = AWSRequest(method, endpoint + path, data=body, headers=headers)
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials(ROOT_KEY, ROOT_SECRET), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {urlsplit(endpoint).netloc}"]
    lines += [f"{name}: {value}" for name, value in prepared.headers.items() if name.lower() != "host"]
    if body and "Content-Length" not in prepared.headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _sts_request(endpoint: str) -> bytes:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return _signed(endpoint, "POST", "/", STS_BODY, "sts", headers)


class _Reader:
    """Reads HTTP/1.1 responses off a socket: the head, then as many body bytes as Content-Length says."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed")
        self.buffer += data

    def head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        raw, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers

    def body(self, length: int) -> bytes:
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def response(self, head_request: bool = False) -> tuple[int, dict[str, str], bytes]:
        status, headers = self.head()
        body = b"" if head_request else self.body(int(headers.get("content-length", "0")))
        return status, headers, body


@pytest.fixture
def conn(endpoint: str):
    address = urlsplit(endpoint)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        yield sock


def test_responses_on_one_keep_alive_connection_arrive_whole_and_in_order(endpoint: str, conn) -> None:
    reader = _Reader(conn)
    for _ in range(3):
        conn.sendall(_sts_request(endpoint))
        status, headers, body = reader.response()
        assert status == 200
        assert b"<GetCallerIdentityResponse" in body
        assert body.rstrip().endswith(b"</GetCallerIdentityResponse>")
        assert headers["x-amzn-requestid"]


def test_pipelined_requests_are_answered_in_order(endpoint: str, conn) -> None:
    # Two requests in one write: the second answer follows the first, each whole.
    request = _sts_request(endpoint)
    conn.sendall(request + request)
    reader = _Reader(conn)
    first, second = reader.response(), reader.response()
    assert first[0] == second[0] == 200
    assert first[1]["x-amzn-requestid"] != second[1]["x-amzn-requestid"]
    assert all(b"<Account>000000000000</Account>" in answer[2] for answer in (first, second))


def test_head_answer_carries_headers_only_and_the_connection_goes_on(endpoint: str, conn) -> None:
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-head")
    s3.put_object(Bucket="wire-head", Key="k", Body=b"0123456789")
    reader = _Reader(conn)
    sha = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    conn.sendall(_signed(endpoint, "HEAD", "/wire-head/k", b"", "s3", dict(sha)))
    status, headers, _ = reader.response(head_request=True)
    assert status == 200
    assert headers["content-length"] == "10"
    assert headers["etag"] == '"781e5e245d69b566979b86e28d23f2c7"'
    conn.sendall(_signed(endpoint, "GET", "/wire-head/k", b"", "s3", dict(sha)))
    status, _, body = reader.response()
    assert status == 200
    assert body == b"0123456789"


def test_expect_100_continue_is_answered_before_the_body_is_sent(endpoint: str, conn) -> None:
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-continue")
    body = b"x" * 1000
    headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Expect": "100-continue"}
    request = _signed(endpoint, "PUT", "/wire-continue/k", body, "s3", headers)
    head = request[: len(request) - len(body)]
    conn.sendall(head)
    reader = _Reader(conn)
    status, _ = reader.head()
    assert status == 100
    conn.sendall(body)
    status, headers, _ = reader.response()
    assert status == 200
    assert s3.get_object(Bucket="wire-continue", Key="k")["Body"].read() == body


def test_a_large_body_waiting_for_100_continue_is_refused_before_it_is_sent(endpoint: str, conn) -> None:
    # A refusal instead of 100 Continue spares the client sending what would be refused (a small
    # body, up to 256 KiB, is asked for at once and answered after it has arrived).
    body = b"x" * (300 * 1024)
    headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Expect": "100-continue"}
    request = _signed(endpoint, "PUT", "/wire-no-such-bucket/k", body, "s3", headers)
    head = request[: len(request) - len(body)]
    at = head.index(b"Signature=") + len(b"Signature=")
    head = head[:at] + (b"1" if head[at : at + 1] == b"0" else b"0") + head[at + 1 :]  # it does not match
    conn.sendall(head)
    status, _, answer = _Reader(conn).response()
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in answer


def test_a_client_still_sending_a_refused_body_reads_the_refusal_not_a_reset(endpoint: str, conn) -> None:
    """A PUT refused on its head (a signature that does not match), sent without Expect: the client
    writes its whole 32 MiB body after the refusal went out. The server shuts its side after the
    answer and drops the rest (a lingering close), so the writes succeed and the answer is read;
    closing with the body unread would make the kernel reset the connection under the client."""
    size = 32 * 1024 * 1024
    headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Content-Length": str(size)}
    request = _signed(endpoint, "PUT", "/wire-refused-upload/k", b"", "s3", headers)
    at = request.index(b"Signature=") + len(b"Signature=")
    request = request[:at] + (b"1" if request[at : at + 1] == b"0" else b"0") + request[at + 1 :]
    conn.sendall(request)
    time.sleep(0.2)  # the refusal is written before the body comes
    chunk = b"x" * (1024 * 1024)
    for _ in range(size // len(chunk)):
        conn.sendall(chunk)  # a reset would raise ConnectionResetError / BrokenPipeError here
    status, headers_in, answer = _Reader(conn).response()
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer
    assert headers_in["connection"] == "close"
    conn.settimeout(5)
    rest = b""
    while data := conn.recv(65536):  # then the end of the connection, without a reset
        rest += data
    assert rest == b""


def test_a_small_body_waiting_for_100_continue_is_asked_for_and_then_answered(endpoint: str, conn) -> None:
    body = b"x" * 1000
    headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Expect": "100-continue"}
    request = _signed(endpoint, "PUT", "/wire-no-such-bucket/k", body, "s3", headers)
    conn.sendall(request[: len(request) - len(body)])
    reader = _Reader(conn)
    assert reader.head()[0] == 100
    conn.sendall(body)
    status, _, answer = reader.response()
    assert status == 404
    assert b"<Code>NoSuchBucket</Code>" in answer


def _anonymous_put_head(endpoint: str, path: str, length: int) -> bytes:
    return (
        f"PUT {path} HTTP/1.1\r\nHost: {urlsplit(endpoint).netloc}\r\n"
        f"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
    ).encode()


def test_an_unsigned_body_waiting_for_100_continue_is_refused_before_it_is_sent(endpoint: str, conn) -> None:
    # ceph s3-tests' test_100_continue: an anonymous PUT to a private bucket reads 403, not 100.
    make_client(endpoint, "s3").create_bucket(Bucket="wire-continue-private")
    conn.sendall(_anonymous_put_head(endpoint, "/wire-continue-private/k", 123))
    status, _, answer = _Reader(conn).response()
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in answer


def test_an_unsigned_body_the_bucket_takes_is_asked_for_with_100_continue(endpoint: str, conn) -> None:
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-continue-public")
    s3.delete_public_access_block(Bucket="wire-continue-public")
    policy = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
        '"Action": "s3:PutObject", "Resource": "arn:aws:s3:::wire-continue-public/*"}]}'
    )
    s3.put_bucket_policy(Bucket="wire-continue-public", Policy=policy)
    conn.sendall(_anonymous_put_head(endpoint, "/wire-continue-public/k", 123))
    reader = _Reader(conn)
    assert reader.head()[0] == 100
    conn.sendall(b"x" * 123)
    assert reader.response()[0] == 200
    assert s3.get_object(Bucket="wire-continue-public", Key="k")["Body"].read() == b"x" * 123


def _closed(sock: socket.socket) -> bool:
    """Whether the server has closed the connection (it reads end-of-file)."""
    sock.settimeout(5)
    return sock.recv(1) == b""


def test_http_1_0_request_is_answered_and_the_connection_closed(endpoint: str, conn) -> None:
    request = _sts_request(endpoint).replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)
    conn.sendall(request)
    reader = _Reader(conn)
    status, headers, body = reader.response()
    assert status == 200
    assert b"<Account>000000000000</Account>" in body
    assert headers["connection"] == "close"
    assert reader.buffer == b"" and _closed(conn)


def test_connection_close_from_the_client_is_honoured_after_the_answer(endpoint: str, conn) -> None:
    request = _sts_request(endpoint).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
    conn.sendall(request)
    reader = _Reader(conn)
    status, headers, _ = reader.response()
    assert status == 200
    assert headers["connection"] == "close"
    assert reader.buffer == b"" and _closed(conn)


def test_a_request_that_is_not_http_gets_400_and_the_connection_closes(conn) -> None:
    conn.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
    reader = _Reader(conn)
    status, headers, body = reader.response()
    assert status == 400
    assert b"<Code>BadRequest</Code><Message>An error occurred when parsing the HTTP request.</Message>" in body
    assert _closed(conn)


def test_chunked_request_body_is_read_whole(endpoint: str, conn) -> None:
    request = _sts_request(endpoint)
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    conn.sendall(b"\r\n".join([*lines, b"Transfer-Encoding: chunked"]) + b"\r\n\r\n" + framed)
    reader = _Reader(conn)
    status, _, answer = reader.response()
    assert status == 200
    assert b"<Account>000000000000</Account>" in answer
    conn.sendall(_sts_request(endpoint))  # and the connection goes on
    assert reader.response()[0] == 200


def test_trailer_fields_of_a_chunked_body_do_not_change_the_request_headers(endpoint: str, conn) -> None:
    # An HTTP trailer is not a header of the request already parsed: one named as a signed header
    # (here X-Amz-Date) left the signature that was checked alone, and does not break it.
    request = _sts_request(endpoint)
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
    framed = b"%x\r\n%s\r\n0\r\nX-Amz-Date: 20000101T000000Z\r\n\r\n" % (len(body), body)
    conn.sendall(b"\r\n".join([*lines, b"Transfer-Encoding: chunked"]) + b"\r\n\r\n" + framed)
    status, _, answer = _Reader(conn).response()
    assert status == 200
    assert b"<Account>000000000000</Account>" in answer


def test_a_large_body_arrives_whole_and_the_connection_goes_on(endpoint: str, conn) -> None:
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-large")
    data = bytes(range(256)) * 1024  # 256 KiB, beyond what is written in one piece with the head
    s3.put_object(Bucket="wire-large", Key="k", Body=data)
    reader = _Reader(conn)
    sha = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    for _ in range(2):
        conn.sendall(_signed(endpoint, "GET", "/wire-large/k", b"", "s3", dict(sha)))
        status, headers, body = reader.response()
        assert status == 200
        assert headers["content-length"] == str(len(data))
        assert body == data


def test_a_client_leaving_mid_body_stores_nothing_and_the_server_goes_on(endpoint: str) -> None:
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-left")
    address = urlsplit(endpoint)
    body = b"y" * 100_000
    headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    request = _signed(endpoint, "PUT", "/wire-left/k", body, "s3", headers)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(request[: len(request) - len(body) + 1000])  # the head and a little of the body
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(_sts_request(endpoint))
        assert _Reader(sock).response()[0] == 200
    assert s3.list_objects_v2(Bucket="wire-left").get("KeyCount") == 0


def test_a_client_leaving_mid_answer_is_no_server_error(server: ServerProcess, endpoint: str) -> None:
    """A client that closes its connection part way through a large GET (a download cancelled, a
    ranged reader that had enough) is ordinary: the server stops sending, logs no error, and goes on."""
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-left-answer")
    s3.put_object(Bucket="wire-left-answer", Key="k", Body=b"z" * 8 * 1024 * 1024)
    request = _signed(
        endpoint, "GET", "/wire-left-answer/k", b"", "s3", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    )
    address = urlsplit(endpoint)
    logged_before = server.log_text()
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(request)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(_sts_request(endpoint))
        assert _Reader(sock).response()[0] == 200
    time.sleep(0.5)  # the abandoned answer's task has ended by now
    logged = server.log_text()[len(logged_before) :]
    assert "ERROR" not in logged, logged


def test_a_request_that_does_not_parse_after_a_good_one_is_answered_400_after_it(endpoint: str, conn) -> None:
    conn.sendall(_sts_request(endpoint) + b"NOT HTTP\r\n\r\n")
    reader = _Reader(conn)
    assert reader.response()[0] == 200
    status, _, body = reader.response()
    assert status == 400 and b"<Code>BadRequest</Code>" in body
    assert _closed(conn)


def test_broken_chunk_framing_in_a_body_is_answered_400_and_the_connection_closed(
    endpoint: str, conn
) -> None:
    head, _, _ = _sts_request(endpoint).partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
    conn.sendall(b"\r\n".join([*lines, b"Transfer-Encoding: chunked"]) + b"\r\n\r\nzz\r\nnot a chunk\r\n")
    status, headers, _ = _Reader(conn).response()
    assert status == 400
    assert headers["connection"] == "close"
    assert _closed(conn)


def test_an_http_1_0_client_gets_no_100_continue(endpoint: str, conn) -> None:
    request = _sts_request(endpoint).replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)
    head, _, body = request.partition(b"\r\n\r\n")
    conn.sendall(head + b"\r\nExpect: 100-continue\r\n\r\n")
    time.sleep(0.3)  # time for a 100 Continue to come back, if the server (wrongly) sent one
    conn.sendall(body)
    status, _, answer = _Reader(conn).response()
    assert status == 200
    assert b"<Account>000000000000</Account>" in answer


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_answers_a_client_does_not_read_wait_for_it_rather_than_pile_up(
    server: ServerProcess, endpoint: str
) -> None:
    # 600 pipelined GETs of a 48 KiB object, none of the answers read: 28 MiB of answers. The server
    # must stop reading requests while its answers cannot be written, not hold them all in memory.
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="wire-unread")
    s3.put_object(Bucket="wire-unread", Key="k", Body=b"z" * 48 * 1024)
    request = _signed(
        endpoint, "GET", "/wire-unread/k", b"", "s3", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    )
    assert server.proc is not None
    before = _rss_mib(server.proc.pid)
    address = urlsplit(endpoint)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.settimeout(2)
        try:
            for _ in range(600):
                sock.sendall(request)
        except TimeoutError:
            pass  # the server stopped reading: as it should
        time.sleep(1)  # whatever the server would still do with what it has read
        grown = _rss_mib(server.proc.pid) - before
    assert grown < 12, f"server memory grew by {grown:.1f} MiB"


def test_a_body_that_stops_arriving_is_answered_request_timeout_and_the_connection_closed() -> None:
    # S3 closes an upload that sends nothing for about 20 s; this server waits 1 s.
    server = ServerProcess(env={"POCKETCLOUD_BODY_IDLE_SECONDS": "1"}).start()
    try:
        s3 = make_client(server.endpoint, "s3")
        s3.create_bucket(Bucket="wire-idle")
        body = b"q" * 1000
        headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
        request = _signed(server.endpoint, "PUT", "/wire-idle/k", body, "s3", headers)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(request[: len(request) - len(body) + 10])  # 10 of the 1,000 bytes declared
            status, headers_back, answer = _Reader(sock).response()
            assert status == 400
            assert b"<Code>RequestTimeout</Code>" in answer
            assert headers_back["connection"] == "close"
            assert _closed(sock)
        assert s3.list_objects_v2(Bucket="wire-idle")["KeyCount"] == 0

        # A body that keeps arriving, each piece within the idle time, is read whole however long
        # it takes in all (a small body is read whole before its request is answered).
        request = _signed(server.endpoint, "PUT", "/wire-idle/slow", body, "s3", headers)
        head = request[: len(request) - len(body)]
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(head)
            for start in range(0, len(body), 200):  # 1.5 s in all, a piece every 0.3 s
                time.sleep(0.3)
                sock.sendall(body[start : start + 200])
            status, _, _ = _Reader(sock).response()
            assert status == 200
        assert s3.get_object(Bucket="wire-idle", Key="slow")["Body"].read() == body
    finally:
        server.stop()
