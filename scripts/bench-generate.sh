#!/usr/bin/env bash
# Whole-program benchmark: `evreg generate` (load, check, plan, emit, format,
# write) on generated catalogs of 1k, 5k and 10k events, beside `evreg check`
# (loading alone) in the same run. Prints medians, peak memory and the
# generated size.
#
#   scripts/bench-generate.sh [RUNS]        (default 5 runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench
cargo build --release -q -p evreg-cli -p xtask
mkdir -p "$out"

# shellcheck source=scripts/measure.sh
source scripts/measure.sh

printf '%-8s %-16s %10s %10s %12s\n' events command "median s" "peak MiB" "output"
for n in 1000 5000 10000; do
    dir="$out/catalog-$n"
    [ -f "$dir/catalog.toml" ] || ./target/release/xtask gen-catalog --events "$n" --out "$dir" 2>/dev/null
    read -r check_s check_mb < <(measure ./target/release/evreg check "$dir")
    printf '%-8s %-16s %10.3f %10d\n' "$n" "evreg check" "$check_s" "$check_mb"
    rm -f "$out/events-$n.rs"
    read -r gen_s gen_mb < <(measure ./target/release/evreg generate "$dir" -o "$out/events-$n.rs")
    size=$(wc -l < "$out/events-$n.rs")
    printf '%-8s %-16s %10.3f %10d %8d lines\n' "$n" "evreg generate" "$gen_s" "$gen_mb" "$size"
done
