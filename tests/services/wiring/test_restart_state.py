"""Everything a client can describe is the same after a restart, in every service.

Each test starts a server of its own on a data directory, builds rich state through boto3,
describes it with every Get/List/Describe that applies, restarts the server (a clean SIGTERM
stop, or kill -9: every write here was acknowledged before the kill), describes it again and
compares the two answers value for value; then checks that the background work in progress
(async Lambda retries, SQS mappings, log exports, message timers) carries on where it stopped.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client, wait_for
from tests.services.iam.test_certificates_and_keys import PRIVATE_KEY, certificate, ssh_key
from tests.services.s3.access_support import s3control

STOPS = ["sigterm", "kill9"]
TRUST_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
ALLOW_S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]})


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _zip(source: str, name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


Calls = list[tuple[str, Callable[..., Any], dict[str, Any]]]


def _describe(calls: Calls) -> dict[str, Any]:
    """Each call's answer without its request metadata (request id, date); streamed bodies read."""
    found: dict[str, Any] = {}
    for label, call, kwargs in calls:
        answer = dict(call(**kwargs))
        answer.pop("ResponseMetadata", None)
        for key in ("Body", "Payload"):
            if hasattr(answer.get(key), "read"):
                answer[key] = answer[key].read()
        found[label] = answer
    return found


@pytest.fixture
def restart(tmp_path: Path) -> Iterator[Callable[[ServerProcess, str], ServerProcess]]:
    """Stop a server (SIGTERM or kill -9) and start a new one on the same data directory and port."""
    started: list[ServerProcess] = []

    def again(first: ServerProcess, how: str) -> ServerProcess:
        if how == "kill9":
            first.kill9()
        else:
            first.stop()
        second = ServerProcess(data_dir=tmp_path, env=first.env)
        second.port = first.port  # the same endpoint, so queue URLs and the like compare equal
        second.start()
        started.append(second)
        return second

    yield again
    for proc in started:
        proc.stop()


@pytest.fixture
def first(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(data_dir=tmp_path).start()
    yield proc
    proc.stop()


# -- IAM and STS -------------------------------------------------------------------------------


def _build_iam(server: ServerProcess) -> dict[str, Any]:
    iam: Any = server.client("iam")
    names = {k: _name(k) for k in ("user", "group", "role", "policy", "profile", "boundary")}
    boundary = iam.create_policy(PolicyName=names["boundary"], PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "s3:GetObject", "s3:ListBucket", "sts:GetFederationToken"]}]}))["Policy"]["Arn"]
    iam.create_user(UserName=names["user"], Path="/team/", PermissionsBoundary=boundary,
                    Tags=[{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "42"}])
    iam.create_login_profile(UserName=names["user"], Password="Correct-Horse-9", PasswordResetRequired=True)
    active = iam.create_access_key(UserName=names["user"])["AccessKey"]
    inactive = iam.create_access_key(UserName=names["user"])["AccessKey"]
    iam.update_access_key(UserName=names["user"], AccessKeyId=inactive["AccessKeyId"], Status="Inactive")
    iam.put_user_policy(UserName=names["user"], PolicyName="inline", PolicyDocument=ALLOW_S3_READ)
    policy = iam.create_policy(PolicyName=names["policy"], Path="/managed/", PolicyDocument=ALLOW_S3_READ,
                               Description="two versions", Tags=[{"Key": "k", "Value": "v"}])["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}), SetAsDefault=True)
    iam.attach_user_policy(UserName=names["user"], PolicyArn=policy)
    iam.create_group(GroupName=names["group"], Path="/g/")
    iam.add_user_to_group(GroupName=names["group"], UserName=names["user"])
    iam.put_group_policy(GroupName=names["group"], PolicyName="group-inline", PolicyDocument=ALLOW_S3_READ)
    iam.attach_group_policy(GroupName=names["group"], PolicyArn=policy)
    user_arn = f"arn:aws:iam::{ROOT_ACCOUNT}:user/team/{names['user']}"
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}]})
    role_arn = iam.create_role(RoleName=names["role"], AssumeRolePolicyDocument=trust, MaxSessionDuration=7200,
                               Description="restart role", PermissionsBoundary=boundary,
                               Tags=[{"Key": "env", "Value": "test"}])["Role"]["Arn"]
    iam.put_role_policy(RoleName=names["role"], PolicyName="role-inline", PolicyDocument=ALLOW_S3_READ)
    iam.attach_role_policy(RoleName=names["role"], PolicyArn=policy)
    iam.create_instance_profile(InstanceProfileName=names["profile"], Tags=[{"Key": "p", "Value": "1"}])
    iam.add_role_to_instance_profile(InstanceProfileName=names["profile"], RoleName=names["role"])
    oidc = iam.create_open_id_connect_provider(
        Url="https://oidc.example.com/" + names["role"], ClientIDList=["app-1", "app-2"],
        ThumbprintList=["a" * 40], Tags=[{"Key": "idp", "Value": "oidc"}])["OpenIDConnectProviderArn"]
    saml = iam.create_saml_provider(Name=_name("saml"), SAMLMetadataDocument=_SAML_METADATA,
                                    Tags=[{"Key": "idp", "Value": "saml"}])["SAMLProviderArn"]
    iam.create_account_alias(AccountAlias=_name("alias"))
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True, MaxPasswordAge=90,
                                       PasswordReusePrevention=3, AllowUsersToChangePassword=True)
    iam.upload_server_certificate(ServerCertificateName=names["user"], Path="/certs/", CertificateBody=certificate(),
                                  PrivateKey=PRIVATE_KEY, Tags=[{"Key": "c", "Value": "1"}])
    iam.upload_ssh_public_key(UserName=names["user"], SSHPublicKeyBody=ssh_key())
    iam.upload_signing_certificate(UserName=names["user"], CertificateBody=certificate())
    iam.create_service_specific_credential(UserName=names["user"], ServiceName="codecommit.amazonaws.com")
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName=names["user"], Tags=[{"Key": "m", "Value": "1"}])[
        "VirtualMFADevice"]["SerialNumber"]
    linked = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")["Role"]["RoleName"]
    # The active key is used once, so it has a LastUsed date to keep.
    user_sts = make_client(server.endpoint, "sts", key=active["AccessKeyId"], secret=active["SecretAccessKey"])
    user_sts.get_caller_identity()
    session = user_sts.get_session_token(DurationSeconds=3600)["Credentials"]
    role_session = user_sts.assume_role(RoleArn=role_arn, RoleSessionName="before-restart")["Credentials"]
    # A federated session whose policy allows less than the user's: still only that after the restart.
    federated = user_sts.get_federation_token(Name="fed-user", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity",
                                                "Resource": "*"}]}))["Credentials"]
    role_sts = make_client(server.endpoint, "sts", key=role_session["AccessKeyId"],
                           secret=role_session["SecretAccessKey"], token=role_session["SessionToken"],
                           region="eu-west-1")
    role_sts.get_caller_identity()  # the role is used once, so it has a RoleLastUsed to keep
    wait_for(lambda: iam.generate_credential_report()["State"] == "COMPLETE")
    job = iam.generate_service_last_accessed_details(Arn=user_arn)["JobId"]
    return {"names": names, "policy": policy, "boundary": boundary, "oidc": oidc, "saml": saml,
            "keys": [active, inactive], "session": session, "role_session": role_session, "user_arn": user_arn,
            "federated": federated,
            "role_arn": role_arn, "mfa": mfa, "linked": linked, "job": job}


