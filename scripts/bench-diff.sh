#!/usr/bin/env bash
# Whole-program benchmark: `evreg diff` between two synthetic 10k-event
# catalogs that differ in 1 % of their events (100 v1 schemas gain a
# property), side by side in the same run with `evreg check` of one catalog
# (reading one catalog). A third catalog also changes the shared definitions
# file, which makes `evreg diff` read the whole old side: the cost before the
# old side was read only where it differs. Prints medians, peak memory and
# the ratios.
#
#   scripts/bench-diff.sh [RUNS]        (default 5 runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench
cargo build --release -q -p evreg-cli -p xtask
mkdir -p "$out"

# shellcheck source=scripts/measure.sh
source scripts/measure.sh

old="$out/catalog-10000"
new="$out/catalog-10000-b"
[ -f "$old/catalog.toml" ] || ./target/release/xtask gen-catalog --events 10000 --out "$old" 2>/dev/null
[ -f "$old/catalog.lock" ] || ./target/release/evreg lock "$old" >/dev/null 2>&1
rm -rf "$new"
cp -r "$old" "$new"
# Every 100th event's v1 gains a property (a released version changed).
find "$new/schemas/generated" -name '*.v1.json' | sort | awk 'NR % 100 == 1' |
    while read -r f; do
        sed -i '0,/"properties": {/s//"properties": {\n    "changedInDiff": { "type": "string" },/' "$f"
    done

shared="$out/catalog-10000-c"
rm -rf "$shared"
cp -r "$new" "$shared"
sed -i 's/"\^\[A-Z\]{3}\$"/"^[A-Z]{3}(-[A-Z]+)?$"/' "$shared/schemas/common.json"

read -r check_s check_mb < <(measure ./target/release/evreg check "$old")
read -r diff_s diff_mb < <(measure ./target/release/evreg diff "$old" "$new")
read -r full_s full_mb < <(measure ./target/release/evreg diff "$old" "$shared")
changes=$(./target/release/evreg diff "$old" "$new" 2>/dev/null | grep -c 'version-changed' || true)
printf '%-40s %10s %10s\n' command "median s" "peak MiB"
printf '%-40s %10.3f %10d\n' "evreg check (one catalog)" "$check_s" "$check_mb"
printf '%-40s %10.3f %10d\n' "evreg diff ($changes versions changed)" "$diff_s" "$diff_mb"
printf '%-40s %10.3f %10d\n' "evreg diff (shared file changed)" "$full_s" "$full_mb"
printf '%-40s %10.2fx\n' "ratio (diff/check)" "$(echo "$diff_s / $check_s" | bc -l)"
printf '%-40s %10.2fx\n' "ratio (whole old side/diff)" "$(echo "$full_s / $diff_s" | bc -l)"
