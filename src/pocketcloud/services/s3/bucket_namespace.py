"""General purpose bucket namespaces: the shared global one and each account's regional one.

S3 User Guide, "Namespaces for general purpose buckets": a bucket created with
`x-amz-bucket-namespace: account-regional` is named `<prefix>-<account id>-<region code>-an`,
where the account is the creator's and the Region code (`us-west-2`) the bucket's Region; no
other account can create a name with that suffix. Names of that shape are reserved for the
namespace, so a CreateBucket without the header (or with `global`) is refused for them.

Errors, all 400: MissingNamespaceHeader (code, wording and Header element as S3 answers) and
InvalidNamespaceHeader for the header `account-regional` on a name without the suffix (code as
S3 answers) come from the live API; InvalidNamespaceHeader for the header `global` on a suffixed
name, InvalidBucketNamespace for a suffix naming another account or Region and InvalidArgument
for another header value follow other S3 implementations, the wording of the first being ours.
"""

from __future__ import annotations

import re

from pocketcloud.protocol.errors import ServiceError

ACCOUNT_REGIONAL = "account-regional"
GLOBAL_NAMESPACE = "global"
_HEADER = "x-amz-bucket-namespace"
# <prefix>-<12-digit account id>-<Region code>-an; a Region code is `us-east-1`, `us-gov-west-1`,
# `ap-southeast-2`, ... (the greedy prefix leaves the last account/Region pair to the suffix).
_SUFFIXED = re.compile(r"^(?P<prefix>.+)-(?P<account>\d{12})-(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)-an$")


def bucket_arn(name: str) -> str:
    """A general purpose bucket's ARN: no Region or account, in either namespace."""
    return f"arn:aws:s3:::{name}"


def check_namespace(name: str, namespace: str | None, account: str, region: str) -> bool:
    """Whether CreateBucket of `name` in `region` by `account` is in the account regional namespace;
    raises S3's error when the header and the name disagree."""
    if namespace not in (None, ACCOUNT_REGIONAL, GLOBAL_NAMESPACE):
        raise ServiceError(
            "InvalidArgument",
            f"Invalid {_HEADER} header: {namespace}",
            status=400,
            ArgumentName=_HEADER,
            ArgumentValue=namespace,
        )
    suffixed = _SUFFIXED.match(name)
    if namespace != ACCOUNT_REGIONAL:
        if suffixed is None:
            return False
        if namespace is None:
            raise ServiceError(
                "MissingNamespaceHeader",
                "The requested bucket is an account-regional namespace bucket, but your request is "
                f"missing the required {_HEADER} header.",
                status=400,
                Header=_HEADER,
            )
        raise ServiceError(
            "InvalidNamespaceHeader",
            "The requested bucket name includes the account-regional namespace suffix, but the provided "
            f"{_HEADER} header value is global. Set the header to account-regional to create the bucket "
            "in your account-regional namespace, or choose another bucket name.",
            status=400,
        )
    if suffixed is None:
        raise ServiceError(
            "InvalidNamespaceHeader",
            "The requested bucket name did not include the account-regional namespace suffix, but the "
            f"provided {_HEADER} header value is account-regional. Specify -{account}-{region}-an as the "
            "bucket name suffix to create a bucket in your account-regional namespace, or remove the header.",
            status=400,
        )
    if suffixed["account"] != account:
        raise ServiceError(
            "InvalidBucketNamespace",
            "The requested bucket is an account-regional namespace bucket, but the requested AWS Account ID "
            f"'{suffixed['account']}' does not match the caller's AWS Account ID '{account}'. Specify the "
            "caller's AWS Account ID in the bucket name.",
            status=400,
            BucketName=name,
        )
    if suffixed["region"] != region:
        raise ServiceError(
            "InvalidBucketNamespace",
            "The requested bucket is an account-regional namespace bucket, but the requested region "
            f"'{suffixed['region']}' does not match the current region '{region}'. Specify the targeted "
            "region in the bucket name.",
            status=400,
            BucketName=name,
        )
    return True