_SAML_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/metadata" validUntil="2049-01-01T00:00:00Z"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
    '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
    + "MIIC" + "A" * 1200 + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
    'Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
)


def _describe_iam(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    iam: Any = server.client("iam")
    n = state["names"]
    user, group, role, profile = n["user"], n["group"], n["role"], n["profile"]
    return _describe([
        ("user", iam.get_user, {"UserName": user}),
        ("users", iam.list_users, {"PathPrefix": "/team/"}),
        ("user_tags", iam.list_user_tags, {"UserName": user}),
        ("login", iam.get_login_profile, {"UserName": user}),
        ("keys", iam.list_access_keys, {"UserName": user}),
        ("last_used", iam.get_access_key_last_used, {"AccessKeyId": state["keys"][0]["AccessKeyId"]}),
        ("never_used", iam.get_access_key_last_used, {"AccessKeyId": state["keys"][1]["AccessKeyId"]}),
        ("user_policies", iam.list_user_policies, {"UserName": user}),
        ("user_policy", iam.get_user_policy, {"UserName": user, "PolicyName": "inline"}),
        ("user_attached", iam.list_attached_user_policies, {"UserName": user}),
        ("groups_for_user", iam.list_groups_for_user, {"UserName": user}),
        ("group", iam.get_group, {"GroupName": group}),
        ("group_policy", iam.get_group_policy, {"GroupName": group, "PolicyName": "group-inline"}),
        ("group_attached", iam.list_attached_group_policies, {"GroupName": group}),
        ("role", iam.get_role, {"RoleName": role}),
        ("role_tags", iam.list_role_tags, {"RoleName": role}),
        ("role_policy", iam.get_role_policy, {"RoleName": role, "PolicyName": "role-inline"}),
        ("role_attached", iam.list_attached_role_policies, {"RoleName": role}),
        ("policy", iam.get_policy, {"PolicyArn": state["policy"]}),
        ("policy_tags", iam.list_policy_tags, {"PolicyArn": state["policy"]}),
        ("versions", iam.list_policy_versions, {"PolicyArn": state["policy"]}),
        ("v1", iam.get_policy_version, {"PolicyArn": state["policy"], "VersionId": "v1"}),
        ("v2", iam.get_policy_version, {"PolicyArn": state["policy"], "VersionId": "v2"}),
        ("entities", iam.list_entities_for_policy, {"PolicyArn": state["policy"]}),
        ("local_policies", iam.list_policies, {"Scope": "Local"}),
        ("profile", iam.get_instance_profile, {"InstanceProfileName": profile}),
        ("profile_tags", iam.list_instance_profile_tags, {"InstanceProfileName": profile}),
        ("profiles_for_role", iam.list_instance_profiles_for_role, {"RoleName": role}),
        ("oidc", iam.get_open_id_connect_provider, {"OpenIDConnectProviderArn": state["oidc"]}),
        ("oidcs", iam.list_open_id_connect_providers, {}),
        ("saml", iam.get_saml_provider, {"SAMLProviderArn": state["saml"]}),
        ("saml_tags", iam.list_saml_provider_tags, {"SAMLProviderArn": state["saml"]}),
        ("alias", iam.list_account_aliases, {}),
        ("password_policy", iam.get_account_password_policy, {}),
        ("summary", iam.get_account_summary, {}),
        ("server_certificate", iam.get_server_certificate, {"ServerCertificateName": user}),
        ("server_certificates", iam.list_server_certificates, {"PathPrefix": "/certs/"}),
        ("ssh_keys", iam.list_ssh_public_keys, {"UserName": user}),
        ("signing_certificates", iam.list_signing_certificates, {"UserName": user}),
        ("service_credentials", iam.list_service_specific_credentials, {"UserName": user}),
        ("mfa_tags", iam.list_mfa_device_tags, {"SerialNumber": state["mfa"]}),
        ("virtual_mfa", iam.list_virtual_mfa_devices, {}),
        ("linked_role", iam.get_role, {"RoleName": state["linked"]}),
        ("credential_report", iam.get_credential_report, {}),
        ("last_accessed", iam.get_service_last_accessed_details, {"JobId": state["job"]}),
        ("details", iam.get_account_authorization_details, {}),
    ])


def _sessions_work(server: ServerProcess, state: dict[str, Any]) -> None:
    """Credentials STS issued before the restart still sign requests as their principal."""
    for creds, arn in ((state["session"], state["user_arn"]),
                       (state["role_session"], state["role_arn"].replace(":iam:", ":sts:").replace(
                           ":role/", ":assumed-role/") + "/before-restart")):
        sts = make_client(server.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                          token=creds["SessionToken"])
        assert sts.get_caller_identity()["Arn"] == arn
    federated = state["federated"]
    keys = {"key": federated["AccessKeyId"], "secret": federated["SecretAccessKey"], "token": federated["SessionToken"]}
    identity = make_client(server.endpoint, "sts", **keys).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ROOT_ACCOUNT}:federated-user/fed-user"
    with pytest.raises(ClientError) as denied:  # the user may read S3, the federated session may not
        make_client(server.endpoint, "s3", **keys).list_objects_v2(Bucket="any-bucket")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize("how", STOPS)
