"""Service-linked roles: roles an AWS service owns, named and permissioned by that service.

A service-linked role lives under /aws-service-role/<service principal>/, trusts only its
service, carries the service's AWS managed policy, and is deleted through
DeleteServiceLinkedRole (a deletion task) rather than DeleteRole.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.iam.common import invalid_input, new_id, no_such_entity, now, scope
from pocketcloud.services.iam.principals import ROLE, SERVICE_LINKED_PATH, Principals, is_service_linked
from pocketcloud.services.iam.roles import CREATED_VIEW, role_view
from pocketcloud.services.iam.service_linked_role_data import RECORDED, SUFFIX_ALLOWED

Params = dict[str, Any]

# Service principal → (role name, its AWS managed policy, whether a CustomSuffix is accepted).
_KNOWN: dict[str, tuple[str, str, bool]] = {
    "access-analyzer.amazonaws.com": (
        "AWSServiceRoleForAccessAnalyzer",
        "AccessAnalyzerServiceRolePolicy",
        False,
    ),
    "apigateway.amazonaws.com": ("AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy", False),
    "autoscaling.amazonaws.com": ("AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", True),
    "backup.amazonaws.com": ("AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup", False),
    "batch.amazonaws.com": ("AWSServiceRoleForBatch", "BatchServiceRolePolicy", False),
    "config.amazonaws.com": ("AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy", False),
    "delivery.logs.amazonaws.com": (
        "AWSServiceRoleForLogDelivery",
        "AWSServiceRoleForLogDeliveryPolicy",
        False,
    ),
    "dynamodb.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AWSApplicationAutoscalingDynamoDBTablePolicy",
        False,
    ),
    "ec2fleet.amazonaws.com": ("AWSServiceRoleForEC2Fleet", "AWSEC2FleetServiceRolePolicy", False),
    "ecs.amazonaws.com": ("AWSServiceRoleForECS", "AmazonECSServiceRolePolicy", False),
    "ecs.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSApplicationAutoscalingECSServicePolicy",
        False,
    ),
    "eks.amazonaws.com": ("AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy", False),
    "elasticache.amazonaws.com": ("AWSServiceRoleForElastiCache", "ElastiCacheServiceRolePolicy", False),
    "elasticbeanstalk.amazonaws.com": (
        "AWSServiceRoleForElasticBeanstalk",
        "AWSElasticBeanstalkServiceRolePolicy",
        False,
    ),
    "elasticloadbalancing.amazonaws.com": (
        "AWSServiceRoleForElasticLoadBalancing",
        "AWSElasticLoadBalancingServiceRolePolicy",
        False,
    ),
    "elasticmapreduce.amazonaws.com": ("AWSServiceRoleForEMRCleanup", "AmazonEMRCleanupPolicy", False),
    "es.amazonaws.com": (
        "AWSServiceRoleForAmazonElasticsearchService",
        "AmazonElasticsearchServiceRolePolicy",
        False,
    ),
    "events.amazonaws.com": ("AWSServiceRoleForCloudWatchEvents", "CloudWatchEventsServiceRolePolicy", False),
    "guardduty.amazonaws.com": (
        "AWSServiceRoleForAmazonGuardDuty",
        "AmazonGuardDutyServiceRolePolicy",
        False,
    ),
    "kafka.amazonaws.com": ("AWSServiceRoleForKafka", "KafkaServiceRolePolicy", False),
    "opensearchservice.amazonaws.com": (
        "AWSServiceRoleForAmazonOpenSearchService",
        "AmazonOpenSearchServiceRolePolicy",
        False,
    ),
    "organizations.amazonaws.com": (
        "AWSServiceRoleForOrganizations",
        "AWSOrganizationsServiceTrustPolicy",
        False,
    ),
    "rds.amazonaws.com": ("AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy", False),
    "redshift.amazonaws.com": ("AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy", False),
    "replicator.lambda.amazonaws.com": ("AWSServiceRoleForLambdaReplicator", "AWSLambdaReplicator", False),
    "securityhub.amazonaws.com": ("AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy", False),
    "spot.amazonaws.com": ("AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy", False),
    "spotfleet.amazonaws.com": ("AWSServiceRoleForEC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy", False),
    "ssm.amazonaws.com": ("AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy", False),
    "support.amazonaws.com": ("AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy", False),
    "transitgateway.amazonaws.com": (
        "AWSServiceRoleForVPCTransitGateway",
        "AWSVPCTransitGatewayServiceRolePolicy",
        False,
    ),
    "trustedadvisor.amazonaws.com": (
        "AWSServiceRoleForTrustedAdvisor",
        "AWSTrustedAdvisorServiceRolePolicy",
        False,
    ),
}


# Application Auto Scaling has one service principal per scalable resource type,
# "<prefix>.application-autoscaling.amazonaws.com", whose role is named
# AWSServiceRoleForApplicationAutoScaling_<resource> (its user guide's service-linked role ARN reference).
_APPLICATION_AUTOSCALING: dict[str, str] = {
    "appstream": "AppStreamFleet",
    "cassandra": "CassandraTable",
    "comprehend": "ComprehendEndpoint",
    "custom-resource": "CustomResource",
    "dynamodb": "DynamoDBTable",
    "ec2": "EC2SpotFleetRequest",
    "ecs": "ECSService",
    "elasticache": "ElastiCacheRG",
    "kafka": "KafkaCluster",
    "lambda": "LambdaConcurrency",
    "neptune": "NeptuneCluster",
    "rds": "RDSCluster",
    "sagemaker": "SageMakerEndpoint",
    "workspaces": "WorkSpacesPool",
}
_APPLICATION_AUTOSCALING_SUFFIX = ".application-autoscaling.amazonaws.com"


def _naming(service: str) -> tuple[str, str | None, bool]:
    """(role name, managed policy ARN or None, suffix accepted) for a service principal. A service
    pocketcloud has no entry for gets a name in AWS's pattern and no policy, and takes a suffix."""
    known = _KNOWN.get(service)
    if known is not None:
        return known[0], f"arn:aws:iam::aws:policy{SERVICE_LINKED_PATH}{known[1]}", known[2]
    recorded = RECORDED.get(service)
    if recorded is not None:
        return (
            recorded[0],
            f"arn:aws:iam::aws:policy{SERVICE_LINKED_PATH}{recorded[1]}",
            service in SUFFIX_ALLOWED,
        )
    if service.endswith(_APPLICATION_AUTOSCALING_SUFFIX):
        resource = _APPLICATION_AUTOSCALING.get(service[: -len(_APPLICATION_AUTOSCALING_SUFFIX)])
        if resource is not None:
            # AWS spells one of their policies "AutoScaling", the rest "Autoscaling".
            prefix = (
                "AWSApplicationAutoScaling" if resource == "CustomResource" else "AWSApplicationAutoscaling"
            )
            policy = f"arn:aws:iam::aws:policy{SERVICE_LINKED_PATH}{prefix}{resource}Policy"
            return f"AWSServiceRoleForApplicationAutoScaling_{resource}", policy, False
    if not service.endswith(".amazonaws.com") or not service.split(".")[0]:
        raise invalid_input(f"Invalid service name: {service}")  # not a service principal at all
    label = "".join(part.capitalize() for part in service.split(".")[0].split("-"))
    return f"AWSServiceRoleFor{label}", None, True


