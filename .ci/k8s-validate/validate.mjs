// Validates Kubernetes objects (multi-document YAML files) against the schemas of a pinned
// Kubernetes version, rejecting unknown fields, the way `kubectl apply --validate=strict` would.
//
//   node validate.mjs --valid rendered.yaml ... --invalid fixtures/invalid.yaml ...
//
// Objects of --valid files must pass; objects of --invalid files must each be rejected (proof that
// the check can fail). Prints one line per object and, last, "RESULT <passed> <failed>".
//
// Schemas: kubernetes-models 4.5.1 (Kubernetes v1.33.0 OpenAPI, its CHANGELOG "Update schema
// version to v1.33.0") and @kubernetes-models/prometheus-operator 4.4.4 (the monitoring.coreos.com
// CRDs). Both ship ajv validators pre-compiled from the schemas; they check types, formats,
// required fields and enums but, like the OpenAPI documents, allow properties the schema does not
// declare. Unknown fields are therefore found here: each object is validated through a Proxy that
// records which properties the compiled validator reads. A validator reads every property its
// schema declares and enumerates the keys of maps (labels, annotations, data), so a key it never
// read is a key the schema does not know.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);

/** apiVersion -> module with one model class per kind; null when no package has that API. */
function modelsFor(apiVersion) {
  const name = apiVersion.startsWith("monitoring.coreos.com/")
    ? `@kubernetes-models/prometheus-operator/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  try {
    return require(name);
  } catch {
    return null;
  }
}

/** Wraps a value so that the properties read from it, and whether its keys were listed, are recorded. */
function tracked(root) {
  const seen = new Map();
  const proxies = new WeakMap();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    const info = { read: new Set(), listed: false };
    seen.set(value, info);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") info.read.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      ownKeys(target) {
        info.listed = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return { proxy: wrap(root), seen };
}

/** Paths of the keys the validator never looked at, in objects it did look into. */
function unknownFields(value, seen, path = "") {
  if (value === null || typeof value !== "object" || !seen.has(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, seen, `${path}/${i}`));
  const info = seen.get(value);
  return Object.keys(value).flatMap((key) => (!info.listed && !info.read.has(key)
    ? [`${path}/${key}`]
    : unknownFields(value[key], seen, `${path}/${key}`)));
}

/** Problems of one object; empty when valid. */
function problems(obj) {
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) return ["not a Kubernetes object (apiVersion, kind)"];
  const models = modelsFor(obj.apiVersion);
  const Model = models && models[obj.kind];
  if (typeof Model !== "function" || typeof Model.prototype.validate !== "function") {
    return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  }
  const { proxy, seen } = tracked(obj);
  const found = [];
  try {
    Model.prototype.validate.call(proxy);
  } catch (e) {
    found.push(e.message);
  }
  for (const path of unknownFields(obj, seen)) found.push(`unknown field ${path}`);
  return found;
}

let passed = 0;
let failed = 0;
let expectValid = true;
for (const arg of process.argv.slice(2)) {
  if (arg === "--valid" || arg === "--invalid") {
    expectValid = arg === "--valid";
    continue;
  }
  const docs = parseAllDocuments(readFileSync(arg, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      failed++;
      console.log(`FAIL ${arg}: YAML: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null) continue;
    const name = `${arg}: ${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
    const found = problems(obj);
    if (expectValid === (found.length === 0)) {
      passed++;
      console.log(`ok   ${name}${expectValid ? "" : ` (rejected as it should be: ${found.join("; ")})`}`);
    } else {
      failed++;
      console.log(`FAIL ${name}: ${expectValid ? found.join("; ") : "accepted, but it is invalid"}`);
    }
  }
}
console.log(`RESULT ${passed} ${failed}`);
