"""IAM service-linked roles through boto3: AWS's role names and paths, the service's managed
policy, the one-per-account rule, and deletion through a deletion task.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import error_of, unique


def test_a_service_linked_role_has_the_service_name_path_and_trust(iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName="spot.amazonaws.com")["Role"]
    try:
        assert (role["RoleName"], role["Path"]) == (
            "AWSServiceRoleForEC2Spot",
            "/aws-service-role/spot.amazonaws.com/",
        )
        assert role["Arn"] == (
            f"arn:aws:iam::{ROOT_ACCOUNT}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot"
        )
        trust = role["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        # AWS writes the principal and the action as strings (as recorded for every service).
        assert trust["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "spot.amazonaws.com"}}
        ]
        attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForEC2Spot")["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [
            "arn:aws:iam::aws:policy/aws-service-role/AWSEC2SpotServiceRolePolicy"
        ]
    finally:
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")


@pytest.mark.parametrize(
    ("prefix", "resource", "policy"),
    [
        ("custom-resource", "CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"),
        ("lambda", "LambdaConcurrency", "AWSApplicationAutoscalingLambdaConcurrencyPolicy"),
        ("ec2", "EC2SpotFleetRequest", "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy"),
    ],
)
def test_application_auto_scaling_roles_are_named_for_their_resource_type(
    iam: Any, prefix: str, resource: str, policy: str
) -> None:
    service = f"{prefix}.application-autoscaling.amazonaws.com"
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    name = f"AWSServiceRoleForApplicationAutoScaling_{resource}"
    try:
        assert (role["RoleName"], role["Path"]) == (name, f"/aws-service-role/{service}/")
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [f"arn:aws:iam::aws:policy/aws-service-role/{policy}"]
    finally:
        iam.delete_service_linked_role(RoleName=name)


def test_a_second_role_for_the_same_service_is_refused(iam: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    try:
        assert error_of(iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com") == (
            "InvalidInput",
            400,
            "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
        )
    finally:
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")


def test_a_custom_suffix_names_another_role(iam: Any) -> None:
    suffix = unique("s")
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix=suffix)[
        "Role"
    ]
    assert role["RoleName"] == f"AWSServiceRoleForAutoScaling_{suffix}"
    iam.delete_service_linked_role(RoleName=role["RoleName"])


def test_delete_role_refuses_a_service_linked_role(iam: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")
    try:
        assert error_of(iam.delete_role, RoleName="AWSServiceRoleForRDS") == (
            "UnmodifiableEntity",
            400,
            "Cannot perform the operation on the protected role 'AWSServiceRoleForRDS' - "
            "this role is only modifiable by AWS",
        )
    finally:
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForRDS")


def test_deletion_is_a_task_that_succeeds(iam: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="elasticloadbalancing.amazonaws.com")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForElasticLoadBalancing")["DeletionTaskId"]
    assert task.startswith(
        "task/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing/"
    )
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert error_of(iam.get_role, RoleName="AWSServiceRoleForElasticLoadBalancing")[:2] == (
        "NoSuchEntity",
        404,
    )


def test_a_caller_cannot_change_a_service_linked_roles_policies_or_trust(iam: Any) -> None:
    # UnmodifiableEntity in AttachRolePolicy, PutRolePolicy and UpdateAssumeRolePolicy: "service-linked
    # roles are protected AWS resources. Only the service that depends on the service-linked role can
    # modify or delete the role on your behalf."
    name = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")["Role"]["RoleName"]
    try:
        protected = (
            "UnmodifiableEntity",
            400,
            f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS",
        )
        read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        assert error_of(iam.attach_role_policy, RoleName=name, PolicyArn=read_only) == protected
        document = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        assert error_of(iam.put_role_policy, RoleName=name, PolicyName="more", PolicyDocument=document) == protected
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        assert error_of(iam.update_assume_role_policy, RoleName=name, PolicyDocument=trust) == protected
    finally:
        iam.delete_service_linked_role(RoleName=name)


def test_a_service_role_policy_is_attachable_to_no_customer_role(iam: Any) -> None:
    # AttachRolePolicy's PolicyNotAttachable: "AWS service role policies can only be attached to the
    # service-linked role for that service" (IAM's words in the answer, as Terraform users quote it).
    role = unique("customer")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    policy = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn=policy) == (
        "PolicyNotAttachable", 400, "Cannot attach a Service Role Policy to a Customer Role.")
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    iam.delete_role(RoleName=role)
