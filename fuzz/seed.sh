#!/usr/bin/env bash
# Seed the fuzz corpora from the examples: fuzz/corpus/<target>/ (git-ignored).
# kdl gets every examples/*/mesh.kdl, yaml every mesh.yaml, lint both.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/kdl corpus/yaml corpus/lint
for spec in ../examples/*/mesh.kdl ../examples/*/mesh.yaml; do
    name="$(basename "$(dirname "$spec")")-$(basename "$spec")"
    case "$spec" in
        *.kdl) cp "$spec" "corpus/kdl/$name" ;;
        *.yaml) cp "$spec" "corpus/yaml/$name" ;;
    esac
    cp "$spec" "corpus/lint/$name"
done
echo "seeded: $(ls corpus/kdl | wc -l) kdl, $(ls corpus/yaml | wc -l) yaml, $(ls corpus/lint | wc -l) lint"