class ServiceLinkedRoleOperations:
    principals: Principals

    @property
    def _deletion_tasks(self) -> Any:
        return self.principals.store.collection("iam", "slr_deletion_tasks")

    def CreateServiceLinkedRole(self, ctx: RequestContext, p: Params) -> Params:
        service = p["AWSServiceName"]
        name, policy_arn, suffix_ok = _naming(service)
        if p.get("CustomSuffix"):
            if not suffix_ok:
                raise invalid_input(f"Custom suffix is not allowed for {service}")
            name = f"{name}_{p['CustomSuffix']}"
        path = f"{SERVICE_LINKED_PATH}{service}/"
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                # Strings, not lists, as AWS writes a service-linked role's trust policy.
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}
            ],
        }
        doc: dict[str, Any] = {
            "Path": path,
            "RoleName": name,
            "RoleId": new_id("AROA"),
            "Arn": f"arn:aws:iam::{ctx.account_id}:role{path}{name}",
            "CreateDate": now().isoformat(),
            "AssumeRolePolicyDocument": json.dumps(trust),
            "MaxSessionDuration": 3600,
            "RoleLastUsed": {},
        }
        if p.get("Description") is not None:
            doc["Description"] = p["Description"]
        with self.principals.store.transaction():
            if not self.principals.collection(ROLE).insert(scope(ctx), name, doc):
                raise invalid_input(
                    f"Service role name {name} has been taken in this account, please try a different suffix."
                )
            if policy_arn is not None and self.principals.policies.find(ctx, policy_arn) is not None:
                self.principals.attach(ctx, ROLE, name, policy_arn)
        return {"Role": role_view(doc, CREATED_VIEW)}

    def DeleteServiceLinkedRole(self, ctx: RequestContext, p: Params) -> Params:
        name = p["RoleName"]
        with self.principals.store.transaction():
            doc = self.principals.get(ctx, ROLE, name)
            if not is_service_linked(doc):
                raise invalid_input(f"Role {name} is not a service-linked role.")
            for policy_arn in list(doc.get("AttachedPolicies", [])):
                self.principals.detach(ctx, ROLE, name, policy_arn)
            self.principals.collection(ROLE).delete(scope(ctx), name)
            service = doc["Path"][len(SERVICE_LINKED_PATH) :].strip("/")
            task_id = f"task{SERVICE_LINKED_PATH}{service}/{name}/{uuid.uuid4()}"
            # No AWS service holds resources that use the role here, so the deletion succeeds at once.
            self._deletion_tasks.put(scope(ctx), task_id, {"Status": "SUCCEEDED"})
        return {"DeletionTaskId": task_id}

    def GetServiceLinkedRoleDeletionStatus(self, ctx: RequestContext, p: Params) -> Params:
        task = self._deletion_tasks.get(scope(ctx), p["DeletionTaskId"])
        if task is None:
            raise no_such_entity(f"Deletion task {p['DeletionTaskId']} cannot be found.")
        return {"Status": task["Status"]}
