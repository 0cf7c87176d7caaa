"""Vended-log delivery destinations (PutDeliveryDestination & co., and their policies), and the
delivery-source, delivery and configuration-template operations that go with them.

A delivery destination is a named, per account and region record of where vended logs
may go: an S3 bucket, a log group or a Firehose stream (`destinationResourceArn`), or
X-Ray; its type is read from that ARN. A put replaces the whole record (AWS: "all the
current delivery destination parameters are overwritten"), keeping its ARN and tags;
the put answer leaves the tags out, as AWS's does. The policy is kept as given. Its tags
are also TagResource's, UntagResource's and ListTagsForResource's (by its ARN).

No service here is a vended-log source (CloudFront, Bedrock, ...), so no delivery
source can exist: PutDeliverySource answers as AWS does for a resource it cannot take
logs from, GetDeliverySource and DeleteDeliverySource answer AWS's not-found,
DescribeDeliverySources lists none. A delivery pairs a source with a destination, so
none can exist either: CreateDelivery answers that its source does not exist, the
operations that name a delivery (by id, or by ARN for the tag operations) answer AWS's
not-found, DescribeDeliveries lists none, and DescribeConfigurationTemplates, which
describes the deliveries each source service supports, has no template to answer.
Nothing is delivered.
"""

from __future__ import annotations

import base64
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs.errors import LogsMixin
from pocketcloud.store import Collection

Params = dict[str, Any]

# The destination type a destinationResourceArn's service makes.
_TYPES = {"s3": "S3", "logs": "CWL", "firehose": "FH"}


# The output formats in the order AWS lists them when it refuses another (not the model's order).
_OUTPUT_FORMATS = ("w3c", "raw", "json", "plain", "parquet")


def _validation(message: str) -> ServiceError:
    # The delivery operations answer bad input as ValidationException, not InvalidParameterException.
    return ServiceError("ValidationException", message, status=400)


def _destination_missing() -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException",
        "Requested Delivery Destination does not exist in this account.",
        status=400,
    )


def _source_missing() -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", "Requested Delivery Source does not exist in this account.", status=400
    )


def _delivery_missing() -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", "Requested Delivery does not exist in this account.", status=400
    )


def _page(docs: list[Params], p: Params) -> tuple[list[Params], str | None]:
    """One page of name-ordered `docs` after the token's name, with the next token if more remain."""
    token = p.get("nextToken")
    if token:
        try:
            after = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise _validation("The specified nextToken is invalid.") from exc
        docs = [d for d in docs if d["name"] > after]
    limit = p.get("limit") or 50
    page = docs[:limit]
    more = len(docs) > limit
    return page, base64.urlsafe_b64encode(page[-1]["name"].encode()).decode().rstrip("=") if more else None


