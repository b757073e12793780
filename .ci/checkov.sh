#!/usr/bin/env bash
# Checkov policy scan of meshc output trees.
#
# Usage: bash .ci/checkov.sh golden
#   The argument is the folder holding one output tree per example
#   (<root>/<example>/<cluster>/*.yaml, <root>/<example>/firewall/firewall.tf.json).
#
# checkov takes ~2 s to start, so it is run per folder set, never per file:
#   --framework kubernetes      once per <root>/*/<cluster> folder (see "scans"
#                               below for why not one run for all of them)
#   --framework terraform_json  once over <root>, which scans every
#                               <root>/*/firewall/firewall.tf.json (checkov's
#                               `terraform` framework finds nothing in *.tf.json;
#                               terraform_json is the one that scans it)
# Checks listed in .ci/checkov-skips.txt are skipped; every line there must be
# `CKV_ID  reason` (a line without a reason, or with an ID checkov does not know,
# fails this script). Any failed check that is not skipped fails the script.
#
# checkov is installed on first use into a venv outside the work tree (default
# ~/.cache/meshc-ci/venv-checkov, override the folder with MESHC_CI_CACHE) and
# reused afterwards.
set -euo pipefail

CHECKOV_VERSION=3.3.30

usage() { echo "usage: bash .ci/checkov.sh <folder holding example output trees>" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
ROOT=${1%/}
if [[ ! -d $ROOT ]]; then
  echo "checkov.sh: no such folder: $ROOT" >&2
  exit 2
fi

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SKIP_FILE=$CI_DIR/checkov-skips.txt
CACHE=${MESHC_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshc-ci}
VENV=$CACHE/venv-checkov
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log() { echo "checkov.sh: $*" >&2; }

# ---- skip file ------------------------------------------------------------------
if [[ ! -f $SKIP_FILE ]]; then
  log "missing $SKIP_FILE"
  exit 2
fi
SKIP_IDS=()
declare -A SEEN=()
bad_skips=0
lineno=0
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  trimmed=${line#"${line%%[![:space:]]*}"}
  [[ -z $trimmed || $trimmed == \#* ]] && continue
  if [[ $trimmed =~ ^(CKV[0-9]*_[A-Z0-9]+_[0-9]+)[[:space:]]+([^[:space:]].*)$ ]]; then
    id=${BASH_REMATCH[1]}
    if [[ -n ${SEEN[$id]:-} ]]; then
      log "$SKIP_FILE:$lineno: $id is listed twice (first on line ${SEEN[$id]})"
      bad_skips=$((bad_skips + 1))
    fi
    SEEN[$id]=$lineno
    SKIP_IDS+=("$id")
  else
    log "$SKIP_FILE:$lineno: expected 'CKV_ID  reason text', got: $line"
    bad_skips=$((bad_skips + 1))
  fi
done <"$SKIP_FILE"
if [[ $bad_skips -ne 0 ]]; then
  log "FAILED: $bad_skips bad line(s) in $SKIP_FILE (every skip needs an ID and a reason)"
  exit 1
fi

# ---- folders --------------------------------------------------------------------
CLUSTERS=()
FIREWALLS=()
while IFS= read -r d; do
  if [[ $(basename "$d") == firewall ]]; then FIREWALLS+=("$d"); else CLUSTERS+=("$d"); fi
done < <(find "$ROOT" -mindepth 2 -maxdepth 2 -type d ! -name '.*' ! -path "$ROOT/.*" | LC_ALL=C sort)
if [[ ${#CLUSTERS[@]} -eq 0 && ${#FIREWALLS[@]} -eq 0 ]]; then
  echo "WARNING: checkov.sh: no example trees under $ROOT; nothing to scan" >&2
  exit 0
fi

# ---- install --------------------------------------------------------------------
have=""
if [[ -x $VENV/bin/python ]]; then
  have=$("$VENV/bin/python" -m pip show checkov 2>/dev/null | sed -n 's/^Version: //p' || true)
fi
if [[ $have != "$CHECKOV_VERSION" ]]; then
  log "installing checkov==$CHECKOV_VERSION into $VENV (takes a minute the first time)"
  mkdir -p "$CACHE"
  if [[ ! -x $VENV/bin/python ]] && ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    # Debian's python3 needs python3-venv for ensurepip.
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      log "installing python3-venv with apt-get"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
CHECKOV=$VENV/bin/checkov

# No network calls: no platform guideline download, no PyPI update check.
export BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE
COMMON=(--skip-download --compact --quiet)

# Every skip ID must be a check this checkov knows (a typo would skip nothing).
"$CHECKOV" -l --skip-download 2>/dev/null | awk -F'|' 'NR > 2 {gsub(/ /, "", $3); print $3}' | sort -u >"$WORK/known-ids.txt"
unknown=0
for id in "${SKIP_IDS[@]}"; do
  if ! grep -qxF "$id" "$WORK/known-ids.txt"; then
    log "$SKIP_FILE: $id is not a check known to checkov $CHECKOV_VERSION"
    unknown=$((unknown + 1))
  fi
done
if [[ $unknown -ne 0 ]]; then
  log "FAILED: $unknown unknown check ID(s) in $SKIP_FILE"
  exit 1
fi
SKIP_ARGS=()
if [[ ${#SKIP_IDS[@]} -gt 0 ]]; then
  SKIP_ARGS=(--skip-check "$(IFS=,; echo "${SKIP_IDS[*]}")")
fi

# ---- scans ----------------------------------------------------------------------
# Why one kubernetes run per cluster folder, and one terraform_json run over ROOT
# (checkov 3.3.30, tested):
#   - With several `-d` in one run, checkov's kubernetes runner reports the first
#     folder's resources again under the second folder and never scans the second
#     one; and a single run over ROOT lets the graph check CKV2_K8S_6 (pod without
#     NetworkPolicy) match a NetworkPolicy from ANOTHER cluster or example. So each
#     cluster folder gets its own run (~2 s each).
#   - terraform_json has no cross-file checks for google_compute_firewall, and one
#     run over ROOT scans every firewall/*.tf.json correctly.
STATUS=0
SUMMARY=()
TOTAL_PASSED=0 TOTAL_FAILED=0

# run_checkov LABEL FRAMEWORK DIR -> adds to TOTAL_*, returns 1 on any finding
run_checkov() {
  local label=$1 framework=$2 dir=$3 rc out=$WORK/run
  set +e
  "$CHECKOV" --framework "$framework" -d "$dir" "${SKIP_ARGS[@]}" "${COMMON[@]}" \
    -o cli -o json --output-file-path "console,$out.json" >"$out.cli" 2>"$out.err"
  rc=$?
  set -e
  local counts passed failed skipped
  counts=$(python3 - "$out.json" <<'PYEOF'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except Exception:
    print("? ? ?")
    sys.exit(0)
p = f = s = 0
for r in data if isinstance(data, list) else [data]:
    summ = r.get("summary", r)  # a run that finds nothing prints a bare summary
    p += summ.get("passed", 0)
    f += summ.get("failed", 0)
    s += summ.get("skipped", 0)
print(p, f, s)
PYEOF
  )
  read -r passed failed skipped <<<"$counts"
  if [[ $passed == "?" ]]; then
    echo "FAIL checkov $framework $label: no readable report (exit $rc):"
    tail -n 30 "$out.err" "$out.cli"
    return 1
  fi
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  # Checks given with --skip-check are not run at all and are in no count;
  # "skipped" here means inline suppressions (checkov.io/skip annotations),
  # which would bypass the reviewed skip file, so they fail the scan too.
  if [[ $rc -ne 0 || $failed -ne 0 || $skipped -ne 0 ]]; then
    local hint=""
    [[ $skipped -ne 0 ]] && hint="; list skips in .ci/checkov-skips.txt, not in the objects"
    echo "FAIL checkov $framework $label: $failed failed check(s), $skipped suppressed inline (exit $rc)$hint:"
    # The findings, without checkov's banner.
    sed -n '/scan results:/,$p' "$out.cli" | sed '/^[[:space:]]*$/d; /scan results:/d; /^Passed checks:/d'
    return 1
  fi
  return 0
}

if [[ ${#CLUSTERS[@]} -gt 0 ]]; then
  bad=0
  TOTAL_PASSED=0 TOTAL_FAILED=0
  for c in "${CLUSTERS[@]}"; do
    run_checkov "$c" kubernetes "$c" || bad=$((bad + 1))
  done
  if [[ $bad -ne 0 ]]; then
    STATUS=1
    SUMMARY+=("checkov kubernetes: FAILED in $bad of ${#CLUSTERS[@]} cluster folders ($TOTAL_FAILED checks failed, $TOTAL_PASSED passed)")
  else
    SUMMARY+=("checkov kubernetes: ${#CLUSTERS[@]} cluster folders ok ($TOTAL_PASSED checks passed, 0 failed)")
  fi
else
  SUMMARY+=("checkov kubernetes: 0 cluster folders (none found)")
fi

if [[ ${#FIREWALLS[@]} -gt 0 ]]; then
  TOTAL_PASSED=0 TOTAL_FAILED=0
  if run_checkov "$ROOT" terraform_json "$ROOT"; then
    SUMMARY+=("checkov terraform_json: ${#FIREWALLS[@]} firewall folders ok ($TOTAL_PASSED checks passed, 0 failed)")
  else
    STATUS=1
    SUMMARY+=("checkov terraform_json: FAILED ($TOTAL_FAILED checks failed, $TOTAL_PASSED passed in ${#FIREWALLS[@]} firewall folders)")
  fi
else
  SUMMARY+=("checkov terraform_json: 0 firewall folders (none found)")
fi

echo "---- checkov.sh summary ($ROOT; checkov $CHECKOV_VERSION; skip list: ${SKIP_IDS[*]:-none}) ----"
printf '%s\n' "${SUMMARY[@]}"
if [[ $STATUS -ne 0 ]]; then
  echo "checkov.sh: FAILED"
else
  echo "checkov.sh: all scans passed"
fi
exit "$STATUS"
