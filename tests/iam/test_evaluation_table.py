"""The policy engine against AWS's documented evaluation rules, one table row per rule.

Each row (see `table.py`) is a request, the policies in force, the decision
AWS documents and the rule it comes from, cited as "<IAM User Guide page>: <rule>".
By default the caller is IAM user bob (account 111122223333, tag team=dev)
calling s3:GetObject on arn:aws:s3:::b/k. These are library-level tests of the
engine; the request chain is tested end to end with the IAM provider.
"""

from __future__ import annotations

import pytest

from tests.iam.table import (
    ACCOUNT,
    ALICE,
    ALICE_ARN,
    ALLOWED,
    ANONYMOUS,
    BOB,
    BOB_ARN,
    EXPLICIT,
    FED_ARN,
    FEDERATED,
    GOOGLE,
    IMPLICIT,
    OBJECT,
    OTHER,
    OTHER_ROLE_ARN,
    OTHER_ROOT,
    PARTNER,
    ROLE_ARN,
    ROOT,
    SESSION,
    SESSION_ARN,
    SNS,
    Case,
    allow,
    deny,
    grant,
    refuse,
    when,
)

EVAL = "Policy evaluation logic"
ACTION = "IAM JSON policy elements: Action"
RESOURCE = "IAM JSON policy elements: Resource"
OPS = "IAM JSON policy elements: Condition operators"
SETS = "Single-valued vs. multivalued context keys"
VARS = "IAM policy elements: Variables and tags"
BOUNDARY = "Permissions boundaries for IAM entities"
SESSION_POLICY = "Session policies"
PRINCIPAL = "AWS JSON policy elements: Principal"
NOTPRINCIPAL = "AWS JSON policy elements: NotPrincipal"
CROSS = "Cross-account policy evaluation logic"
GLOBAL = "AWS global condition context keys"
TRUST_RULE = f"{EVAL}: IAM role trust policies must explicitly allow access for principals"

IP = {"aws:SourceIp": "203.0.113.7"}
IP6 = {"aws:SourceIp": "2001:db8:1234:5678::9"}
TLS = {"aws:SecureTransport": True}
TAGS = {"aws:TagKeys": ["env", "team"]}
HOME = "arn:aws:s3:::b/home/${aws:username}/*"
BOB_HOME = "arn:aws:s3:::b/home/bob/f"

