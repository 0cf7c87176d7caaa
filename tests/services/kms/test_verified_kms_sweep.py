"""KMS behaviour of moto's AWS-verified KMS tests that no test of ours stated yet.

Evidence: the stored public repository getmoto/moto, tests/test_kms/test_kms_encrypt.py,
test_encrypt_key_with_empty_content and test_encrypt_key_with_large_content
(`@pytest.mark.aws_verified` with `@kms_aws_verified`), which moto's maintainers run against real
AWS. The plaintext over 4096 bytes is already stated in test_crypto.py; an empty plaintext is
refused by the same constraint check, naming its lower bound. The sweep found pocketcloud answering
both as AWS does. The checks are our own.
"""

from __future__ import annotations

from typing import Any

from tests.services.kms.support import error_of


def test_an_empty_plaintext_fails_the_length_constraint(kms: Any) -> None:
    key_id = kms.create_key(Description="empty plaintext")["KeyMetadata"]["KeyId"]
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"") == (
        "ValidationException",
        400,
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
