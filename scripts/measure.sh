# Shared by the whole-program benchmark scripts (sourced, not run).
# Expects $runs to be set.

# Median wall time (s) and max peak RSS (MiB) of a command over $runs runs.
measure() {
    local times=() rss=0 t0 t1 kb mem
    mem=$(mktemp)
    for _ in $(seq "$runs"); do
        t0=$(date +%s.%N)
        /usr/bin/time -f '%M' -o "$mem" "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        kb=$(tail -1 "$mem")
        times+=("$(echo "$t1 - $t0" | bc)")
        (( kb > rss )) && rss=$kb
    done
    rm -f "$mem"
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$median $((rss / 1024))"
}
