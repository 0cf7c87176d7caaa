"""IAM and STS state is the same after a SIGTERM or kill -9 restart (how: restart_support.py)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client, wait_for
from tests.services.iam.test_certificates_and_keys import PRIVATE_KEY, certificate, ssh_key
from tests.services.wiring.restart_support import (
    ALLOW_S3_READ,
    STOPS,
    describe,
    unique,
)

# -- IAM and STS -------------------------------------------------------------------------------


def _build_iam(server: ServerProcess) -> dict[str, Any]:
    iam: Any = server.client("iam")
    names = {k: unique(k) for k in ("user", "group", "role", "policy", "profile", "boundary")}
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
    saml = iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=_SAML_METADATA,
                                    Tags=[{"Key": "idp", "Value": "saml"}])["SAMLProviderArn"]
    iam.create_account_alias(AccountAlias=unique("alias"))
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
    return describe([
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
    user = unique("user")
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
