"""Inputs found by the robustness sweep (every operation, garbage and boundary input) that once
answered 500: each must get S3's own 4xx error. Clients skip botocore's parameter validation so
the malformed request reaches the server, as one from another SDK or hand-built XML would."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.access_support import policy
from tests.services.s3.core_support import error_of

MALFORMED = (
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)

ALLOW_S3 = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})


def unchecked_user(endpoint: str) -> Any:
    """An S3 client, without botocore's parameter validation, of a new IAM user allowed s3:*."""
    iam = make_client(endpoint, "iam")
    name = f"sweep-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=ALLOW_S3)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return make_client(
        endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"], parameter_validation=False
    )


@pytest.fixture(scope="module")
def unchecked(endpoint: str) -> Any:
    return make_client(endpoint, "s3", parameter_validation=False)


@pytest.mark.parametrize("tag", [{}, {"Value": "v"}, {"Key": "k"}], ids=["empty", "no-key", "no-value"])
def test_object_tag_without_key_or_value_is_malformed_xml(
    s3: Any, unchecked: Any, bucket: str, tag: dict[str, str]
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert (
        error_of(unchecked.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": [tag]}) == MALFORMED
    )
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


def test_object_tag_without_key_is_malformed_xml_for_an_iam_user(endpoint: str, s3: Any, bucket: str) -> None:
    # An IAM user's call computes s3:RequestObjectTag/<key> condition values before the operation.
    user = unchecked_user(endpoint)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert (
        error_of(user.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": [{"Value": "v"}]})
        == MALFORMED
    )


def test_a_bucket_policy_nested_too_deep_is_invalid_json(s3: Any, bucket: str) -> None:
    deep = '{"Statement":' + '{"a":' * 1200 + "1" + "}" * 1200 + "}"
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=deep) == (
        "MalformedPolicy",
        400,
        "This policy contains invalid Json",
    )


def test_delete_objects_naming_an_object_without_a_key_is_malformed_xml(
    endpoint: str, s3: Any, unchecked: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    request = {"Objects": [{"Key": "k"}, {"VersionId": "null"}]}
    assert error_of(unchecked.delete_objects, Bucket=bucket, Delete=request) == MALFORMED
    user = unchecked_user(endpoint)
    assert error_of(user.delete_objects, Bucket=bucket, Delete=request) == MALFORMED
    assert s3.head_object(Bucket=bucket, Key="k")["ContentLength"] == 1


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 3000 + b"\n",
        b'{"a":' * 1100 + b"1" + b"}" * 1100 + b"\n",
        b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"\n",
    ],
    ids=["unclosed-arrays", "objects-past-1024-levels", "objects-1000-levels"],
)
@pytest.mark.parametrize("output", [{"JSON": {}}, {"CSV": {}}], ids=["json-out", "csv-out"])
def test_select_of_json_lines_nested_too_deep_is_a_parsing_error(
    s3: Any, bucket: str, body: bytes, output: dict[str, Any]
) -> None:
    # Nested deeper than the parsers read (or, at 1,000 levels, than the CSV writer writes): a
    # RecursionError, answered 500.
    s3.put_object(Bucket=bucket, Key="deep.json", Body=body)
    assert error_of(
        s3.select_object_content, Bucket=bucket, Key="deep.json", Expression="SELECT * FROM S3Object s",
        ExpressionType="SQL", InputSerialization={"JSON": {"Type": "LINES"}}, OutputSerialization=output,
    ) == ("JSONParsingError", 400, "An error occurred while parsing the JSON file. Check the file and try again.")  # fmt: skip


def test_a_lifecycle_rule_of_millions_of_days_leaves_its_objects_reachable(s3: Any, bucket: str) -> None:
    # 3,000,000 days (an Integer the model allows) lands past the year 9999: every PUT, GET and HEAD
    # in the bucket, which answer their expiry, and CreateMultipartUpload (its abort date) were 500.
    rule = {"ID": "far", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 3_000_000},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3_000_000}}  # fmt: skip
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    assert 'rule-id="far"' in s3.head_object(Bucket=bucket, Key="k")["Expiration"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert upload["AbortRuleId"] == "far"


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("put_bucket_lifecycle_configuration", {"LifecycleConfiguration": {"Rules": [
            {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 2**31}}]}}),
        ("put_bucket_lifecycle_configuration", {"LifecycleConfiguration": {"Rules": [
            {"ID": "r", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 2**64}, "Expiration": {"Days": 1}}]}}),
        ("put_bucket_cors", {"CORSConfiguration": {"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 2**64}]}}),
    ],
    ids=["days-past-int32", "size-past-int64", "max-age-past-int32"],
)  # fmt: skip
def test_a_number_its_xml_type_cannot_hold_is_malformed_xml(s3: Any, bucket: str, call: str, args: Any) -> None:
    # An Integer past 32 bits or a Long past 64 does not validate against S3's schema; it was stored
    # (and a lifecycle rule of such Days then came due on the last day a datetime holds).
    code, status, _ = error_of(getattr(s3, call), Bucket=bucket, **args)
    assert (code, status) == ("MalformedXML", 400)


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("SELECT DATE_ADD(day, 99999999999, TO_TIMESTAMP(s._1)) FROM S3Object s",
         ("IntegerOverflow", 400, "An integer overflow or underflow occurred in the SQL expression.")),
        ("SELECT DATE_ADD(second, 99999999999999999999, TO_TIMESTAMP(s._1)) FROM S3Object s",
         ("IntegerOverflow", 400, "An integer overflow or underflow occurred in the SQL expression.")),
        ("SELECT TO_TIMESTAMP('2020-01-01T00:00+99:99') FROM S3Object s", ("ValueParseFailure", 400)),
    ],
    ids=["date-add-days", "date-add-seconds", "offset-past-a-day"],
)  # fmt: skip
def test_select_timestamps_out_of_range_are_select_errors(
    s3: Any, bucket: str, sql: str, error: tuple[Any, ...]
) -> None:
    # DATE_ADD past the year 9999 by DAY..SECOND (YEAR and MONTH were refused already) and a UTC offset
    # of more than a day were OverflowError and ValueError: 500.
    s3.put_object(Bucket=bucket, Key="t.csv", Body=b"2020-01-01T00:00:00Z\n")
    answer = error_of(
        s3.select_object_content, Bucket=bucket, Key="t.csv", Expression=sql, ExpressionType="SQL",
        InputSerialization={"CSV": {}}, OutputSerialization={"JSON": {}},
    )  # fmt: skip
    assert answer[: len(error)] == error


def test_a_restore_for_the_most_days_an_integer_holds_is_accepted(s3: Any, bucket: str) -> None:
    # 2,147,483,647 days from now is past the year 9999: timedelta overflowed, 500.
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    answer = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 2_147_483_647})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert "9999" in s3.head_object(Bucket=bucket, Key="cold")["Restore"]
