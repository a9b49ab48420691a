#!/usr/bin/env bash
# Whole-program benchmark: `evreg check` on generated catalogs of 1k and 10k
# events, side by side with the obvious alternative (scripts/naive_check.py,
# Python jsonschema) in the same run. Prints medians, peak memory and the ratio.
#
#   scripts/bench-check.sh [RUNS]        (default 5 runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench
cargo build --release -q -p evreg-cli -p xtask
mkdir -p "$out"

# shellcheck source=scripts/measure.sh
source scripts/measure.sh

printf '%-8s %-22s %10s %10s\n' events command "median s" "peak MiB"
for n in 1000 10000; do
    dir="$out/catalog-$n"
    [ -f "$dir/catalog.toml" ] || ./target/release/xtask gen-catalog --events "$n" --out "$dir" 2>/dev/null
    read -r evreg_s evreg_mb < <(measure ./target/release/evreg check "$dir")
    printf '%-8s %-22s %10.3f %10d\n' "$n" "evreg check" "$evreg_s" "$evreg_mb"
    if python3 -c 'import jsonschema, referencing' 2>/dev/null; then
        read -r py_s py_mb < <(measure python3 scripts/naive_check.py "$dir")
        printf '%-8s %-22s %10.3f %10d\n' "$n" "naive_check.py" "$py_s" "$py_mb"
        printf '%-8s %-22s %10.1fx\n' "$n" "ratio (python/evreg)" "$(echo "$py_s / $evreg_s" | bc -l)"
    fi
done
