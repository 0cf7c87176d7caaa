"""IAM server certificates, SSH public keys, signing certificates and service-specific
credentials through boto3: upload, read, list, change status, delete, and AWS's errors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.certificate_support import PRIVATE_KEY, certificate
from tests.services.iam.support import error_of, unique


def ssh_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()




@pytest.fixture
def user(iam: Any) -> str:
    name = unique("keyuser")
    iam.create_user(UserName=name)
    return name


# -- server certificates --------------------------------------------------------------------------


def test_server_certificate_lifecycle(iam: Any) -> None:
    name = unique("srv")
    meta = iam.upload_server_certificate(
        ServerCertificateName=name,
        Path="/test-path/",
        CertificateBody=certificate(days=30),
        PrivateKey=PRIVATE_KEY,
    )["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:server-certificate/test-path/{name}"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert timedelta(days=28) < meta["Expiration"] - datetime.now(UTC) < timedelta(days=30)
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert (got["ServerCertificateMetadata"]["Arn"], got["Tags"]) == (meta["Arn"], [])
    assert "PrivateKey" not in got
    listed = iam.list_server_certificates(PathPrefix="/test-path/")["ServerCertificateMetadataList"]
    assert name in [m["ServerCertificateName"] for m in listed]
    iam.delete_server_certificate(ServerCertificateName=name)
    assert error_of(iam.get_server_certificate, ServerCertificateName=name) == (
        "NoSuchEntity",
        404,
        f"The Server Certificate with name {name} cannot be found.",
    )


def test_a_server_certificate_name_is_taken_once(iam: Any) -> None:
    name = unique("srv")
    iam.upload_server_certificate(
        ServerCertificateName=name, CertificateBody=certificate(), PrivateKey=PRIVATE_KEY
    )
    assert error_of(
        iam.upload_server_certificate,
        ServerCertificateName=name,
        CertificateBody=certificate(),
        PrivateKey=PRIVATE_KEY,
    ) == ("EntityAlreadyExists", 409, f"The Server Certificate with name {name} already exists.")


def test_a_body_that_is_no_certificate_is_malformed(iam: Any) -> None:
    code, status, _ = error_of(
        iam.upload_server_certificate,
        ServerCertificateName=unique("srv"),
        CertificateBody="garbage",
        PrivateKey=PRIVATE_KEY,
    )
    assert (code, status) == ("MalformedCertificate", 400)


def test_update_renames_and_moves_a_server_certificate(iam: Any) -> None:
    name, new_name = unique("srv"), unique("srv")
    iam.upload_server_certificate(
        ServerCertificateName=name, CertificateBody=certificate(), PrivateKey=PRIVATE_KEY
    )
    iam.update_server_certificate(
        ServerCertificateName=name, NewServerCertificateName=new_name, NewPath="/moved/"
    )
    meta = iam.get_server_certificate(ServerCertificateName=new_name)["ServerCertificate"][
        "ServerCertificateMetadata"
    ]
    assert meta["Arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:server-certificate/moved/{new_name}"
    assert error_of(iam.get_server_certificate, ServerCertificateName=name)[:2] == ("NoSuchEntity", 404)


# -- SSH public keys -------------------------------------------------------------------------------


def test_ssh_public_key_lifecycle(iam: Any, user: str) -> None:
    body = ssh_key()
    key = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)["SSHPublicKey"]
    assert (key["UserName"], key["Status"], key["SSHPublicKeyBody"]) == (user, "Active", body)
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 20  # APKAEIBAERJR2EXAMPLE
    assert key["Fingerprint"].count(":") == 15
    key_id = key["SSHPublicKeyId"]
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status="Inactive")
    got = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    assert got["Status"] == "Inactive"
    assert [k["SSHPublicKeyId"] for k in iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]] == [key_id]
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key_id)
    assert iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"] == []


def test_an_unknown_ssh_key_is_no_such_entity(iam: Any, user: str) -> None:
    key_id = "APKAXXXXXXXXXXXXXXXXX"
    assert error_of(iam.get_ssh_public_key, UserName=user, SSHPublicKeyId=key_id, Encoding="SSH") == (
        "NoSuchEntity",
        404,
        f"The Public Key with id {key_id} cannot be found.",
    )


def test_a_malformed_ssh_key_is_refused(iam: Any, user: str) -> None:
    code, status, _ = error_of(
        iam.upload_ssh_public_key, UserName=user, SSHPublicKeyBody="ssh-rsa not-base64!"
    )
    assert (code, status) == ("InvalidPublicKey", 400)


def test_a_certificate_is_no_ssh_public_key(iam: Any, user: str) -> None:
    code, status, _ = error_of(iam.upload_ssh_public_key, UserName=user, SSHPublicKeyBody=certificate())
    assert (code, status) == ("InvalidPublicKey", 400)


def test_an_ssh_key_uploaded_as_pem_is_read_in_either_encoding(iam: Any, user: str) -> None:
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    openssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    key_id = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pem)["SSHPublicKey"]["SSHPublicKeyId"]
    as_ssh = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    as_pem = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert (as_ssh["SSHPublicKeyBody"].strip(), as_pem["SSHPublicKeyBody"].strip()) == (openssh, pem.strip())


def test_the_same_key_in_pem_is_a_duplicate_of_its_ssh_rsa_form(iam: Any, user: str) -> None:
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    iam.upload_ssh_public_key(
        UserName=user,
        SSHPublicKeyBody=public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode(),
    )
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    code, status, _ = error_of(iam.upload_ssh_public_key, UserName=user, SSHPublicKeyBody=pem)
    assert (code, status) == ("DuplicateSSHPublicKey", 400)


def test_a_user_with_an_ssh_key_cannot_be_deleted(iam: Any, user: str) -> None:
    iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=ssh_key())
    assert error_of(iam.delete_user, UserName=user) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete SSH public keys first.",
    )


# -- signing certificates ---------------------------------------------------------------------------


def test_signing_certificate_lifecycle(iam: Any, user: str) -> None:
    cert = iam.upload_signing_certificate(UserName=user, CertificateBody=certificate())["Certificate"]
    assert (cert["UserName"], cert["Status"]) == (user, "Active")
    iam.update_signing_certificate(UserName=user, CertificateId=cert["CertificateId"], Status="Inactive")
    listed = iam.list_signing_certificates(UserName=user)["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [(cert["CertificateId"], "Inactive")]
    iam.delete_signing_certificate(UserName=user, CertificateId=cert["CertificateId"])
    assert iam.list_signing_certificates(UserName=user)["Certificates"] == []


def test_a_user_has_at_most_two_signing_certificates(iam: Any, user: str) -> None:
    for _ in range(2):
        iam.upload_signing_certificate(UserName=user, CertificateBody=certificate())
    assert error_of(iam.upload_signing_certificate, UserName=user, CertificateBody=certificate()) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for CertificatesPerUser: 2",
    )


# -- service-specific credentials -------------------------------------------------------------------


def test_service_specific_credential_lifecycle(iam: Any, user: str) -> None:
    cred = iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]
    assert cred["ServiceUserName"] == f"{user}-at-{ROOT_ACCOUNT}" and cred["ServicePassword"]
    cred_id = cred["ServiceSpecificCredentialId"]
    reset = iam.reset_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cred_id)
    assert reset["ServiceSpecificCredential"]["ServicePassword"] != cred["ServicePassword"]
    iam.update_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=cred_id, Status="Inactive"
    )
    listed = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert [(c["ServiceSpecificCredentialId"], c["Status"]) for c in listed] == [(cred_id, "Inactive")]
    assert "ServicePassword" not in listed[0]
    iam.delete_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cred_id)
    assert iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"] == []


def test_bedrock_api_keys_are_service_specific_credentials(iam: Any, user: str) -> None:
    # "You can create service-specific credentials for Amazon Bedrock, Amazon CloudWatch Logs, CodeCommit
    # and Amazon Keyspaces" (CreateServiceSpecificCredential); the first two are API keys, an alias and a
    # secret, expiring after CredentialAgeDays if given (the Terraform AWS provider's Bedrock key tests).
    key = iam.create_service_specific_credential(
        UserName=user, ServiceName="bedrock.amazonaws.com", CredentialAgeDays=30
    )["ServiceSpecificCredential"]
    assert user in key["ServiceCredentialAlias"] and key["ServiceCredentialSecret"].startswith("ABSK")
    assert "ServiceUserName" not in key and "ServicePassword" not in key
    lifetime = key["ExpirationDate"] - key["CreateDate"]
    assert lifetime.days == 30
    [listed] = iam.list_service_specific_credentials(UserName=user, ServiceName="bedrock.amazonaws.com")[
        "ServiceSpecificCredentials"
    ]
    assert listed["ServiceCredentialAlias"] == key["ServiceCredentialAlias"] and "ServiceCredentialSecret" not in listed
    assert listed["ExpirationDate"] == key["ExpirationDate"]
    forever = iam.create_service_specific_credential(UserName=user, ServiceName="logs.amazonaws.com")[
        "ServiceSpecificCredential"
    ]
    assert "ExpirationDate" not in forever and forever["ServiceCredentialSecret"]
    for made in (key, forever):
        iam.delete_service_specific_credential(UserName=user, ServiceSpecificCredentialId=made["ServiceSpecificCredentialId"])
