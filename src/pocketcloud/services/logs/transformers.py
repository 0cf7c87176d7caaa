"""Log transformers (PutTransformer, GetTransformer, DeleteTransformer, TestTransformer) and
field index policies (PutIndexPolicy, DescribeIndexPolicies, DeleteIndexPolicy, DescribeFieldIndexes).

A transformer is a list of up to 20 processors, each entry naming exactly one;
the first must be a parser, and a parser of AWS-vended logs (parseCloudfront,
parseVPC, ...) may only come first. It is kept per log group; TestTransformer
runs it (`transform_engine.py`), and so does every event ingested into the group
(`ingest_transformer`): a group's own transformer, else the account's
TRANSFORMER_POLICY whose selectionCriteria (`LogGroupNamePrefix IN [...]`, or
none: every group) takes the group, as AWS chooses. Transformers apply to
Standard-class groups only. What is done with the transformed events is the
provider's (`provider.py`).

An index policy is a JSON document with `Fields` (and/or `FieldsV2`, field →
{"type": FIELD_INDEX | FACET}). A group without one of its own is described with
the account's FIELD_INDEX_POLICY, if any (source ACCOUNT); DescribeFieldIndexes
lists the fields those policies index.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs import transform_engine
from pocketcloud.services.logs.errors import LogsMixin, invalid, not_found
from pocketcloud.services.logs.events import now_ms
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]

PARSERS = {"parseJSON", "parseKeyValue", "csv", "grok", "parseToOCSF"}
VENDED_PARSERS = {"parseCloudfront", "parseRoute53", "parsePostgres", "parseVPC", "parseWAF"}
_INDEX_TYPES = {"FIELD_INDEX", "FACET"}
_PREFIX_CRITERIA = re.compile(r"\s*LogGroupNamePrefix\s+IN\s+(\[.*\])\s*", re.DOTALL)


def _selects(criteria: str | None, group: str) -> bool:
    """Whether an account transformer policy's selectionCriteria takes `group` (none: all groups)."""
    if not criteria:
        return True
    found = _PREFIX_CRITERIA.fullmatch(criteria)
    if found is None:
        return False
    try:
        prefixes = json.loads(found.group(1))
    except ValueError:
        return False
    return isinstance(prefixes, list) and any(isinstance(x, str) and group.startswith(x) for x in prefixes)


def _processors(config: list[Params]) -> list[tuple[str, Params]]:
    """(name, configuration) of each processor, checked as PutTransformer checks them."""
    chosen: list[tuple[str, Params]] = []
    for index, entry in enumerate(config):
        named = [(k, v) for k, v in entry.items() if v is not None]
        if len(named) != 1:
            raise invalid("Each processor in transformerConfig must specify exactly one processor type.")
        name, settings = named[0]
        if index == 0 and name not in PARSERS | VENDED_PARSERS:
            raise invalid("The first processor in a transformer must be a parser.")
        if index > 0 and name in VENDED_PARSERS:
            raise invalid(f"The {name} processor must be the first processor in the transformer.")
        try:
            transform_engine.check(name, settings)
        except transform_engine.InvalidConfig as exc:
            raise invalid(str(exc)) from None
        chosen.append((name, dict(settings)))
    return chosen


def _configured(config: list[Params]) -> list[tuple[str, Params]]:
    """(name, configuration) of each processor of a stored transformer (checked when it was put)."""
    chosen = []
    for entry in config:
        for name, settings in entry.items():
            if settings is not None:
                chosen.append((name, dict(settings)))
                break
    return chosen


