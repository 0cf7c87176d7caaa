"""STS sessions' credentials: issued into the store, found again by their access key id.

Sessions are kept in the store (sts/sessions, keyed by the ASIA access key id), so a session
issued before a restart keeps working after it, until it expires (then ExpiredToken). `_issue`
makes one and answers the response's Credentials; `credential_for_access_key` is how
authentication finds it again, with the principal (`_principal_from_session`) it acts as.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.auth.principal import Credential, Principal
from pocketcloud.services.iam.common import new_id, new_secret
from pocketcloud.store import Collection

Params = dict[str, Any]
GLOBAL = ("", "")


def _token() -> str:
    return base64.b64encode(b"pocketcloud-session:" + secrets.token_bytes(160)).decode()


class SessionCredentials:
    sessions: Collection

    def credential_for_access_key(self, access_key_id: str) -> Credential | None:
        if not access_key_id.startswith("ASIA"):
            return None
        doc = self.sessions.get(GLOBAL, access_key_id)
        if doc is None:
            return None
        return Credential(
            access_key_id=access_key_id,
            secret_access_key=doc["SecretAccessKey"],
            principal=_principal_from_session(doc, access_key_id),
            session_token=doc["SessionToken"],
            expires=datetime.fromisoformat(doc["Expiration"]),
        )

    def _issue(self, duration: int, session: Params) -> Params:
        key_id = new_id("ASIA", 20)
        issued = datetime.now(UTC).replace(microsecond=0)
        expiration = issued + timedelta(seconds=duration)
        doc = {
            **session,
            "SecretAccessKey": new_secret(),
            "SessionToken": _token(),
            "Issued": issued.isoformat(),  # aws:TokenIssueTime
            "Expiration": expiration.isoformat(),
        }
        self.sessions.put(GLOBAL, key_id, doc)
        return {
            "AccessKeyId": key_id,
            "SecretAccessKey": doc["SecretAccessKey"],
            "SessionToken": doc["SessionToken"],
            "Expiration": expiration,
        }


def _principal_from_session(doc: Params, access_key_id: str) -> Principal:
    return Principal(
        account_id=doc["Account"],
        arn=doc["Arn"],
        user_id=doc["UserId"],
        kind=doc["Kind"],
        name=doc.get("Name") or "",
        role_arn=doc.get("RoleArn"),
        session_name=doc.get("SessionName"),
        session_policy=doc.get("SessionPolicy"),
        session_expires=datetime.fromisoformat(doc["Expiration"]),
        session_issued=datetime.fromisoformat(doc["Issued"]) if doc.get("Issued") else None,
        access_key_id=access_key_id,
        tags=tuple(sorted((doc.get("Tags") or {}).items())),
        mfa_authenticated=bool(doc.get("MfaAuthenticated")),
        source_identity=doc.get("SourceIdentity") or None,
    )
