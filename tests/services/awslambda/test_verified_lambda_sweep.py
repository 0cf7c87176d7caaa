"""Lambda behaviour of moto's AWS-verified Lambda test that no test of ours stated yet.

Evidence: the stored public repository getmoto/moto, tests/test_awslambda/test_lambda.py,
test_list_functions (`@pytest.mark.aws_verified` with `@lambda_aws_verified`), which moto's
maintainers run against real AWS: once a function is active and a version is published with a
Description, ListFunctions shows the function once, PackageType Zip; with FunctionVersion=ALL it
shows $LATEST and version 1, both Zip, each ARN naming its version, the version carrying the
description given to PublishVersion and $LATEST keeping its own empty one. The ARNs and the
one-entry default listing are already stated in test_api_conformance.py; the sweep found
pocketcloud answering the whole test as AWS does. The checks are our own.
"""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions

SOURCE = "def handler(event, context):\n    return event\n"


def _listed(lam: Any, name: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = lam.get_paginator("list_functions").paginate(**kwargs)
    return [f for page in pages for f in page["Functions"] if f["FunctionName"] == name]


def test_a_published_version_carries_its_description_and_every_listed_version_is_a_zip(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    lam.publish_version(FunctionName=name, Description="v2")

    (latest_only,) = _listed(lam, name)
    assert latest_only["PackageType"] == "Zip"

    every = {f["Version"]: f for f in _listed(lam, name, FunctionVersion="ALL")}
    assert sorted(every) == ["$LATEST", "1"]
    assert [every[v]["PackageType"] for v in ("$LATEST", "1")] == ["Zip", "Zip"]
    assert every["1"]["Description"] == "v2"
    assert every["$LATEST"]["Description"] == ""