def _index_fields(text: str) -> list[tuple[str, str]]:
    """(field, type) of each field an index policy document indexes; refuses a malformed one."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
        raise invalid("The index policy document is not valid JSON.") from exc
    if not isinstance(doc, dict):
        raise invalid("The index policy document must be a JSON object.")
    fields, typed = doc.get("Fields") or [], doc.get("FieldsV2") or {}
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise invalid("Fields must be a list of field names.")
    if not isinstance(typed, dict) or any(
        not isinstance(v, dict) or v.get("type") not in _INDEX_TYPES for v in typed.values()
    ):
        raise invalid("FieldsV2 must map each field name to a type of FIELD_INDEX or FACET.")
    if set(fields) & set(typed):
        raise invalid("Field names within Fields and FieldsV2 must be mutually exclusive.")
    found = [(f, "FIELD_INDEX") for f in fields] + [(f, v["type"]) for f, v in typed.items()]
    if not found:
        raise invalid("The index policy must contain at least one field index.")
    return found


class TransformerOperations(LogsMixin):
    groups: Collection
    _transformer_cache: dict[tuple[Scope, str], Any]
    transformers: Collection
    index_policies: Collection
    account_policies: Collection
    streams: Collection
    store: Any

    def _named_group(self, ctx: RequestContext, identifier: str) -> str:
        name = self._from_identifier(ctx, identifier)
        self._group(ctx, name)
        return name

    # -- transformers ----------------------------------------------------------------------

    def ingest_transformer(self, scope: Scope, group: str) -> list[tuple[str, Params]] | None:
        """The processors that transform events ingested into `group`, if any: its own transformer,
        else the account's transformer policy that selects it; Standard-class groups only. Kept in
        the provider's cache, which every write to those collections empties."""
        key = (scope, group)
        if key in self._transformer_cache:
            cached: list[tuple[str, Params]] | None = self._transformer_cache[key]
            return cached
        found = self._find_ingest_transformer(scope, group)
        self._transformer_cache[key] = found
        return found

    def _find_ingest_transformer(self, scope: Scope, group: str) -> list[tuple[str, Params]] | None:
        own = self.transformers.get(scope, group)
        processors: list[tuple[str, Params]] | None = None
        if own is not None:
            processors = _configured(own["transformerConfig"])
        else:
            for _, policy in self.account_policies.scan(scope, prefix="TRANSFORMER_POLICY\0"):
                if _selects(policy.get("selectionCriteria"), group):
                    try:  # checked as PutTransformer checks a transformer (PutAccountPolicy checks less)
                        processors = _processors(json.loads(policy["policyDocument"])["transformerConfig"])
                    except (ValueError, KeyError, TypeError, AttributeError, ServiceError):
                        pass  # a policy no processor list can be read from transforms nothing
                    break
        if not processors:
            return None
        group_doc = self.groups.get(scope, group) or {}
        return processors if group_doc.get("logGroupClass", "STANDARD") == "STANDARD" else None

    def PutTransformer(self, ctx: RequestContext, p: Params) -> Params:
        _processors(p["transformerConfig"])
        group, scope = self._named_group(ctx, p["logGroupIdentifier"]), self._scope(ctx)
        now = now_ms()
        with self.store.transaction():
            existing = self.transformers.get(scope, group)
            created = existing["creationTime"] if existing else now
            doc = {
                "transformerConfig": p["transformerConfig"],
                "creationTime": created,
                "lastModifiedTime": now,
            }
            self.transformers.put(scope, group, doc)
        return {}

    def GetTransformer(self, ctx: RequestContext, p: Params) -> Params:
        identifier = p["logGroupIdentifier"]
        group = self._named_group(ctx, identifier)
        doc = self.transformers.get(self._scope(ctx), group)
        if doc is None:
            raise not_found("The specified log group does not have a transformer.")
        return {"logGroupIdentifier": identifier, **doc}

    def DeleteTransformer(self, ctx: RequestContext, p: Params) -> Params:
        group = self._named_group(ctx, p["logGroupIdentifier"])
        if not self.transformers.delete(self._scope(ctx), group):
            raise not_found("The specified log group does not have a transformer.")
        return {}

    def TestTransformer(self, ctx: RequestContext, p: Params) -> Params:
        processors = _processors(p["transformerConfig"])
        results = []
        for number, message in enumerate(p["logEventMessages"], 1):
            try:
                transformed = transform_engine.transform(processors, message)
            except transform_engine.Unsupported as exc:
                raise ServiceError(
                    "InvalidOperationException",
                    f"The {exc.args[0]} processor cannot be tested here.",
                    status=400,
                ) from exc
            results.append(
                {"eventNumber": number, "eventMessage": message, "transformedEventMessage": transformed}
            )
        return {"transformedLogs": results}

    # -- index policies --------------------------------------------------------------------

    def PutIndexPolicy(self, ctx: RequestContext, p: Params) -> Params:
        identifier, text = p["logGroupIdentifier"], p["policyDocument"]
        _index_fields(text)
        group = self._named_group(ctx, identifier)
        doc = {"policyDocument": text, "lastUpdateTime": now_ms()}
        self.index_policies.put(self._scope(ctx), group, doc)
        return {"indexPolicy": {"logGroupIdentifier": identifier, **doc, "source": "LOG_GROUP"}}

    def _index_policy(self, ctx: RequestContext, identifier: str) -> Params | None:
        group = self._named_group(ctx, identifier)
        scope = self._scope(ctx)
        own = self.index_policies.get(scope, group)
        if own is not None:
            return {"logGroupIdentifier": identifier, **own, "source": "LOG_GROUP"}
        for _, account in self.account_policies.scan(scope, prefix="FIELD_INDEX_POLICY\0"):
            return {
                "logGroupIdentifier": identifier,
                "policyDocument": account["policyDocument"],
                "lastUpdateTime": account["lastUpdatedTime"],
                "policyName": account["policyName"],
                "source": "ACCOUNT",
            }
        return None

    def DescribeIndexPolicies(self, ctx: RequestContext, p: Params) -> Params:
        found = [self._index_policy(ctx, i) for i in p["logGroupIdentifiers"]]
        return {"indexPolicies": [f for f in found if f is not None]}

    def DeleteIndexPolicy(self, ctx: RequestContext, p: Params) -> Params:
        group = self._named_group(ctx, p["logGroupIdentifier"])
        if not self.index_policies.delete(self._scope(ctx), group):
            raise not_found("The specified log group does not have an index policy.")
        return {}

    def DescribeFieldIndexes(self, ctx: RequestContext, p: Params) -> Params:
        categories = set(p.get("indexCategories") or [])
        scope = self._scope(ctx)
        indexes: list[Params] = []
        for identifier in p["logGroupIdentifiers"]:
            policy = self._index_policy(ctx, identifier)
            if policy is None or (categories and "CUSTOM" not in categories):
                continue
            group = self._from_identifier(ctx, identifier)
            streams = [
                d for _, d in self.streams.scan(scope, prefix=group + "\0") if "firstEventTimestamp" in d
            ]
            for field, kind in _index_fields(policy["policyDocument"]):
                entry: Params = {
                    "logGroupIdentifier": identifier,
                    "fieldIndexName": field,
                    "lastScanTime": policy["lastUpdateTime"],
                    "type": kind,
                    "indexCategory": "CUSTOM",
                }
                if streams:
                    entry["firstEventTime"] = min(d["firstEventTimestamp"] for d in streams)
                    entry["lastEventTime"] = max(d["lastEventTimestamp"] for d in streams)
                indexes.append(entry)
        return {"fieldIndexes": indexes}
