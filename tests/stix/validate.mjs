// Validates STIX 2.1 bundles against the official OASIS JSON schemas (draft 2020-12) with ajv.
// Usage: node validate.mjs SCHEMA_DIR FILE... — each FILE a bundle (or a single object); exit 0 when all are valid,
// 1 naming each invalid object (its index, type, id, and the schema's complaints).
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [schemaDir, ...files] = process.argv.slice(2);
if (!schemaDir || files.length === 0) {
  console.error("usage: node validate.mjs SCHEMA_DIR BUNDLE.json...");
  process.exit(2);
}

// The schemas use "\\-" in patterns, which the u flag rejects.
const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
ajv.addFormat("idn-hostname", true);  // not in ajv-formats; hostnames are checked by OpenCFR
function addAll(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) addAll(p);
    else if (entry.name.endsWith(".json")) ajv.addSchema(JSON.parse(fs.readFileSync(p, "utf8")));
  }
}
addAll(schemaDir);
const base = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/";
const bundle = ajv.getSchema(base + "common/bundle.json");
// Each object also against its own type's schema, for messages that name the object.
const bySchema = {};
for (const sub of ["sdos", "sros", "observables", "common"]) {
  for (const f of fs.readdirSync(path.join(schemaDir, sub))) {
    bySchema[f.replace(/\.json$/, "")] = base + sub + "/" + f;
  }
}

// bundle.json lists every STIX 2.1 object type in a oneOf except extension-definition, which then
// falls to the custom-object branch — a oneOf of core.json and cyber-observable-core.json that an
// extension-definition satisfies both of, so no bundle holding one can pass (an upstream defect of
// the schemas). Such objects are checked against their own schema, extension-definition.json, below
// like every other object; the bundle is checked without them.
function withoutExtensionDefinitions(doc) {
  return { ...doc, objects: (doc.objects || []).filter((o) => o.type !== "extension-definition") };
}

let failed = 0;
let objects = 0;
for (const file of files) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  if (doc.type !== "bundle") {
    // A single object (the OASIS examples hold one): validated against its own schema below.
    doc.objects = [doc];
  } else if (!bundle(withoutExtensionDefinitions(doc))) {
    failed++;
    console.log(`FAIL ${file}: not a valid bundle`);
    for (const e of (bundle.errors || []).slice(0, 10)) console.log(`  ${e.instancePath} ${e.message}`);
  }
  (doc.objects || []).forEach((o, i) => {
    objects++;
    const id = bySchema[o.type];
    if (!id) return;  // a custom object: the bundle schema's core rules apply
    const v = ajv.getSchema(id);
    if (!v(o)) {
      failed++;
      console.log(`FAIL ${file}: objects[${i}] ${o.type} ${o.id}`);
      for (const e of (v.errors || []).slice(0, 10)) console.log(`  ${e.instancePath} ${e.message}`);
    }
  });
}
console.log(`${files.length} bundles, ${objects} objects: ${failed === 0 ? "all valid" : failed + " invalid"}`);
process.exit(failed === 0 ? 0 : 1);
