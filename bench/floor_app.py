"""The floor: a bare ASGI app on uvicorn, answering a fixed STS reply.

    python -m bench.floor_app --port PORT

uvicorn runs with httptools, uvloop and no access log, as `pocketcloud.server.serve`
runs it, but with uvicorn's own ASGI protocol, where pocketcloud now uses its own
connection protocol (`gateway/connection.py`, cheaper per request). The app reads
the whole request body and answers 200 with a GetCallerIdentity response that
boto3 parses like the real one.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

REQUEST_ID = b"00000000-0000-4000-8000-000000000000"
BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><UserId>000000000000</UserId><Account>000000000000</Account>"
    b"<Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>" + REQUEST_ID + b"</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)
HEADERS = [
    (b"content-type", b"text/xml"),
    (b"x-amzn-requestid", REQUEST_ID),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more_body = True
    while more_body:
        message = await receive()
        more_body = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=args.port, loop="uvloop", http="httptools", lifespan="off",
        access_log=False, log_level="warning", server_header=False, date_header=True, timeout_keep_alive=60,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
