#!/usr/bin/env bash
# Whole-program benchmark: the other languages' outputs against the Rust
# generator, in the same run, on generated catalogs of 1k, 5k and 10k events:
# `evreg generate` (Rust), `evreg generate --lang typescript` and
# `evreg export jsonschema`. Prints medians, peak memory, the output's size
# and each command's time as a ratio of the Rust generator's.
#
#   scripts/bench-typescript.sh [RUNS]        (default 5 runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench
cargo build --release -q -p evreg-cli -p xtask
mkdir -p "$out"

# shellcheck source=scripts/measure.sh
source scripts/measure.sh

printf '%-8s %-28s %10s %10s %14s %8s\n' events command "median s" "peak MiB" "output" "÷ Rust"
for n in 1000 5000 10000; do
    dir="$out/catalog-$n"
    [ -f "$dir/catalog.toml" ] || ./target/release/xtask gen-catalog --events "$n" --out "$dir" 2>/dev/null
    rm -rf "$out/events-$n.rs" "$out/ts-$n" "$out/schemas-$n"
    read -r rust_s rust_mb < <(measure ./target/release/evreg generate "$dir" -o "$out/events-$n.rs")
    printf '%-8s %-28s %10.3f %10d %8d lines %8s\n' "$n" "evreg generate (Rust)" "$rust_s" "$rust_mb" \
        "$(wc -l < "$out/events-$n.rs")" "1.00"
    read -r ts_s ts_mb < <(measure ./target/release/evreg generate "$dir" --lang typescript -o "$out/ts-$n")
    printf '%-8s %-28s %10.3f %10d %8d lines %8.2f\n' "$n" "generate --lang typescript" "$ts_s" "$ts_mb" \
        "$(cat "$out/ts-$n"/*.ts | wc -l)" "$(echo "$ts_s / $rust_s" | bc -l)"
    read -r ex_s ex_mb < <(measure ./target/release/evreg export jsonschema "$dir" -o "$out/schemas-$n")
    printf '%-8s %-28s %10.3f %10d %8d files %8.2f\n' "$n" "export jsonschema" "$ex_s" "$ex_mb" \
        "$(ls "$out/schemas-$n" | wc -l)" "$(echo "$ex_s / $rust_s" | bc -l)"
done
