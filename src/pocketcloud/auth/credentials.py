"""Access key id → credential: the secret to verify a signature with, and whom the key belongs to.

The directory always knows the root keys (the default account's from the
settings, plus any other account's added with `add_root_key`). IAM users'
keys and STS session keys live with the IAM and STS providers, and the root
keys of accounts Organizations creates with it, which register a lookup
function here; lookups try the root keys first, then each registered source in
order. A provider that holds accounts of its own (Organizations) also
registers the function listing them, so `root_accounts` knows every account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pocketcloud.auth.principal import Credential, root_principal
from pocketcloud.config import Settings

CredentialSource = Callable[[str], Credential | None]
AccountSource = Callable[[], Iterable[str]]


class CredentialDirectory:
    def __init__(self, settings: Settings) -> None:
        self.default_account_id = settings.account_id
        self._roots: dict[str, Credential] = {}
        self._sources: list[CredentialSource] = []
        self._account_sources: list[AccountSource] = []
        self.add_root_key(settings.account_id, settings.access_key_id, settings.secret_access_key)

    def add_root_key(self, account_id: str, access_key_id: str, secret_access_key: str) -> None:
        """Makes `access_key_id` a root key of `account_id`."""
        self._roots[access_key_id] = Credential(
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            principal=root_principal(account_id, access_key_id),
        )

    def register(self, source: CredentialSource) -> None:
        """Adds a lookup (IAM users' keys, STS sessions) tried after the root keys."""
        self._sources.append(source)

    def unregister(self, source: CredentialSource) -> None:
        if source in self._sources:
            self._sources.remove(source)

    def register_accounts(self, source: AccountSource) -> None:
        """Adds a listing of accounts whose root keys a registered source holds (Organizations')."""
        self._account_sources.append(source)

    def lookup(self, access_key_id: str) -> Credential | None:
        credential = self._roots.get(access_key_id)
        if credential is not None:
            return credential
        for source in self._sources:
            credential = source(access_key_id)
            if credential is not None:
                return credential
        return None

    def root_accounts(self) -> set[str]:
        """Every account that has a root key here (the default one, declared ones, Organizations')."""
        accounts = {credential.principal.account_id for credential in self._roots.values()}
        for source in self._account_sources:
            accounts.update(source())
        return accounts

    def account_of(self, access_key_id: str) -> str | None:
        """The account a known key belongs to, else None."""
        credential = self.lookup(access_key_id)
        return credential.principal.account_id if credential else None
