"""What tests of function URLs share: one request to a URL as a client sends it, and the
resource policy a URL with AuthType NONE needs."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    url: str,
    method: str = "GET",
    target: str = "/",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    """One request to a function URL: to 127.0.0.1 on the URL's port, with the URL's Host."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(method, target, body=body, headers={"Host": parts.netloc, **(headers or {})})
        return Answer(connection.getresponse())
    finally:
        connection.close()


def make_public(lam: Any, name: str, qualifier: str | None = None) -> None:
    """What a NONE URL needs of the function's policy: InvokeFunctionUrl and InvokeFunction for "*"."""
    extra = {"Qualifier": qualifier} if qualifier else {}
    lam.add_permission(
        FunctionName=name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        **extra,
    )
    lam.add_permission(
        FunctionName=name,
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
        **extra,
    )