def test_iam_state_and_sts_sessions_survive_a_restart(first: ServerProcess, restart: Any, how: str) -> None:
    state = _build_iam(first)
    before = _describe_iam(first, state)
    last_used = before["last_used"]["AccessKeyLastUsed"]
    assert (last_used["ServiceName"], last_used["Region"], "LastUsedDate" in last_used) == ("sts", "us-east-1", True)
    assert before["never_used"]["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    assert before["summary"]["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    rows = list(csv.DictReader(io.StringIO(before["credential_report"]["Content"].decode())))
    [row] = [r for r in rows if r["user"] == state["names"]["user"]]
    assert sorted((row[f"access_key_{n}_last_used_service"], row[f"access_key_{n}_last_used_region"])
                  for n in (1, 2)) == [("N/A", "N/A"), ("sts", "us-east-1")]  # the active key, and the unused one
    assert before["role"]["Role"]["RoleLastUsed"]["Region"] == "eu-west-1"
    [detail] = [r for r in before["details"]["RoleDetailList"] if r["RoleName"] == state["names"]["role"]]
    assert detail["RoleLastUsed"] == before["role"]["Role"]["RoleLastUsed"]
    assert before["linked_role"]["Role"]["RoleLastUsed"] == {}
    second = restart(first, how)
    assert _describe_iam(second, state) == before
    _sessions_work(second, state)


def test_an_access_keys_last_use_is_written_by_a_clean_stop(first: ServerProcess, restart: Any) -> None:
    iam: Any = first.client("iam")
    user = _name("user")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    s3 = make_client(first.endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"], region="eu-west-1")
    with pytest.raises(ClientError):  # denied (no policy), yet the key was used
        s3.list_buckets()
    second = restart(first, "sigterm")
    last_used = second.client("iam").get_access_key_last_used(AccessKeyId=key["AccessKeyId"])  # type: ignore[attr-defined]
    assert last_used["UserName"] == user
    assert (last_used["AccessKeyLastUsed"]["ServiceName"], last_used["AccessKeyLastUsed"]["Region"]) == (
        "s3", "eu-west-1")


# -- S3 --------------------------------------------------------------------------------------------


def _build_s3(server: ServerProcess) -> dict[str, Any]:
    s3: Any = server.client("s3")
    sqs: Any = server.client("sqs")
    bucket, locked = _name("configs"), _name("locked")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 7}}]})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "project", "Value": "restart"}]})
    queue = sqs.create_queue(QueueName=_name("s3-events"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn}]})})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
        "Id": "to-queue", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}})
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    s3.put_bucket_abac(Bucket=bucket, AbacStatus={"Status": "Enabled"})
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": bucket, "TargetPrefix": "access-logs/"}})
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="all", MetricsConfiguration={"Id": "all"})
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="ana", AnalyticsConfiguration={
        "Id": "ana", "StorageClassAnalysis": {}})
    s3.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="tier", IntelligentTieringConfiguration={
        "Id": "tier", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]})
    s3.put_bucket_inventory_configuration(Bucket=bucket, Id="inv", InventoryConfiguration={
        "Id": "inv", "IsEnabled": True, "IncludedObjectVersions": "All", "Schedule": {"Frequency": "Daily"},
        "Destination": {"S3BucketDestination": {"Bucket": f"arn:aws:s3:::{bucket}", "Format": "CSV"}}})
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"version one", Metadata={"colour": "red"},
                  ContentType="text/plain", CacheControl="max-age=60", Tagging="a=1&b=2")
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"version two", Metadata={"colour": "blue"},
                  ContentType="text/plain", ContentDisposition="inline")
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"soon deleted")
    s3.delete_object(Bucket=bucket, Key="gone.txt")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", Metadata={"part": "yes"},
                                        ContentType="application/octet-stream")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=1, Body=b"a" * (5 * 1024 * 1024))
    s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=2, Body=b"tail")

    s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    s3.put_object(Bucket=locked, Key="held.txt", Body=b"held")
    s3.put_object_legal_hold(Bucket=locked, Key="held.txt", LegalHold={"Status": "ON"})
    s3.put_object_retention(Bucket=locked, Key="held.txt", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": "2040-01-01T00:00:00Z"})
    return {"bucket": bucket, "locked": locked, "upload": upload, "queue": queue}


def _describe_s3(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    s3: Any = server.client("s3")
    b, locked = state["bucket"], state["locked"]
    first_version = s3.list_object_versions(Bucket=b, Prefix="doc.txt")["Versions"][-1]["VersionId"]
    calls: Calls = [(name, getattr(s3, name), {"Bucket": b}) for name in (
        "get_bucket_versioning", "get_bucket_policy", "get_bucket_cors", "get_bucket_lifecycle_configuration",
        "get_bucket_encryption", "get_bucket_tagging", "get_bucket_notification_configuration",
        "get_bucket_website", "get_bucket_ownership_controls", "get_public_access_block", "get_bucket_abac",
        "get_bucket_location", "get_bucket_acl", "get_bucket_policy_status", "head_bucket",
        "list_object_versions", "list_objects_v2", "list_multipart_uploads",
        "get_bucket_accelerate_configuration", "get_bucket_request_payment", "get_bucket_logging",
        "list_bucket_metrics_configurations", "list_bucket_analytics_configurations",
        "list_bucket_intelligent_tiering_configurations", "list_bucket_inventory_configurations")]
    calls += [
        ("buckets", s3.list_buckets, {}),
        ("doc", s3.get_object, {"Bucket": b, "Key": "doc.txt"}),
        ("doc_v1", s3.get_object, {"Bucket": b, "Key": "doc.txt", "VersionId": first_version}),
        ("doc_v1_tags", s3.get_object_tagging, {"Bucket": b, "Key": "doc.txt", "VersionId": first_version}),
        ("doc_head", s3.head_object, {"Bucket": b, "Key": "doc.txt"}),
        ("doc_acl", s3.get_object_acl, {"Bucket": b, "Key": "doc.txt"}),
        ("doc_attributes", s3.get_object_attributes, {"Bucket": b, "Key": "doc.txt", "ObjectAttributes": [
            "ETag", "ObjectSize", "StorageClass"]}),
        ("parts", s3.list_parts, {"Bucket": b, "Key": "big.bin", "UploadId": state["upload"]}),
        ("lock", s3.get_object_lock_configuration, {"Bucket": locked}),
        ("held", s3.head_object, {"Bucket": locked, "Key": "held.txt"}),
        ("legal_hold", s3.get_object_legal_hold, {"Bucket": locked, "Key": "held.txt"}),
        ("retention", s3.get_object_retention, {"Bucket": locked, "Key": "held.txt"}),
    ]
    return _describe(calls)


@pytest.mark.parametrize("how", STOPS)
def test_s3_buckets_objects_and_uploads_survive_a_restart(first: ServerProcess, restart: Any, how: str) -> None:
    state = _build_s3(first)
    before = _describe_s3(first, state)
    assert before["get_bucket_abac"]["AbacStatus"]["Status"] == "Enabled"
    second = restart(first, how)
    assert _describe_s3(second, state) == before
    # The upload in progress can still be completed with the parts sent before the restart.
    s3: Any = second.client("s3")
    parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in before["parts"]["Parts"]]
    s3.complete_multipart_upload(Bucket=state["bucket"], Key="big.bin", UploadId=state["upload"],
                                 MultipartUpload={"Parts": parts})
    body = s3.get_object(Bucket=state["bucket"], Key="big.bin")
    assert (body["ContentLength"], body["Metadata"]) == (5 * 1024 * 1024 + 4, {"part": "yes"})
    # The notification configuration is still acted on: a new object under in/ is announced.
    s3.put_object(Bucket=state["bucket"], Key="in/after.txt", Body=b"new")
    sqs: Any = second.client("sqs")
    keys: list[str] = []

    def announced() -> bool:
        for message in sqs.receive_message(QueueUrl=state["queue"], WaitTimeSeconds=1,
                                           MaxNumberOfMessages=10).get("Messages", []):
            keys.extend(r["s3"]["object"]["key"] for r in json.loads(message["Body"]).get("Records", []))
        return "in/after.txt" in keys

    wait_for(announced, 15)


def test_a_retried_complete_multipart_upload_gets_its_answer_after_a_kill_9(first: ServerProcess,
                                                                            restart: Any) -> None:
    # The completion whose answer never reached the client is the case a retry is for.
    s3: Any = first.client("s3")
    bucket = _name("completed")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined.bin")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="joined.bin", UploadId=upload, PartNumber=1, Body=b"only part")["ETag"]
    request = {"Bucket": bucket, "Key": "joined.bin", "UploadId": upload,
               "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": etag}]}}
    done = s3.complete_multipart_upload(**request)
    second = restart(first, "kill9")
    again: Any = second.client("s3")
    retried = again.complete_multipart_upload(**request)
    keep = ("Bucket", "Key", "ETag", "VersionId", "ChecksumCRC64NVME", "ChecksumType")
    assert {k: retried.get(k) for k in keep} == {k: done.get(k) for k in keep}
    versions = again.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["ETag"]) for v in versions] == [(done["VersionId"], done["ETag"])]
    assert again.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


