"""The AWS SDK teams' own Lambda integration scenarios (cucumber "features" run against real AWS),
ported to boto3 where they state something about Lambda that the other tests here do not.

Sources: aws/aws-sdk-js `features/lambda/lambda.feature`, aws/aws-sdk-ruby
`gems/aws-sdk-lambda/features/client.feature` and `smoke.feature`, aws/aws-sdk-php
`features/smoke/lambda/lambda.feature`. Each test names its scenario.
"""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import error_of


def test_get_event_source_mapping_of_an_unknown_uuid_is_resource_not_found(lam: Any) -> None:
    # aws-sdk-ruby gems/aws-sdk-lambda/features/client.feature "Error handling": UUID
    # deadbeef-e025-4d45-9da3-23813f5e7b65, ResourceNotFoundException whose message says "does not exist".
    code, status, message, _ = error_of(lam.get_event_source_mapping, UUID="deadbeef-e025-4d45-9da3-23813f5e7b65")
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.startswith("The resource you requested does not exist.")
    assert isinstance(lam.list_event_source_mappings()["EventSourceMappings"], list)  # "Making a basic request"
