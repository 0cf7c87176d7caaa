"""Bucket configurations kept by ID (analytics, inventory, metrics, S3 Intelligent-Tiering) and
the deprecated `?lifecycle` / `?notification` operations, through boto3 against a real server.
Each refusal is AWS's code, status and wording."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.access_support import iam_user, policy
from tests.services.s3.core_support import error_of, queue_s3_may_send_to, unique_bucket

MALFORMED = (
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)
NO_SUCH_CONFIGURATION = ("NoSuchConfiguration", 404, "The specified configuration does not exist.")


@pytest.fixture(scope="module")
def raw_s3(endpoint: str) -> Any:
    """A client that sends what it is given: SDKs other than botocore do not check required members."""
    return make_client(endpoint, "s3", parameter_validation=False)


def analytics(config_id: str, **extra: Any) -> dict[str, Any]:
    return {"Id": config_id, "StorageClassAnalysis": {}, **extra}


def inventory(config_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": config_id,
        "IsEnabled": True,
        "IncludedObjectVersions": "Current",
        "Schedule": {"Frequency": "Daily"},
        "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::inventory-reports", "Format": "CSV"}},
        **extra,
    }


def metrics(config_id: str, **extra: Any) -> dict[str, Any]:
    return {"Id": config_id, **extra}


def tiering(config_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": config_id,
        "Status": "Enabled",
        "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}],
        **extra,
    }


# (method suffix, configuration member, a valid document)
KINDS = [
    ("analytics", "AnalyticsConfiguration", analytics),
    ("inventory", "InventoryConfiguration", inventory),
    ("metrics", "MetricsConfiguration", metrics),
    ("intelligent_tiering", "IntelligentTieringConfiguration", tiering),
]


def put(s3: Any, kind: str, member: str, bucket: str, config_id: str, document: dict[str, Any]) -> Any:
    return getattr(s3, f"put_bucket_{kind}_configuration")(Bucket=bucket, Id=config_id, **{member: document})


# -- every kind: round trip, missing configuration, paging, missing bucket --------------------------


@pytest.mark.parametrize(("kind", "member", "make"), KINDS)
def test_configuration_round_trips_through_put_get_list_and_delete(
    s3: Any, bucket: str, kind: str, member: str, make: Any
) -> None:
    document = make("first")
    put(s3, kind, member, bucket, "first", document)
    assert getattr(s3, f"get_bucket_{kind}_configuration")(Bucket=bucket, Id="first")[member] == document
    listed = getattr(s3, f"list_bucket_{kind}_configurations")(Bucket=bucket)
    assert listed[f"{member}List"] == [document]
    assert listed["IsTruncated"] is False
    getattr(s3, f"delete_bucket_{kind}_configuration")(Bucket=bucket, Id="first")
    assert f"{member}List" not in getattr(s3, f"list_bucket_{kind}_configurations")(Bucket=bucket)


@pytest.mark.parametrize(("kind", "member", "make"), KINDS)
def test_get_and_delete_of_a_missing_configuration_are_no_such_configuration(
    s3: Any, bucket: str, kind: str, member: str, make: Any
) -> None:
    assert (
        error_of(getattr(s3, f"get_bucket_{kind}_configuration"), Bucket=bucket, Id="absent")
        == NO_SUCH_CONFIGURATION
    )
    assert (
        error_of(getattr(s3, f"delete_bucket_{kind}_configuration"), Bucket=bucket, Id="absent")
        == NO_SUCH_CONFIGURATION
    )


@pytest.mark.parametrize(("kind", "member", "make"), KINDS)
def test_configurations_of_a_missing_bucket_are_no_such_bucket(
    s3: Any, kind: str, member: str, make: Any
) -> None:
    missing = unique_bucket("absent")
    assert error_of(put, s3, kind, member, missing, "a", make("a"))[:2] == ("NoSuchBucket", 404)
    assert error_of(getattr(s3, f"get_bucket_{kind}_configuration"), Bucket=missing, Id="a")[:2] == (
        "NoSuchBucket",
        404,
    )
    assert error_of(getattr(s3, f"list_bucket_{kind}_configurations"), Bucket=missing)[:2] == (
        "NoSuchBucket",
        404,
    )


@pytest.mark.parametrize(("kind", "member", "make"), KINDS)
def test_putting_the_same_id_again_replaces_the_configuration(
    s3: Any, bucket: str, kind: str, member: str, make: Any
) -> None:
    put(s3, kind, member, bucket, "same", make("same"))
    replacement = (
        make("same", Filter={"Prefix": "logs/"}) if kind != "inventory" else make("same", IsEnabled=False)
    )
    put(s3, kind, member, bucket, "same", replacement)
    listed = getattr(s3, f"list_bucket_{kind}_configurations")(Bucket=bucket)[f"{member}List"]
    assert listed == [replacement]


def test_listing_pages_a_hundred_configurations_at_a_time(s3: Any, bucket: str) -> None:
    ids = sorted(f"m{i:03d}" for i in range(150))
    for config_id in ids:
        s3.put_bucket_metrics_configuration(
            Bucket=bucket, Id=config_id, MetricsConfiguration=metrics(config_id)
        )
    first = s3.list_bucket_metrics_configurations(Bucket=bucket)
    assert first["IsTruncated"] is True
    assert [c["Id"] for c in first["MetricsConfigurationList"]] == ids[:100]
    second = s3.list_bucket_metrics_configurations(
        Bucket=bucket, ContinuationToken=first["NextContinuationToken"]
    )
    assert second["IsTruncated"] is False
    assert second["ContinuationToken"] == first["NextContinuationToken"]
    assert [c["Id"] for c in second["MetricsConfigurationList"]] == ids[100:]
    assert "NextContinuationToken" not in second


def test_a_bucket_holds_at_most_a_thousand_configurations_of_a_kind(s3: Any, bucket: str) -> None:
    for i in range(1000):
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id=f"m{i}", MetricsConfiguration=metrics(f"m{i}"))
    assert error_of(
        s3.put_bucket_metrics_configuration,
        Bucket=bucket,
        Id="one-more",
        MetricsConfiguration=metrics("one-more"),
    ) == (
        "TooManyConfigurations",
        400,
        "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
    )
    s3.put_bucket_metrics_configuration(
        Bucket=bucket, Id="m7", MetricsConfiguration=metrics("m7", Filter={"Prefix": "x"})
    )
    s3.put_bucket_analytics_configuration(
        Bucket=bucket, Id="other-kind", AnalyticsConfiguration=analytics("other-kind")
    )


def test_deleting_the_bucket_drops_its_configurations(s3: Any) -> None:
    name = unique_bucket("cfg")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_inventory_configuration(Bucket=name, Id="inv", InventoryConfiguration=inventory("inv"))
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    try:
        assert "InventoryConfigurationList" not in s3.list_bucket_inventory_configurations(Bucket=name)
    finally:
        s3.delete_bucket(Bucket=name)


# -- validation ---------------------------------------------------------------------------------------


def test_inventory_id_differing_from_the_query_id_is_id_mismatch(s3: Any, bucket: str) -> None:
    assert error_of(
        s3.put_bucket_inventory_configuration,
        Bucket=bucket,
        Id="query",
        InventoryConfiguration=inventory("body"),
    ) == ("IdMismatch", 400, "Document ID does not match the specified configuration ID.")


@pytest.mark.parametrize(("kind", "member", "make"), [k for k in KINDS if k[0] != "inventory"])
def test_other_configuration_ids_differing_from_the_query_id_are_malformed(
    s3: Any, bucket: str, kind: str, member: str, make: Any
) -> None:
    assert error_of(put, s3, kind, member, bucket, "query", make("body")) == MALFORMED


def test_configuration_id_with_characters_s3_does_not_allow_is_invalid(s3: Any, bucket: str) -> None:
    assert error_of(
        s3.put_bucket_metrics_configuration, Bucket=bucket, Id="a/b", MetricsConfiguration=metrics("a/b")
    ) == ("InvalidConfigurationId", 400, "The specified configuration id is invalid.")
    long_id = "a" * 65
    assert error_of(
        s3.put_bucket_metrics_configuration, Bucket=bucket, Id=long_id, MetricsConfiguration=metrics(long_id)
    )[:2] == ("InvalidConfigurationId", 400)


@pytest.mark.parametrize(
    "change",
    [
        {"IncludedObjectVersions": "CURRENT"},
        {"Schedule": {"Frequency": "Hourly"}},
        {"Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": "JSON"}}},
        {"OptionalFields": ["Size", "Colour"]},
        {"Filter": {}},
        {"Schedule": {}},
    ],
)
def test_inventory_values_outside_s3s_schema_are_malformed(
    raw_s3: Any, bucket: str, change: dict[str, Any]
) -> None:
    assert (
        error_of(
            raw_s3.put_bucket_inventory_configuration,
            Bucket=bucket,
            Id="inv",
            InventoryConfiguration=inventory("inv", **change),
        )
        == MALFORMED
    )


def test_inventory_destination_must_be_a_bucket_arn_without_namespace(s3: Any, bucket: str) -> None:
    def destination(arn: str) -> dict[str, Any]:
        return inventory("inv", Destination={"S3BucketDestination": {"Bucket": arn, "Format": "Parquet"}})

    assert error_of(
        s3.put_bucket_inventory_configuration,
        Bucket=bucket,
        Id="inv",
        InventoryConfiguration=destination("reports"),
    ) == ("InvalidS3DestinationBucket", 400, "Invalid bucket ARN.")
    assert error_of(
        s3.put_bucket_inventory_configuration,
        Bucket=bucket,
        Id="inv",
        InventoryConfiguration=destination("arn:aws:s3::123456789012:reports"),
    ) == ("InvalidS3DestinationBucket", 400, "Bucket ARN should not specify a namespace.")


def test_inventory_with_every_option_round_trips(s3: Any, bucket: str) -> None:
    document = inventory(
        "full",
        IncludedObjectVersions="All",
        Schedule={"Frequency": "Weekly"},
        Filter={"Prefix": "data/"},
        OptionalFields=["Size", "ETag", "StorageClass"],
        Destination={
            "S3BucketDestination": {
                "AccountId": "000000000000",
                "Bucket": "arn:aws:s3:::reports",
                "Format": "ORC",
                "Prefix": "inv/",
                "Encryption": {"SSEKMS": {"KeyId": "arn:aws:kms:us-east-1:000000000000:key/abc"}},
            }
        },
    )
    s3.put_bucket_inventory_configuration(Bucket=bucket, Id="full", InventoryConfiguration=document)
    assert (
        s3.get_bucket_inventory_configuration(Bucket=bucket, Id="full")["InventoryConfiguration"] == document
    )


def test_intelligent_tiering_days_must_be_within_each_tiers_range(s3: Any, bucket: str) -> None:
    def tiers(*pairs: tuple[str, int]) -> dict[str, Any]:
        return tiering("t", Tierings=[{"AccessTier": tier, "Days": days} for tier, days in pairs])

    code, status, message = error_of(
        s3.put_bucket_intelligent_tiering_configuration,
        Bucket=bucket,
        Id="t",
        IntelligentTieringConfiguration=tiers(("ARCHIVE_ACCESS", 1)),
    )
    assert (code, status, message) == (
        "InvalidArgument",
        400,
        "Days specified in ARCHIVE_ACCESS tier should not be less than 90.",
    )
    code, _, message = error_of(
        s3.put_bucket_intelligent_tiering_configuration,
        Bucket=bucket,
        Id="t",
        IntelligentTieringConfiguration=tiers(("DEEP_ARCHIVE_ACCESS", 179)),
    )
    assert (code, message) == (
        "InvalidArgument",
        "Days specified in DEEP_ARCHIVE_ACCESS tier should not be less than 180.",
    )
    assert error_of(
        s3.put_bucket_intelligent_tiering_configuration,
        Bucket=bucket,
        Id="t",
        IntelligentTieringConfiguration=tiers(("ARCHIVE_ACCESS", 731)),
    )[:2] == ("InvalidArgument", 400)
    both = tiers(("ARCHIVE_ACCESS", 730), ("DEEP_ARCHIVE_ACCESS", 730))
    s3.put_bucket_intelligent_tiering_configuration(
        Bucket=bucket, Id="t", IntelligentTieringConfiguration=both
    )
    assert (
        s3.get_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="t")[
            "IntelligentTieringConfiguration"
        ]
        == both
    )


def test_intelligent_tiering_status_and_tier_names_are_s3s(s3: Any, bucket: str) -> None:
    assert (
        error_of(
            s3.put_bucket_intelligent_tiering_configuration,
            Bucket=bucket,
            Id="t",
            IntelligentTieringConfiguration=tiering("t", Status="On"),
        )
        == MALFORMED
    )
    bad_tier = tiering("t", Tierings=[{"AccessTier": "GLACIER", "Days": 90}])
    assert (
        error_of(
            s3.put_bucket_intelligent_tiering_configuration,
            Bucket=bucket,
            Id="t",
            IntelligentTieringConfiguration=bad_tier,
        )
        == MALFORMED
    )


def test_metrics_filter_names_one_condition_or_joins_them_with_and(s3: Any, bucket: str) -> None:
    two = metrics("m", Filter={"Prefix": "a/", "Tag": {"Key": "k", "Value": "v"}})
    assert (
        error_of(s3.put_bucket_metrics_configuration, Bucket=bucket, Id="m", MetricsConfiguration=two)
        == MALFORMED
    )
    joined = metrics(
        "m",
        Filter={
            "And": {
                "Prefix": "a/",
                "Tags": [{"Key": "k", "Value": "v"}],
                "AccessPointArn": "arn:aws:s3:us-east-1:000000000000:accesspoint/ap",
            }
        },
    )
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration=joined)
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="m")["MetricsConfiguration"] == joined


def test_analytics_filter_with_an_empty_prefix_or_no_condition_is_malformed(s3: Any, bucket: str) -> None:
    # The AWS SDK for Java's integration tests (run against S3) expect both refused.
    for empty in ({"Prefix": ""}, {}):
        config = analytics("a", Filter=empty)
        assert (
            error_of(s3.put_bucket_analytics_configuration, Bucket=bucket, Id="a", AnalyticsConfiguration=config)
            == MALFORMED
        )
    assert error_of(s3.get_bucket_analytics_configuration, Bucket=bucket, Id="a")[1] == 404
    s3.put_bucket_analytics_configuration(
        Bucket=bucket, Id="a", AnalyticsConfiguration=analytics("a", Filter={"Prefix": "p/"})
    )


def test_analytics_export_needs_a_csv_destination_bucket_arn(s3: Any, bucket: str) -> None:
    def export(destination: dict[str, Any]) -> dict[str, Any]:
        return analytics(
            "a",
            StorageClassAnalysis={
                "DataExport": {
                    "OutputSchemaVersion": "V_1",
                    "Destination": {"S3BucketDestination": destination},
                }
            },
        )

    good = export({"Format": "CSV", "Bucket": "arn:aws:s3:::reports", "Prefix": "analysis/"})
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="a", AnalyticsConfiguration=good)
    assert s3.get_bucket_analytics_configuration(Bucket=bucket, Id="a")["AnalyticsConfiguration"] == good
    assert (
        error_of(
            s3.put_bucket_analytics_configuration,
            Bucket=bucket,
            Id="a",
            AnalyticsConfiguration=export({"Format": "JSON", "Bucket": "arn:aws:s3:::reports"}),
        )
        == MALFORMED
    )
    assert error_of(
        s3.put_bucket_analytics_configuration,
        Bucket=bucket,
        Id="a",
        AnalyticsConfiguration=export({"Format": "CSV", "Bucket": "reports"}),
    )[:2] == ("InvalidS3DestinationBucket", 400)


# -- authorization: the IAM action of each operation --------------------------------------------------


def test_configurations_are_authorized_with_s3s_actions(s3: Any, endpoint: str, bucket: str) -> None:
    resource = f"arn:aws:s3:::{bucket}"
    _, user = iam_user(
        endpoint,
        policy(
            {
                "Effect": "Allow",
                "Action": ["s3:PutMetricsConfiguration", "s3:GetInventoryConfiguration"],
                "Resource": resource,
            }
        ),
    )
    user.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration=metrics("m"))
    assert (
        user.list_bucket_inventory_configurations(Bucket=bucket)["IsTruncated"] is False
    )  # List is the Get action
    user.delete_bucket_metrics_configuration(Bucket=bucket, Id="m")  # Delete is the Put action
    assert error_of(user.get_bucket_metrics_configuration, Bucket=bucket, Id="m")[:2] == ("AccessDenied", 403)
    assert error_of(
        user.put_bucket_analytics_configuration, Bucket=bucket, Id="a", AnalyticsConfiguration=analytics("a")
    )[:2] == ("AccessDenied", 403)
    assert error_of(user.list_bucket_intelligent_tiering_configurations, Bucket=bucket)[:2] == (
        "AccessDenied",
        403,
    )


# -- the deprecated ?lifecycle and ?notification operations ------------------------------------------


def test_legacy_lifecycle_put_is_read_back_by_both_apis(s3: Any, bucket: str) -> None:
    legacy_rule = {
        "ID": "old",
        "Prefix": "logs/",
        "Status": "Enabled",
        "Expiration": {"Days": 30},
        "Transition": {"Days": 10, "StorageClass": "GLACIER"},
    }
    s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [legacy_rule]})
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == [legacy_rule]
    current = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert current == [
        {
            "ID": "old",
            "Prefix": "logs/",
            "Status": "Enabled",
            "Expiration": {"Days": 30},
            "Transitions": [{"Days": 10, "StorageClass": "GLACIER"}],
        }
    ]


def test_legacy_lifecycle_get_of_a_filtered_rule_has_no_top_level_prefix(s3: Any, bucket: str) -> None:
    rule = {"ID": "new", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == [
        {"ID": "new", "Status": "Enabled", "Expiration": {"Days": 1}}
    ]


def test_legacy_lifecycle_get_without_configuration_is_no_such_lifecycle_configuration(
    s3: Any, bucket: str
) -> None:
    assert error_of(s3.get_bucket_lifecycle, Bucket=bucket)[:2] == ("NoSuchLifecycleConfiguration", 404)


def test_legacy_notification_put_is_read_back_by_both_apis(endpoint: str, s3: Any, bucket: str) -> None:
    sqs = make_client(endpoint, "sqs")
    url, arn = queue_s3_may_send_to(sqs, "legacy")
    try:
        s3.put_bucket_notification(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfiguration": {"Id": "q", "Queue": arn, "Events": ["s3:ObjectCreated:*"]}
            },
        )
        # One <Event> element on the wire: botocore's legacy shape reads it as Event and as Events.
        assert s3.get_bucket_notification(Bucket=bucket)["QueueConfiguration"] == {
            "Id": "q",
            "Queue": arn,
            "Event": "s3:ObjectCreated:*",
            "Events": ["s3:ObjectCreated:*"],
        }
        current = s3.get_bucket_notification_configuration(Bucket=bucket)
        assert current["QueueConfigurations"] == [
            {"Id": "q", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}
        ]
    finally:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
        sqs.delete_queue(QueueUrl=url)


def test_legacy_notification_of_a_bucket_without_one_is_empty(s3: Any, bucket: str) -> None:
    answer = s3.get_bucket_notification(Bucket=bucket)
    assert {k for k in answer if k != "ResponseMetadata"} == set()


def test_a_put_without_a_configuration_document_is_malformed(raw_s3: Any, bucket: str) -> None:
    assert error_of(raw_s3.put_bucket_metrics_configuration, Bucket=bucket, Id="m") == MALFORMED


def test_listing_with_a_token_s3_did_not_give_is_invalid_argument(s3: Any, bucket: str) -> None:
    assert error_of(s3.list_bucket_analytics_configurations, Bucket=bucket, ContinuationToken="%%%")[:2] == (
        "InvalidArgument",
        400,
    )


def test_inventory_destination_encrypted_with_sse_s3_round_trips(s3: Any, bucket: str) -> None:
    destination = {"Bucket": "arn:aws:s3:::reports", "Format": "CSV", "Encryption": {"SSES3": {}}}
    document = inventory("sse", Destination={"S3BucketDestination": destination})
    s3.put_bucket_inventory_configuration(Bucket=bucket, Id="sse", InventoryConfiguration=document)
    assert (
        s3.get_bucket_inventory_configuration(Bucket=bucket, Id="sse")["InventoryConfiguration"] == document
    )
