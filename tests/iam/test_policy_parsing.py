"""Policy documents IAM refuses, with IAM's MalformedPolicyDocument wording, and the forms it accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pocketcloud.iam.policy import MalformedPolicy, parse_policy

SYNTAX = "Syntax errors in policy."
V = "2012-10-17"


def doc(*statements: dict[str, Any], version: str | None = V, **top: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": list(statements), **top}
    if version is not None:
        document["Version"] = version
    return document


ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
GRANT = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
TRUST = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}

MALFORMED = [
    ("not-json", "{not json", "identity", SYNTAX),
    ("json-list", "[]", "identity", SYNTAX),
    ("json-string", '"policy"', "identity", SYNTAX),
    ("unknown-top-level-element", doc(ALLOW, Statements=[]), "identity", SYNTAX),
    ("missing-statement", {"Version": V}, "identity", SYNTAX),
    ("empty-statement-list", doc(), "identity", SYNTAX),
    ("statement-not-object", {"Version": V, "Statement": ["Allow"]}, "identity", SYNTAX),
    ("unknown-statement-element", doc({**ALLOW, "Actions": "s3:*"}), "identity", SYNTAX),
    ("missing-effect", doc({"Action": "s3:*", "Resource": "*"}), "identity", SYNTAX),
    ("invalid-effect", doc({**ALLOW, "Effect": "Permit"}), "identity", SYNTAX),
    ("effect-not-string", doc({**ALLOW, "Effect": True}), "identity", SYNTAX),
    ("effect-wrong-case", doc({**ALLOW, "Effect": "allow"}), "identity", "The policy failed legacy parsing"),
    ("unknown-version", doc(ALLOW, version="2010-01-01"), "identity", SYNTAX),
    ("id-not-string", doc(ALLOW, Id=7), "identity", SYNTAX),
    ("sid-not-string", doc({**ALLOW, "Sid": 1}), "identity", SYNTAX),
    ("missing-action", doc({"Effect": "Allow", "Resource": "*"}), "identity", "Policy statement must contain actions."),
    ("empty-action-list", doc({**ALLOW, "Action": []}), "identity", "Policy statement must contain actions."),
    ("action-and-notaction", doc({**ALLOW, "NotAction": "iam:*"}), "identity", SYNTAX),
    ("action-not-string", doc({**ALLOW, "Action": ["s3:GetObject", 3]}), "identity", SYNTAX),
    ("missing-resource", doc({"Effect": "Allow", "Action": "s3:*"}), "identity", "Policy statement must contain resources."),
    ("empty-resource-list", doc({**ALLOW, "Resource": []}), "boundary", "Policy statement must contain resources."),
    ("resource-and-notresource", doc({**ALLOW, "NotResource": "arn:aws:s3:::b"}), "identity", SYNTAX),
    ("principal-in-identity", doc(GRANT), "identity", "Policy document should not specify a principal."),
    ("notprincipal-in-boundary", doc({**ALLOW, "NotPrincipal": {"AWS": "123456789012"}}), "boundary", "Policy document should not specify a principal."),
    ("principal-in-session", doc(GRANT), "session", "Policy document should not specify a principal."),
    ("missing-principal-resource", doc(ALLOW), "resource", "Missing required field Principal"),
    ("missing-principal-trust", doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), "trust", "Missing required field Principal"),
    ("principal-and-notprincipal", doc({**GRANT, "NotPrincipal": "*"}), "resource", SYNTAX),
    ("resource-in-trust", doc({**TRUST, "Resource": "*"}), "trust", "Has prohibited field Resource"),
    ("duplicate-sid", doc({**ALLOW, "Sid": "A"}, {**ALLOW, "Sid": "A"}), "identity", "Statement IDs (SID) in a single policy must be unique."),
    ("action-without-vendor", doc({**ALLOW, "Action": "GetObject"}), "identity", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ("action-two-colons", doc({**ALLOW, "Action": "s3:Get:Object"}), "identity", "Actions/Condition can contain only one colon."),
    ("action-bad-vendor", doc({**ALLOW, "Action": "s3!:GetObject"}), "identity", "Vendor s3! is not valid"),
    ("resource-not-arn", doc({**ALLOW, "Resource": "bucket"}), "identity", 'Resource bucket must be in ARN format or "*".'),
    ("condition-not-object", doc({**ALLOW, "Condition": "yes"}), "identity", SYNTAX),
    ("condition-unknown-operator", doc({**ALLOW, "Condition": {"StringMatches": {"k": "v"}}}), "identity", SYNTAX),
    ("condition-null-ifexists", doc({**ALLOW, "Condition": {"NullIfExists": {"k": "true"}}}), "identity", SYNTAX),
    ("condition-unknown-set-operator", doc({**ALLOW, "Condition": {"ForSomeValues:StringEquals": {"k": "v"}}}), "identity", SYNTAX),
    ("condition-keys-not-object", doc({**ALLOW, "Condition": {"StringEquals": ["k", "v"]}}), "identity", SYNTAX),
    ("condition-value-object", doc({**ALLOW, "Condition": {"StringEquals": {"k": {"v": 1}}}}), "identity", SYNTAX),
    ("condition-invalid-date", doc({**ALLOW, "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}), "identity", "The policy failed legacy parsing"),
    ("principal-unknown-type", doc({**GRANT, "Principal": {"User": "bob"}}), "resource", SYNTAX),
    ("principal-not-arn", doc({**GRANT, "Principal": {"AWS": "bob"}}), "resource", 'Invalid principal in policy: "AWS":"bob"'),
    ("principal-partial-wildcard", doc({**GRANT, "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"}}), "resource", 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"'),
    ("not-utf8", b"\xff\xfe{}", "identity", SYNTAX),
    ("dict-not-json-serialisable", {"Version": V, "Statement": {"Effect": "Allow", "Action": {1, 2}}}, "identity", SYNTAX),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "kind", "message"), [row[1:] for row in MALFORMED], ids=[row[0] for row in MALFORMED]
)
def test_malformed_policy_is_refused_with_iams_message(document: Any, kind: Any, message: str) -> None:
    with pytest.raises(MalformedPolicy) as refused:
        parse_policy(document, kind)
    assert refused.value.message == message
    assert str(refused.value) == message


def test_managed_policies_require_version_2012() -> None:
    for document in (doc(ALLOW, version="2008-10-17"), doc(ALLOW, version=None)):
        with pytest.raises(MalformedPolicy, match="Policy document must be version 2012-10-17 or greater."):
            parse_policy(document, require_current_version=True)
    assert parse_policy(doc(ALLOW), require_current_version=True).version == V


def test_inline_policies_accept_2008_and_a_missing_version_as_2008() -> None:
    assert parse_policy(doc(ALLOW, version="2008-10-17")).version == "2008-10-17"
    legacy = parse_policy(doc(ALLOW, version=None))
    assert legacy.version == "2008-10-17"
    assert not legacy.substitutes_variables


def test_statement_may_be_a_single_object_with_single_strings_and_no_sid() -> None:
    policy = parse_policy({"Version": V, "Statement": ALLOW})
    assert len(policy.statements) == 1
    assert policy.statements[0].sid is None
    assert policy.statements[0].effect == "Allow"


def test_lists_of_actions_and_resources_and_sids_are_kept_in_order() -> None:
    policy = parse_policy(
        doc({**ALLOW, "Sid": "First"}, {**ALLOW, "Sid": "Second", "Action": ["s3:A", "s3:B"]})
    )
    assert [(s.index, s.sid) for s in policy.statements] == [(0, "First"), (1, "Second")]


def test_text_bytes_and_dict_forms_are_equivalent() -> None:
    as_dict = doc(ALLOW)
    text = json.dumps(as_dict)
    for form in (as_dict, text, text.encode()):
        policy = parse_policy(form)
        assert policy.statements_for("s3:getobject") == policy.statements[:1]


def test_compiled_policies_are_cached_by_document_text() -> None:
    text = json.dumps(doc(ALLOW))
    assert parse_policy(text, policy_id="p") is parse_policy(text, policy_id="p")
    assert parse_policy(text, "boundary") is not parse_policy(text, "identity")


def test_resource_policies_and_trust_policies_accept_their_principals() -> None:
    principals = {"AWS": ["123456789012", "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/r",
                          "arn:aws:sts::123456789012:assumed-role/r/s", "AIDAEXAMPLEUNIQUEID1"],
                  "Service": "sqs.amazonaws.com", "CanonicalUser": "79a59df9"}  # fmt: skip
    resource = parse_policy(doc({**GRANT, "Principal": principals}), "resource")
    spec = resource.statements[0].principal
    assert spec is not None
    assert spec.accounts == {"123456789012"}
    assert "arn:aws:iam::123456789012:role/r" in spec.arns
    assert spec.unique_ids == {"AIDAEXAMPLEUNIQUEID1"}
    assert spec.services == {"sqs.amazonaws.com"}
    trust = parse_policy(doc(TRUST), "trust")
    assert not trust.statements[0].has_resource_element


def test_condition_values_may_be_numbers_and_booleans() -> None:
    condition = {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": True}}
    policy = parse_policy(doc({**ALLOW, "Condition": condition}))
    assert [c.operator for c in policy.statements[0].conditions] == ["NumericLessThan", "Bool"]


def test_an_operator_naming_no_keys_is_accepted_whatever_its_name() -> None:
    # As IAM took {"a": {}} and {"x": {}, "y": {}} in AWS's recorded answers; a named key still needs a real operator.
    for condition in ({"a": {}}, {"x": {}, "y": {}}, {"StringEquals": {}}):
        assert parse_policy(doc({**ALLOW, "Condition": condition})).statements[0].conditions == ()
    with pytest.raises(MalformedPolicy, match=SYNTAX):
        parse_policy(doc({**ALLOW, "Condition": {"a": {"aws:username": "x"}}}))


def test_context_keys_lists_condition_and_variable_keys_once() -> None:
    statement = {
        **ALLOW,
        "Resource": "arn:aws:s3:::b/${aws:username}/*",
        "Condition": {
            "StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"},
            "StringLike": {"AWS:USERNAME": "a*"},
        },
    }
    # First spelling wins: a statement's Resource is read before its Condition (the CLI's documented
    # get-context-keys-for-custom-policy answer lists a resource's variable first).
    assert parse_policy(doc(statement)).context_keys == (
        "aws:username",
        "aws:PrincipalTag/team",
        "aws:ResourceTag/team",
    )


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown policy kind"):
        parse_policy(doc(ALLOW), "no-such-kind")  # type: ignore[arg-type]
