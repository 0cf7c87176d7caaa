"""botocore's service models: loaded once, lazily, and indexed for routing.

The models are the single source of truth for operation names, shapes, error
codes and HTTP bindings. Loading all ~400 models costs seconds, so a model is
loaded on the first request for its service; the indexes used to route a
request to a service are built from the (cheap) metadata only, and cached.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

# botocore is imported on first use, not at startup: even its model module
# costs a fifth of a second to import, which the server need not pay before
# it can answer. Only the Loader and the model classes are used; importing
# botocore.session would pull in the whole client machinery too.


@cache
def _loader() -> Any:
    from botocore.loaders import Loader

    return Loader()


@cache
def service_model(service: str) -> ServiceModel:
    """The botocore model of `service` (its botocore name, e.g. "s3", "stepfunctions")."""
    from botocore.model import ServiceModel

    return ServiceModel(_loader().load_service_model(service, "service-2"), service_name=service)


def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


@cache
def renamed_operation(service: str, operation: str, name: str) -> OperationModel:
    """`operation`'s model under the name of another action the same request is also authorized as
    (STS's TagSession beside AssumeRole): the authorizer names the action after the operation, and
    reads the request's keys (Tags → aws:RequestTag/...) through the operation's input shape."""
    from botocore import model as botocore_model

    model = service_model(service)
    return botocore_model.OperationModel(model._service_description["operations"][operation], model, name=name)


@cache
def available_services() -> tuple[str, ...]:
    return tuple(_loader().list_available_services("service-2"))


@cache
def error_shapes(service: str) -> dict[str, Shape]:
    """Error shapes of a service by their wire code (the `error.code` trait, else the shape name)."""
    model = service_model(service)
    found: dict[str, Shape] = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.metadata.get("exception"):
            code = shape.metadata.get("error", {}).get("code", name)
            found[code] = shape
            found.setdefault(name, shape)
    return found


def error_status(service: str, code: str) -> int | None:
    """The HTTP status the model gives error `code` of `service`, if it says: its httpStatusCode, else
    500 for a server fault (`"fault": true`, as KMS's KMSInternalException and Logs'
    ServiceUnavailableException are), which SDKs retry as such (botocore's protocol tests answer
    such an error 500)."""
    shape = error_shapes(service).get(code)
    if shape is None:
        return None
    status = shape.metadata.get("error", {}).get("httpStatusCode")
    if status:
        return int(status)
    # botocore's Shape.metadata leaves the "fault" trait out; the shape's own model has it.
    return 500 if getattr(shape, "_shape_model", {}).get("fault") else None


# Signing names and target prefixes that differ from the botocore service name
# for the services pocketcloud serves; anything else is found by scanning all
# models once (see `service_for_signing_name`).
_KNOWN_SIGNING_NAMES = {
    "states": "stepfunctions",
    "monitoring": "cloudwatch",
    "email": "ses",
    "execute-api": "apigateway",
    "s3express": "s3",  # S3 Express One Zone (directory buckets) signs for "s3express"
}


def _signing_name_in(metadata: dict[str, Any], service: str) -> str:
    """The name `service`'s requests are signed for (its SigV4 credential scope), from its model's metadata."""
    return str(metadata.get("signingName") or metadata.get("endpointPrefix") or service)


@cache
def signing_name(service: str) -> str:
    """The name `service`'s requests are signed for: a JSON request routed by its X-Amz-Target must be
    signed for its target's own service."""
    return _signing_name_in(service_model(service).metadata, service)


@lru_cache(maxsize=1)
def _metadata_index() -> tuple[dict[str, str], dict[str, str]]:
    """(signing name → service, X-Amz-Target prefix → service) over every botocore model.

    Reads only each model's metadata; the first service to claim a name wins,
    with the service whose own name equals the signing name preferred.
    """
    loader = _loader()
    signing: dict[str, str] = {}
    targets: dict[str, str] = {}
    for name in available_services():
        try:
            data = loader.load_service_model(name, "service-2")
        except Exception:  # a model botocore cannot load is simply not served
            continue
        meta = data.get("metadata", {})
        sign = _signing_name_in(meta, name)
        if sign not in signing or sign == name:
            signing[sign] = name
        prefix = meta.get("targetPrefix")
        if prefix and prefix not in targets:
            targets[prefix] = name
    return signing, targets


_PREFERRED = {"rds": "rds", "s3": "s3", "iam": "iam", "sts": "sts", "ec2": "ec2"}


def service_for_signing_name(name: str, scan: bool = True) -> str | None:
    """The botocore service a SigV4 credential scope's service name belongs to.

    With `scan=False` only the cheap direct matches are tried, never the
    one-off scan of every model's metadata.
    """
    if name in _KNOWN_SIGNING_NAMES:
        return _KNOWN_SIGNING_NAMES[name]
    if name in _PREFERRED:
        return _PREFERRED[name]
    if name in _available_set():
        return name
    return _metadata_index()[0].get(name) if scan else None


def service_for_target_prefix(prefix: str) -> str | None:
    """The botocore service whose JSON protocol uses X-Amz-Target `prefix`."""
    known = _KNOWN_TARGET_PREFIXES.get(prefix)
    if known:
        return known
    return _metadata_index()[1].get(prefix)


@lru_cache(maxsize=1)
def _available_set() -> frozenset[str]:
    return frozenset(available_services())


_KNOWN_TARGET_PREFIXES = {
    "AmazonSQS": "sqs",
    "Logs_20140328": "logs",
    "secretsmanager": "secretsmanager",
    "AWSStepFunctions": "stepfunctions",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail",
    "AWSOrganizationsV20161128": "organizations",
    "AWSEvents": "events",
    "DynamoDB_20120810": "dynamodb",
    "TrentService": "kms",
    "GraniteServiceVersion20100801": "cloudwatch",
}
