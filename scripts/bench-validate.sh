#!/usr/bin/env bash
# Whole-program benchmark: `evreg validate` on an NDJSON stream written by
# `evreg simulate --all` over the shipped catalog, on 1 and 2 cores, with peak
# memory; the stream size is a parameter (default 1 000 000 lines).
#
#   scripts/bench-validate.sh [LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-3}
out=target/bench
cargo build --release -q -p evreg-cli
mkdir -p "$out"
file="$out/simulated-$lines.ndjson"
if [ ! -f "$file" ]; then
    versions=$(./target/release/evreg simulate --all | wc -l)
    count=$(( (lines + versions - 1) / versions ))
    ./target/release/evreg simulate --all --count "$count" --seed 1 | head -n "$lines" > "$file"
fi
printf 'input: %s (%s lines, %s MB)\n' "$file" "$(wc -l < "$file")" "$(( $(stat -c %s "$file") / 1000000 ))"
for cores in 1 2; do
    cpus=$(( cores - 1 ))
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "$cores core(s): %e s wall, %M KB peak" \
            taskset -c "0-$cpus" ./target/release/evreg validate "$file" >/dev/null 2>/tmp/evreg-validate-time || true
        tail -1 /tmp/evreg-validate-time
    done
done
