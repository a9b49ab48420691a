#!/usr/bin/env python3
"""The obvious alternative to `evreg check`, for benchmarks: a hand-written CI
script that validates every example of a catalog against its schema with the
Python `jsonschema` package (draft 2020-12, formats checked, file $refs resolved).

It does much less than `evreg check` (no locations, no key, naming, lifecycle or
keyword checks), so the comparison favours it.

usage: naive_check.py CATALOG_DIR
"""
import json
import pathlib
import sys
import tomllib

import jsonschema
import referencing

root = pathlib.Path(sys.argv[1]).resolve()
resources = {}


def load_json(path):
    path = path.resolve()
    if path not in resources:
        resources[path] = json.loads(path.read_text())
    return resources[path]


def payload(value, base):
    return load_json(base / value) if isinstance(value, str) else value


def retrieve(uri):
    return referencing.Resource.from_contents(
        load_json(pathlib.Path(uri.removeprefix("file://"))),
        default_specification=referencing.jsonschema.DRAFT202012,
    )


registry = referencing.Registry(retrieve=retrieve)
checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
manifest = tomllib.loads((root / "catalog.toml").read_text())
base = manifest.get("base", {})
failures = checked = 0
for events_file in sorted(root.rglob("*.toml")):
    if events_file.name == "catalog.toml":
        continue
    here = events_file.parent
    for event in tomllib.loads(events_file.read_text()).get("events", []):
        for version in event.get("versions", []):
            schema_value = version["schema"]
            if isinstance(schema_value, str):
                schema_path = (here / schema_value).resolve()
                schema = dict(load_json(schema_path))
                schema["$id"] = schema_path.as_uri()
            else:
                schema = dict(schema_value)
            schema["properties"] = {**base.get("properties", {}), **schema.get("properties", {})}
            schema["required"] = base.get("required", []) + schema.get("required", [])
            validator = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)
            for example in version.get("examples", []):
                checked += 1
                if list(validator.iter_errors(payload(example, here))):
                    failures += 1
            for invalid in version.get("invalid", []):
                checked += 1
                if validator.is_valid(payload(invalid["payload"], here)):
                    failures += 1
print(f"checked {checked} payloads, {failures} failures", file=sys.stderr)
sys.exit(1 if failures else 0)
