"""SQS behaviour found in a sweep of every AWS-validated test of LocalStack's SQS suite.

Evidence: the stored public repository localstack/localstack, tests/aws/services/sqs/test_sqs.py and
test_sqs_move_task.py, whose `@markers.aws.validated` tests were run against real AWS (their answers
recorded in test_sqs.snapshot.json and test_sqs_move_task.snapshot.json, or asserted in the test
itself). Each test below names the validated test it follows; only AWS's observable behaviour is
taken from there, the checks are our own. The behaviours those tests pin that we already had are
in test_recorded_sqs_parity.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.s3.core_support import send_to_loopback, server_port
from tests.services.sqs.support import QueryClient, unique


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# -- one queue name in two Regions (TestSqsProvider::test_get_queue_url_multi_region,
#    test_list_queues_multi_region_with_endpoint_strategy_domain,
#    TestSqsQueryApi::test_endpoint_strategy_with_multi_region) ----------------------------------


@contextmanager
def _one_name_in_two_regions(endpoint: str) -> Iterator[tuple[Any, Any, str, str, str]]:
    """(us-west-1 client, eu-north-1 client, name, us-west-1 URL, eu-north-1 URL) of one queue name
    made in both Regions, both deleted afterwards."""
    west, north = make_client(endpoint, "sqs", region="us-west-1"), make_client(endpoint, "sqs", region="eu-north-1")
    name = unique()
    west_url = west.create_queue(QueueName=name)["QueueUrl"]
    north_url = north.create_queue(QueueName=name)["QueueUrl"]
    try:
        yield west, north, name, west_url, north_url
    finally:
        west.delete_queue(QueueUrl=west_url)
        north.delete_queue(QueueUrl=north_url)


def test_the_same_name_in_two_regions_is_two_queues_with_two_urls(endpoint: str) -> None:
    with _one_name_in_two_regions(endpoint) as (west, north, name, west_url, north_url):
        assert west_url != north_url
        assert "eu-north-1" in north_url and "us-west-1" in west_url
        assert west.get_queue_url(QueueName=name)["QueueUrl"] == west_url
        assert north.get_queue_url(QueueName=name)["QueueUrl"] == north_url
        assert west.list_queues(QueueNamePrefix=name)["QueueUrls"] == [west_url]
        assert north.list_queues(QueueNamePrefix=name)["QueueUrls"] == [north_url]
        arns = {
            client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            for client, url in ((west, west_url), (north, north_url))
        }
        assert arns == {f"arn:aws:sqs:{region}:000000000000:{name}" for region in ("us-west-1", "eu-north-1")}


def test_a_queue_url_whose_host_names_another_region_is_no_address_of_this_endpoint(endpoint: str) -> None:
    """SQS answers InvalidAddress to a call signed for one Region that names a queue by a URL of another
    Region's host (what users whose client Region and queue URLs disagreed met when botocore moved SQS
    to JSON); the queue of the same name in the caller's own Region is not used instead."""
    with _one_name_in_two_regions(endpoint) as (west, _north, name, west_url, _north_url):
        aws_style = f"https://sqs.eu-north-1.amazonaws.com/000000000000/{name}"
        for url in (aws_style, f"http://sqs.eu-north-1.localhost:{server_port(endpoint)}/000000000000/{name}"):
            with pytest.raises(ClientError) as info:
                west.send_message(QueueUrl=url, MessageBody="x")
            error = info.value.response["Error"]
            host = url.split("/")[2]
            assert (error["Code"], error["Message"]) == (
                "InvalidAddress",
                f"The address {url.split(':')[0]}://{host}/ is not valid for this endpoint.",
            )
        assert west.receive_message(QueueUrl=west_url, WaitTimeSeconds=0).get("Messages") is None


def test_each_regions_url_reaches_its_own_queue_over_query_get(endpoint: str) -> None:
    with _one_name_in_two_regions(endpoint) as (_, _, _, west_url, north_url):
        west_get = QueryClient(endpoint, region="us-west-1")
        north_get = QueryClient(endpoint, region="eu-north-1")
        status, _ = west_get.raw("GET", _path(west_url), {"Action": "SendMessage", "MessageBody": "foobar"})
        assert status == 200
        status, body = north_get.raw("GET", _path(north_url), {"Action": "ReceiveMessage", "VisibilityTimeout": "0"})
        assert status == 200 and "foobar" not in body
        status, body = west_get.raw("GET", _path(west_url), {"Action": "ReceiveMessage", "VisibilityTimeout": "0"})
        assert status == 200 and "<Body>foobar</Body>" in body


def test_a_queue_in_the_home_region_keeps_its_short_url(sqs: Any, endpoint: str) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    try:
        assert url == f"{endpoint}/000000000000/{name}"
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_a_host_naming_the_queues_region_gets_the_two_segment_path(endpoint: str) -> None:
    # AWS's queue URLs are `https://sqs.<region>.amazonaws.com/<account>/<name>`: a client that calls on a
    # host naming the Region gets that shape, which the Terraform AWS provider's queueNameFromURL requires
    # (it refuses a URL whose path is not exactly /<account>/<name>).
    client = make_client(f"http://sqs.eu-north-1.localhost:{server_port(endpoint)}", "sqs", region="eu-north-1")
    client.meta.events.register_first("before-send.sqs", send_to_loopback(server_port(endpoint)))
    name = unique()
    url = client.create_queue(QueueName=name)["QueueUrl"]
    try:
        assert url == f"http://sqs.eu-north-1.localhost:{server_port(endpoint)}/000000000000/{name}"
        assert client.get_queue_url(QueueName=name)["QueueUrl"] == url
        plain = make_client(endpoint, "sqs", region="eu-north-1")  # elsewhere the URL still names the Region
        assert plain.get_queue_url(QueueName=name)["QueueUrl"] == f"{endpoint}/queue/eu-north-1/000000000000/{name}"
        client.send_message(QueueUrl=url, MessageBody="on its host")
        assert plain.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "on its host"
    finally:
        client.delete_queue(QueueUrl=url)
