"""IAM: the policy language and its evaluation engine, and the authorizer of the request chain.

The engine is a pure library (no HTTP, no store), in the order a policy travels:

    policy.py       parse_policy(document, kind) -> Policy; MalformedPolicy with IAM's wording.
                    Compiles actions, resources, principals and conditions once; cached by text.
    conditions.py   the Condition operators (String, Numeric, Date, Bool, Binary, IP, ARN, Null,
                    ...IfExists, ForAllValues:/ForAnyValue:).
    variables.py    policy variables (${aws:username}, ${*}, defaults), substituted per request.
    arn.py          ARN helpers and the three wildcard dialects (actions, resources, ARN conditions).
    evaluate.py     evaluate(AuthorizationRequest) -> Decision, following AWS's documented logic
                    (explicit deny, boundaries, session policies, resource policies, cross-account,
                    root, anonymous); denial_message() renders AWS's AccessDenied wording.

authorizer.py wires the engine into the request chain.
"""
