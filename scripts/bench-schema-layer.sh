#!/usr/bin/env bash
# `evreg check` before and after a change, side by side in one run: on the
# 10k-event synthetic catalog (both revisions), and on GitHub's webhook
# schemas as published (../shared/corpora/github-webhooks; the revision
# after only, since the one before cannot read them).
#
#   scripts/bench-schema-layer.sh [BEFORE] [RUNS]
#
# BEFORE defaults to baebad1 (the last commit before JSON Schema got its
# own module); the revision after is the working tree. Release builds; each
# revision builds in its own target folder.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-baebad1}
runs=${2:-7}
repo=$(pwd)
work=$(mktemp -d)
trap 'git worktree remove --force "$work/before" 2>/dev/null; rm -rf "$work"' EXIT

# shellcheck source=scripts/measure.sh
source scripts/measure.sh

git worktree add --quiet --detach "$work/before" "$before"
(cd "$work/before" && CARGO_TARGET_DIR="$repo/target/bench/before-target" cargo build --release -q -p evreg-cli)
cargo build --release -q -p evreg-cli -p xtask
old="$repo/target/bench/before-target/release/evreg"
new="$repo/target/release/evreg"

catalog=target/bench/catalog-10000
[ -f "$catalog/catalog.toml" ] || ./target/release/xtask gen-catalog --events 10000 --out "$catalog" 2>/dev/null

# A catalog naming every GitHub payload schema, unchanged.
corpus=$(cd "$repo/../shared/corpora/github-webhooks/payload-schemas/api.github.com" && pwd)
gh="$work/github"
mkdir -p "$gh/events"
printf 'name = "github"\n[checks]\nrequire_examples = false\n[schema]\nannotations = ["tsAdditionalProperties"]\nfolders = ["%s"]\n' "$corpus" > "$gh/catalog.toml"
for f in "$corpus"/*/*.schema.json; do
    case "$f" in */common/*) continue ;; esac
    event=$(basename "$(dirname "$f")"); action=$(basename "$f" .schema.json)
    printf '[[events]]\ntype = "%s.%s"\nname = "n"\ndescription = "d"\ncategory = "github"\n\n[[events.versions]]\nversion = 1\nschema = "%s"\n\n' \
        "$event" "${action//-/_}" "$f"
done > "$gh/events/github.toml"

printf '%-34s %10s %10s\n' "run (median of $runs)" "seconds" "peak MiB"
for i in 1 2; do
    read -r s mb < <(measure "$old" check "$catalog")
    printf '%-34s %10.3f %10d\n' "10k synthetic, before ($before)" "$s" "$mb"
    read -r s2 mb < <(measure "$new" check "$catalog")
    printf '%-34s %10.3f %10d\n' "10k synthetic, after" "$s2" "$mb"
    printf '%-34s %10.2f\n' "ratio after/before" "$(echo "$s2 / $s" | bc -l)"
done
read -r s mb < <(measure "$new" check "$gh")
printf '%-34s %10.3f %10d\n' "GitHub corpus (224 payloads), after" "$s" "$mb"