CASES = [
    # --- the basics of evaluation -----------------------------------------------------------------
    Case("default-deny", IMPLICIT, f"{EVAL}: by default, all requests are implicitly denied", by="identity"),
    Case("allow-matching-action", ALLOWED, f"{EVAL}: an explicit allow in an identity-based policy overrides the default", identity=[allow()]),
    Case("allow-other-action-only", IMPLICIT, f"{EVAL}: requests must be explicitly allowed", identity=[allow("s3:PutObject")]),
    Case("deny-overrides-allow-same-policy", EXPLICIT, f"{EVAL}: an explicit deny in any policy overrides any allows", identity=[allow(), deny()], by="identity"),
    Case("deny-overrides-allow-other-policy", EXPLICIT, f"{EVAL}: an explicit deny in any policy overrides any allows", identity=[[allow()], [deny()]]),
    Case("deny-alone", EXPLICIT, f"{EVAL}: a Deny statement that applies is an explicit deny", identity=[deny()]),
    Case("deny-other-action-ignored", ALLOWED, f"{EVAL}: only statements that apply to the request are considered", identity=[allow(), deny("s3:PutObject")]),
    Case("union-of-identity-policies", ALLOWED, f"{EVAL}: AWS checks all identity-based policies for at least one Allow", identity=[[allow("s3:PutObject")], [allow()]]),
    Case("group-and-user-policies", ALLOWED, f"{EVAL}: for an IAM user these include user policies and policies from its groups", identity=[[deny("s3:DeleteObject")], [allow("s3:*")]]),
    Case("statement-object-not-list", ALLOWED, "IAM JSON policy elements: Statement: the Statement element can be a single object", identity=allow()),
    Case("action-list", ALLOWED, f"{ACTION}: a statement can list several actions", identity=[allow(["s3:PutObject", "s3:GetObject"])]),
    Case("deny-wins-regardless-of-order", EXPLICIT, f"{EVAL}: the Deny statement trumps the Allow statement", identity=[deny(), allow()]),
    # --- actions: wildcards and case -------------------------------------------------------------------
    Case("action-prefix-wildcard", ALLOWED, f"{ACTION}: wildcards match multiple actions (s3:Get*)", identity=[allow("s3:Get*")]),
    Case("action-prefix-wildcard-miss", IMPLICIT, f"{ACTION}: s3:Get* does not cover s3:PutObject", identity=[allow("s3:Get*")], action="s3:PutObject"),
    Case("action-star", ALLOWED, f"{ACTION}: \"*\" matches every action of every service", identity=[allow("*")], action="sqs:SendMessage"),
    Case("action-service-star-other-service", IMPLICIT, f"{ACTION}: s3:* covers only Amazon S3", identity=[allow("s3:*")], action="sqs:SendMessage"),
    Case("action-question-mark", ALLOWED, f"{ACTION}: ? matches any single character", identity=[allow("s3:GetObjec?")]),
    Case("action-question-mark-one-char", IMPLICIT, f"{ACTION}: ? matches exactly one character", identity=[allow("s3:GetObj?")]),
    Case("action-case-insensitive-policy", ALLOWED, f"{ACTION}: action names are case-insensitive", identity=[allow("S3:getobject")]),
    Case("action-case-insensitive-request", ALLOWED, f"{ACTION}: action names are case-insensitive", identity=[allow("s3:GetObject")], action="S3:GETOBJECT"),
    Case("action-infix-wildcard", ALLOWED, f"{ACTION}: wildcards anywhere in the name (s3:*Object)", identity=[allow("s3:*Object")], action="s3:DeleteObject"),
    Case("action-doc-accesskey-wildcard", ALLOWED, f"{ACTION}: iam:*AccessKey* matches every access-key action", identity=[allow("iam:*AccessKey*")], action="iam:CreateAccessKey"),
    Case("notaction-allows-others", ALLOWED, "IAM JSON policy elements: NotAction: Allow with NotAction allows every action not listed", identity=[allow(None, NotAction="iam:*")]),
    Case("notaction-excludes-listed", IMPLICIT, "IAM JSON policy elements: NotAction: the listed actions are not allowed by that statement", identity=[allow(None, NotAction="s3:GetObject")]),
    Case("notaction-deny-all-but", EXPLICIT, "IAM JSON policy elements: NotAction: Deny with NotAction denies everything not listed", identity=[allow("*"), deny(None, NotAction="iam:*")]),
    Case("notaction-deny-spares-listed", ALLOWED, "IAM JSON policy elements: NotAction: the listed actions escape the Deny", identity=[allow("*"), deny(None, NotAction="iam:*")], action="iam:ListUsers"),
    # --- resources -----------------------------------------------------------------------------------------
    Case("resource-exact", ALLOWED, f"{RESOURCE}: the statement covers the named ARN", identity=[allow(resource=OBJECT)]),
    Case("resource-other", IMPLICIT, f"{RESOURCE}: other resources are not covered", identity=[allow(resource="arn:aws:s3:::b/other")]),
    Case("resource-wildcard-tail", ALLOWED, f"{RESOURCE}: arn:aws:s3:::bucket/* refers to all items in the bucket", identity=[allow(resource="arn:aws:s3:::b/*")]),
    Case("resource-star", ALLOWED, f"{RESOURCE}: \"*\" covers every resource", identity=[allow(resource="*")]),
    Case("resource-case-sensitive", IMPLICIT, f"{RESOURCE}: ARNs are matched case-sensitively", identity=[allow(resource="arn:aws:s3:::B/*")]),
    Case("resource-question-mark", ALLOWED, f"{RESOURCE}: ? represents any single character", identity=[allow(resource="arn:aws:s3:::b/?")]),
    Case("resource-segment-wildcard-region", ALLOWED, f"{RESOURCE}: wildcards can be used within any ARN segment", identity=[allow("sqs:*", "arn:aws:sqs:*:111122223333:q")], action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:111122223333:q"),
    Case("resource-wildcard-stays-in-segment", IMPLICIT, f"{RESOURCE}: a wildcard inside a segment matches within that segment", identity=[allow("sqs:*", "arn:aws:sqs:us*111122223333:q")], action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:111122223333:q"),
    Case("resource-trailing-star-crosses-colons", ALLOWED, f"{RESOURCE}: a * ending a segment can match beyond the colon boundaries", identity=[allow("sqs:*", "arn:aws:*")], action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:111122223333:q"),
    Case("resource-list-any", ALLOWED, f"{RESOURCE}: a statement can list several resources", identity=[allow(resource=["arn:aws:s3:::x/*", "arn:aws:s3:::b/*"])]),
    Case("notresource-allows-others", ALLOWED, "IAM JSON policy elements: NotResource: Allow with NotResource covers every resource not listed", identity=[allow(resource=None, NotResource="arn:aws:s3:::secret/*")]),
    Case("notresource-excludes-listed", IMPLICIT, "IAM JSON policy elements: NotResource: the listed resources are not covered", identity=[allow(resource=None, NotResource="arn:aws:s3:::b/*")]),
    Case("notresource-deny-all-but", EXPLICIT, "IAM JSON policy elements: NotResource: Deny with NotResource denies every other resource", identity=[allow("s3:*"), deny("s3:*", None, NotResource="arn:aws:s3:::safe/*")]),
    Case("many-resources-one-denied", IMPLICIT, f"{EVAL}: the request is evaluated against every resource it touches", identity=[allow(resource="arn:aws:s3:::b/k")], resource=(OBJECT, "arn:aws:s3:::c/k")),
    Case("many-resources-all-allowed", ALLOWED, f"{EVAL}: the request is evaluated against every resource it touches", identity=[allow(resource="arn:aws:s3:::*")], resource=(OBJECT, "arn:aws:s3:::c/k")),
    # --- string condition operators ----------------------------------------------------------------------
    Case("stringequals-match", ALLOWED, f"{OPS}: StringEquals is exact matching", identity=[allow(cond=when("StringEquals", "s3:prefix", "home/"))], context={"s3:prefix": "home/"}),
    Case("stringequals-mismatch", IMPLICIT, f"{OPS}: StringEquals is exact matching", identity=[allow(cond=when("StringEquals", "s3:prefix", "home/"))], context={"s3:prefix": "other/"}),
    Case("stringequals-case-sensitive-value", IMPLICIT, f"{OPS}: StringEquals is case sensitive", identity=[allow(cond=when("StringEquals", "aws:PrincipalTag/team", "Dev"))]),
    Case("stringequals-values-ored", ALLOWED, f"{OPS}: several values for one key are evaluated with a logical OR", identity=[allow(cond=when("StringEquals", "aws:PrincipalTag/team", ["ops", "dev"]))]),
    Case("stringequals-missing-key", IMPLICIT, f"{OPS}: a key absent from the request context does not match: the condition is false", identity=[allow(cond=when("StringEquals", "s3:prefix", "home/"))]),
    Case("stringnotequals-different", ALLOWED, f"{OPS}: StringNotEquals is negated matching", identity=[allow(cond=when("StringNotEquals", "aws:PrincipalTag/team", "ops"))]),
    Case("stringnotequals-same", IMPLICIT, f"{OPS}: StringNotEquals is negated matching", identity=[allow(cond=when("StringNotEquals", "aws:PrincipalTag/team", "dev"))]),
    Case("stringnotequals-missing-key", ALLOWED, f"{OPS}: if the condition requires that the key is not matched and the key is not present, the condition is true", identity=[allow(cond=when("StringNotEquals", "s3:prefix", "home/"))]),
    Case("stringnotequals-values-anded", IMPLICIT, f"{OPS}: with a negated operator several values act as a logical AND", identity=[allow(cond=when("StringNotEquals", "aws:PrincipalTag/team", ["ops", "dev"]))]),
    Case("stringequalsignorecase-match", ALLOWED, f"{OPS}: StringEqualsIgnoreCase ignores case", identity=[allow(cond=when("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "DEV"))]),
    Case("stringnotequalsignorecase-same", IMPLICIT, f"{OPS}: StringNotEqualsIgnoreCase is negated matching ignoring case", identity=[allow(cond=when("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "DEV"))]),
    Case("stringlike-star", ALLOWED, f"{OPS}: StringLike values can include * anywhere in the string", identity=[allow(cond=when("StringLike", "s3:prefix", "home/*"))], context={"s3:prefix": "home/bob/"}),
    Case("stringlike-question-mark", ALLOWED, f"{OPS}: StringLike values can include ? for one character", identity=[allow(cond=when("StringLike", "s3:prefix", "v?"))], context={"s3:prefix": "v2"}),
    Case("stringlike-case-sensitive", IMPLICIT, f"{OPS}: StringLike is case-sensitive matching", identity=[allow(cond=when("StringLike", "s3:prefix", "HOME/*"))], context={"s3:prefix": "home/bob/"}),
    Case("stringlike-needs-wildcard-for-partial", IMPLICIT, f"{OPS}: you must specify wildcards to achieve partial string matches", identity=[allow(cond=when("StringLike", "s3:prefix", "home"))], context={"s3:prefix": "home/bob/"}),
    Case("stringnotlike-deny-applies", EXPLICIT, f"{OPS}: StringNotLike is negated matching", identity=[allow(), deny(cond=when("StringNotLike", "s3:prefix", "home/*"))], context={"s3:prefix": "etc/"}),
    Case("stringnotlike-missing-key-denies", EXPLICIT, f"{OPS}: StringNotLike with the key not present is true", identity=[allow(), deny(cond=when("StringNotLike", "s3:prefix", "home/*"))]),
    Case("condition-key-case-insensitive", ALLOWED, f"{VARS}: key names are case-insensitive (aws:CurrentTime is AWS:currenttime)", identity=[allow(cond=when("StringEquals", "S3:PREFIX", "home/"))], context={"s3:prefix": "home/"}),
    Case("context-key-case-insensitive", ALLOWED, f"{VARS}: key names are case-insensitive", identity=[allow(cond=when("StringEquals", "s3:prefix", "home/"))], context={"S3:Prefix": "home/"}),
    Case("condition-value-number", ALLOWED, "IAM JSON policy elements: Condition: values may be written as numbers", identity=[allow(cond=when("StringEquals", "s3:max-keys", 10))], context={"s3:max-keys": "10"}),
    Case("keys-under-operator-anded", IMPLICIT, "IAM JSON policy elements: Condition: several keys are evaluated with a logical AND", identity=[allow(cond={"StringEquals": {"aws:PrincipalTag/team": "dev", "s3:prefix": "home/"}})], context={"s3:prefix": "etc/"}),
    Case("operators-anded", IMPLICIT, "IAM JSON policy elements: Condition: several operators are evaluated with a logical AND", identity=[allow(cond={"StringEquals": {"aws:PrincipalTag/team": "dev"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], context=IP),
    Case("operators-anded-all-true", ALLOWED, "IAM JSON policy elements: Condition: several operators are evaluated with a logical AND", identity=[allow(cond={"StringEquals": {"aws:PrincipalTag/team": "dev"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})], context=IP),
    Case("multivalued-key-without-set-operator", ALLOWED, f"{SETS}: a request value matching a policy value satisfies the operator", identity=[allow(cond=when("StringEquals", "aws:TagKeys", "team"))], context=TAGS),
    # --- numeric -------------------------------------------------------------------------------------------
    Case("numericequals", ALLOWED, f"{OPS}: NumericEquals matching", identity=[allow(cond=when("NumericEquals", "s3:max-keys", "10"))], context={"s3:max-keys": "10"}),
    Case("numericequals-decimal", ALLOWED, f"{OPS}: numeric operators compare integer or decimal values", identity=[allow(cond=when("NumericEquals", "s3:max-keys", "10.0"))], context={"s3:max-keys": 10}),
    Case("numericnotequals", ALLOWED, f"{OPS}: NumericNotEquals negated matching", identity=[allow(cond=when("NumericNotEquals", "s3:max-keys", 5))], context={"s3:max-keys": "10"}),
    Case("numericlessthan-true", ALLOWED, f"{OPS}: NumericLessThan", identity=[allow(cond=when("NumericLessThan", "s3:max-keys", 10))], context={"s3:max-keys": "5"}),
    Case("numericlessthan-equal-false", IMPLICIT, f"{OPS}: NumericLessThan is strict", identity=[allow(cond=when("NumericLessThan", "s3:max-keys", 10))], context={"s3:max-keys": "10"}),
    Case("numericlessthanequals", ALLOWED, f"{OPS}: NumericLessThanEquals (s3:max-keys up to 10)", identity=[allow(cond=when("NumericLessThanEquals", "s3:max-keys", "10"))], context={"s3:max-keys": "10"}),
    Case("numericgreaterthan", IMPLICIT, f"{OPS}: NumericGreaterThan", identity=[allow(cond=when("NumericGreaterThan", "s3:max-keys", 10))], context={"s3:max-keys": "10"}),
    Case("numericgreaterthanequals", ALLOWED, f"{OPS}: NumericGreaterThanEquals", identity=[allow(cond=when("NumericGreaterThanEquals", "s3:max-keys", 10))], context={"s3:max-keys": "11"}),
    Case("numeric-non-number-request", IMPLICIT, f"{OPS}: a request value that is not a number never matches", identity=[allow(cond=when("NumericLessThan", "s3:max-keys", 10))], context={"s3:max-keys": "many"}),
    Case("numeric-missing-key", IMPLICIT, f"{OPS}: a key absent from the request context: the condition is false", identity=[allow(cond=when("NumericLessThan", "s3:max-keys", 10))]),
    Case("numericnotequals-missing-key", ALLOWED, f"{OPS}: a negated operator with the key absent is true", identity=[allow(cond=when("NumericNotEquals", "s3:max-keys", 10))]),
    # --- dates ---------------------------------------------------------------------------------------------
    Case("datelessthan-iso", ALLOWED, f"{OPS}: DateLessThan with W3C ISO 8601 dates", identity=[allow(cond=when("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"))], context={"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
    Case("dategreaterthan-false", IMPLICIT, f"{OPS}: DateGreaterThan matches after a date", identity=[allow(cond=when("DateGreaterThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"))], context={"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
    Case("dateequals-time-zones", ALLOWED, f"{OPS}: dates are compared as points in time", identity=[allow(cond=when("DateEquals", "aws:CurrentTime", "2025-01-01T01:00:00+01:00"))], context={"aws:CurrentTime": "2025-01-01T00:00:00Z"}),
    Case("date-epoch-policy-iso-request", ALLOWED, f"{OPS}: date values in ISO 8601 or epoch (UNIX) time", identity=[allow(cond=when("DateGreaterThan", "aws:CurrentTime", "1577836800"))], context={"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
    Case("date-iso-policy-epoch-request", ALLOWED, f"{OPS}: aws:EpochTime compares with date operators", identity=[allow(cond=when("DateLessThan", "aws:EpochTime", "2030-01-01T00:00:00Z"))], context={"aws:EpochTime": "1748779200"}),
    Case("date-epoch-number-value", ALLOWED, f"{OPS}: epoch values may be written as numbers", identity=[allow(cond=when("DateGreaterThanEquals", "aws:EpochTime", 1748779200))], context={"aws:EpochTime": "1748779200"}),
    Case("datenotequals", ALLOWED, f"{OPS}: DateNotEquals negated matching", identity=[allow(cond=when("DateNotEquals", "aws:CurrentTime", "2020-01-01"))], context={"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
    Case("datelessthanequals-same", ALLOWED, f"{OPS}: DateLessThanEquals matches at the date", identity=[allow(cond=when("DateLessThanEquals", "aws:CurrentTime", "2025-06-01T12:00:00Z"))], context={"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
    Case("date-currenttime-from-clock", ALLOWED, f"{GLOBAL}: aws:CurrentTime is present in every request", identity=[allow(cond=when("DateGreaterThan", "aws:CurrentTime", "2000-01-01T00:00:00Z"))]),
    Case("date-tokenissuetime-absent", IMPLICIT, f"{OPS}: aws:TokenIssueTime is present only with temporary credentials", identity=[allow(cond=when("DateGreaterThan", "aws:TokenIssueTime", "2020-01-01T00:00:01Z"))]),
    # --- booleans and binary ---------------------------------------------------------------------------------
    Case("bool-true", ALLOWED, f"{OPS}: Bool compares a key to true or false", identity=[allow(cond=when("Bool", "aws:SecureTransport", "true"))], context=TLS),
    Case("bool-deny-non-tls", ALLOWED, f"{OPS}: Bool false does not match a TLS request (doc BooleanExample)", identity=[allow(), deny(cond=when("Bool", "aws:SecureTransport", "false"))], context=TLS),
    Case("bool-deny-applies-plain-http", EXPLICIT, f"{OPS}: deny S3 actions if the request is not over SSL", identity=[allow(), deny(cond=when("Bool", "aws:SecureTransport", "false"))], context={"aws:SecureTransport": "false"}),
    Case("bool-json-boolean", ALLOWED, "IAM JSON policy elements: Condition: values may be written as booleans", identity=[allow(cond=when("Bool", "aws:MultiFactorAuthPresent", True))], context={"aws:MultiFactorAuthPresent": "true"}),
    Case("bool-missing-key", IMPLICIT, f"{OPS}: a key absent from the request context: the condition is false", identity=[allow(cond=when("Bool", "aws:MultiFactorAuthPresent", "true"))]),
    Case("binaryequals-match", ALLOWED, f"{OPS}: BinaryEquals compares byte for byte against base-64", identity=[allow(cond=when("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="))], context={"custom:blob": b"BinaryValueInBase64"}),
    Case("binaryequals-mismatch", IMPLICIT, f"{OPS}: BinaryEquals compares byte for byte", identity=[allow(cond=when("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="))], context={"custom:blob": b"other"}),
    # --- IP addresses --------------------------------------------------------------------------------------
    Case("ipaddress-cidr", ALLOWED, f"{OPS}: IpAddress matches a CIDR range", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "203.0.113.0/24"))], context=IP),
    Case("ipaddress-outside", IMPLICIT, f"{OPS}: IpAddress outside the range", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "198.51.100.0/24"))], context=IP),
    Case("ipaddress-bare-is-32", IMPLICIT, f"{OPS}: an address without prefix uses /32", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "203.0.113.0"))], context=IP),
    Case("ipaddress-bare-exact", ALLOWED, f"{OPS}: an address without prefix uses /32", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "203.0.113.7"))], context=IP),
    Case("ipaddress-v6", ALLOWED, f"{OPS}: IPv6 ranges such as 2001:DB8:1234:5678::/64", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64"))], context=IP6),
    Case("ipaddress-v6-outside", IMPLICIT, f"{OPS}: IPv6 ranges", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "2001:DB8:1234:9999::/64"))], context=IP6),
    Case("ipaddress-mixed-list", ALLOWED, f"{OPS}: mix IPv4 and IPv6 ranges in one condition", identity=[allow(cond=when("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]))], context=IP6),
    Case("ipaddress-v4-request-v6-range", IMPLICIT, f"{OPS}: an IPv4 address is in no IPv6 range", identity=[allow(cond=when("IpAddress", "aws:SourceIp", "::/0"))], context=IP),
    Case("notipaddress-inside", IMPLICIT, f"{OPS}: NotIpAddress: all addresses except the range", identity=[allow(cond=when("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"))], context=IP),
    Case("notipaddress-outside", ALLOWED, f"{OPS}: NotIpAddress: all addresses except the range", identity=[allow(cond=when("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))], context=IP),
    Case("notipaddress-missing-key", EXPLICIT, f"{OPS}: a negated operator with the key absent is true", identity=[allow(), deny(cond=when("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))]),
    # --- ARNs ----------------------------------------------------------------------------------------------
    Case("arnequals", ALLOWED, f"{OPS}: ArnEquals compares the ARN", identity=[allow(cond=when("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}),
    Case("arnlike-wildcard", ALLOWED, f"{OPS}: ArnLike components can include * and ?", identity=[allow(cond=when("ArnLike", "aws:SourceArn", "arn:aws:sns:*:111122223333:*"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}),
    Case("arnlike-components-separate", IMPLICIT, f"{OPS}: with ArnLike the first * matches only us-east-2 and fails on the account", identity=[allow(cond=when("ArnLike", "aws:SourceArn", "arn:aws:someservice:*:111122223333:finance/*"))], context={"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}),
    Case("stringlike-same-pattern-matches", ALLOWED, f"{OPS}: with StringLike the same pattern matches across colons", identity=[allow(cond=when("StringLike", "aws:SourceArn", "arn:aws:someservice:*:111122223333:finance/*"))], context={"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}),
    Case("arnequals-behaves-like-arnlike", ALLOWED, f"{OPS}: ArnEquals and ArnLike behave identically", identity=[allow(cond=when("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-?ast-1:111122223333:*"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}),
    Case("arnlike-case-sensitive", IMPLICIT, f"{OPS}: ArnLike is case-sensitive", identity=[allow(cond=when("ArnLike", "aws:SourceArn", "arn:aws:sns:*:111122223333:T"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}),
    Case("arnnotequals-different", ALLOWED, f"{OPS}: ArnNotEquals negated matching", identity=[allow(cond=when("ArnNotEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:x"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}),
    Case("arnnotlike-missing-key", ALLOWED, f"{OPS}: ArnNotLike with the key not present is true", identity=[allow(cond=when("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:*"))]),
    # --- Null and IfExists -----------------------------------------------------------------------------------
    Case("null-true-absent", ALLOWED, f"{OPS}: Null true: the key does not exist", identity=[allow(cond=when("Null", "aws:TokenIssueTime", "true"))]),
    Case("null-true-present", IMPLICIT, f"{OPS}: Null true: the key does not exist", identity=[allow(cond=when("Null", "aws:TokenIssueTime", "true"))], context={"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}),
    Case("null-false-present", ALLOWED, f"{OPS}: Null false: the key exists and its value is not null", identity=[allow(cond=when("Null", "aws:TokenIssueTime", "false"))], context={"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}),
    Case("null-false-absent", IMPLICIT, f"{OPS}: Null false: the key exists", identity=[allow(cond=when("Null", "aws:TokenIssueTime", "false"))]),
    Case("null-json-boolean", ALLOWED, f"{OPS}: Null with a JSON boolean", identity=[allow(cond=when("Null", "s3:prefix", True))]),
    Case("null-empty-list-is-absent", ALLOWED, f"{SETS}: an empty set of request values is no value", identity=[allow(cond=when("Null", "aws:TagKeys", "true"))], context={"aws:TagKeys": []}),
    Case("ifexists-absent", ALLOWED, f"{OPS}: ...IfExists: if the key is not present, the condition is true", identity=[allow(cond=when("StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*"]))]),
    Case("ifexists-present-mismatch", IMPLICIT, f"{OPS}: ...IfExists: if the key is present, process it as specified", identity=[allow(cond=when("StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*"]))], context={"ec2:InstanceType": "m5.large"}),
    Case("ifexists-present-match", ALLOWED, f"{OPS}: ...IfExists: if the key is present, process it as specified", identity=[allow(cond=when("StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*"]))], context={"ec2:InstanceType": "t2.micro"}),
    Case("numeric-ifexists-absent", ALLOWED, f"{OPS}: IfExists can be added to any operator except Null", identity=[allow(cond=when("NumericLessThanIfExists", "s3:max-keys", 10))]),
    Case("negated-ifexists-deny-still-applies", EXPLICIT, f"{OPS}: Deny with StringNotEqualsIfExists is still denied when the key is missing", identity=[allow(), deny(cond=when("StringNotEqualsIfExists", "aws:ResourceTag/team", "dev"))]),
    Case("arnlike-ifexists-absent", ALLOWED, f"{OPS}: ArnLikeIfExists with the key absent", identity=[allow(cond=when("ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:*"))]),
    Case("ipaddress-ifexists-outside", IMPLICIT, f"{OPS}: IpAddressIfExists with the key present is checked", identity=[allow(cond=when("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8"))], context=IP),
    # --- set operators ---------------------------------------------------------------------------------------
    Case("forallvalues-all-listed", ALLOWED, f"{SETS}: ForAllValues: every request value matches a policy value", identity=[allow(cond=when("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team", "cost"]))], context=TAGS),
    Case("forallvalues-one-unlisted", IMPLICIT, f"{SETS}: ForAllValues: every request value must match", identity=[allow(cond=when("ForAllValues:StringEquals", "aws:TagKeys", ["env"]))], context=TAGS),
    Case("forallvalues-missing-key", ALLOWED, f"{SETS}: ForAllValues also returns true if there are no context keys in the request", identity=[allow(cond=when("ForAllValues:StringEquals", "aws:TagKeys", ["env"]))]),
    Case("forallvalues-empty", ALLOWED, f"{SETS}: ForAllValues returns true for an empty data set", identity=[allow(cond=when("ForAllValues:StringEquals", "aws:TagKeys", ["env"]))], context={"aws:TagKeys": []}),
    Case("foranyvalue-one-listed", ALLOWED, f"{SETS}: ForAnyValue: at least one request value matches", identity=[allow(cond=when("ForAnyValue:StringEquals", "aws:TagKeys", ["team", "owner"]))], context=TAGS),
    Case("foranyvalue-none-listed", IMPLICIT, f"{SETS}: ForAnyValue: at least one request value must match", identity=[allow(cond=when("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"]))], context=TAGS),
    Case("foranyvalue-missing-key", IMPLICIT, f"{SETS}: ForAnyValue returns false if the key is missing", identity=[allow(cond=when("ForAnyValue:StringEquals", "aws:TagKeys", ["env"]))]),
    Case("foranyvalue-empty", IMPLICIT, f"{SETS}: ForAnyValue returns false for an empty data set", identity=[allow(cond=when("ForAnyValue:StringEquals", "aws:TagKeys", ["env"]))], context={"aws:TagKeys": []}),
    Case("forallvalues-stringlike", ALLOWED, f"{SETS}: ForAllValues:StringLike with wildcards", identity=[allow(cond=when("ForAllValues:StringLike", "dynamodb:Attributes", ["Post*", "Message"]))], context={"dynamodb:Attributes": ["PostDateTime", "Message"]}),
    Case("foranyvalue-deny-forbidden-attribute", EXPLICIT, f"{SETS}: Deny with ForAnyValue when any forbidden attribute is requested", identity=[allow(), deny(cond=when("ForAnyValue:StringLike", "dynamodb:Attributes", ["ID", "PostDateTime"]))], context={"dynamodb:Attributes": ["UserName", "Message", "PostDateTime"]}),
    Case("foranyvalue-deny-not-triggered", ALLOWED, f"{SETS}: the Deny does not apply when no forbidden attribute is requested", identity=[allow(), deny(cond=when("ForAnyValue:StringLike", "dynamodb:Attributes", ["ID", "PostDateTime"]))], context={"dynamodb:Attributes": ["UserName"]}),
    Case("foranyvalue-negated", ALLOWED, f"{SETS}: ForAnyValue with a negated operator: some value is not in the list", identity=[allow(cond=when("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env"]))], context=TAGS),
    Case("forallvalues-negated-none-listed", ALLOWED, f"{SETS}: ForAllValues with a negated operator: no value is in the list", identity=[allow(cond=when("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"]))], context=TAGS),
    Case("forallvalues-negated-one-listed", IMPLICIT, f"{SETS}: ForAllValues with a negated operator: a listed value fails", identity=[allow(cond=when("ForAllValues:StringNotEquals", "aws:TagKeys", ["team"]))], context=TAGS),
    Case("foranyvalue-single-valued-key", ALLOWED, f"{SETS}: a single-valued key is a set of one value", identity=[allow(cond=when("ForAnyValue:StringEquals", "aws:PrincipalTag/team", ["dev", "ops"]))]),
    Case("forallvalues-ignorecase", ALLOWED, f"{SETS}: set operators qualify any operator", identity=[allow(cond=when("ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", ["ENV", "TEAM"]))], context=TAGS),
    Case("foranyvalue-ifexists-absent", ALLOWED, f"{OPS}: ...IfExists: if the key is not present, the condition is true", identity=[allow(cond=when("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["env"]))]),
    # --- policy variables ----------------------------------------------------------------------------------
    Case("var-username-own-home", ALLOWED, f"{VARS}: ${{aws:username}} is replaced with the friendly name of the current user", identity=[allow(resource=HOME)], resource=BOB_HOME),
    Case("var-username-other-home", IMPLICIT, f"{VARS}: ${{aws:username}} is replaced with the friendly name of the current user", identity=[allow(resource=HOME)], resource="arn:aws:s3:::b/home/alice/f"),
    Case("var-username-absent-for-role", IMPLICIT, f"{VARS}: aws:username is not present for a role session; the value cannot match", identity=[allow(resource=HOME)], principal=SESSION, resource="arn:aws:s3:::b/home/s1/f"),
    Case("var-default-value", ALLOWED, f"{VARS}: ${{key, 'default'}} uses the default when the key is absent", identity=[allow(resource="arn:aws:s3:::b/home/${aws:username, 'shared'}/*")], principal=SESSION, resource="arn:aws:s3:::b/home/shared/f"),
    Case("var-default-unused-when-present", IMPLICIT, f"{VARS}: the default applies only when the key is absent", identity=[allow(resource="arn:aws:s3:::b/home/${aws:username, 'shared'}/*")], resource="arn:aws:s3:::b/home/shared/f"),
    Case("var-userid", ALLOWED, f"{VARS}: ${{aws:userid}} is the unique ID of the current user", identity=[allow(resource="arn:aws:s3:::b/${aws:userid}/*")], resource="arn:aws:s3:::b/AIDABOBEXAMPLE000001/f"),
    Case("var-principal-tag", ALLOWED, f"{VARS}: ${{aws:PrincipalTag/department}} in a Resource", identity=[allow(resource="arn:aws:s3:::b/${aws:PrincipalTag/team}/*")], resource="arn:aws:s3:::b/dev/f"),
    Case("var-principal-tag-absent", IMPLICIT, f"{VARS}: an unresolvable variable makes the value unusable", identity=[allow(resource="arn:aws:s3:::b/${aws:PrincipalTag/cost}/*")], resource="arn:aws:s3:::b/dev/f"),
    Case("var-in-condition-value", ALLOWED, f"{VARS}: variables in condition values with string operators (s3:prefix home/${{aws:username}}/)", identity=[allow("s3:ListBucket", "arn:aws:s3:::b", cond=when("StringLike", "s3:prefix", ["", "home/", "home/${aws:username}/*"]))], action="s3:ListBucket", resource="arn:aws:s3:::b", context={"s3:prefix": "home/bob/docs"}),
    Case("var-in-condition-value-other-user", IMPLICIT, f"{VARS}: variables in condition values with string operators", identity=[allow("s3:ListBucket", "arn:aws:s3:::b", cond=when("StringLike", "s3:prefix", ["home/${aws:username}/*"]))], action="s3:ListBucket", resource="arn:aws:s3:::b", context={"s3:prefix": "home/alice/docs"}),
    Case("var-request-key-in-resource", ALLOWED, f"{VARS}: any request context key, such as s3:prefix, can be a variable", identity=[allow(resource="arn:aws:s3:::b/${s3:prefix}*")], context={"s3:prefix": "k"}),
    Case("var-abac-tags", ALLOWED, f"{VARS}: compare a resource tag with the principal's tag", identity=[allow(cond=when("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}"))], context={"aws:ResourceTag/team": "dev"}),
    Case("var-abac-tags-mismatch", IMPLICIT, f"{VARS}: compare a resource tag with the principal's tag", identity=[allow(cond=when("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}"))], context={"aws:ResourceTag/team": "ops"}),
    Case("var-key-case-insensitive", ALLOWED, f"{VARS}: key names are case-insensitive", identity=[allow(resource="arn:aws:s3:::b/home/${AWS:UserName}/*")], resource=BOB_HOME),
    Case("var-literal-star", ALLOWED, f"{VARS}: ${{*}} is a literal asterisk", identity=[allow(resource="arn:aws:s3:::b/${*}")], resource="arn:aws:s3:::b/*"),
    Case("var-literal-star-not-wildcard", IMPLICIT, f"{VARS}: ${{*}} is not a wildcard", identity=[allow(resource="arn:aws:s3:::b/${*}")], resource="arn:aws:s3:::b/k"),
    Case("var-literal-question-mark", IMPLICIT, f"{VARS}: ${{?}} is a literal question mark", identity=[allow(resource="arn:aws:s3:::b/${?}")], resource="arn:aws:s3:::b/k"),
    Case("var-literal-dollar", ALLOWED, f"{VARS}: ${{$}} is a literal dollar sign", identity=[allow(resource="arn:aws:s3:::b/${$}k")], resource="arn:aws:s3:::b/$k"),
    Case("var-value-is-literal", IMPLICIT, f"{VARS}: substituted text is literal (only the author's * is a wildcard)", identity=[allow(resource="arn:aws:s3:::b/${aws:PrincipalTag/prefix}")], principal={**BOB, "principal_tags": {"prefix": "*"}}),
    Case("var-version-2008-literal", IMPLICIT, f"{VARS}: without Version 2012-10-17, variables are treated as literal strings", identity=[allow(resource=HOME)], resource=BOB_HOME, version="2008-10-17"),
    Case("var-version-2008-matches-literally", ALLOWED, f"{VARS}: without Version 2012-10-17, variables are treated as literal strings", identity=[allow(resource=HOME)], resource="arn:aws:s3:::b/home/${aws:username}/f", version="2008-10-17"),
    Case("var-no-version-literal", IMPLICIT, f"{VARS}: if you don't include the Version element, variables are literal strings", identity=[allow(resource=HOME)], resource=BOB_HOME, version=None),
    Case("var-not-in-numeric", IMPLICIT, f"{OPS}: you can not use a policy variable with the Numeric operators", identity=[allow(cond=when("NumericEquals", "s3:max-keys", "${custom:limit}"))], context={"s3:max-keys": "5", "custom:limit": "5"}),
    Case("var-only-after-fifth-colon", IMPLICIT, f"{VARS}: you can't use a variable to replace parts of the ARN before the fifth colon", identity=[allow("sqs:*", "arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q")], action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"),
    # --- permissions boundaries ------------------------------------------------------------------------------
    Case("boundary-and-identity-allow", ALLOWED, f"{BOUNDARY}: the entity can perform actions allowed by both its identity-based policies and its boundary", identity=[allow()], boundary=[allow("s3:*")]),
    Case("boundary-does-not-allow", IMPLICIT, f"{BOUNDARY}: the boundary limits identity-based permissions", identity=[allow("*")], boundary=[allow("s3:*")], action="iam:CreateUser", by="boundary"),
    Case("boundary-grants-nothing", IMPLICIT, f"{BOUNDARY}: a boundary does not provide permissions on its own", boundary=[allow("s3:*")], by="identity"),
    Case("boundary-explicit-deny", EXPLICIT, f"{BOUNDARY}: an explicit deny in either policy overrides the allow", identity=[allow()], boundary=[allow("s3:*"), deny("s3:*", "arn:aws:s3:::b/*")], by="boundary"),
    Case("boundary-limits-role-session", IMPLICIT, f"{BOUNDARY}: boundaries apply to roles as to users", identity=[allow("*")], boundary=[allow("sqs:*")], principal=SESSION, by="boundary"),
    Case("boundary-not-limiting-user-grant", ALLOWED, f"{EVAL}: a resource-based policy granting the IAM user ARN is not limited by an implicit deny in a boundary", boundary=[allow("sqs:*")], resource_policy=[grant(BOB_ARN)]),
    Case("boundary-limits-role-arn-grant", IMPLICIT, f"{EVAL}: resource-based policies that grant an IAM role ARN are limited by an implicit deny in a permissions boundary", boundary=[allow("sqs:*")], resource_policy=[grant(ROLE_ARN)], principal=SESSION, by="boundary"),
    Case("boundary-role-arn-grant-within", ALLOWED, f"{EVAL}: a grant to the role ARN needs no identity-based allow", boundary=[allow("s3:*")], resource_policy=[grant(ROLE_ARN)], principal=SESSION),
    Case("boundary-not-limiting-session-grant", ALLOWED, f"{EVAL}: permissions granted to a role session ARN are not limited by a permissions boundary", boundary=[allow("sqs:*")], resource_policy=[grant(SESSION_ARN)], principal=SESSION),
    Case("boundary-not-limiting-star-grant", ALLOWED, f"{PRINCIPAL}: with Principal * no other permissions are required for principals in your account", boundary=[allow("sqs:*")], resource_policy=[grant("*")]),
    Case("boundary-limits-account-grant", IMPLICIT, f"{BOUNDARY}: an account grant delegates to identity policies, which the boundary limits", identity=[allow()], boundary=[allow("sqs:*")], resource_policy=[grant(ACCOUNT)], by="boundary"),
    Case("boundary-resource-deny-still-wins", EXPLICIT, f"{BOUNDARY}: an explicit deny in any of these policies overrides the allow", identity=[allow()], boundary=[allow("s3:*")], resource_policy=[refuse(BOB_ARN)], by="resource"),
    Case("notprincipal-deny-with-boundary", EXPLICIT, f"{BOUNDARY}: NotPrincipal with Deny always denies a principal that has a boundary", identity=[allow()], boundary=[allow("s3:*")], resource_policy=[deny(NotPrincipal={"AWS": [BOB_ARN, f"arn:aws:iam::{ACCOUNT}:root"]})]),
    # --- session policies ------------------------------------------------------------------------------------
    Case("session-none-role-permissions", ALLOWED, f"{EVAL}: a role session without a session policy is allowed by its role's policies", identity=[allow()], principal=SESSION),
    Case("session-policy-allows", ALLOWED, f"{SESSION_POLICY}: the session's permissions are the intersection of the role's policies and the session policies", identity=[allow("s3:*")], session=[[allow()]], principal=SESSION),
    Case("session-policy-does-not-allow", IMPLICIT, f"{SESSION_POLICY}: session policies limit the permissions of the session", identity=[allow("s3:*")], session=[[allow("s3:PutObject")]], principal=SESSION, by="session"),
    Case("session-policy-grants-nothing", IMPLICIT, f"{SESSION_POLICY}: you cannot use session policies to grant more permissions than the role's", session=[[allow("*")]], principal=SESSION, by="identity"),
    Case("session-policy-explicit-deny", EXPLICIT, f"{EVAL}: an explicit deny in a session policy overrides any allow", identity=[allow("*")], session=[[allow("*"), deny()]], principal=SESSION, by="session"),
    Case("session-policies-union", ALLOWED, f"{SESSION_POLICY}: inline and managed session policies together", identity=[allow("*")], session=[[allow("sqs:*")], [allow("s3:GetObject")]], principal=SESSION),
    Case("session-limits-role-arn-grant", IMPLICIT, f"{EVAL}: resource-based policies that grant the role ARN are limited by an implicit deny in a session policy", session=[[allow("sqs:*")]], resource_policy=[grant(ROLE_ARN)], principal=SESSION, by="session"),
    Case("session-not-limiting-session-grant", ALLOWED, f"{EVAL}: permissions granted directly to a session are not limited by its session policy", session=[[allow("sqs:*")]], resource_policy=[grant(SESSION_ARN)], principal=SESSION),
    Case("federated-user-without-session-policy", IMPLICIT, f"{EVAL}: a session principal other than a role session without a session policy is denied", identity=[allow("*")], principal=FEDERATED, by="session"),
    Case("federated-user-with-session-policy", ALLOWED, f"{SESSION_POLICY}: a federated user's permissions are the user's policies intersected with the session policy", identity=[allow("*")], session=[[allow("s3:*")]], principal=FEDERATED),
    Case("federated-user-direct-grant", ALLOWED, f"{EVAL}: a resource-based policy granting the federated user ARN grants directly to the session", resource_policy=[grant(FED_ARN)], principal=FEDERATED),
    Case("federated-user-parent-grant-limited", IMPLICIT, f"{EVAL}: a grant to the ARN of the IAM user who federated is limited by the session policy", session=[[allow("sqs:*")]], resource_policy=[grant(BOB_ARN)], principal=FEDERATED, by="session"),
    # --- resource-based policies, same account ----------------------------------------------------------------
    Case("resource-policy-user-grant", ALLOWED, f"{EVAL}: if either the identity-based or the resource-based policy allows, the request is allowed", resource_policy=[grant(BOB_ARN)]),
    Case("resource-policy-account-grant-delegates", IMPLICIT, f"{PRINCIPAL}: specifying an account delegates authority; identities need identity-based permissions", resource_policy=[grant(ACCOUNT)], by="identity"),
    Case("resource-policy-account-arn-same", IMPLICIT, f"{PRINCIPAL}: arn:aws:iam::account:root and the account ID behave the same", resource_policy=[grant(f"arn:aws:iam::{ACCOUNT}:root")]),
    Case("resource-policy-account-grant-with-identity", ALLOWED, f"{PRINCIPAL}: an account grant and an identity-based allow", identity=[allow()], resource_policy=[grant(ACCOUNT)]),
    Case("resource-policy-star", ALLOWED, f"{PRINCIPAL}: Principal * grants all principals, no other permissions required in your account", resource_policy=[grant("*")]),
    Case("resource-policy-aws-star", ALLOWED, f"{PRINCIPAL}: \"*\" and {{\"AWS\": \"*\"}} are equivalent", resource_policy=[grant({"AWS": "*"})]),
    Case("resource-policy-role-grant-no-identity", ALLOWED, f"{EVAL}: a grant to the role ARN is not limited by an implicit deny in identity-based policies", resource_policy=[grant(ROLE_ARN)], principal=SESSION),
    Case("resource-policy-explicit-deny", EXPLICIT, f"{EVAL}: an explicit deny in a resource-based policy overrides an identity-based allow", identity=[allow()], resource_policy=[refuse(BOB_ARN)], by="resource"),
    Case("resource-policy-deny-everyone", EXPLICIT, f"{EVAL}: a Deny to Principal * applies to every caller", identity=[allow()], resource_policy=[refuse("*")], by="resource"),
    Case("resource-policy-other-principal", IMPLICIT, f"{EVAL}: a grant to someone else does not apply", resource_policy=[grant(f"arn:aws:iam::{ACCOUNT}:user/carol")], by="identity"),
    Case("resource-policy-condition-false", IMPLICIT, f"{EVAL}: a resource-policy statement applies only when its conditions hold", resource_policy=[grant(BOB_ARN, cond=when("Bool", "aws:SecureTransport", "true"))], context={"aws:SecureTransport": "false"}),
    Case("resource-policy-action-mismatch", IMPLICIT, f"{EVAL}: a resource-policy statement applies only to its actions", resource_policy=[grant(BOB_ARN, "s3:PutObject")]),
    Case("resource-policy-principal-case-sensitive", IMPLICIT, f"{PRINCIPAL}: the user name part of the ARN is case sensitive", resource_policy=[grant(f"arn:aws:iam::{ACCOUNT}:user/Bob")]),
    Case("resource-policy-resource-mismatch", IMPLICIT, f"{EVAL}: a resource-policy statement covers only its resources", resource_policy=[grant(BOB_ARN, resource="arn:aws:s3:::other/*")]),
    Case("notprincipal-allow-others", ALLOWED, f"{NOTPRINCIPAL}: Allow with NotPrincipal grants all principals except those named", resource_policy=[allow(NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/carol"})]),
    Case("notprincipal-allow-excluded", IMPLICIT, f"{NOTPRINCIPAL}: the named principal is not granted", resource_policy=[allow(NotPrincipal={"AWS": BOB_ARN})]),
    Case("notprincipal-deny-spares-named", ALLOWED, f"{NOTPRINCIPAL}: Deny with NotPrincipal (user and account ARN) spares that user", identity=[allow()], resource_policy=[deny(NotPrincipal={"AWS": [BOB_ARN, f"arn:aws:iam::{ACCOUNT}:root"]})]),
    Case("notprincipal-deny-others", EXPLICIT, f"{NOTPRINCIPAL}: everyone else is explicitly denied", identity=[allow()], resource_policy=[deny(NotPrincipal={"AWS": [f"arn:aws:iam::{ACCOUNT}:user/carol", f"arn:aws:iam::{ACCOUNT}:root"]})]),
    Case("notprincipal-deny-without-account", EXPLICIT, f"{NOTPRINCIPAL}: naming only the user ARN may deny the account containing the user", identity=[allow()], resource_policy=[deny(NotPrincipal={"AWS": BOB_ARN})]),
    Case("notprincipal-deny-spares-session-chain", ALLOWED, f"{NOTPRINCIPAL}: name the assumed-role session, the role and the account", identity=[allow()], principal=SESSION, resource_policy=[deny(NotPrincipal={"AWS": [SESSION_ARN, ROLE_ARN, ACCOUNT]})]),
    Case("notprincipal-deny-session-missing-role", EXPLICIT, f"{NOTPRINCIPAL}: missing the role ARN may deny the role", identity=[allow()], principal=SESSION, resource_policy=[deny(NotPrincipal={"AWS": [SESSION_ARN, ACCOUNT]})]),
    # --- cross account ---------------------------------------------------------------------------------------
    Case("cross-account-both-allow", ALLOWED, f"{CROSS}: the identity-based policy and the resource-based policy must both allow", identity=[allow()], principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant(OTHER)]),
    Case("cross-account-no-resource-policy", IMPLICIT, f"{CROSS}: the resource-based policy must allow the requester", identity=[allow()], principal=ALICE, resource_account=ACCOUNT, by="resource"),
    Case("cross-account-no-identity-allow", IMPLICIT, f"{CROSS}: the requester must have an identity-based policy that allows the request", principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant(OTHER)], by="identity"),
    Case("cross-account-direct-grant-needs-identity", IMPLICIT, f"{CROSS}: even a grant naming the user needs the user's identity-based allow", principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant(ALICE_ARN)], by="identity"),
    Case("cross-account-role-grant", ALLOWED, f"{CROSS}: a grant to the role ARN covers its sessions", identity=[allow()], principal=PARTNER, resource_account=ACCOUNT, resource_policy=[grant(OTHER_ROLE_ARN)]),
    Case("cross-account-resource-deny", EXPLICIT, f"{CROSS}: an explicit deny in either account denies", identity=[allow()], principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant(OTHER), refuse(ALICE_ARN)], by="resource"),
    Case("cross-account-star", ALLOWED, f"{PRINCIPAL}: principals in other accounts also need identity-based permissions", identity=[allow()], principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant("*")]),
    Case("cross-account-star-no-identity", IMPLICIT, f"{PRINCIPAL}: principals in other accounts must also have identity-based permissions", principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant("*")], by="identity"),
    Case("cross-account-boundary", IMPLICIT, f"{CROSS}: the trusted account checks identity policies and policies that limit them", identity=[allow()], boundary=[allow("sqs:*")], principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant(OTHER)], by="boundary"),
    Case("cross-account-wrong-account", IMPLICIT, f"{CROSS}: the resource-based policy must name the requester's account", identity=[allow()], principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant("999988887777")]),
    # --- root ------------------------------------------------------------------------------------------------
    Case("root-allowed", ALLOWED, f"{EVAL}: all requests are denied except for the root user, which has full access", principal=ROOT),
    Case("root-ignores-identity-policies", ALLOWED, f"{EVAL}: identity-based policies do not apply to the root user", identity=[deny("*")], principal=ROOT),
    Case("root-resource-deny-account", EXPLICIT, f"{EVAL}: an explicit deny in a resource-based policy applies to the root user", principal=ROOT, resource_policy=[refuse(ACCOUNT)], by="resource"),
    Case("root-resource-deny-star", EXPLICIT, f"{EVAL}: an explicit deny in any policy overrides any allows", principal=ROOT, resource_policy=[refuse("*")]),
    Case("root-cross-account-no-policy", IMPLICIT, f"{CROSS}: the resource's account must allow the other account", principal=OTHER_ROOT, resource_account=ACCOUNT, by="resource"),
    Case("root-cross-account-granted", ALLOWED, f"{CROSS}: a grant to the account covers its root user", principal=OTHER_ROOT, resource_account=ACCOUNT, resource_policy=[grant(OTHER)]),
    # --- anonymous and services ------------------------------------------------------------------------------
    Case("anonymous-no-policy", IMPLICIT, f"{EVAL}: authentication is not necessary for some S3 requests, which only a policy can allow", principal=ANONYMOUS, by="resource"),
    Case("anonymous-principal-star", ALLOWED, f"{PRINCIPAL}: a wildcard with Allow grants access to all users, including anonymous users", principal=ANONYMOUS, resource_policy=[grant("*")]),
    Case("anonymous-aws-star", ALLOWED, f"{PRINCIPAL}: for anonymous users \"*\" and {{\"AWS\": \"*\"}} are equivalent", principal=ANONYMOUS, resource_policy=[grant({"AWS": "*"})]),
    Case("anonymous-account-grant", IMPLICIT, f"{PRINCIPAL}: an account principal does not include anonymous users", principal=ANONYMOUS, resource_policy=[grant(ACCOUNT)]),
    Case("anonymous-with-ip-condition", ALLOWED, f"{PRINCIPAL}: limit a public grant with conditions", principal=ANONYMOUS, resource_policy=[grant("*", cond=when("IpAddress", "aws:SourceIp", "203.0.113.0/24"))], context=IP),
    Case("anonymous-identity-policies-ignored", IMPLICIT, f"{EVAL}: an anonymous caller has no identity-based policies", identity=[allow("*")], principal=ANONYMOUS),
    Case("anonymous-denied-explicitly", EXPLICIT, f"{EVAL}: an explicit deny overrides the public grant", principal=ANONYMOUS, resource_policy=[grant("*"), refuse("*", cond=when("Bool", "aws:SecureTransport", "false"))], context={"aws:SecureTransport": False}),
    Case("service-principal-granted", ALLOWED, f"{PRINCIPAL}: AWS service principals in a resource-based policy", principal=SNS, action="sqs:SendMessage", resource_policy=[grant({"Service": "sns.amazonaws.com"}, "sqs:SendMessage")]),
    Case("service-principal-other-service", IMPLICIT, f"{PRINCIPAL}: only the named service is granted", principal=SNS, action="sqs:SendMessage", resource_policy=[grant({"Service": "events.amazonaws.com"}, "sqs:SendMessage")]),
    Case("service-sourcearn-matches", ALLOWED, f"{OPS}: allow SNS to send to the queue only for a particular topic (ArnEquals aws:SourceArn)", principal=SNS, action="sqs:SendMessage", resource_policy=[grant({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", cond=when("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}),
    Case("service-sourcearn-other-topic", IMPLICIT, f"{OPS}: the condition fails for any other topic", principal=SNS, action="sqs:SendMessage", resource_policy=[grant({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", cond=when("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t"))], context={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:x"}),
    # --- role trust policies -----------------------------------------------------------------------------------
    Case("trust-names-user", ALLOWED, f"{EVAL}: a trust policy granting the user directly needs no identity-based allow in the same account", action="sts:AssumeRole", resource=ROLE_ARN, trust=[grant(BOB_ARN, "sts:AssumeRole", resource=None)]),
    Case("trust-names-account-with-identity", ALLOWED, f"{PRINCIPAL}: trusting the account delegates to identity-based policies", identity=[allow("sts:AssumeRole", ROLE_ARN)], action="sts:AssumeRole", resource=ROLE_ARN, trust=[grant(ACCOUNT, "sts:AssumeRole", resource=None)]),
    Case("trust-names-account-no-identity", IMPLICIT, f"{PRINCIPAL}: trusting the account delegates to identity-based policies", action="sts:AssumeRole", resource=ROLE_ARN, trust=[grant(ACCOUNT, "sts:AssumeRole", resource=None)], by="identity"),
    Case("trust-does-not-name-caller", IMPLICIT, TRUST_RULE, identity=[allow("sts:AssumeRole")], action="sts:AssumeRole", resource=ROLE_ARN, trust=[grant(f"arn:aws:iam::{ACCOUNT}:user/carol", "sts:AssumeRole", resource=None)], by="trust"),
    Case("trust-cross-account", ALLOWED, f"{CROSS}: a trust policy naming the other account plus its identity-based allow", identity=[allow("sts:AssumeRole")], principal=ALICE, action="sts:AssumeRole", resource=ROLE_ARN, resource_account=ACCOUNT, trust=[grant(OTHER, "sts:AssumeRole", resource=None)]),
    Case("trust-web-identity", ALLOWED, f"{PRINCIPAL}: web identity session principals are named with Federated", principal=GOOGLE, action="sts:AssumeRoleWithWebIdentity", resource=ROLE_ARN, trust=[grant({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity", resource=None)]),
    Case("trust-service", ALLOWED, f"{PRINCIPAL}: service roles trust a service principal", principal={"principal_arn": "lambda.amazonaws.com", "principal_type": "Service"}, action="sts:AssumeRole", resource=ROLE_ARN, trust=[grant({"Service": ["lambda.amazonaws.com", "ecs.amazonaws.com"]}, "sts:AssumeRole", resource=None)]),
    Case("trust-explicit-deny", EXPLICIT, f"{EVAL}: an explicit deny in the trust policy overrides the allow", action="sts:AssumeRole", resource=ROLE_ARN, trust=[grant(BOB_ARN, "sts:AssumeRole", resource=None), refuse("*", "sts:AssumeRole", resource=None, cond=when("Bool", "aws:MultiFactorAuthPresent", "false"))], context={"aws:MultiFactorAuthPresent": "false"}, by="trust"),
    # --- global keys derived from the principal ----------------------------------------------------------------
    Case("principalarn-is-role-for-session", ALLOWED, f"{GLOBAL}: aws:PrincipalArn of a role session is the ARN of the role", identity=[allow(cond=when("ArnEquals", "aws:PrincipalArn", ROLE_ARN))], principal=SESSION),
    Case("principaltype-user", ALLOWED, f"{GLOBAL}: aws:PrincipalType is User for an IAM user", identity=[allow(cond=when("StringEquals", "aws:PrincipalType", "User"))]),
    Case("principaltype-assumed-role", IMPLICIT, f"{GLOBAL}: aws:PrincipalType is AssumedRole for a role session", identity=[allow(cond=when("StringEquals", "aws:PrincipalType", "User"))], principal=SESSION),
    Case("principalaccount", ALLOWED, f"{GLOBAL}: aws:PrincipalAccount is the caller's account", resource_policy=[grant("*", cond=when("StringEquals", "aws:PrincipalAccount", ACCOUNT))]),
    Case("principalaccount-other", IMPLICIT, f"{GLOBAL}: aws:PrincipalAccount is the caller's account", identity=[allow()], principal=ALICE, resource_account=ACCOUNT, resource_policy=[grant("*", cond=when("StringEquals", "aws:PrincipalAccount", ACCOUNT))]),
    Case("principaltag-from-session-tags", ALLOWED, f"{GLOBAL}: aws:PrincipalTag includes a role's session tags", identity=[allow(cond=when("StringEquals", "aws:PrincipalTag/team", "ops"))], principal=SESSION),
    Case("username-absent-for-role", IMPLICIT, f"{VARS}: aws:username is not present for an assumed role", identity=[allow(cond=when("StringLike", "aws:username", "*"))], principal=SESSION),
    Case("userid-for-session", ALLOWED, f"{VARS}: aws:userid of a role session is role-id:caller-specified-role-name", identity=[allow(cond=when("StringLike", "aws:userid", "AROAAPPEXAMPLE000001:*"))], principal=SESSION),
    Case("explicit-context-overrides-derived", ALLOWED, f"{EVAL}: the request context gathered by the service is what conditions see", identity=[allow(cond=when("StringEquals", "aws:PrincipalType", "Custom"))], context={"aws:PrincipalType": "Custom"}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_evaluation_table(case: Case) -> None:
    decision = case.decide()
    assert decision.decision == case.expected, case.rule
    assert decision.allowed == (case.expected == ALLOWED)
    if case.by is not None:
        assert decision.denied_by == case.by, case.rule


def test_table_is_large_distinct_and_cites_a_rule_for_every_row() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids)
    assert all(": " in case.rule for case in CASES)
    assert {case.expected for case in CASES} == {ALLOWED, EXPLICIT, IMPLICIT}


def test_bob_is_the_default_principal() -> None:
    assert Case("x", ALLOWED, "x").principal is BOB
