"""Vended-log delivery destinations and their policies, as AWS answers them (LocalStack's
AWS-validated delivery tests recorded these answers); delivery sources cannot exist here."""

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
