"""What S3 refuses in analytics, inventory, metrics and S3 Intelligent-Tiering configurations.

S3 checks these documents against its XML schema first (a required element missing, a
value outside an enumeration, a filter with two conditions outside `And`: MalformedXML),
then the configuration ID in the query against the one in the document, then what the
schema cannot say (destination ARNs, tiering days). The schema half is read from
botocore's model rather than retyped: the gateway skips model validation for S3, whose
errors are its own.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import Shape

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml

Params = dict[str, Any]

MAX_ID_LENGTH = 64
# Letters, digits, periods, dashes and underscores, as the S3 API reference says of these IDs.
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# An S3 bucket ARN names no region and no account: arn:<partition>:s3:::<bucket>.
_BUCKET_ARN = re.compile(r"arn:(aws[a-zA-Z-]*):s3:([^:]*):([^:]*):(.+)")
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TIER_DAYS = {"ARCHIVE_ACCESS": (90, 730), "DEEP_ARCHIVE_ACCESS": (180, 730)}


def check_config_id(config_id: str | None) -> None:
    if not config_id or not _ID.fullmatch(config_id):
        raise ServiceError("InvalidConfigurationId", "The specified configuration id is invalid.", status=400)


def check_schema(shape: Shape, value: Any) -> None:
    """MalformedXML for what S3's schema refuses: a missing required member, a value outside
    an enumeration, a value of the wrong kind."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise malformed_xml()
        for name in shape.required_members:
            if value.get(name) is None:
                raise malformed_xml()
        for name, member in shape.members.items():
            if value.get(name) is not None:
                check_schema(member, value[name])
    elif kind == "list":
        if not isinstance(value, list):
            raise malformed_xml()
        for item in value:
            check_schema(shape.member, item)
    elif kind == "string":
        enum = getattr(shape, "enum", None)
        if not isinstance(value, str) or (enum and value not in enum):
            raise malformed_xml()


def config_shape(member: str) -> Shape:
    """The model's shape of a configuration document (AnalyticsConfiguration, ...)."""
    return service_model("s3").shape_for(member)


def check_filter(config_filter: Params | None, members: tuple[str, ...]) -> None:
    """A filter names one condition, or joins several under And (tag keys not repeated)."""
    if config_filter is None:
        return
    given = [m for m in members if config_filter.get(m) is not None]
    if len(given) != 1:
        raise malformed_xml()
    conjunction = config_filter.get("And")
    if conjunction is not None:
        keys = [tag.get("Key") for tag in conjunction.get("Tags") or []]
        if len(keys) != len(set(keys)):
            raise invalid_request("Duplicate Tag Keys are not allowed.")


def check_destination_bucket(arn: str) -> None:
    """An export destination is a bucket ARN without region or account (the account, if any,
    goes in its own element)."""
    match = _BUCKET_ARN.fullmatch(arn)
    if match is None or not _BUCKET_NAME.fullmatch(match.group(4)):
        raise ServiceError("InvalidS3DestinationBucket", "Invalid bucket ARN.", status=400)
    if match.group(2) or match.group(3):
        raise ServiceError(
            "InvalidS3DestinationBucket", "Bucket ARN should not specify a namespace.", status=400
        )


def check_analytics(config: Params) -> None:
    check_filter(config.get("Filter"), ("Prefix", "Tag", "And"))
    if (config.get("Filter") or {}).get("Prefix") == "":
        raise malformed_xml()  # S3 refuses an empty prefix condition (AWS SDK for Java's integration tests)
    export = (config.get("StorageClassAnalysis") or {}).get("DataExport")
    if export is not None:
        check_destination_bucket(export["Destination"]["S3BucketDestination"]["Bucket"])


def check_metrics(config: Params) -> None:
    check_filter(config.get("Filter"), ("Prefix", "Tag", "AccessPointArn", "And"))


def check_inventory(config: Params) -> None:
    destination = config["Destination"]["S3BucketDestination"]
    encryption = destination.get("Encryption")
    if encryption is not None and (encryption.get("SSES3") is None) == (encryption.get("SSEKMS") is None):
        raise malformed_xml()
    check_destination_bucket(destination["Bucket"])


def check_intelligent_tiering(config: Params) -> None:
    check_filter(config.get("Filter"), ("Prefix", "Tag", "And"))
    tierings = config["Tierings"]
    tiers = [t["AccessTier"] for t in tierings]
    if not tierings or len(tiers) != len(set(tiers)):
        raise malformed_xml()
    for tiering in tierings:
        tier, days = tiering["AccessTier"], tiering["Days"]
        low, high = _TIER_DAYS[tier]
        if days < low:
            raise invalid_argument(
                f"Days specified in {tier} tier should not be less than {low}.", "Days", str(days)
            )
        if days > high:
            raise invalid_argument(
                f"Days specified in {tier} tier should not be more than {high}.", "Days", str(days)
            )
