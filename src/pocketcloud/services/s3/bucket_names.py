"""General purpose bucket names: the rules of the S3 User Guide ("General purpose bucket naming rules")."""

from __future__ import annotations

import ipaddress
import re

from pocketcloud.protocol.errors import ServiceError

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket_name(name: str) -> None:
    """The naming rules of the S3 User Guide ("General purpose bucket naming rules")."""
    valid = (
        _BUCKET_NAME.match(name) is not None
        and ".." not in name
        and ".-" not in name
        and "-." not in name
        and not name.startswith(_RESERVED_PREFIXES)
        and not name.endswith(_RESERVED_SUFFIXES)
    )
    if valid:
        try:
            ipaddress.IPv4Address(name)
            valid = False
        except ValueError:
            pass
    if not valid:
        raise ServiceError(
            "InvalidBucketName", "The specified bucket is not valid.", status=400, BucketName=name
        )
