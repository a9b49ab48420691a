"""Confluent's Python client (`confluent-kafka`) against `evreg serve`:
the calls a serializer and a CI job make, one line of output each, which
tests/tests/serve.rs compares with what the catalog holds."""

import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

client = SchemaRegistryClient({"url": sys.argv[1]})
subject = sys.argv[2]


def failure(call):
    try:
        call()
    except SchemaRegistryError as e:
        return f"{e.http_status_code} {e.error_code}"
    return "no error"


subjects = client.get_subjects()
print("subjects", len(subjects), subject in subjects)
latest = client.get_latest_version(subject)
print("latest", latest.version, latest.schema_id, latest.schema.schema_type)
by_id = client.get_schema(latest.schema_id)
print("same schema by id", by_id.schema_str == latest.schema.schema_str)
print("versions", client.get_versions(subject))
first = client.get_version(subject, 1)
print("version 1", first.version, first.schema_id)
found = client.lookup_schema(subject, Schema(by_id.schema_str, "JSON"))
print("lookup", found.version, found.schema_id)
print("compatible", client.test_compatibility(subject, Schema(by_id.schema_str, "JSON")))
breaking = json.loads(by_id.schema_str)
breaking["properties"]["zzAdded"] = {"type": "string"}
breaking["required"].append("zzAdded")
print("breaking", client.test_compatibility(subject, Schema(json.dumps(breaking), "JSON")))
print("compatibility level", client.get_compatibility(subject))
print("unknown subject", failure(lambda: client.get_latest_version("NO_SUCH_EVENT")))
print("unknown version", failure(lambda: client.get_version(subject, 99)))
print("unknown id", failure(lambda: client.get_schema(999999)))
print("unknown schema", failure(lambda: client.lookup_schema(subject, Schema('{"type": "string"}', "JSON"))))
print("register", failure(lambda: client.register_schema(subject, Schema(json.dumps(breaking), "JSON"))))
