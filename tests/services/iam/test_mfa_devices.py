"""IAM virtual MFA devices through boto3: create, enable with two consecutive TOTP codes
computed from the device's seed, list by assignment, deactivate, delete, and AWS's errors.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import error_of, two_codes, unique


@pytest.fixture
def device(iam: Any) -> tuple[str, bytes]:
    """(serial number, base32 seed) of a new virtual MFA device."""
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]
    assert created["QRCodePNG"].startswith(b"\x89PNG")
    return created["SerialNumber"], created["Base32StringSeed"]


@pytest.fixture
def user(iam: Any) -> str:
    name = unique("mfauser")
    iam.create_user(UserName=name)
    return name


def test_a_device_is_named_by_its_serial_number_arn(iam: Any) -> None:
    name = unique("mfa")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, Path="/test-path/")["VirtualMFADevice"][
        "SerialNumber"
    ]
    assert serial == f"arn:aws:iam::{ROOT_ACCOUNT}:mfa/test-path/{name}"
    iam.delete_virtual_mfa_device(SerialNumber=serial)


def test_the_same_device_name_twice_is_refused(iam: Any) -> None:
    name = unique("mfa")
    iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
    assert error_of(iam.create_virtual_mfa_device, VirtualMFADeviceName=name) == (
        "EntityAlreadyExists",
        409,
        "MFA device already exists.",
    )


def test_enable_with_valid_codes_assigns_the_device(iam: Any, device: tuple[str, bytes], user: str) -> None:
    serial, seed = device
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert {"SerialNumber": serial} in unassigned
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, **two_codes(seed))
    devices = iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [(user, serial)]
    assigned = [
        d
        for d in iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
        if d["SerialNumber"] == serial
    ]
    assert assigned[0]["User"]["UserName"] == user and "EnableDate" in assigned[0]


def test_wrong_codes_are_refused(iam: Any, device: tuple[str, bytes], user: str) -> None:
    serial, _ = device
    assert error_of(
        iam.enable_mfa_device,
        UserName=user,
        SerialNumber=serial,
        AuthenticationCode1="000000",
        AuthenticationCode2="000001",
    ) == ("InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")


def test_a_device_in_use_cannot_be_enabled_again(iam: Any, device: tuple[str, bytes], user: str) -> None:
    serial, seed = device
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, **two_codes(seed))
    other = unique("mfauser")
    iam.create_user(UserName=other)
    assert error_of(iam.enable_mfa_device, UserName=other, SerialNumber=serial, **two_codes(seed)) == (
        "EntityAlreadyExists",
        409,
        "MFA Device is already in use.",
    )


def test_deactivation_removes_the_virtual_device(iam: Any, device: tuple[str, bytes], user: str) -> None:
    serial, seed = device
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, **two_codes(seed))
    assert error_of(iam.delete_user, UserName=user) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete MFA device first.",
    )
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    listed = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert serial not in [d["SerialNumber"] for d in listed]
    iam.delete_user(UserName=user)


def test_unknown_users_and_devices_are_no_such_entity(iam: Any, user: str) -> None:
    missing = f"arn:aws:iam::{ROOT_ACCOUNT}:mfa/nonexistent-mfa"
    assert error_of(iam.deactivate_mfa_device, UserName="nonexistent-user", SerialNumber=missing) == (
        "NoSuchEntity",
        404,
        "The user with name nonexistent-user cannot be found.",
    )
    assert error_of(iam.deactivate_mfa_device, UserName=user, SerialNumber=missing) == (
        "NoSuchEntity",
        404,
        f"MFA Device with serial number {missing} does not exist.",
    )
    assert error_of(iam.delete_virtual_mfa_device, SerialNumber=missing)[:2] == ("NoSuchEntity", 404)


def test_an_invalid_marker_is_refused(iam: Any) -> None:
    assert error_of(iam.list_virtual_mfa_devices, Marker="not-a-marker") == (
        "ValidationError",
        400,
        "Invalid Marker.",
    )
