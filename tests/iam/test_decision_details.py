"""What a Decision tells its callers beyond allow/deny: AWS's AccessDenied wording,
the statements that matched (the simulator's MatchedStatements), the context keys
that were missing (MissingContextValues) and the boundary's verdict."""

from __future__ import annotations

from pocketcloud.auth.principal import Principal
from pocketcloud.iam.evaluate import AuthorizationRequest, Decision, denial_message, evaluate
from pocketcloud.iam.policy import parse_policy
from tests.iam.table import BOB_ARN, OBJECT, SESSION, Case, allow, deny, grant, when

USER = "arn:aws:iam::000000000000:user/bob"


def message(decision: Decision, action: str = "s3:GetObject", resource: str = "arn:aws:s3:::b/k") -> str:
    return denial_message(decision, USER, action, resource)


def test_implicit_deny_names_the_identity_based_policy_and_quotes_s3_resources() -> None:
    decision = Case("x", "implicitDeny", "x").decide()
    assert message(decision) == (
        'User: arn:aws:iam::000000000000:user/bob is not authorized to perform: s3:GetObject on resource: '
        '"arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action'
    )  # fmt: skip


def test_explicit_deny_wording_for_each_kind_of_policy() -> None:
    head = 'User: arn:aws:iam::000000000000:user/bob is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k"'
    for kind, phrase in [
        ("identity", "an identity-based policy"),
        ("resource", "a resource-based policy"),
        ("boundary", "a permissions boundary"),
        ("session", "a session policy"),
    ]:
        decision = Decision(False, "explicitDeny", kind)
        assert message(decision) == f"{head} with an explicit deny in {phrase}"


def test_implicit_deny_wording_for_boundary_session_and_resource_policies() -> None:
    for kind, phrase in [
        ("boundary", "permissions boundary"),
        ("session", "session policy"),
        ("resource", "resource-based policy"),
    ]:
        text = message(Decision(False, "implicitDeny", kind), "sqs:SendMessage", "arn:aws:sqs:us-east-1:0:q")
        assert text == (
            "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sqs:sendmessage on resource: "
            f"arn:aws:sqs:us-east-1:0:q because no {phrase} allows the sqs:sendmessage action"
        )


def test_trust_policy_refusal_keeps_sts_wording_and_anonymous_callers_are_named_so() -> None:
    trust = Decision(False, "implicitDeny", "trust")
    assert denial_message(trust, USER, "sts:AssumeRole", "arn:aws:iam::0:role/r") == (
        "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::0:role/r"
    )
    anonymous = denial_message(Decision(False, "implicitDeny", "resource"), "*", "s3:GetObject", OBJECT)
    assert anonymous.startswith("User: anonymous is not authorized")


def test_matched_statements_name_policy_index_and_sid_of_every_applying_statement() -> None:
    case = Case(
        "x", "explicitDeny", "x",
        identity=[[allow("s3:*", Sid="Read")], [allow("sqs:*"), deny(Sid="NoGet")]],
        resource_policy=[grant(BOB_ARN, Sid="Bucket")],
    )  # fmt: skip
    matched = case.decide().matched_statements
    assert [(m.policy_id, m.policy_kind, m.index, m.sid, m.effect) for m in matched] == [
        ("identity-0", "identity", 0, "Read", "Allow"),
        ("identity-1", "identity", 1, "NoGet", "Deny"),
        ("resource", "resource", 0, "Bucket", "Allow"),
    ]


def test_missing_context_keys_are_reported_as_written_in_the_policy() -> None:
    case = Case(
        "x", "implicitDeny", "x",
        identity=[allow(cond={"StringEquals": {"s3:Prefix": "a"}, "NumericLessThanIfExists": {"s3:max-keys": 5},
                              "Bool": {"aws:SecureTransport": "true"}})],
        context={"aws:SecureTransport": "true"},
    )  # fmt: skip
    assert case.decide().missing_context_keys == ("s3:max-keys", "s3:Prefix")


def test_unresolved_policy_variables_count_as_missing_keys() -> None:
    case = Case(
        "x",
        "implicitDeny",
        "x",
        identity=[allow(resource="arn:aws:s3:::b/${aws:username}/*")],
        principal=SESSION,
    )
    assert case.decide().missing_context_keys == ("aws:username",)


def test_allowed_by_boundary_is_reported_only_when_a_boundary_applies() -> None:
    assert Case("x", "allowed", "x", identity=[allow()]).decide().allowed_by_boundary is None
    assert (
        Case("x", "allowed", "x", identity=[allow()], boundary=[allow("s3:*")]).decide().allowed_by_boundary
    )
    assert (
        Case("x", "x", "x", identity=[allow()], boundary=[allow("sqs:*")]).decide().allowed_by_boundary
        is False
    )


def test_request_for_an_authenticated_principal_carries_its_session_policy() -> None:
    session_policy = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}'
    )
    principal = Principal(
        account_id="000000000000",
        arn="arn:aws:sts::000000000000:assumed-role/app/s",
        user_id="AROAEXAMPLE:s",
        kind="AssumedRole",
        role_arn="arn:aws:iam::000000000000:role/app",
        session_name="s",
        session_policy=session_policy,
        tags=(("team", "dev"),),
    )
    identity = parse_policy({"Version": "2012-10-17", "Statement": allow("s3:*")})
    condition = when("StringEquals", "aws:PrincipalTag/team", "dev")
    tagged = parse_policy({"Version": "2012-10-17", "Statement": allow("s3:*", cond=condition)})
    request = AuthorizationRequest.for_principal(
        principal, "s3:GetObject", OBJECT, identity_policies=[identity]
    )
    decision = evaluate(request)
    assert (decision.decision, decision.denied_by) == ("implicitDeny", "session")
    put = AuthorizationRequest.for_principal(principal, "s3:PutObject", [OBJECT], identity_policies=[tagged])
    assert evaluate(put).allowed