# -- SQS -------------------------------------------------------------------------------------------


def _build_sqs(server: ServerProcess) -> dict[str, Any]:
    sqs: Any = server.client("sqs")
    dlq = sqs.create_queue(QueueName=_name("dlq"), tags={"role": "dlq"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    plain = sqs.create_queue(QueueName=_name("plain"), tags={"team": "blue"}, Attributes={
        "VisibilityTimeout": "6", "MessageRetentionPeriod": "3600", "MaximumMessageSize": "2048",
        "ReceiveMessageWaitTimeSeconds": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    fifo = sqs.create_queue(QueueName=_name("ordered") + ".fifo", tags={"kind": "fifo"}, Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    sqs.send_message(QueueUrl=plain, MessageBody="visible", MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "red"}})
    sqs.send_message(QueueUrl=plain, MessageBody="to-the-dlq")
    # "to-the-dlq" is received once before the restart (receive count 1 of 2) and left in flight.
    received = sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                   AttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in received) == ["to-the-dlq", "visible"]
    visible = next(m for m in received if m["Body"] == "visible")
    sqs.change_message_visibility(QueueUrl=plain, ReceiptHandle=visible["ReceiptHandle"], VisibilityTimeout=0)
    sqs.send_message(QueueUrl=plain, MessageBody="delayed", DelaySeconds=6)
    sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g1")
    sequence = sqs.send_message(QueueUrl=fifo, MessageBody="second", MessageGroupId="g1")["SequenceNumber"]
    gone = _name("gone")
    sqs.delete_queue(QueueUrl=sqs.create_queue(QueueName=gone)["QueueUrl"])
    purged = sqs.create_queue(QueueName=_name("purged"))["QueueUrl"]
    sqs.purge_queue(QueueUrl=purged)
    return {"plain": plain, "fifo": fifo, "dlq": dlq, "dlq_arn": dlq_arn, "sequence": sequence, "gone": gone,
            "purged": purged}


def _describe_sqs(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    sqs: Any = server.client("sqs")
    calls: Calls = [("queues", sqs.list_queues, {}),
                    ("dead_letter_sources", sqs.list_dead_letter_source_queues, {"QueueUrl": state["dlq"]})]
    for label in ("plain", "fifo", "dlq"):
        url = state[label]
        calls += [(label + "_url", sqs.get_queue_url, {"QueueName": url.rsplit("/", 1)[1]}),
                  (label + "_tags", sqs.list_queue_tags, {"QueueUrl": url})]
    found = _describe(calls)
    for label in ("plain", "fifo", "dlq"):
        attributes = sqs.get_queue_attributes(QueueUrl=state[label], AttributeNames=["All"])["Attributes"]
        found[label + "_attributes"] = attributes
    return found


def _bodies(sqs: Any, url: str, **kwargs: Any) -> list[str]:
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])
    for message in answer:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [m["Body"] for m in answer]


@pytest.mark.parametrize("how", STOPS)
def test_sqs_queues_and_messages_in_every_state_survive_a_restart(first: ServerProcess, restart: Any,
                                                                   how: str) -> None:
    state = _build_sqs(first)
    before = _describe_sqs(first, state)
    second = restart(first, how)
    assert _describe_sqs(second, state) == before
    sqs: Any = second.client("sqs")
    plain = state["plain"]
    # Only the visible message is there at once: the in-flight one and the delayed one come later.
    first_receive = sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                        AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [(m["Body"], m["MessageAttributes"]["colour"]["StringValue"], m["Attributes"]["ApproximateReceiveCount"])
            for m in first_receive] == [("visible", "red", "2")]
    sqs.delete_message(QueueUrl=plain, ReceiptHandle=first_receive[0]["ReceiptHandle"])
    # The delayed message and the one in flight come once their time is up; the in-flight one
    # on its second receive (count 2 of 2), left in flight for 1 s again.
    later: dict[str, str] = {}

    def both_came() -> bool:
        for message in sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           VisibilityTimeout=1, AttributeNames=["ApproximateReceiveCount"]
                                           ).get("Messages", []):
            later[message["Body"]] = message["Attributes"]["ApproximateReceiveCount"]
            if message["Body"] == "delayed":
                sqs.delete_message(QueueUrl=plain, ReceiptHandle=message["ReceiptHandle"])
        return len(later) == 2

    wait_for(both_came, 20)
    assert later == {"delayed": "1", "to-the-dlq": "2"}
    # That was its last receive: the receive after it moves it to the dead-letter queue instead.
    assert wait_for(lambda: _bodies(sqs, plain, WaitTimeSeconds=1) or _bodies(sqs, state["dlq"]), 15) == [
        "to-the-dlq"]
    # FIFO: content-based deduplication still knows "first"; the group keeps its order.
    sqs.send_message(QueueUrl=state["fifo"], MessageBody="first", MessageGroupId="g1")
    assert _bodies(sqs, state["fifo"]) == ["first", "second"]
    assert _bodies(sqs, state["fifo"]) == []
    # Sequence numbers keep growing; the 60 s waits after DeleteQueue and PurgeQueue still hold.
    after = sqs.send_message(QueueUrl=state["fifo"], MessageBody="third", MessageGroupId="g1")["SequenceNumber"]
    assert int(after) > int(state["sequence"])
    with pytest.raises(ClientError) as recently:
        sqs.create_queue(QueueName=state["gone"])
    assert recently.value.response["Error"]["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    with pytest.raises(ClientError) as purging:
        sqs.purge_queue(QueueUrl=state["purged"])
    assert purging.value.response["Error"]["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_a_fifo_receive_retried_with_its_attempt_id_after_a_kill_9_gets_the_same_messages(
        first: ServerProcess, restart: Any) -> None:
    # AWS: retry "with an identical ReceiveRequestAttemptId to retrieve the same set of messages,
    # even if their visibility timeout has not yet expired" - the retry of a receive whose answer was lost.
    sqs: Any = first.client("sqs")
    url = sqs.create_queue(QueueName=_name("attempts") + ".fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("one", "two", "three"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60,
                                   ReceiveRequestAttemptId="attempt-1")["Messages"]
    second = restart(first, "kill9")
    again: Any = second.client("sqs")
    replayed = again.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60,
                                     ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert [(m["Body"], m["ReceiptHandle"]) for m in replayed] == [(m["Body"], m["ReceiptHandle"]) for m in received]
    assert [m["Body"] for m in received] == ["one", "two"]
    # Another attempt finds the group still held by the messages in flight.
    assert again.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-2").get("Messages", []) == []



# -- Lambda ----------------------------------------------------------------------------------------

SQS_ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
    "Resource": "*"}]})
