"""Request parsers: an HTTP request → (operation, input parameters), one class per protocol.

The parameters come out as botocore would have taken them in: structures as
dicts keyed by member name, timestamps as aware datetimes, blobs as bytes, and
a streaming payload (S3 PutObject's Body) as the request's `Body`, unread.

    create_parser(service, protocol).parse(request) -> (OperationModel, dict)

Parsers for the five protocols of botocore's models: `query` and `ec2`
(form-encoded), `json` (X-Amz-Target), `rest-json` and `rest-xml` (routed by
the models' requestUri templates).
"""

from __future__ import annotations

from functools import cache

from pocketcloud.protocol.parsers.base import RequestParser
from pocketcloud.protocol.parsers.json import JsonParser
from pocketcloud.protocol.parsers.query import Ec2Parser, QueryParser
from pocketcloud.protocol.parsers.rest import RestJsonParser, RestXmlParser, S3Parser
from pocketcloud.protocol.parsers.sqs import SqsQueryParser
from pocketcloud.protocol.parsers.sqs_json import SqsJsonParser

_PARSERS: dict[str, type[RequestParser]] = {
    "query": QueryParser,
    "ec2": Ec2Parser,
    "json": JsonParser,
    "rest-json": RestJsonParser,
    "rest-xml": RestXmlParser,
}

# Services whose protocol has quirks of their own, as named subclasses.
_SERVICE_PARSERS: dict[tuple[str, str], type[RequestParser]] = {
    ("s3", "rest-xml"): S3Parser,
    ("sqs", "query"): SqsQueryParser,
    ("sqs", "json"): SqsJsonParser,
}


@cache
def create_parser(service: str, protocol: str) -> RequestParser:
    cls = _SERVICE_PARSERS.get((service, protocol)) or _PARSERS[protocol]
    return cls(service)


__all__ = ["RequestParser", "create_parser"]
