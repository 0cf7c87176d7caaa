"""IAM virtual MFA devices: create one (a TOTP seed), enable it for a user with two
consecutive codes, deactivate (the device is then unassigned, and may be enabled again or
deleted), list and delete.

Codes are checked as an authenticator app makes them (RFC 6238: HMAC-SHA1, 30-second
steps, six digits), so a test computes them from the Base32StringSeed. QRCodePNG is the QR
code of the otpauth:// URI an authenticator app scans (qr_code.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.iam.common import (
    already_exists,
    check_path,
    delete_conflict,
    merge_tags,
    no_such_entity,
    now,
    remove_tags,
    scope,
    validation_error,
)
from pocketcloud.services.iam.principals import USER, Principals, list_tags, page_list, public_view
from pocketcloud.services.iam.qr_code import qr_png

Params = dict[str, Any]
COLLECTION = "mfa_devices"
STEP = 30
# How many 30-second steps a device's clock may be off from ours, either way.
DRIFT = 2


def totp(seed_base32: str, step: int) -> str:
    """The six-digit code of a time step (RFC 6238 / RFC 4226)."""
    key = base64.b32decode(seed_base32)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _codes_match(seed: str, first: str, second: str) -> bool:
    current = int(time.time()) // STEP
    return any(
        totp(seed, step) == first and totp(seed, step + 1) == second
        for step in range(current - DRIFT - 1, current + DRIFT + 1)
    )


class MfaOperations:
    principals: Principals

    def _devices(self) -> Any:
        return self.principals.store.collection("iam", COLLECTION)

    def _device(self, ctx: RequestContext, serial: str) -> dict[str, Any]:
        prefix = f"arn:aws:iam::{ctx.account_id}:mfa/"
        doc = (
            self._devices().get(scope(ctx), serial.rsplit("/", 1)[-1]) if serial.startswith(prefix) else None
        )
        if doc is None or doc["SerialNumber"] != serial:
            raise no_such_entity(f"MFA Device with serial number {serial} does not exist.")
        return doc

    def _save_device(self, ctx: RequestContext, doc: dict[str, Any]) -> None:
        self._devices().put(scope(ctx), doc["SerialNumber"].rsplit("/", 1)[-1], doc)

    def _check_codes(self, doc: dict[str, Any], p: Params) -> None:
        if not _codes_match(doc["Seed"], p["AuthenticationCode1"], p["AuthenticationCode2"]):
            raise ServiceError(
                "InvalidAuthenticationCode", "Authentication code for device is not valid.", status=403
            )

    def mfa_code_valid(self, account: str, user_name: str, serial: str, code: str) -> bool | None:
        """For STS's SerialNumber and TokenCode: None when no device of that serial number is
        enabled for the user, else whether `code` is the device's current one-time code."""
        prefix = f"arn:aws:iam::{account}:mfa/"
        name = serial.rsplit("/", 1)[-1]
        doc = self._devices().get((account, ""), name) if serial.startswith(prefix) else None
        if doc is None or doc["SerialNumber"] != serial or doc.get("UserName") != user_name:
            return None
        current = int(time.time()) // STEP
        return any(totp(doc["Seed"], step) == code for step in range(current - DRIFT, current + DRIFT + 1))

    def CreateVirtualMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        name = p["VirtualMFADeviceName"]
        path = check_path(p.get("Path"))  # "/a//b/" included, as AWS takes it
        seed = base64.b32encode(secrets.token_bytes(40)).decode()  # 64 base32 characters, as AWS's
        doc: dict[str, Any] = {
            "SerialNumber": f"arn:aws:iam::{ctx.account_id}:mfa{path}{name}",
            "Seed": seed,
            "Tags": merge_tags([], p.get("Tags") or []),
        }
        if not self._devices().insert(scope(ctx), name, doc):
            raise already_exists("MFA device already exists.")
        device: Params = {
            "SerialNumber": doc["SerialNumber"],
            "Base32StringSeed": seed.encode(),
            # "otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String", AccountName
            # being the account ID while no user has the device (VirtualMFADevice, API reference).
            "QRCodePNG": qr_png(f"otpauth://totp/{name}@{ctx.account_id}?secret={seed}".encode()),
        }
        if doc["Tags"]:
            device["Tags"] = doc["Tags"]
        return {"VirtualMFADevice": device}

    def EnableMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            self.principals.get(ctx, USER, p["UserName"])
            doc = self._device(ctx, p["SerialNumber"])
            if doc.get("UserName"):
                raise already_exists("MFA Device is already in use.")
            self._check_codes(doc, p)
            doc.update(UserName=p["UserName"], EnableDate=now().isoformat())
            self._save_device(ctx, doc)
        return {}

    def ResyncMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        self.principals.get(ctx, USER, p["UserName"])
        doc = self._device(ctx, p["SerialNumber"])
        if doc.get("UserName") != p["UserName"]:
            raise no_such_entity(f"MFA Device with serial number {p['SerialNumber']} does not exist.")
        self._check_codes(doc, p)
        return {}

    def DeactivateMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            if p.get("UserName"):
                self.principals.get(ctx, USER, p["UserName"])
            doc = self._device(ctx, p["SerialNumber"])
            if not doc.get("UserName") or (p.get("UserName") and doc["UserName"] != p["UserName"]):
                raise no_such_entity(f"MFA Device with serial number {p['SerialNumber']} does not exist.")
            # The device is unassigned, not deleted: DeleteVirtualMFADevice's reference says "You must
            # deactivate a user's virtual MFA device before you can delete it", and the SDK examples'
            # teardowns (awsdocs sts/assume_role_mfa.py, session_token.py) deactivate, then delete.
            doc.pop("UserName", None)
            doc.pop("EnableDate", None)
            self._save_device(ctx, doc)
        return {}

    def DeleteVirtualMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._device(ctx, p["SerialNumber"])
        if doc.get("UserName"):
            raise delete_conflict("MFA Device is in use.")
        self._devices().delete(scope(ctx), doc["SerialNumber"].rsplit("/", 1)[-1])
        return {}

    def _all_devices(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return [d for _, d in self.principals.store.iter_collection("iam", COLLECTION, scope(ctx))]

    def ListVirtualMFADevices(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("Marker") is not None and not is_digits(str(p["Marker"])):
            raise validation_error("Invalid Marker.")
        status = p.get("AssignmentStatus") or "Any"
        found = []
        for doc in self._all_devices(ctx):
            assigned = bool(doc.get("UserName"))
            if status == "Any" or (status == "Assigned") == assigned:
                entry: Params = {"SerialNumber": doc["SerialNumber"]}
                if assigned:
                    user = self.principals.collection(USER).get(scope(ctx), doc["UserName"])
                    entry["EnableDate"] = doc["EnableDate"]
                    if user is not None:
                        entry["User"] = {k: v for k, v in public_view(user).items() if k != "Tags"}
                found.append(entry)
        return page_list(found, p, "VirtualMFADevices")

    def ListMFADevices(self, ctx: RequestContext, p: Params) -> Params:
        user = self._caller_user(ctx, p)  # type: ignore[attr-defined]
        if user is not None:
            self.principals.get(ctx, USER, user)
        devices = [
            {"UserName": d["UserName"], "SerialNumber": d["SerialNumber"], "EnableDate": d["EnableDate"]}
            for d in self._all_devices(ctx)
            if d.get("UserName") and d["UserName"] == user
        ]
        return page_list(devices, p, "MFADevices")

    def GetMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("UserName"):
            self.principals.get(ctx, USER, p["UserName"])
        doc = self._device(ctx, p["SerialNumber"])
        if not doc.get("UserName") or (p.get("UserName") and doc["UserName"] != p["UserName"]):
            raise no_such_entity(f"MFA Device with serial number {p['SerialNumber']} does not exist.")
        return {
            "UserName": doc["UserName"],
            "SerialNumber": doc["SerialNumber"],
            "EnableDate": doc["EnableDate"],
        }

    def rename_mfa_user(self, ctx: RequestContext, old: str, new: str) -> None:
        for doc in self._all_devices(ctx):
            if doc.get("UserName") == old:
                doc["UserName"] = new
                self._save_device(ctx, doc)

    def user_mfa_devices(self, ctx: RequestContext, user: str) -> int:
        return sum(1 for d in self._all_devices(ctx) if d.get("UserName") == user)

    def TagMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._device(ctx, p["SerialNumber"])
        doc["Tags"] = merge_tags(doc.get("Tags", []), p["Tags"])
        self._save_device(ctx, doc)
        return {}

    def UntagMFADevice(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._device(ctx, p["SerialNumber"])
        doc["Tags"] = remove_tags(doc.get("Tags", []), p["TagKeys"])
        self._save_device(ctx, doc)
        return {}

    def ListMFADeviceTags(self, ctx: RequestContext, p: Params) -> Params:
        return list_tags(self._device(ctx, p["SerialNumber"]).get("Tags", []), p)
