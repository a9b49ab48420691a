#!/usr/bin/env bash
# Whole-program benchmark: `evreg migrate --apply` / `--check` on the
# synthetic 10k-event catalog against a live PostgreSQL, side by side in the
# same run with loading and checking the catalog alone (`evreg check`), the
# floor any database work sits on. Prints medians, peak memory and ratios.
#
#   scripts/bench-migrate.sh [RUNS]        (default 3 runs per command)
#
# PostgreSQL from EVREG_BENCH_POSTGRES_URL, else EVREG_TEST_POSTGRES_URL, else
# the local server; the runs use (and drop) the schema `evreg_bench_migrate`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
url=${EVREG_BENCH_POSTGRES_URL:-${EVREG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}}
schema=evreg_bench_migrate
cargo build --release -q -p evreg-cli -p xtask
dir=target/bench/catalog-10000
[ -f "$dir/catalog.toml" ] || ./target/release/xtask gen-catalog --events 10000 --out "$dir" 2>/dev/null

# shellcheck source=scripts/measure.sh
source scripts/measure.sh

sep='?'; [[ $url == *\?* ]] && sep='&'
db="$url${sep}options=-csearch_path%3D$schema"
fresh="psql '$url' -qc 'DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema' 2>/dev/null"
first_apply="$fresh && ./target/release/evreg migrate '$dir' --apply --database-url '$db'"

read -r load_s load_mb < <(measure ./target/release/evreg check "$dir")
read -r first_s first_mb < <(measure bash -c "$first_apply")
read -r noop_s noop_mb < <(measure ./target/release/evreg migrate "$dir" --apply --database-url "$db")
read -r check_s check_mb < <(measure ./target/release/evreg migrate "$dir" --check --database-url "$db")
psql "$url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null || true

printf '%-34s %9s %9s %12s\n' "10k events, $runs runs" "median s" "peak MiB" "÷ load"
row() { printf '%-34s %9.3f %9d %11.2fx\n' "$1" "$2" "$3" "$(echo "$2 / $load_s" | bc -l)"; }
row "evreg check (load alone)" "$load_s" "$load_mb"
row "migrate --apply, fresh schema" "$first_s" "$first_mb"
row "migrate --apply, nothing to do" "$noop_s" "$noop_mb"
row "migrate --check, aligned" "$check_s" "$check_mb"
