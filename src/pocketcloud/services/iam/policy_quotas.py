"""IAM's size quotas on policy documents, counted as IAM counts them (white space left out) and
refused with the LimitExceeded (409) wordings real IAM answers:

- a managed policy's document (CreatePolicy, CreatePolicyVersion): 6,144 characters,
  "Cannot exceed quota for PolicySize: 6144";
- the aggregate of an entity's inline policies: 2,048 for a user, 10,240 for a role, 5,120 for
  a group, "Maximum policy size of 2048 bytes exceeded for user <name>" (a role's "Cannot exceed quota
  for PolicySize: 10240" when the one being put is over it by itself);
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


def check_inline_policies_size(label: str, name: str, new: str, others: Iterable[str]) -> None:
    """`new`: the inline policy being put; `others`: the entity's other inline policies. A role's
    document over the quota by itself is refused as a managed one is ("Cannot exceed quota for
    PolicySize: 10240", AWS's answer in the Terraform AWS provider's TestAccIAMRolePolicy_PolicySize_
    exceeded); a user's first policy over 2,048 gets the aggregate's words, as AWS answers the CLI."""
    quota = INLINE_POLICY_SIZE[label]
    size = policy_size(new)
    if size > quota and label == "role":
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {quota}")
    if size + sum(map(policy_size, others)) > quota:
        raise limit_exceeded(f"Maximum policy size of {quota} bytes exceeded for {label} {name}")
