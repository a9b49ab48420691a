#!/usr/bin/env bash
# Whole-program benchmark of `evreg serve` (release build): start-up time on
# generated catalogs of 1k and 10k events, reload time under `--watch` (as
# the server reports it after a file of the catalog changed), and throughput with latency
# percentiles of `GET /schemas/ids/{id}` (cycling through every id) beside
# `GET /healthz` (the router and HTTP alone) in the same run, from a
# bounded load generator (`xtask load`: a fixed number of requests over
# keep-alive connections) on the same 2 cores.
#
#   scripts/bench-serve.sh [REQUESTS] [CONNECTIONS]   (default 200000, 16)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
connections=${2:-16}
out=target/bench
cargo build --release -q -p evreg-cli -p xtask
mkdir -p "$out"

for n in 1000 10000; do
    dir="$out/catalog-$n"
    [ -f "$dir/catalog.toml" ] || ./target/release/xtask gen-catalog --events "$n" --out "$dir" 2>/dev/null
    log=$(mktemp)
    t0=$(date +%s.%N)
    ./target/release/evreg serve "$dir" --addr 127.0.0.1:0 --quiet --watch 2> "$log" &
    server=$!
    until grep -q "serving" "$log"; do sleep 0.01; done
    t1=$(date +%s.%N)
    addr=$(sed -n 's/.* at http:\/\///p' "$log" | head -1)
    printf '%s events: start-up %.2f s (%s)\n' "$n" "$(echo "$t1 - $t0" | bc)" "$(head -1 "$log")"
    ids=$(grep -o 'schemas' "$log" >/dev/null; sed -n 's/.*subjects, \([0-9]*\) schemas.*/\1/p' "$log")
    paths=()
    for ((i = 1; i <= ids && i <= 2000; i++)); do paths+=("/schemas/ids/$i"); done
    printf '  GET /schemas/ids/{id}: '
    ./target/release/xtask load "$addr" --requests "$requests" --connections "$connections" "${paths[@]}"
    printf '  GET /healthz:          '
    ./target/release/xtask load "$addr" --requests "$requests" --connections "$connections" /healthz
    until grep -q "watching" "$log"; do sleep 0.01; done
    touch "$dir/catalog.toml"
    until grep -q "reloaded" "$log"; do sleep 0.01; done
    printf '  reload: %s\n' "$(grep reloaded "$log" | head -1)"
    kill "$server"; wait "$server" 2>/dev/null || true
    rm -f "$log"
done
