"""DeleteObjects is authorized key by key, as AWS does: a key the caller may not delete is
reported in the answer's Errors (AccessDenied) while the others are deleted, rather than
the whole request being refused (moto's test_deny_delete_policy, run against AWS). So is an anonymous caller: AWS answers it
200 with an AccessDenied entry per key (minio/minio#4817, compared against Amazon), not a 403."""

from __future__ import annotations

from typing import Any

from botocore import UNSIGNED

from tests.conftest import make_client
from tests.services.s3.access_support import iam_user, policy, statement
from tests.services.s3.test_access_point_data import control, delegate_to_access_points, grant, make_ap

__all__ = ["control", "make_ap"]  # fixtures of the access point tests, used here too


def test_a_key_denied_by_the_bucket_policy_is_an_error_entry_and_the_rest_are_deleted(
    s3: Any, bucket: str
) -> None:
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(statement("Deny", "*", "s3:DeleteObject", f"arn:aws:s3:::{bucket}/kept/*")),
    )
    for key in ("kept/a", "gone/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    try:
        result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "kept/a"}, {"Key": "gone/b"}]})
        assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert [d["Key"] for d in result["Deleted"]] == ["gone/b"]
        [error] = result["Errors"]
        assert (error["Key"], error["Code"]) == ("kept/a", "AccessDenied")
        assert error["Message"].endswith(
            f'is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::{bucket}/kept/a" '
            "with an explicit deny in a resource-based policy"
        )
        listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
        assert [o["Key"] for o in listed] == ["kept/a"]
    finally:
        s3.delete_bucket_policy(Bucket=bucket)


def test_a_user_allowed_some_keys_deletes_those_and_is_refused_the_others_entry_by_entry(
    s3: Any, bucket: str, endpoint: str
) -> None:
    _, client = iam_user(
        endpoint,
        policy({"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{bucket}/tmp/*"}),
    )
    for key in ("tmp/a", "keep/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "tmp/a"}, {"Key": "keep/b"}], "Quiet": True}
    )
    assert "Deleted" not in result  # Quiet: only the errors are listed
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("keep/b", "AccessDenied")]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep/b"]


def test_keys_deleted_through_an_access_point_are_authorized_with_its_delegation(
    s3: Any, endpoint: str, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    for key in ("a", "b"):
        s3.put_object(Bucket=ap.bucket, Key=key, Body=b"x")
    user_arn, user = iam_user(endpoint)
    grant(control, ap, user_arn, ["s3:DeleteObject"])
    delegate_to_access_points(s3, ap.bucket)
    direct = user.delete_objects(Bucket=ap.bucket, Delete={"Objects": [{"Key": "a"}]})
    assert [(e["Key"], e["Code"]) for e in direct["Errors"]] == [("a", "AccessDenied")]
    through = user.delete_objects(Bucket=ap.alias, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
    assert sorted(d["Key"] for d in through["Deleted"]) == ["a", "b"]
    assert "Contents" not in s3.list_objects_v2(Bucket=ap.bucket)


def test_a_version_named_in_the_request_needs_delete_object_version(
    s3: Any, versioned_bucket: str, endpoint: str
) -> None:
    bucket = versioned_bucket
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    _, client = iam_user(
        endpoint,
        policy({"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{bucket}/*"}),
    )
    result = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": version}, {"Key": "k"}]}
    )
    [error] = result["Errors"]
    assert (error["Key"], error["VersionId"], error["Code"]) == ("k", version, "AccessDenied")
    assert "s3:DeleteObjectVersion" in error["Message"]
    [marker] = result["Deleted"]  # the unversioned entry: a delete marker
    assert marker["Key"] == "k" and marker["DeleteMarker"] is True
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == [version]


def test_an_anonymous_caller_gets_an_access_denied_entry_for_every_key_and_nothing_is_deleted(
    s3: Any, bucket: str, endpoint: str
) -> None:
    for key in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    anonymous = make_client(endpoint, "s3", signature_version=UNSIGNED)
    result = anonymous.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert result.get("Deleted", []) == []
    assert [(e["Key"], e["Code"], e["Message"]) for e in result["Errors"]] == [
        ("a", "AccessDenied", "Access Denied"),
        ("b", "AccessDenied", "Access Denied"),
    ]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["a", "b"]


def test_a_user_without_permission_gets_an_access_denied_entry_for_every_key_and_nothing_is_deleted(
    s3: Any, bucket: str, endpoint: str
) -> None:
    for key in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    user_arn, client = iam_user(endpoint)
    result = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert result.get("Deleted", []) == []
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("a", "AccessDenied"), ("b", "AccessDenied")]
    assert result["Errors"][0]["Message"] == (
        f'User: {user_arn} is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::{bucket}/a" '
        "because no identity-based policy allows the s3:DeleteObject action"
    )
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["a", "b"]


def test_a_bogus_version_named_by_a_caller_without_permission_is_access_denied_not_no_such_version(
    s3: Any, versioned_bucket: str, endpoint: str
) -> None:
    bogus = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"  # well-formed, never issued here
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    _, client = iam_user(endpoint)
    anonymous = make_client(endpoint, "s3", signature_version=UNSIGNED)
    for caller in (client, anonymous):
        result = caller.delete_objects(
            Bucket=versioned_bucket, Delete={"Objects": [{"Key": "k", "VersionId": bogus}]}
        )
        [error] = result["Errors"]
        assert (error["Key"], error["VersionId"], error["Code"]) == ("k", bogus, "AccessDenied")
    # The owner, who may delete it, is told the version does not exist.
    [error] = s3.delete_objects(
        Bucket=versioned_bucket, Delete={"Objects": [{"Key": "k", "VersionId": bogus}]}
    )["Errors"]
    assert error["Code"] == "NoSuchVersion"


def test_a_key_the_access_point_policy_refuses_is_an_error_entry_and_the_rest_are_deleted(
    s3: Any, endpoint: str, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    for key in ("kept/a", "gone/b", "gone/c"):
        s3.put_object(Bucket=ap.bucket, Key=key, Body=b"x")
    user_arn, user = iam_user(endpoint)
    control.put_access_point_policy(
        AccountId=ap.arn.split(":")[4],
        Name=ap.name,
        Policy=policy(
            statement("Allow", {"AWS": user_arn}, "s3:DeleteObject", f"{ap.arn}/object/*"),
            statement("Deny", {"AWS": user_arn}, "s3:DeleteObject", f"{ap.arn}/object/kept/*"),
        ),
    )
    delegate_to_access_points(s3, ap.bucket)
    result = user.delete_objects(
        Bucket=ap.alias, Delete={"Objects": [{"Key": "kept/a"}, {"Key": "gone/b"}, {"Key": "gone/c"}]}
    )
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sorted(d["Key"] for d in result["Deleted"]) == ["gone/b", "gone/c"]
    [error] = result["Errors"]
    assert (error["Key"], error["Code"]) == ("kept/a", "AccessDenied")
    assert f'on resource: "{ap.arn}/object/kept/a"' in error["Message"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=ap.bucket)["Contents"]] == ["kept/a"]