HANDLER = "def handler(event, context):\n    print('GOT', [r.get('body') for r in event.get('Records', [])])\n" \
          "    return {'ok': True}\n"


def _build_lambda(server: ServerProcess) -> dict[str, Any]:
    iam: Any = server.client("iam")
    lam: Any = server.client("lambda")
    sqs: Any = server.client("sqs")
    role_name = _name("fn-role")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
    iam.put_role_policy(RoleName=role_name, PolicyName="sqs", PolicyDocument=SQS_ROLE_POLICY)
    layer = lam.publish_layer_version(LayerName=_name("layer"), Description="helpers",
                                      Content={"ZipFile": _zip("X = 1\n", "python/helper.py")},
                                      CompatibleRuntimes=["python3.12"])
    lam.add_layer_version_permission(LayerName=layer["LayerArn"].rsplit(":", 1)[1], VersionNumber=layer["Version"],
                                     StatementId="share", Action="lambda:GetLayerVersion", Principal="*")
    name = _name("fn")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip(HANDLER)}, Timeout=10, MemorySize=256, Description="v1",
                        Environment={"Variables": {"STAGE": "one", "COLOUR": "red"}},
                        Layers=[layer["LayerVersionArn"]], Tags={"team": "blue"})
    v1 = lam.publish_version(FunctionName=name, Description="first")["Version"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"STAGE": "two"}},
                                      Description="v2")
    wait_for(lambda: lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful")
    v2 = lam.publish_version(FunctionName=name, Description="second")["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1, Description="canary",
                     RoutingConfig={"AdditionalVersionWeights": {v2: 0.25}})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=600)
    lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors={
        "AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60})
    lam.add_permission(FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    lam.add_permission(FunctionName=name, StatementId="url-invoke", Action="lambda:InvokeFunction", Principal="*",
                       InvokedViaFunctionUrl=True)
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::some-bucket")
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    signing = lam.create_code_signing_config(Description="team", AllowedPublishers={"SigningProfileVersionArns": [
        f"arn:aws:signer:{REGION}:{ROOT_ACCOUNT}:/signing-profiles/team/abcdef1234"]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"})["CodeSigningConfig"]["CodeSigningConfigArn"]
    lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=signing)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live",
                                           ProvisionedConcurrentExecutions=1)
    queue = sqs.create_queue(QueueName=_name("feed"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn, BatchSize=5,
                                              MaximumBatchingWindowInSeconds=0)["UUID"]
    wait_for(lambda: lam.get_event_source_mapping(UUID=mapping)["State"] == "Enabled")
    wait_for(lambda: lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"] == "READY")
    return {"name": name, "layer": layer, "mapping": mapping, "queue": queue, "v1": v1, "v2": v2,
            "signing": signing}


def _without_locations(answer: dict[str, Any]) -> dict[str, Any]:
    """Code and Content locations are signed URLs with an expiry: compared apart, by what they download."""
    answer = json.loads(json.dumps(answer, default=str))
    for part in ("Code", "Content"):
        answer.get(part, {}).pop("Location", None)
    return answer


def _describe_lambda(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    lam: Any = server.client("lambda")
    name, layer = state["name"], state["layer"]
    layer_name = layer["LayerArn"].rsplit(":", 1)[1]
    found = _describe([
        ("functions", lam.list_functions, {"FunctionVersion": "ALL"}),
        ("configuration", lam.get_function_configuration, {"FunctionName": name}),
        ("configuration_v1", lam.get_function_configuration, {"FunctionName": name, "Qualifier": "1"}),
        ("versions", lam.list_versions_by_function, {"FunctionName": name}),
        ("alias", lam.get_alias, {"FunctionName": name, "Name": "live"}),
        ("aliases", lam.list_aliases, {"FunctionName": name}),
        ("concurrency", lam.get_function_concurrency, {"FunctionName": name}),
        ("invoke_config", lam.get_function_event_invoke_config, {"FunctionName": name}),
        ("invoke_configs", lam.list_function_event_invoke_configs, {"FunctionName": name}),
        ("url", lam.get_function_url_config, {"FunctionName": name}),
        ("urls", lam.list_function_url_configs, {"FunctionName": name}),
        ("policy", lam.get_policy, {"FunctionName": name}),
        ("tags", lam.list_tags, {"Resource": lam.get_function_configuration(FunctionName=name)["FunctionArn"]}),
        ("recursion", lam.get_function_recursion_config, {"FunctionName": name}),
        ("provisioned", lam.get_provisioned_concurrency_config, {"FunctionName": name, "Qualifier": "live"}),
        ("provisioned_all", lam.list_provisioned_concurrency_configs, {"FunctionName": name}),
        ("mapping", lam.get_event_source_mapping, {"UUID": state["mapping"]}),
        ("mappings", lam.list_event_source_mappings, {"FunctionName": name}),
        ("layers", lam.list_layers, {}),
        ("layer_versions", lam.list_layer_versions, {"LayerName": layer_name}),
        ("layer_policy", lam.get_layer_version_policy, {"LayerName": layer_name, "VersionNumber": layer["Version"]}),
        ("account", lam.get_account_settings, {}),
        ("runtime_management", lam.get_runtime_management_config, {"FunctionName": name}),
        ("signing", lam.get_code_signing_config, {"CodeSigningConfigArn": state["signing"]}),
        ("signing_all", lam.list_code_signing_configs, {}),
        ("function_signing", lam.get_function_code_signing_config, {"FunctionName": name}),
        ("signed_functions", lam.list_functions_by_code_signing_config, {"CodeSigningConfigArn": state["signing"]}),
    ])
    found["function"] = _without_locations(lam.get_function(FunctionName=name))
    found["function"].pop("ResponseMetadata")
    found["layer"] = _without_locations(lam.get_layer_version(LayerName=layer_name, VersionNumber=layer["Version"]))
    found["layer"].pop("ResponseMetadata")
    # The account's unreserved concurrency depends on nothing that a restart changes.
    return found


@pytest.mark.parametrize("how", STOPS)
def test_lambda_functions_and_their_configuration_survive_a_restart(first: ServerProcess, restart: Any,
                                                                     how: str) -> None:
    state = _build_lambda(first)
    before = _describe_lambda(first, state)
    code_url = first.client("lambda").get_function(FunctionName=state["name"])["Code"]["Location"]
    second = restart(first, how)
    assert _describe_lambda(second, state) == before
    lam: Any = second.client("lambda")
    # A Code.Location URL is valid for 10 minutes, a restart or not.
    with urllib.request.urlopen(code_url, timeout=10) as response:
        assert zipfile.ZipFile(io.BytesIO(response.read())).read("app.py").decode() == HANDLER
    # The alias still routes to its versions, and the environment of each version is its own.
    invoked = lam.invoke(FunctionName=state["name"], Qualifier=state["v1"], Payload=b"{}")
    assert (invoked["ExecutedVersion"], json.loads(invoked["Payload"].read())) == ("1", {"ok": True})
    # The function URL still answers, without signing (AuthType NONE and the public permission).
    url = urllib.parse.urlsplit(before["url"]["FunctionUrl"])
    connection = http.client.HTTPConnection("127.0.0.1", second.port, timeout=30)
    try:
        connection.request("GET", "/", headers={"Host": url.netloc})
        answer = connection.getresponse()
        assert (answer.status, json.loads(answer.read())) == (200, {"ok": True})
    finally:
        connection.close()
    # The SQS mapping resumes consuming: a message sent after the restart is taken off the queue.
    sqs: Any = second.client("sqs")
    sqs.send_message(QueueUrl=state["queue"], MessageBody="after-restart")
    wait_for(lambda: _queue_empty(sqs, state["queue"]), 20)


def _queue_empty(sqs: Any, url: str) -> bool:
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


# -- CloudWatch Logs -------------------------------------------------------------------------------

REGION = "us-east-1"
KMS_KEY = f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KINESIS = f"arn:aws:kinesis:{REGION}:{ROOT_ACCOUNT}:stream/logs-in"
KINESIS_ROLE = f"arn:aws:iam::{ROOT_ACCOUNT}:role/CWLtoKinesisRole"


def _export_bucket(server: ServerProcess) -> str:
    s3: Any = server.client("s3")
    bucket = _name("export")
    s3.create_bucket(Bucket=bucket)
    service = f"logs.{REGION}.amazonaws.com"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    return bucket


def _build_logs(server: ServerProcess) -> dict[str, Any]:
    logs: Any = server.client("logs")
    group = "/restart/" + _name("group")
    logs.create_log_group(logGroupName=group, tags={"team": "blue"}, kmsKeyId=KMS_KEY)
    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    logs.create_log_stream(logGroupName=group, logStreamName="app")
    logs.create_log_stream(logGroupName=group, logStreamName="worker")
    base = (int(time.time()) - 120) * 1000
    logs.put_log_events(logGroupName=group, logStreamName="app", logEvents=[
        {"timestamp": base + i, "message": f"line {i} status=200"} for i in range(5)])
    logs.put_log_events(logGroupName=group, logStreamName="worker", logEvents=[
        {"timestamp": base + 10, "message": "ERROR worker failed"}])
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR", metricTransformations=[
        {"metricName": "Errors", "metricNamespace": "Restart", "metricValue": "1", "defaultValue": 0}])
    logs.put_subscription_filter(logGroupName=group, filterName="to-kinesis", filterPattern="ERROR",
                                 destinationArn=KINESIS, roleArn=KINESIS_ROLE)
    logs.put_resource_policy(policyName=_name("policy"), policyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
                                                "Action": "logs:PutLogEvents", "Resource": "*"}]}))
    query = logs.put_query_definition(name=_name("query"), queryString="fields @message | limit 5",
                                      logGroupNames=[group])["queryDefinitionId"]
    destination = logs.put_destination(destinationName=_name("dest"), targetArn=KINESIS,
                                       roleArn=KINESIS_ROLE)["destination"]["destinationName"]
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=[{"parseJSON": {}}])
    logs.put_account_policy(policyName=_name("account"), policyType="SUBSCRIPTION_FILTER_POLICY",
                            policyDocument=json.dumps({"DestinationArn": KINESIS, "RoleArn": KINESIS_ROLE,
                                                       "FilterPattern": ""}),
                            selectionCriteria='LogGroupName NOT IN ["excluded"]')
    delivery = logs.put_delivery_destination(name=_name("dd"), outputFormat="json", deliveryDestinationConfiguration={
        "destinationResourceArn": f"arn:aws:s3:::{_name('delivered')}"})["deliveryDestination"]["name"]
    query_id = logs.start_query(logGroupName=group, startTime=base // 1000 - 60, endTime=base // 1000 + 60,
                                queryString="fields @message | sort @timestamp asc | limit 3")["queryId"]
    task = logs.create_export_task(logGroupName=group, fromTime=base, to=base + 100,
                                   destination=_export_bucket(server), destinationPrefix="out")["taskId"]
    return {"group": group, "query": query, "destination": destination, "task": task, "base": base,
            "delivery": delivery, "query_id": query_id}


