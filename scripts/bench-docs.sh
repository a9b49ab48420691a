#!/usr/bin/env bash
# Whole-program benchmark of `evreg docs` (the catalog site as static files)
# on generated catalogs of 1k, 5k and 10k events, beside `evreg check` (the
# catalog loaded and checked, nothing written) in the same run: median wall
# time, user and system CPU time, peak memory, pages and bytes written, and
# the ratio of wall times to `check`'s.
#
# `docs` writes every page into a new folder on each run, and then runs
# once more into a full one (every page compared, none written). Folders are
# removed only at the end: on this machine's disk (ext4 mounted `discard`),
# deleting 100 MB of pages makes file creation seconds slower for a while
# afterwards, which would measure the disk, not evreg.
#
#   scripts/bench-docs.sh [RUNS]        (default 5 runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench
cargo build --release -q -p evreg-cli -p xtask
mkdir -p "$out"
rm -rf "$out"/docs-bench
mkdir -p "$out"/docs-bench

# Median wall, user and system seconds and peak MiB of RUNS runs of a
# command whose `{}` is replaced by the run's number.
timed() {
    local walls=() users=() syss=() rss=0 t
    t=$(mktemp)
    for i in $(seq "$runs"); do
        /usr/bin/time -f '%e %U %S %M' -o "$t" "${@//\{\}/$i}" >/dev/null 2>&1
        read -r w u s kb < "$t"
        walls+=("$w"); users+=("$u"); syss+=("$s")
        (( kb > rss )) && rss=$kb
    done
    rm -f "$t"
    median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    echo "$(median "${walls[@]}") $(median "${users[@]}") $(median "${syss[@]}") $((rss / 1024))"
}

printf '%-7s %-26s %8s %8s %8s %9s %20s %8s\n' events command "wall s" "user s" "sys s" "peak MiB" "output" "÷ check"
for n in 1000 5000 10000; do
    dir="$out/catalog-$n"
    site="$out/docs-bench/site-$n"
    [ -f "$dir/catalog.toml" ] || ./target/release/xtask gen-catalog --events "$n" --out "$dir" 2>/dev/null
    read -r cw cu cs cm < <(timed ./target/release/evreg check "$dir")
    printf '%-7s %-26s %8.2f %8.2f %8.2f %9d %20s %8s\n' "$n" "evreg check" "$cw" "$cu" "$cs" "$cm" "-" "1.00"
    read -r dw du ds dm < <(timed ./target/release/evreg docs "$dir" -o "$site-{}")
    pages=$(find "$site-1" -name '*.html' | wc -l)
    size=$(du -sm "$site-1" | cut -f1)
    printf '%-7s %-26s %8.2f %8.2f %8.2f %9d %10d pages %3d MiB %8.2f\n' "$n" "evreg docs (new folder)" \
        "$dw" "$du" "$ds" "$dm" "$pages" "$size" "$(echo "$dw / $cw" | bc -l)"
    read -r uw uu us um < <(timed ./target/release/evreg docs "$dir" -o "$site-1")
    printf '%-7s %-26s %8.2f %8.2f %8.2f %9d %20s %8.2f\n' "$n" "evreg docs (unchanged)" \
        "$uw" "$uu" "$us" "$um" "0 written" "$(echo "$uw / $cw" | bc -l)"
done
rm -rf "$out"/docs-bench
