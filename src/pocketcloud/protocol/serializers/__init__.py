"""Model-driven response serializers: a provider's output dict or ServiceError → the wire.

One serializer per protocol family, the mirror image of botocore's response
parsers (`botocore/parsers.py`), driven entirely by the operation's output
shape and its members' serialization traits — never a template per call::

    ResponseSerializer                 base.py   interface, error status/code rules
    ├── QuerySerializer                query.py  query (STS, IAM, SNS, RDS, ...)
    │   ├── Ec2Serializer              query.py  ec2
    │   └── SqsQuerySerializer         sqs.py    SQS called over query
    ├── QueryJsonSerializer            query_json.py  query asked with Accept: application/json
    ├── JsonSerializer                 json.py   json (Logs, Step Functions, ...)
    │   └── SqsJsonSerializer          sqs.py    legacy codes in x-amzn-query-error
    └── RestSerializer                 rest.py   header/status/payload binding
        ├── RestJsonSerializer         rest.py   rest-json (Lambda, ...)
        │   └── LambdaSerializer       rest.py   Invoke's payload as JSON
        └── RestXmlSerializer          rest.py   rest-xml (Route 53, CloudFront)
            └── S3Serializer           s3.py     S3's roots, ids and errors

Body encodings are shared: `xml.XmlPlanner` (query, ec2, rest-xml) and
`json.JsonPlanner` (json, rest-json) compile each shape once into a writer,
kept in a `plans.PlanCache`; `scalars` formats timestamps, blobs and numbers.

Values providers may hand over: timestamps as datetimes (naive = UTC), epoch
seconds or ISO-8601 strings; blobs as bytes or str; a streaming payload as
bytes or an async iterable of bytes (passed through, never buffered). Members
that are absent or None are omitted; keys the shape does not name are ignored.
"""

from __future__ import annotations

from functools import cache

from .base import ResponseSerializer
from .json import JsonSerializer
from .query import Ec2Serializer, QuerySerializer
from .query_json import QueryJsonSerializer, accepts_json
from .rest import LambdaSerializer, RestJsonSerializer, RestSerializer, RestXmlSerializer
from .s3 import S3ControlSerializer, S3Serializer
from .sqs import SqsJsonSerializer, SqsQuerySerializer

__all__ = [
    "Ec2Serializer",
    "JsonSerializer",
    "LambdaSerializer",
    "QueryJsonSerializer",
    "QuerySerializer",
    "ResponseSerializer",
    "RestJsonSerializer",
    "RestSerializer",
    "RestXmlSerializer",
    "S3Serializer",
    "SqsJsonSerializer",
    "SqsQuerySerializer",
    "create_serializer",
    "response_serializer",
]

_PROTOCOLS: dict[str, type[ResponseSerializer]] = {
    "query": QuerySerializer,
    "ec2": Ec2Serializer,
    "json": JsonSerializer,
    "rest-json": RestJsonSerializer,
    "rest-xml": RestXmlSerializer,
}

# Service quirks, each a named subclass of its protocol's serializer.
_QUIRKS: dict[tuple[str, str], type[ResponseSerializer]] = {
    ("s3", "rest-xml"): S3Serializer,
    ("s3control", "rest-xml"): S3ControlSerializer,
    ("lambda", "rest-json"): LambdaSerializer,
    ("sqs", "query"): SqsQuerySerializer,
    ("sqs", "json"): SqsJsonSerializer,
}


@cache
def create_serializer(service: str, protocol: str) -> ResponseSerializer:
    """The serializer of `service` (its botocore name) speaking `protocol`; one shared instance per pair."""
    cls = _QUIRKS.get((service, protocol)) or _PROTOCOLS.get(protocol)
    if cls is None:
        raise ValueError(f"no response serializer for protocol {protocol!r}")
    return cls(service)


@cache
def _query_json_serializer(service: str) -> ResponseSerializer:
    query = create_serializer(service, "query")
    assert isinstance(query, QuerySerializer)
    return QueryJsonSerializer(query)


def response_serializer(service: str, protocol: str, accept: str | None) -> ResponseSerializer:
    """The serializer answering a request with this Accept header: the protocol's own, or, for a
    query request that accepts `application/json`, the query protocol's JSON rendering."""
    if protocol == "query" and accepts_json(accept):
        return _query_json_serializer(service)
    return create_serializer(service, protocol)