def _describe_logs(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    logs: Any = server.client("logs")
    group = state["group"]
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}"
    found = _describe([
        ("groups", logs.describe_log_groups, {"logGroupNamePrefix": group}),
        ("tags", logs.list_tags_for_resource, {"resourceArn": arn}),
        ("streams", logs.describe_log_streams, {"logGroupName": group}),
        ("app_events", logs.get_log_events, {"logGroupName": group, "logStreamName": "app", "startFromHead": True}),
        ("errors", logs.filter_log_events, {"logGroupName": group, "filterPattern": "ERROR"}),
        ("metric_filters", logs.describe_metric_filters, {"logGroupName": group}),
        ("subscription_filters", logs.describe_subscription_filters, {"logGroupName": group}),
        ("resource_policies", logs.describe_resource_policies, {}),
        ("queries", logs.describe_query_definitions, {}),
        ("destinations", logs.describe_destinations, {"DestinationNamePrefix": state["destination"]}),
        ("transformer", logs.get_transformer, {"logGroupIdentifier": group}),
        ("account_policies", logs.describe_account_policies, {"policyType": "SUBSCRIPTION_FILTER_POLICY"}),
        ("delivery_destination", logs.get_delivery_destination, {"name": state["delivery"]}),
        ("query_results", logs.get_query_results, {"queryId": state["query_id"]}),
        ("queries_run", logs.describe_queries, {"logGroupName": group}),
    ])
    for answer in (found["app_events"], found["errors"]):
        answer.pop("nextForwardToken", None), answer.pop("nextBackwardToken", None)
    return found


