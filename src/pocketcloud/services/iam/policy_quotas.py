"""IAM's size quotas on policy documents, counted as IAM counts them (white space left out) and
refused with the LimitExceeded (409) wordings real IAM answers:

- a managed policy's document (CreatePolicy, CreatePolicyVersion): 6,144 characters,
  "Cannot exceed quota for PolicySize: 6144";
- the aggregate of an entity's inline policies: 2,048 for a user, 10,240 for a role, 5,120 for
  a group, "Maximum policy size of 2048 bytes exceeded for user <name>";
- a role's trust policy (CreateRole, UpdateAssumeRolePolicy): 2,048 (the default of a quota
  AWS can raise), "Cannot exceed quota for ACLSizePerRole: 2048".

The same figures are GetAccountSummary's PolicySizeQuota, UserPolicySizeQuota, ... The model's
own maximum length of a document (131,072) is the validation step's, which answers first.
"""

from __future__ import annotations

from collections.abc import Iterable

from pocketcloud.services.iam.common import limit_exceeded

MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048
INLINE_POLICY_SIZE = {"user": 2048, "role": 10240, "group": 5120}

# The white space IAM does not count: what may separate JSON tokens (the only white space a
# policy document may hold besides U+00A0, which IAM counts as a character).
_WHITE_SPACE = str.maketrans("", "", " \t\n\r")


def policy_size(document: str) -> int:
    """The size IAM holds a document to: its characters other than white space."""
    return len(document.translate(_WHITE_SPACE))


def check_managed_policy_size(document: str) -> None:
    if policy_size(document) > MANAGED_POLICY_SIZE:
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")


def check_trust_policy_size(document: str) -> None:
    if policy_size(document) > TRUST_POLICY_SIZE:
        raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_SIZE}")


def check_inline_policies_size(label: str, name: str, documents: Iterable[str]) -> None:
    """`documents`: every inline policy the entity would have (the new one included)."""
    quota = INLINE_POLICY_SIZE[label]
    if sum(map(policy_size, documents)) > quota:
        raise limit_exceeded(f"Maximum policy size of {quota} bytes exceeded for {label} {name}")
