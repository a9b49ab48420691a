// Confluent's JavaScript client (@confluentinc/schemaregistry) against
// `evreg serve`: the calls of tests/python/registry_client.py, one line of
// output each, which tests/tests/serve.rs compares with the catalog.
import { SchemaRegistryClient } from "@confluentinc/schemaregistry";

const [url, subject] = process.argv.slice(2);
const client = new SchemaRegistryClient({ baseURLs: [url] });

async function failure(call) {
  try {
    await call();
  } catch (e) {
    return `${e.status} ${e.errorCode}`;
  }
  return "no error";
}

const subjects = await client.getAllSubjects();
console.log("subjects", subjects.length, subjects.includes(subject) ? "True" : "False");
const latest = await client.getLatestSchemaMetadata(subject);
console.log("latest", latest.version, latest.id, latest.schemaType);
const byId = await client.getBySubjectAndId(subject, latest.id);
console.log("same schema by id", byId.schema === latest.schema ? "True" : "False");
console.log("versions", JSON.stringify(await client.getAllVersions(subject)).replaceAll(",", ", "));
const first = await client.getSchemaMetadata(subject, 1);
console.log("version 1", first.version, first.id);
const found = await client.getId(subject, { schema: byId.schema, schemaType: "JSON" });
console.log("lookup", latest.version, found);
console.log("compatible", (await client.testSubjectCompatibility(subject, { schema: byId.schema, schemaType: "JSON" })) ? "True" : "False");
const breaking = JSON.parse(byId.schema);
breaking.properties.zzAdded = { type: "string" };
breaking.required.push("zzAdded");
console.log("breaking", (await client.testSubjectCompatibility(subject, { schema: JSON.stringify(breaking), schemaType: "JSON" })) ? "True" : "False");
console.log("compatibility level", await client.getCompatibility(subject));
console.log("unknown subject", await failure(() => client.getLatestSchemaMetadata("NO_SUCH_EVENT")));
console.log("unknown version", await failure(() => client.getSchemaMetadata(subject, 99)));
console.log("unknown id", await failure(() => client.getBySubjectAndId(subject, 999999)));
console.log("unknown schema", await failure(() => client.getId(subject, { schema: '{"type": "string"}', schemaType: "JSON" })));
console.log("register", await failure(() => client.register(subject, { schema: JSON.stringify(breaking), schemaType: "JSON" })));
