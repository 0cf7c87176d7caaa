"""Object annotations: named UTF-8 payloads (1 byte to 1 MiB, up to 1,000) on an object version,
through boto3's PutObjectAnnotation, GetObjectAnnotation, ListObjectAnnotations and
DeleteObjectAnnotation, and CopyObject's x-amz-object-annotation-directive."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from tests.services.s3.access_support import iam_user, policy
from tests.services.s3.core_support import allow_sse_c, error_of


def annotate(s3: Any, bucket: str, key: str, name: str, payload: bytes, **extra: Any) -> Any:
    return s3.put_object_annotation(
        Bucket=bucket, Key=key, AnnotationName=name, AnnotationPayload=payload, **extra
    )


def payload_of(s3: Any, bucket: str, key: str, name: str, **extra: Any) -> bytes:
    got = s3.get_object_annotation(Bucket=bucket, Key=key, AnnotationName=name, **extra)
    return bytes(got["AnnotationPayload"].read())


def names(s3: Any, bucket: str, key: str, **extra: Any) -> list[str]:
    listed = s3.list_object_annotations(Bucket=bucket, Key=key, **extra)
    return [entry["AnnotationName"] for entry in listed["Annotations"]]


def test_an_annotation_is_put_read_listed_and_deleted(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"pixels")
    caption = b'{"text": "a cat"}'
    put = annotate(s3, bucket, "photo.jpg", "caption", caption)
    assert (put["Key"], put["AnnotationName"]) == ("photo.jpg", "caption")
    assert put["ETag"] == f'"{hashlib.md5(caption).hexdigest()}"'
    got = s3.get_object_annotation(Bucket=bucket, Key="photo.jpg", AnnotationName="caption")
    assert got["AnnotationPayload"].read() == b'{"text": "a cat"}'
    assert (got["ContentLength"], got["ETag"]) == (17, put["ETag"])
    listed = s3.list_object_annotations(Bucket=bucket, Key="photo.jpg")
    assert listed["AnnotationCount"] == 1
    (entry,) = listed["Annotations"]
    assert (entry["AnnotationName"], entry["Size"], entry["ETag"]) == ("caption", 17, put["ETag"])
    out = s3.delete_object_annotation(Bucket=bucket, Key="photo.jpg", AnnotationName="caption")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, status, _ = error_of(
        s3.get_object_annotation, Bucket=bucket, Key="photo.jpg", AnnotationName="caption"
    )
    assert (code, status) == ("NoSuchAnnotation", 404)
    assert (
        s3.get_object(Bucket=bucket, Key="photo.jpg")["Body"].read() == b"pixels"
    )  # the object is untouched


def test_putting_a_name_again_replaces_its_payload(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    annotate(s3, bucket, "k", "n", b"first")
    annotate(s3, bucket, "k", "n", b"second")
    assert payload_of(s3, bucket, "k", "n") == b"second"
    assert names(s3, bucket, "k") == ["n"]


def test_annotations_need_an_object_and_a_valid_name(s3: Any, bucket: str) -> None:
    assert error_of(annotate, s3, bucket, "missing", "n", b"x")[:2] == ("NoSuchKey", 404)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for reserved in ("aws-tag", "S3note"):
        assert error_of(annotate, s3, bucket, "k", reserved, b"x")[:2] == ("InvalidAnnotationName", 400)
    assert error_of(annotate, s3, bucket, "k", "n" * 513, b"x")[:2] == ("AnnotationNameTooLong", 400)
    annotate(s3, bucket, "k", "n" * 512, b"x")


def test_a_payload_is_utf8_text_of_one_byte_to_one_mib(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(annotate, s3, bucket, "k", "bin", b"\xff\xfe\x00")[:2] == ("UnsupportedMediaType", 415)
    assert error_of(annotate, s3, bucket, "k", "empty", b"")[:2] == ("InvalidRequest", 400)
    assert error_of(annotate, s3, bucket, "k", "big", b"a" * (1024 * 1024 + 1))[:2] == ("EntityTooLarge", 400)
    annotate(s3, bucket, "k", "largest", "é".encode() * (512 * 1024))
    assert payload_of(s3, bucket, "k", "largest") == "é".encode() * (512 * 1024)
    assert sorted(names(s3, bucket, "k")) == ["largest"]


def test_object_if_match_guards_puts_and_deletes(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    code, status, _ = error_of(annotate, s3, bucket, "k", "n", b"v", ObjectIfMatch='"0123"')
    assert (code, status) == ("PreconditionFailed", 412)
    annotate(s3, bucket, "k", "n", b"v", ObjectIfMatch=etag)
    code, status, _ = error_of(
        s3.delete_object_annotation, Bucket=bucket, Key="k", AnnotationName="n", ObjectIfMatch='"0123"'
    )
    assert (code, status) == ("PreconditionFailed", 412)
    assert payload_of(s3, bucket, "k", "n") == b"v"


def test_an_sse_c_object_cannot_have_annotations(s3: Any, bucket: str) -> None:
    allow_sse_c(s3, bucket)
    key = os.urandom(32)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert error_of(annotate, s3, bucket, "k", "n", b"v")[:2] == ("InvalidRequest", 400)


def test_listing_filters_by_prefix_and_pages_in_name_order(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for name in ("b2", "a1", "b1", "b3", "c1"):
        annotate(s3, bucket, "k", name, name.encode())
    assert names(s3, bucket, "k") == ["a1", "b1", "b2", "b3", "c1"]
    first = s3.list_object_annotations(Bucket=bucket, Key="k", AnnotationPrefix="b", MaxAnnotationResults=2)
    assert [e["AnnotationName"] for e in first["Annotations"]] == ["b1", "b2"]
    assert first["AnnotationPrefix"] == "b"
    rest = s3.list_object_annotations(
        Bucket=bucket, Key="k", AnnotationPrefix="b", ContinuationToken=first["NextContinuationToken"]
    )
    assert [e["AnnotationName"] for e in rest["Annotations"]] == ["b3"]
    assert "NextContinuationToken" not in rest


def test_annotations_belong_to_one_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    put = annotate(s3, bucket, "k", "n", b"on v1")
    assert put["ObjectVersionId"] == v1
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert names(s3, bucket, "k") == []  # the new current version starts with none
    assert payload_of(s3, bucket, "k", "n", VersionId=v1) == b"on v1"
    annotate(s3, bucket, "k", "n", b"on v2")
    assert payload_of(s3, bucket, "k", "n", VersionId=v2) == b"on v2"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v1)
    code, status, _ = error_of(
        s3.get_object_annotation, Bucket=bucket, Key="k", AnnotationName="n", VersionId=v1
    )
    assert status == 404 and code in ("NoSuchVersion", "NoSuchKey")


def test_overwriting_an_unversioned_object_drops_its_annotations(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    annotate(s3, bucket, "k", "n", b"v" * 100_000)  # a payload kept as a blob file
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    assert names(s3, bucket, "k") == []


def test_copy_object_copies_annotations_unless_excluded(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    annotate(s3, bucket, "src", "n", b"copied along")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert payload_of(s3, bucket, "dst", "n") == b"copied along"
    s3.delete_object_annotation(Bucket=bucket, Key="src", AnnotationName="n")
    assert payload_of(s3, bucket, "dst", "n") == b"copied along"  # a copy of its own
    annotate(s3, bucket, "src", "m", b"left behind")
    s3.copy_object(
        Bucket=bucket, Key="bare", CopySource={"Bucket": bucket, "Key": "src"}, AnnotationDirective="EXCLUDE"
    )
    assert names(s3, bucket, "bare") == []


def test_annotation_calls_are_authorized_with_their_own_actions(s3: Any, endpoint: str, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    annotate(s3, bucket, "k", "n", b"v")
    _, user = iam_user(
        endpoint,
        policy(
            {"Effect": "Allow", "Action": "s3:GetObjectAnnotation", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ),
    )
    assert payload_of(user, bucket, "k", "n") == b"v"
    assert error_of(annotate, user, bucket, "k", "n", b"w")[:2] == ("AccessDenied", 403)
    assert error_of(user.delete_object_annotation, Bucket=bucket, Key="k", AnnotationName="n")[:2] == (
        "AccessDenied",
        403,
    )


def test_copying_annotations_needs_their_actions_on_both_objects(s3: Any, endpoint: str, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    s3.put_object(Bucket=bucket, Key="annotated", Body=b"x")
    annotate(s3, bucket, "annotated", "n", b"v")
    objects = f"arn:aws:s3:::{bucket}/*"
    _, copier = iam_user(
        endpoint, policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": objects})
    )
    copier.copy_object(
        Bucket=bucket, Key="c1", CopySource={"Bucket": bucket, "Key": "plain"}
    )  # nothing to copy
    code, status, _ = error_of(
        copier.copy_object, Bucket=bucket, Key="c2", CopySource={"Bucket": bucket, "Key": "annotated"}
    )
    assert (code, status) == ("AccessDenied", 403)
    copier.copy_object(
        Bucket=bucket,
        Key="c3",
        CopySource={"Bucket": bucket, "Key": "annotated"},
        AnnotationDirective="EXCLUDE",
    )
    _, annotator = iam_user(
        endpoint,
        policy(
            {
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:GetObjectAnnotation",
                    "s3:PutObjectAnnotation",
                ],
                "Resource": objects,
            }
        ),
    )
    annotator.copy_object(Bucket=bucket, Key="c4", CopySource={"Bucket": bucket, "Key": "annotated"})
    assert payload_of(s3, bucket, "c4", "n") == b"v"