class DeliveryOperations(LogsMixin):
    delivery_destinations: Collection
    store: Any

    def _delivery_destination(self, ctx: RequestContext, name: str) -> Params:
        doc = self.delivery_destinations.get(self._scope(ctx), name)
        if doc is None:
            raise _destination_missing()
        return doc

    @staticmethod
    def _destination_type(p: Params) -> str:
        given = p.get("deliveryDestinationType")
        config = p.get("deliveryDestinationConfiguration")
        if config is None:
            if given != "XRAY":
                raise _validation("deliveryDestinationConfiguration is required for this destination type.")
            return "XRAY"
        parts = config["destinationResourceArn"].split(":", 5)
        found = _TYPES.get(parts[2]) if len(parts) == 6 and parts[0] == "arn" else None
        if found is None or (given and given != found):
            raise _validation(f"Invalid destinationResourceArn: {config['destinationResourceArn']}")
        return found

    def PutDeliveryDestination(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["name"], self._scope(ctx)
        output_format = p.get("outputFormat")
        if output_format is not None and output_format not in _OUTPUT_FORMATS:
            raise _validation(
                f"1 validation error detected: Value '{output_format}' at 'outputFormat' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(_OUTPUT_FORMATS)}]"
            )
        kind = self._destination_type(p)
        with self.store.transaction():
            existing = self.delivery_destinations.get(scope, name)
            if existing is not None and p.get("tags"):
                # As AWS answered the Terraform AWS provider updating a destination with its tags (its
                # issue 43572): tags are for TagResource once the destination exists.
                raise ServiceError(
                    "ConflictException",
                    "Tags can only be provided when a resource is being created, not updated.",
                    status=400,
                )
            doc: Params = {
                "name": name,
                "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:delivery-destination:{name}",
                "deliveryDestinationType": kind,
            }
            for optional in ("outputFormat", "deliveryDestinationConfiguration", "roleArn"):
                if p.get(optional):
                    doc[optional] = p[optional]
            tags = existing.get("tags") if existing is not None else p.get("tags")
            if tags:
                doc["tags"] = dict(tags)
            if existing is not None and "policy" in existing:
                doc["policy"] = existing["policy"]
            self.delivery_destinations.put(scope, name, doc)
        return {"deliveryDestination": self._delivery_destination_view(doc, with_tags=False)}

    @staticmethod
    def _delivery_destination_view(doc: Params, with_tags: bool = True) -> Params:
        return {k: v for k, v in doc.items() if k != "policy" and (with_tags or k != "tags")}

    def GetDeliveryDestination(self, ctx: RequestContext, p: Params) -> Params:
        return {
            "deliveryDestination": self._delivery_destination_view(self._delivery_destination(ctx, p["name"]))
        }

    def DescribeDeliveryDestinations(self, ctx: RequestContext, p: Params) -> Params:
        docs = [d for _, d in self.delivery_destinations.scan(self._scope(ctx))]
        page, token = _page(docs, p)
        result: Params = {"deliveryDestinations": [self._delivery_destination_view(d) for d in page]}
        if token:
            result["nextToken"] = token
        return result

    def DeleteDeliveryDestination(self, ctx: RequestContext, p: Params) -> Params:
        if not self.delivery_destinations.delete(self._scope(ctx), p["name"]):
            raise _destination_missing()
        return {}

    def PutDeliveryDestinationPolicy(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["deliveryDestinationName"], self._scope(ctx)
        with self.store.transaction():
            doc = self._delivery_destination(ctx, name)
            doc["policy"] = p["deliveryDestinationPolicy"]
            self.delivery_destinations.put(scope, name, doc)
        return {"policy": {"deliveryDestinationPolicy": doc["policy"]}}

    def GetDeliveryDestinationPolicy(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._delivery_destination(ctx, p["deliveryDestinationName"])
        return {"policy": {"deliveryDestinationPolicy": doc["policy"]} if "policy" in doc else {}}

    def DeleteDeliveryDestinationPolicy(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["deliveryDestinationName"], self._scope(ctx)
        with self.store.transaction():
            doc = self._delivery_destination(ctx, name)
            doc.pop("policy", None)
            self.delivery_destinations.put(scope, name, doc)
        return {}

    def PutDeliverySource(self, ctx: RequestContext, p: Params) -> Params:
        # AWS's answer for a resource whose service it cannot reach as a log source (an S3 bucket);
        # no resource here can be one.
        raise ServiceError("ResourceNotFoundException", "Cannot access provided service.", status=400)

    def GetDeliverySource(self, ctx: RequestContext, p: Params) -> Params:
        raise _source_missing()

    def DeleteDeliverySource(self, ctx: RequestContext, p: Params) -> Params:
        raise _source_missing()

    def DescribeDeliverySources(self, ctx: RequestContext, p: Params) -> Params:
        return {"deliverySources": []}

    # -- deliveries ---------------------------------------------------------------------

    def CreateDelivery(self, ctx: RequestContext, p: Params) -> Params:
        # The source is what a delivery needs first, and none can exist here.
        raise _source_missing()

    def GetDelivery(self, ctx: RequestContext, p: Params) -> Params:
        raise _delivery_missing()

    def DeleteDelivery(self, ctx: RequestContext, p: Params) -> Params:
        raise _delivery_missing()

    def UpdateDeliveryConfiguration(self, ctx: RequestContext, p: Params) -> Params:
        raise _delivery_missing()

    def DescribeDeliveries(self, ctx: RequestContext, p: Params) -> Params:
        _page([], p)  # a token no listing could have given is refused as AWS refuses it
        return {"deliveries": []}

    def DescribeConfigurationTemplates(self, ctx: RequestContext, p: Params) -> Params:
        _page([], p)
        return {"configurationTemplates": []}
