"""IAM's account properties (GetAccountProperties, PutAccountProperties) through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.iam.support import error_of


def test_properties_put_are_read_back_and_merged(iam: Any) -> None:
    iam.put_account_properties(Properties={"TestNamespace/First": "true", "TestNamespace/Second": "7"})
    iam.put_account_properties(Properties={"TestNamespace/Second": "8"})
    got = iam.get_account_properties()["Properties"]
    assert (got["TestNamespace/First"], got["TestNamespace/Second"]) == ("true", "8")


def test_one_request_sets_one_namespace(iam: Any) -> None:
    both = {"One/Setting": "true", "Other/Setting": "true"}
    assert error_of(iam.put_account_properties, Properties=both)[:2] == ("InvalidInput", 400)


@pytest.mark.parametrize("key", ["NoSlash", "Too/Many/Slashes", "Trailing/"])
def test_a_key_is_namespace_slash_name(iam: Any, key: str) -> None:
    assert error_of(iam.put_account_properties, Properties={key: "true"})[:2] == ("InvalidInput", 400)
