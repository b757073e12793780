#!/usr/bin/env bash
# meshc side by side with what a team runs today for the same job, on one generated mesh:
#
#   bash bench/compare.sh [SERVICES] [CLUSTERS] [RUNS]      (default: 2000 6 5)
#
# - meshc lint, meshc build (fresh output folder), meshc build again (nothing changed);
# - kubectl kustomize rendering every cluster folder of meshc's own output;
# - cp -r of the output tree: the floor, the cost of writing the bytes.
# Each is run RUNS times; the median wall time is reported, with the ratios the performance
# targets are stated in. Peak memory of one build is measured with /usr/bin/time when present.
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-2000}
clusters=${2:-6}
runs=${3:-5}

cargo build --release --quiet --bin meshc --example genmesh
meshc=./target/release/meshc
command -v kubectl >/dev/null || { echo "kubectl is needed for the kustomize column" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/genmesh "$services" "$clusters" > "$work/mesh.kdl"
./target/release/examples/genmesh "$services" "$clusters" yaml > "$work/mesh.yaml"

now() { date +%s%N; }
# median of the given nanosecond counts, in milliseconds with one decimal
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1e6}'; }

time_runs() { # name, prepare-command, command
    local name=$1 prepare=$2 cmd=$3 t=()
    for _ in $(seq "$runs"); do
        eval "$prepare"
        local t0; t0=$(now)
        eval "$cmd" >/dev/null 2>&1 || { echo "compare.sh: failed: $cmd" >&2; exit 1; }
        t+=($(( $(now) - t0 )))
    done
    eval "$name=$(median "${t[@]}")"
}

time_runs lint_kdl ":" "$meshc lint $work/mesh.kdl"
time_runs lint_yaml ":" "$meshc lint $work/mesh.yaml"
time_runs build "rm -rf $work/out" "$meshc build $work/mesh.kdl -o $work/out"
time_runs rebuild ":" "$meshc build $work/mesh.kdl -o $work/out"
time_runs copy "rm -rf $work/copy" "cp -r $work/out $work/copy"
time_runs kustomize ":" "for c in $work/out/*/; do if [ -f \$c/kustomization.yaml ]; then kubectl kustomize \$c; fi; done"

files=$(find "$work/out" -type f | wc -l)
bytes=$(du -sb "$work/out" | cut -f1)
peak="n/a"
if [ -x /usr/bin/time ]; then
    rm -rf "$work/out"
    /usr/bin/time -f '%M' -o "$work/rss" "$meshc" build "$work/mesh.kdl" -o "$work/out" >/dev/null 2>&1
    peak="$(( $(tail -1 "$work/rss") / 1024 )) MiB"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo
echo "mesh: $services services × $clusters clusters → $files files, $((bytes / 1024 / 1024)) MiB; median of $runs runs"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
echo "| what | median ms |"
echo "|---|---:|"
echo "| meshc lint (KDL) | $lint_kdl |"
echo "| meshc lint (YAML) | $lint_yaml |"
echo "| meshc build (fresh) | $build |"
echo "| meshc build (no change) | $rebuild |"
echo "| kubectl kustomize, every cluster | $kustomize |"
echo "| cp -r of the output | $copy |"
echo
echo "| ratio | value | target |"
echo "|---|---:|---:|"
echo "| build / kustomize render | $(ratio "$build" "$kustomize") | ≤ 0.2 |"
echo "| build / cp -r | $(ratio "$build" "$copy") | ≤ 5 |"
echo "| lint (KDL) / build | $(ratio "$lint_kdl" "$build") | ≤ 0.1 |"
echo "| peak memory of build | $peak | |"
