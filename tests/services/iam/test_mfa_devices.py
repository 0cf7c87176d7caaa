"""IAM virtual MFA devices through boto3: create, enable with two consecutive TOTP codes
computed from the device's seed, list by assignment, deactivate, delete, and AWS's errors.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import zxingcpp
from PIL import Image

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


def _modules(png: bytes) -> list[list[bool]]:
    """The dark (True) and light modules of a QR code picture, quiet zone left out."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.tobytes()
    dark = [[pixels[y * width + x] < 128 for x in range(width)] for y in range(height)]
    top = next(y for y in range(height) if any(dark[y]))
    left = next(x for x in range(width) if any(row[x] for row in dark))
    module = next(x for x in range(left, width) if not dark[top][x]) - left
    assert module % 7 == 0  # a finder pattern's top edge is seven modules wide
    module //= 7
    size = next(x for x in range(width - 1, -1, -1) if dark[top][x]) - left + 1
    count = size // module
    return [
        [dark[top + r * module + module // 2][left + c * module + module // 2] for c in range(count)]
        for r in range(count)
    ]


def test_the_qr_code_is_a_qr_code_with_valid_format_information(iam: Any) -> None:
    # QRCodePNG is "a QR code PNG image that encodes otpauth://totp/$virtualMFADeviceName@$AccountName?
    # secret=$Base32String" (the VirtualMFADevice data type), what an authenticator app scans.
    png = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]["QRCodePNG"]
    modules = _modules(png)
    size = len(modules)
    assert size >= 21 and (size - 17) % 4 == 0
    finder = [[max(abs(r - 3), abs(c - 3)) != 2 for c in range(7)] for r in range(7)]
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert [row[left : left + 7] for row in modules[top : top + 7]] == finder
    assert [modules[6][c] for c in range(8, size - 8)] == [c % 2 == 0 for c in range(8, size - 8)]
    # The 15 format bits, read around the top-left finder and again beside the other two, are the same
    # valid BCH(15,5) code word.
    first = [modules[8][c] for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [modules[r][8] for r in (7, 5, 4, 3, 2, 1, 0)]
    second = [modules[r][8] for r in range(size - 1, size - 8, -1)] + [
        modules[8][c] for c in range(size - 8, size)
    ]
    assert first == second
    word = int("".join("1" if bit else "0" for bit in first), 2) ^ 0x5412
    remainder = word >> 10
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    assert word == (word >> 10) << 10 | remainder


def test_the_qr_code_encodes_the_otpauth_uri_of_the_device(iam: Any) -> None:
    name = unique("mfa")
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    read = zxingcpp.read_barcodes(Image.open(io.BytesIO(created["QRCodePNG"])))  # ZXing, as phone apps read
    seed = created["Base32StringSeed"].decode()
    assert [(code.format, code.text) for code in read] == [
        (zxingcpp.BarcodeFormat.QRCode, f"otpauth://totp/{name}@{ROOT_ACCOUNT}?secret={seed}")
    ]


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


def test_deactivation_unassigns_the_virtual_device_which_can_then_be_deleted(
    iam: Any, device: tuple[str, bytes], user: str
) -> None:
    # DeleteVirtualMFADevice: "You must deactivate a user's virtual MFA device before you can delete it";
    # the AWS SDK examples' teardowns deactivate, then delete (awsdocs sts/assume_role_mfa.py).
    serial, seed = device
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, **two_codes(seed))
    assert error_of(iam.delete_user, UserName=user) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete MFA device first.",
    )
    assert error_of(iam.delete_virtual_mfa_device, SerialNumber=serial) == (
        "DeleteConflict",
        409,
        "MFA Device is in use.",
    )
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d for d in unassigned if d["SerialNumber"] == serial] == [{"SerialNumber": serial}]
    assert serial not in [
        d["SerialNumber"]
        for d in iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    ]
    iam.delete_user(UserName=user)
    # Unassigned, it can be enabled for a user again (with the same seed), and deleted.
    again = unique("mfauser")
    iam.create_user(UserName=again)
    iam.enable_mfa_device(UserName=again, SerialNumber=serial, **two_codes(seed))
    iam.deactivate_mfa_device(UserName=again, SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert serial not in [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]]


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
