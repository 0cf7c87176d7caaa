"""S3's browser-based POST upload, which botocore's model does not describe, read as an operation.

`POST /{Bucket}` with a multipart/form-data body is an object upload whose
parameters travel as form fields instead of headers. The authenticator has
already read the fields (`auth.post_form`) and left the file streaming on the
request body; here the upload becomes the operation "PostObject", modelled on
PutObject: its input shape is PutObjectRequest, and each header member of that
shape is read from the form field of the same (case-insensitive) name
(`Content-Type`, `x-amz-storage-class`, `x-amz-meta-*`, ...), plus the form's
own names for two of them: `acl` and `tagging` (an XML Tagging document). The
key's `${filename}` is replaced by the name of the uploaded file.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode
from xml.etree import ElementTree

from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import MalformedRequest, ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.values import BadValue, parse_timestamp, scalar_from_text

if TYPE_CHECKING:
    from botocore.model import OperationModel

OPERATION = "PostObject"
# The form's names for members whose header name differs.
_FORM_NAMES = {"acl": "ACL", "tagging": "Tagging"}
_NOT_MEMBERS = frozenset(("key", "file", "policy", "bucket", "success_action_status", "success_action_redirect",
                          "redirect", "awsaccesskeyid", "signature", "x-amz-signature", "x-amz-credential",
                          "x-amz-algorithm", "x-amz-date", "x-amz-security-token"))


@cache
def post_object_operation() -> OperationModel:
    """The upload as an operation of S3's model: POST /{Bucket}, PutObject's input and output shapes."""
    from botocore.model import OperationModel

    model = service_model("s3")
    definition = {
        "name": OPERATION,
        "http": {"method": "POST", "requestUri": "/{Bucket}"},
        "input": {"shape": "PutObjectRequest"},
        "output": {"shape": "PutObjectOutput"},
    }
    return OperationModel(definition, model, name=OPERATION)


def post_object_params(bucket_path: str, request: Request, post: Any) -> dict[str, Any]:
    """PostObject's input from the form (`post`: an `auth.post_form.PostForm`)."""
    bucket = unquote(bucket_path.strip("/"))
    if not bucket or "/" in bucket:
        raise ServiceError("MethodNotAllowed", "The specified method is not allowed against this resource.",
                           status=405, Method="POST", ResourceType="OBJECT")
    fields: dict[str, str] = post.fields
    key = fields.get("key")
    if key is None:
        raise ServiceError(
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            status=400, ArgumentName="key", ArgumentValue="",
        )
    if post.filename is not None:
        # Only the file's own name: a browser may send a path ("C:\\fakepath\\photo.jpg").
        key = key.replace("${filename}", post.filename.replace("\\", "/").rsplit("/", 1)[-1])
    params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": request.body}
    shape = post_object_operation().input_shape
    assert shape is not None
    by_wire: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = str(member.serialization.get("name", name)).lower()
        if location == "header":
            by_wire[wire] = name
        elif location == "headers":
            prefixes[wire] = name
    by_wire.update(_FORM_NAMES)
    for field_name, value in fields.items():
        if field_name in _NOT_MEMBERS:
            continue
        member_name = by_wire.get(field_name)
        if member_name is not None:
            params[member_name] = _value(member_name, shape.members[member_name], value)
            continue
        for prefix, map_member in prefixes.items():
            if field_name.startswith(prefix):
                params.setdefault(map_member, {})[field_name[len(prefix):]] = value
    if "Tagging" in params:
        params["Tagging"] = _tagging_query(fields["tagging"])
    return params


def _value(name: str, member: Any, text: str) -> Any:
    if name in ("Tagging", "Expires"):  # Expires kept as sent, a date or not, as PutObject's header is
        return text
    try:
        if member.type_name == "timestamp":
            return parse_timestamp(text)
        return scalar_from_text(member.type_name, text)
    except BadValue:
        raise MalformedRequest("InvalidArgument", f"Invalid value for {name}: {text!r}") from None


def _tagging_query(document: str) -> str:
    """The POST form's Tagging XML as PutObject's x-amz-tagging (a URL-encoded query)."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against "
                           "our published schema", status=400) from None
    pairs = []
    for tag in root.iter():
        if tag.tag.rpartition("}")[2] != "Tag":
            continue
        values = {child.tag.rpartition("}")[2]: child.text or "" for child in tag}
        pairs.append((values.get("Key", ""), values.get("Value", "")))
    return urlencode(pairs)
