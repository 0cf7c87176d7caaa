"""Download URLs of deployment packages (GetFunction's Code.Location, GetLayerVersion's Content.Location).

AWS answers a presigned S3 URL valid for 10 minutes, so only a caller allowed to
GetFunction/GetLayerVersion can fetch the code. A bare URL naming the package's
SHA-256 would let anyone who can ListFunctions (which shows CodeSha256) download
every package; so ours carry an expiry and an HMAC of (hash, expiry) under a key
made once per data directory and kept in the store: a URL handed out just before a
restart still downloads after it, for the rest of its 10 minutes, as AWS's does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from pocketcloud.protocol.values import is_digits
from pocketcloud.store import Store

VALID_SECONDS = 600  # as AWS's presigned Code.Location
KEY_SCOPE = ("", "")
KEY_NAME = "code-url-key"


class CodeUrlSigner:
    def __init__(self, store: Store) -> None:
        keys = store.collection("lambda", "signing_keys")
        # insert() is create-if-absent, so the first server on a data directory picks the key for good.
        keys.insert(KEY_SCOPE, KEY_NAME, {"Key": secrets.token_hex(32)})
        kept = keys.get(KEY_SCOPE, KEY_NAME)
        self._key = bytes.fromhex(kept["Key"]) if kept else secrets.token_bytes(32)

    def _mac(self, code_hex: str, expires: int) -> str:
        return hmac.new(self._key, f"{code_hex}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def query(self, code_hex: str, now: float | None = None) -> str:
        """The query string that makes a download URL for `code_hex` valid for VALID_SECONDS."""
        expires = int(now if now is not None else time.time()) + VALID_SECONDS
        return f"Expires={expires}&Signature={self._mac(code_hex, expires)}"

    def valid(self, code_hex: str, expires: str | None, signature: str | None) -> bool:
        """Whether a download URL's Expires and Signature were made here for `code_hex` and are unexpired."""
        if not signature or not is_digits(expires, 20):
            return False
        if int(expires) < time.time():
            return False
        return hmac.compare_digest(
            self._mac(code_hex, int(expires)).encode(), signature.encode("utf-8", "replace")
        )
