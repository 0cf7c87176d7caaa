"""Helpers for the SQS tests: unique queue names, the AWS error a call answered with, the MD5
digests SQS must return (computed here independently, from the Developer Guide's algorithm), and
a client that speaks the old query protocol (signed form posts, XML answers)."""

from __future__ import annotations

import hashlib
import json
import struct
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ROOT_KEY, ROOT_SECRET

# The second account of the `two_accounts` fixture's server.
OTHER_ACCOUNT = "111111111111"
OTHER_KEY, OTHER_SECRET = "AKIAOTHERACCOUNT0001", "other-account-secret"

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def unique(prefix: str = "q") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the AWS error a call must answer with."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    error = info.value.response
    return (
        error["Error"]["Code"],
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"].get("Message", ""),
    )


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def md5_of_attributes(attributes: dict[str, Any]) -> str:
    """The MD5OfMessageAttributes algorithm, written from the SQS Developer Guide, not from our code."""
    buffer = b""
    for name in sorted(attributes):
        value = attributes[name]
        for text in (name, value["DataType"]):
            data = text.encode("utf-8")
            buffer += struct.pack(">I", len(data)) + data
        if "StringValue" in value:
            data = value["StringValue"].encode("utf-8")
            buffer += b"\x01" + struct.pack(">I", len(data)) + data
        else:
            data = value["BinaryValue"]
            buffer += b"\x02" + struct.pack(">I", len(data)) + data
    return hashlib.md5(buffer).hexdigest()


class QueryClient:
    """SQS over the query protocol, as SDKs before the json protocol spoke it."""

    def __init__(
        self, endpoint: str, key: str = ROOT_KEY, secret: str = ROOT_SECRET, region: str = "us-east-1"
    ) -> None:
        self.endpoint = endpoint
        self.credentials = Credentials(key, secret)
        self.region = region

    def call(self, action: str, path: str = "/", **params: str) -> tuple[int, ET.Element]:
        """(status, root element) of a signed `Action=...` form post."""
        body = urllib.parse.urlencode({"Action": action, "Version": "2012-11-05", **params})
        request = AWSRequest(
            method="POST",
            url=self.endpoint + path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(self.credentials, "sqs", self.region).add_auth(request)
        raw = urllib.request.Request(
            request.url, data=body.encode(), headers=dict(request.headers), method="POST"
        )
        try:
            with urllib.request.urlopen(raw, timeout=30) as response:
                return response.status, ET.fromstring(response.read())
        except urllib.error.HTTPError as error:
            return error.code, ET.fromstring(error.read())

    def raw(
        self,
        method: str,
        path: str = "/",
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """(status, body text) of a signed request with `params` in the URL, as a browser or curl sends it."""
        url = self.endpoint + path + ("?" + urllib.parse.urlencode(params) if params else "")
        request = AWSRequest(method=method, url=url, headers=headers or {})
        SigV4Auth(self.credentials, "sqs", self.region).add_auth(request)
        raw = urllib.request.Request(request.url, headers=dict(request.headers), method=method)
        try:
            with urllib.request.urlopen(raw, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def json(
        self, action: str | None, path: str = "/", method: str = "POST", **params: str
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, body: its JSON, else its text) of a signed query request that asks for a
        JSON answer (`Accept: application/json`); a GET carries the parameters in its URL."""
        form = urllib.parse.urlencode({**({"Action": action} if action else {}), "Version": "2012-11-05", **params})
        url = self.endpoint + path + ("?" + form if method == "GET" else "")
        headers = {"Accept": "application/json"}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        request = AWSRequest(method=method, url=url, data=form if method == "POST" else None, headers=headers)
        SigV4Auth(self.credentials, "sqs", self.region).add_auth(request)
        raw = urllib.request.Request(
            request.url, data=form.encode() if method == "POST" else None, headers=dict(request.headers),
            method=method,
        )
        try:
            with urllib.request.urlopen(raw, timeout=30) as response:
                status, answer, body = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, answer, body = error.code, dict(error.headers), error.read()
        answer = {name.lower(): value for name, value in answer.items()}
        if answer.get("content-type") == "application/json":
            return status, answer, json.loads(body)
        return status, answer, body.decode()

    def ok(self, action: str, path: str = "/", **params: str) -> ET.Element:
        status, root = self.call(action, path, **params)
        assert status == 200, ET.tostring(root)
        return root


def find(element: ET.Element, path: str) -> ET.Element:
    found = element.find(_qualify(path))
    assert found is not None, f"{path} not in {ET.tostring(element)!r}"
    return found


def find_all(element: ET.Element, path: str) -> list[ET.Element]:
    return element.findall(_qualify(path))


def text(element: ET.Element, path: str) -> str:
    return find(element, path).text or ""


def _qualify(path: str) -> str:
    return "/".join(part if part in (".", "..") else NS + part for part in path.split("/"))