def _export(logs: Any, task_id: str) -> dict[str, Any] | None:
    [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
    return task if task["status"]["code"] not in ("PENDING", "RUNNING") else None


@pytest.mark.parametrize("how", STOPS)
def test_logs_groups_events_filters_and_pending_exports_survive_a_restart(tmp_path: Path, restart: Any,
                                                                           how: str) -> None:
    # Exports wait a while before they run, so this one is still pending when the server stops.
    first = ServerProcess(data_dir=tmp_path, env={"POCKETCLOUD_LOGS_EXPORT_DELAY_SECONDS": "3"}).start()
    try:
        state = _build_logs(first)
        before = _describe_logs(first, state)
        [pending] = first.client("logs").describe_export_tasks(taskId=state["task"])["exportTasks"]  # type: ignore[attr-defined]
        assert pending["status"]["code"] in ("PENDING", "RUNNING")
        second = restart(first, how)
    finally:
        first.stop()
    assert _describe_logs(second, state) == before
    logs: Any = second.client("logs")
    task = wait_for(lambda: _export(logs, state["task"]), 20)
    assert task["status"]["code"] == "COMPLETED"
    bucket = task["destination"]
    keys = [o["Key"] for o in second.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]  # type: ignore[attr-defined]
    assert f"out/{state['task']}/app/000000.gz" in keys


# -- Organizations and S3 Control ------------------------------------------------------------------


def _build_org(server: ServerProcess) -> dict[str, Any]:
    org: Any = server.client("organizations")
    control: Any = s3control(server.endpoint)
    s3: Any = server.client("s3")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    unit = org.create_organizational_unit(ParentId=root, Name="workloads", Tags=[{"Key": "ou", "Value": "1"}])[
        "OrganizationalUnit"]["Id"]
    status = org.create_account(AccountName="prod", Email=f"{uuid.uuid4().hex}@example.com",
                                Tags=[{"Key": "stage", "Value": "prod"}])["CreateAccountStatus"]
    account = status["AccountId"]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=unit)
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    policy = org.create_policy(Name="deny-leave", Type="SERVICE_CONTROL_POLICY", Description="no leaving",
                               Content=json.dumps({"Version": "2012-10-17", "Statement": [
                                   {"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                    "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=unit)
    org.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    bucket = _name("ap-bucket")
    s3.create_bucket(Bucket=bucket)
    point = _name("point")
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=point, Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
    control.put_access_point_policy(AccountId=ROOT_ACCOUNT, Name=point, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
                                                "Action": "s3:GetObject",
                                                "Resource": f"arn:aws:s3:{REGION}:{ROOT_ACCOUNT}:accesspoint/{point}/object/*"}]}))
    control.put_public_access_block(AccountId=ROOT_ACCOUNT, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    control.tag_resource(AccountId=ROOT_ACCOUNT,
                         ResourceArn=f"arn:aws:s3:{REGION}:{ROOT_ACCOUNT}:accesspoint/{point}",
                         Tags=[{"Key": "ap", "Value": "tagged"}])
    s3.put_object(Bucket=bucket, Key="through-the-point", Body=b"via access point")
    return {"root": root, "unit": unit, "account": account, "status": status["Id"], "policy": policy,
            "point": point, "bucket": bucket}


def _describe_org(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    org: Any = server.client("organizations")
    control: Any = s3control(server.endpoint)
    s3: Any = server.client("s3")
    point, me = state["point"], ROOT_ACCOUNT
    found = _describe([
        ("organization", org.describe_organization, {}),
        ("roots", org.list_roots, {}),
        ("accounts", org.list_accounts, {}),
        ("account", org.describe_account, {"AccountId": state["account"]}),
        ("status", org.describe_create_account_status, {"CreateAccountRequestId": state["status"]}),
        ("unit", org.describe_organizational_unit, {"OrganizationalUnitId": state["unit"]}),
        ("units", org.list_organizational_units_for_parent, {"ParentId": state["root"]}),
        ("in_unit", org.list_accounts_for_parent, {"ParentId": state["unit"]}),
        ("parents", org.list_parents, {"ChildId": state["account"]}),
        ("children", org.list_children, {"ParentId": state["root"], "ChildType": "ORGANIZATIONAL_UNIT"}),
        ("policy", org.describe_policy, {"PolicyId": state["policy"]}),
        ("policies", org.list_policies, {"Filter": "SERVICE_CONTROL_POLICY"}),
        ("targets", org.list_targets_for_policy, {"PolicyId": state["policy"]}),
        ("for_target", org.list_policies_for_target, {"TargetId": state["unit"], "Filter": "SERVICE_CONTROL_POLICY"}),
        ("account_tags", org.list_tags_for_resource, {"ResourceId": state["account"]}),
        ("unit_tags", org.list_tags_for_resource, {"ResourceId": state["unit"]}),
        ("service_access", org.list_aws_service_access_for_organization, {}),
        ("point", control.get_access_point, {"AccountId": me, "Name": point}),
        ("points", control.list_access_points, {"AccountId": me, "Bucket": state["bucket"]}),
        ("point_policy", control.get_access_point_policy, {"AccountId": me, "Name": point}),
        ("point_policy_status", control.get_access_point_policy_status, {"AccountId": me, "Name": point}),
        ("point_tags", control.list_tags_for_resource, {
            "AccountId": me, "ResourceArn": f"arn:aws:s3:{REGION}:{me}:accesspoint/{point}"}),
        ("account_block", control.get_public_access_block, {"AccountId": me}),
    ])
    alias = found["point"]["Alias"]
    found["through_alias"] = s3.get_object(Bucket=alias, Key="through-the-point")["Body"].read()
    return found


@pytest.mark.parametrize("how", STOPS)
def test_organization_and_access_points_survive_a_restart(first: ServerProcess, restart: Any, how: str) -> None:
    state = _build_org(first)
    before = _describe_org(first, state)
    second = restart(first, how)
    assert _describe_org(second, state) == before
    # The member account is still a working account: its OrganizationAccountAccessRole can be assumed.
    iam: Any = second.client("iam")
    admin = _name("admin")
    iam.create_user(UserName=admin)
    iam.attach_user_policy(UserName=admin, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=admin)["AccessKey"]
    sts = make_client(second.endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    role = f"arn:aws:iam::{state['account']}:role/OrganizationAccountAccessRole"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="admin")["Credentials"]
    member = make_client(second.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])
    assert member.get_caller_identity()["Account"] == state["account"]


def test_an_async_event_awaiting_its_retry_is_retried_after_a_kill_9(tmp_path: Path, restart: Any) -> None:
    # Retries wait 5 s here, long enough to see the first attempt fail and kill the server before the retry.
    first = ServerProcess(data_dir=tmp_path, env={"POCKETCLOUD_LAMBDA_RETRY_SECONDS": "5",
                                                  "POCKETCLOUD_LOGS_FLUSH_SECONDS": "0.1"}).start()
    try:
        iam: Any = first.client("iam")
        lam: Any = first.client("lambda")
        sqs: Any = first.client("sqs")
        failures = sqs.create_queue(QueueName=_name("failures"))["QueueUrl"]
        failures_arn = sqs.get_queue_attributes(QueueUrl=failures, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        role_name = _name("fn-role")
        role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
        iam.put_role_policy(RoleName=role_name, PolicyName="send", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                    "Resource": failures_arn}]}))
        name = _name("failing")
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=10,
                            Code={"ZipFile": _zip("def handler(event, context):\n    print('ATTEMPT', event)\n"
                                                  "    raise RuntimeError('nope')\n")})
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                             DestinationConfig={"OnFailure": {"Destination": failures_arn}})
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 7}')
        logs: Any = first.client("logs")
        wait_for(lambda: _logged(logs, f"/aws/lambda/{name}", "ATTEMPT"))
        assert sqs.receive_message(QueueUrl=failures).get("Messages", []) == []
        second = restart(first, "kill9")
    finally:
        first.stop()
    queue: Any = second.client("sqs")
    found = wait_for(lambda: queue.receive_message(QueueUrl=failures, WaitTimeSeconds=1).get("Messages"), 20)
    record = json.loads(found[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"order": 7}


def _logged(logs: Any, group: str, pattern: str) -> list[Any]:
    """The events of `group` matching `pattern`; none while the group is not there yet."""
    try:
        return list(logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"])
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        return []
