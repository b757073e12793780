#!/usr/bin/env node
// Validates Istio objects (networking.istio.io/*, security.istio.io/*, and any
// other *.istio.io group) in meshc output trees with the model classes of
// @kubernetes-models/istio (pinned in .ci/node/package.json).
//
// Usage: node .ci/validate-istio.mjs PATH...
//   PATH is a YAML file or a folder (searched recursively for *.yaml / *.yml).
//   Every YAML document whose apiVersion group ends in "istio.io" is validated.
//   A file named explicitly that holds a non-Istio document is an error (the
//   caller classified it wrongly); in a folder walk such documents are skipped.
//
// Two checks per object, both must pass:
//   1. schema: `new Kind(obj).validate()` - the package's compiled JSON schema
//      (types, enums, required fields, oneOf rules from the Istio CRDs).
//   2. strict: unknown fields. The CRD schemas (and so the package) do not set
//      additionalProperties:false, so `validate()` alone accepts a misspelled
//      field such as `timeoutt` or `spec.bogus`. We run the same compiled
//      validator over a tree of Proxies that records which properties it looks
//      up: the generated code reads every property its schema declares
//      (`data.x !== undefined`), and enumerates all keys of map-typed objects
//      (labels, headers...). A key the validator never read is unknown to the
//      schema. An object of which it read no key at all is free-form in the
//      schema (x-kubernetes-preserve-unknown-fields without properties, e.g.
//      EnvoyFilter patch.value) and is not checked further. Limitation: an
//      object that declares properties AND preserves unknown fields (only the
//      top-level `status` in the Istio 1.29 CRDs) gets its extra keys flagged;
//      meshc never emits `status`, so that is what we want anyway.
// An Istio apiVersion/kind for which the package has no model class is an
// error, so nothing passes unchecked.
//
// Exit status: 0 when every object passed, 1 when any failed, 2 on usage error.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The pinned packages live in .ci/node/node_modules, which Node's ESM resolver
// does not search from this file's folder (.ci/). Resolve package specifiers
// there ourselves, following each package's "exports" map (exact subpaths and
// one-"*" patterns; conditions import > node > default).
const NODE_MODULES = fileURLToPath(new URL("./node/node_modules/", import.meta.url));

function pickTarget(t) {
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && !Array.isArray(t)) {
    for (const c of ["import", "node", "default"]) if (c in t) return pickTarget(t[c]);
  }
  return null;
}

function resolvePackage(spec) {
  const parts = spec.split("/");
  const nameLen = spec.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLen).join("/");
  const sub = "." + (parts.length > nameLen ? "/" + parts.slice(nameLen).join("/") : "");
  const dir = join(NODE_MODULES, name);
  let pj;
  try {
    pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch {
    throw Object.assign(new Error(`package ${name} is not installed in ${NODE_MODULES} (run npm ci in .ci/node)`), {
      code: "ERR_MODULE_NOT_FOUND",
    });
  }
  let exp = pj.exports;
  if (typeof exp === "string" || (exp && !Object.keys(exp).some((k) => k.startsWith(".")))) exp = { ".": exp };
  let target = null;
  if (exp && sub in exp) {
    target = pickTarget(exp[sub]);
  } else if (exp) {
    let best = null;
    for (const key of Object.keys(exp)) {
      const star = key.indexOf("*");
      if (star < 0) continue;
      const pre = key.slice(0, star);
      const post = key.slice(star + 1);
      if (sub.startsWith(pre) && sub.endsWith(post) && sub.length >= pre.length + post.length) {
        if (!best || pre.length > best.pre.length) best = { key, pre, post };
      }
    }
    if (best) {
      const t = pickTarget(exp[best.key]);
      const matched = sub.slice(best.pre.length, sub.length - best.post.length);
      if (t && !matched.includes("..")) target = t.split("*").join(matched);
    }
  } else if (sub === ".") {
    target = pj.module || pj.main || "index.js";
  }
  if (!target) {
    throw Object.assign(new Error(`${spec} is not exported by ${name}@${pj.version}`), {
      code: "ERR_PACKAGE_PATH_NOT_EXPORTED",
    });
  }
  return { url: pathToFileURL(join(dir, target)).href, version: pj.version };
}

const importPackage = (spec) => import(resolvePackage(spec).url);

const { parseAllDocuments } = await importPackage("yaml");
const ISTIO_PKG = "@kubernetes-models/istio";
let pkgVersion = "?";
try {
  pkgVersion = JSON.parse(readFileSync(join(NODE_MODULES, ISTIO_PKG, "package.json"), "utf8")).version;
} catch {
  console.error(`validate-istio: ${ISTIO_PKG} is not installed in ${NODE_MODULES} (run npm ci in .ci/node)`);
  process.exit(2);
}

function walk(dir, out) {
  for (const ent of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) {
      if (ent.name === "node_modules" || ent.name.startsWith(".")) continue;
      walk(p, out);
    } else if (/\.ya?ml$/.test(ent.name)) {
      out.push({ file: p, explicit: false });
    }
  }
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node .ci/validate-istio.mjs FILE_OR_DIR...");
  process.exit(2);
}
const files = [];
for (const a of args) {
  let st;
  try {
    st = statSync(a);
  } catch {
    console.error(`validate-istio: no such file or folder: ${a}`);
    process.exit(2);
  }
  if (st.isDirectory()) walk(a, files);
  else files.push({ file: a, explicit: true });
}

const failures = [];
let okFiles = 0;
let okObjects = 0;
const fail = (file, where, msg) => failures.push(`${file}${where}: ${msg}`);

