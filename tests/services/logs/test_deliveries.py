"""Vended-log delivery destinations and their policies, as AWS answers them (LocalStack's
AWS-validated delivery tests recorded these answers); delivery sources cannot exist here, so
neither can deliveries, and there is no configuration template to describe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.logs.support import error_of, unique

REGION = "us-east-1"
DESTINATION_MISSING = (
    "ResourceNotFoundException",
    "Requested Delivery Destination does not exist in this account.",
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowLogDeliveryActions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
                "Action": "logs:CreateDelivery",
                "Resource": [f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:delivery-source:*"],
            }
        ],
    }
)


def bucket_config(bucket: str) -> dict[str, str]:
    return {"destinationResourceArn": f"arn:aws:s3:::{bucket}"}


@pytest.fixture
def destination(logs: Any) -> Iterator[str]:
    name = unique("dd")
    logs.put_delivery_destination(name=name, deliveryDestinationConfiguration=bucket_config("first-bucket"))
    yield name
    try:
        logs.delete_delivery_destination(name=name)
    except logs.exceptions.ResourceNotFoundException:
        pass


def test_put_delivery_destination_answers_its_arn_type_and_format_but_not_its_tags(logs: Any) -> None:
    name = unique("dd")
    found = logs.put_delivery_destination(
        name=name,
        outputFormat="json",
        deliveryDestinationConfiguration=bucket_config("b"),
        tags={"key1": "value1"},
    )["deliveryDestination"]
    assert found == {
        "name": name,
        "arn": f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:delivery-destination:{name}",
        "deliveryDestinationType": "S3",
        "outputFormat": "json",
        "deliveryDestinationConfiguration": bucket_config("b"),
    }
    logs.delete_delivery_destination(name=name)


def test_putting_a_delivery_destination_again_replaces_it(logs: Any, destination: str) -> None:
    updated = logs.put_delivery_destination(
        name=destination, deliveryDestinationConfiguration=bucket_config("second")
    )
    shown = logs.get_delivery_destination(name=destination)["deliveryDestination"]
    assert updated["deliveryDestination"] == shown
    assert shown["deliveryDestinationConfiguration"] == bucket_config("second")
    assert "outputFormat" not in shown


def test_tags_are_given_only_when_a_delivery_destination_is_made(logs: Any, destination: str) -> None:
    # As AWS answered the Terraform AWS provider updating a destination with its tags (its issue 43572).
    assert error_of(
        logs.put_delivery_destination, name=destination, deliveryDestinationConfiguration=bucket_config("b2"),
        tags={"key1": "value1"},
    ) == ("ConflictException", "Tags can only be provided when a resource is being created, not updated.")
    shown = logs.get_delivery_destination(name=destination)["deliveryDestination"]
    assert shown["deliveryDestinationConfiguration"] == bucket_config("first-bucket")  # nothing changed


def test_described_delivery_destinations_include_the_new_one(logs: Any, destination: str) -> None:
    names = [d["name"] for d in logs.describe_delivery_destinations()["deliveryDestinations"]]
    assert destination in names


def test_a_missing_or_deleted_delivery_destination_is_not_found(logs: Any, destination: str) -> None:
    assert error_of(logs.get_delivery_destination, name=unique("none")) == DESTINATION_MISSING
    assert error_of(logs.delete_delivery_destination, name=unique("none")) == DESTINATION_MISSING
    logs.delete_delivery_destination(name=destination)
    assert error_of(logs.get_delivery_destination, name=destination) == DESTINATION_MISSING


def test_delivery_destination_policy_is_kept_as_given_until_deleted(logs: Any, destination: str) -> None:
    put = logs.put_delivery_destination_policy(
        deliveryDestinationName=destination, deliveryDestinationPolicy=POLICY
    )
    assert put["policy"] == {"deliveryDestinationPolicy": POLICY}
    got = logs.get_delivery_destination_policy(deliveryDestinationName=destination)
    assert got["policy"] == {"deliveryDestinationPolicy": POLICY}
    logs.delete_delivery_destination_policy(deliveryDestinationName=destination)
    assert logs.get_delivery_destination_policy(deliveryDestinationName=destination)["policy"] == {}


def test_a_delivery_source_that_does_not_exist_is_not_found(logs: Any) -> None:
    assert error_of(logs.get_delivery_source, name="foobar") == (
        "ResourceNotFoundException",
        "Requested Delivery Source does not exist in this account.",
    )


def test_a_bucket_cannot_be_a_delivery_source(logs: Any) -> None:
    assert error_of(
        logs.put_delivery_source,
        name=unique("ds"),
        resourceArn="arn:aws:s3:::test-s3-bucket",
        logType="ACCESS_LOGS",
    ) == ("ResourceNotFoundException", "Cannot access provided service.")


DELIVERY_MISSING = ("ResourceNotFoundException", "Requested Delivery does not exist in this account.")


def destination_arn(name: str) -> str:
    return f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:delivery-destination:{name}"


def test_a_delivery_from_a_source_that_does_not_exist_is_refused(logs: Any, destination: str) -> None:
    assert error_of(
        logs.create_delivery,
        deliverySourceName=unique("ds"),
        deliveryDestinationArn=destination_arn(destination),
        recordFields=["date"],
        fieldDelimiter=",",
        s3DeliveryConfiguration={"suffixPath": "AWSLogs/", "enableHiveCompatiblePath": True},
        tags={"key1": "value1"},
    ) == ("ResourceNotFoundException", "Requested Delivery Source does not exist in this account.")


def test_a_delivery_that_does_not_exist_is_not_found_by_get_update_or_delete(logs: Any) -> None:
    assert error_of(logs.get_delivery, id="abcdef1234567890") == DELIVERY_MISSING
    assert error_of(logs.delete_delivery, id="abcdef1234567890") == DELIVERY_MISSING
    assert error_of(logs.update_delivery_configuration, id="abcdef1234567890", recordFields=["date"]) == (
        DELIVERY_MISSING
    )


def test_no_deliveries_are_described(logs: Any) -> None:
    assert logs.describe_deliveries(limit=5)["deliveries"] == []
    assert logs.describe_deliveries(deliverySourceNames=["foobar"])["deliveries"] == []


def test_no_configuration_template_is_described_for_any_filter(logs: Any) -> None:
    assert logs.describe_configuration_templates()["configurationTemplates"] == []
    found = logs.describe_configuration_templates(
        service="cloudfront", logTypes=["ACCESS_LOGS"], deliveryDestinationTypes=["S3"], limit=10
    )
    assert found["configurationTemplates"] == []
    assert "nextToken" not in found


def test_an_unknown_destination_type_filter_is_a_validation_error(logs: Any) -> None:
    code, message = error_of(logs.describe_configuration_templates, deliveryDestinationTypes=["FTP"])
    assert code == "ValidationException"
    assert "Member must satisfy enum value set: [S3, CWL, FH, XRAY]" in message


def test_the_tags_of_a_delivery_that_does_not_exist_are_not_found(logs: Any) -> None:
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:delivery:abcdef1234567890"
    missing = ("ResourceNotFoundException", f"The specified resource does not exist: {arn}")
    assert error_of(logs.list_tags_for_resource, resourceArn=arn) == missing
    assert error_of(logs.tag_resource, resourceArn=arn, tags={"k": "v"}) == missing
    assert error_of(logs.untag_resource, resourceArn=arn, tagKeys=["k"]) == missing


def test_a_delivery_destination_is_tagged_by_its_arn(logs: Any, destination: str) -> None:
    arn = destination_arn(destination)
    logs.tag_resource(resourceArn=arn, tags={"team": "a", "env": "dev"})
    logs.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    assert logs.get_delivery_destination(name=destination)["deliveryDestination"]["tags"] == {"team": "a"}


def test_a_bad_output_format_is_a_validation_exception(logs: Any) -> None:
    # AWS lists the enum as [w3c, raw, json, plain, parquet]; the model's order differs.
    code, message = error_of(
        logs.put_delivery_destination,
        name=unique("dd"),
        outputFormat="foobar",
        deliveryDestinationConfiguration=bucket_config("b"),
    )
    assert code == "ValidationException"
    assert message.startswith(
        "1 validation error detected: Value 'foobar' at 'outputFormat' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    )