const modelCache = new Map();
async function loadModel(apiVersion, kind) {
  const key = `${apiVersion} ${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let result;
  const m = /^([a-z0-9.-]+\.istio\.io)\/(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/.exec(apiVersion);
  if (!m || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    result = { error: `no ${ISTIO_PKG} model for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)}` };
  } else {
    const spec = `${ISTIO_PKG}/${m[1]}/${m[2]}/${kind}`;
    try {
      const mod = await importPackage(spec);
      const Cls = mod[kind];
      if (typeof Cls !== "function" || Cls.apiVersion !== apiVersion || Cls.kind !== kind) {
        result = { error: `${spec} does not export a model class for ${apiVersion} ${kind}` };
      } else {
        result = { Cls };
      }
    } catch (e) {
      result = {
        error: `no ${ISTIO_PKG}@${pkgVersion} model for ${apiVersion} ${kind} (cannot import ${spec}: ${e.code || e.message})`,
      };
    }
  }
  modelCache.set(key, result);
  return result;
}

const isPlainObject = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

// Builds a tracked copy of `value`: every plain object becomes a Proxy that
// records the keys the validator reads. Returns the tracked value; `nodes`
// collects {path, keys, seen} for each object.
function track(value, path, nodes) {
  if (Array.isArray(value)) return value.map((v, i) => track(v, `${path}[${i}]`, nodes));
  if (!isPlainObject(value)) return value;
  const target = {};
  for (const k of Object.keys(value)) target[k] = track(value[k], path ? `${path}.${k}` : k, nodes);
  const seen = new Set();
  nodes.push({ path, keys: Object.keys(value), seen });
  return new Proxy(target, {
    get(t, k, r) {
      if (typeof k === "string") seen.add(k);
      return Reflect.get(t, k, r);
    },
    has(t, k) {
      if (typeof k === "string") seen.add(k);
      return Reflect.has(t, k);
    },
    getOwnPropertyDescriptor(t, k) {
      if (typeof k === "string") seen.add(k);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
}

function unknownFields(Cls, obj) {
  const nodes = [];
  const tracked = track(obj, "", nodes);
  try {
    // Same compiled validator as `new Cls(obj).validate()`, called on the
    // tracked tree instead of the model's own (untracked) copy.
    Cls.prototype.validate.call(tracked);
  } catch {
    /* schema errors are reported by the plain validate() run */
  }
  const unknown = [];
  // nodes are pushed children-first; sort by path so a free-form object's
  // descendants can be skipped.
  nodes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const freeForm = [];
  for (const n of nodes) {
    if (freeForm.some((p) => n.path.startsWith(p + ".") || n.path.startsWith(p + "["))) continue;
    if (n.keys.length > 0 && n.seen.size === 0) {
      // Root is never free-form: the validator always reads apiVersion/kind.
      freeForm.push(n.path);
      continue;
    }
    for (const k of n.keys) if (!n.seen.has(k)) unknown.push(n.path ? `${n.path}.${k}` : k);
  }
  return unknown;
}

function formatValidateError(e) {
  // runValidateFunc throws a ValidationError whose message lists every ajv
  // error ("data/spec/hosts must be array, ..."); keep it as is.
  return String(e && e.message ? e.message : e).replace(/\s+/g, " ").trim();
}

for (const { file, explicit } of files) {
  const name = file;
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    fail(name, "", `cannot read: ${e.message}`);
    continue;
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  let fileOk = true;
  let fileObjects = 0;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i];
    const where = docs.length > 1 ? ` (document ${i + 1})` : "";
    if (doc.errors.length > 0) {
      fail(name, where, `YAML parse error: ${doc.errors.map((e) => e.message).join("; ")}`);
      fileOk = false;
      continue;
    }
    const obj = doc.toJS({ maxAliasCount: 100 });
    if (obj === null || obj === undefined) continue; // empty document
    const apiVersion = isPlainObject(obj) ? obj.apiVersion : undefined;
    const kind = isPlainObject(obj) ? obj.kind : undefined;
    const group = typeof apiVersion === "string" && apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    if (!group.endsWith("istio.io")) {
      if (explicit) {
        fail(name, where, `not an Istio object (apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)})`);
        fileOk = false;
      }
      continue;
    }
    fileObjects++;
    const label = `${kind}/${obj.metadata && obj.metadata.name}`;
    const { Cls, error } = await loadModel(apiVersion, kind);
    if (error) {
      fail(name, where, error);
      fileOk = false;
      continue;
    }
    let objOk = true;
    try {
      new Cls(obj).validate();
    } catch (e) {
      fail(name, where, `${label}: schema: ${formatValidateError(e)}`);
      objOk = false;
    }
    const unknown = unknownFields(Cls, obj);
    if (unknown.length > 0) {
      fail(name, where, `${label}: unknown field(s) for ${apiVersion} ${kind}: ${unknown.join(", ")}`);
      objOk = false;
    }
    if (objOk) okObjects++;
    else fileOk = false;
  }
  if (explicit && fileObjects === 0 && fileOk) {
    fail(name, "", "no Istio object in file");
    fileOk = false;
  }
  if (fileOk && fileObjects > 0) okFiles++;
}

for (const f of failures) console.log(`FAIL ${f}`);
const total = files.length;
if (failures.length > 0) {
  console.log(
    `istio (${ISTIO_PKG}@${pkgVersion}): ${failures.length} failure(s); ${okFiles} file(s) / ${okObjects} object(s) ok`,
  );
  process.exit(1);
}
console.log(`istio (${ISTIO_PKG}@${pkgVersion}): ${okFiles} files ok (${okObjects} objects, ${total} files examined)`);
