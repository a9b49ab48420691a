#!/usr/bin/env bash
# Fuzzes evreg with libFuzzer on the stable toolchain, each target for a
# bounded time, from the seeds in evreg-fuzz/seeds (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 60 s each, catalog and validate
#
# Fails (non-zero) on a panic, an exit code other than 0/1/2, an input that
# takes longer than TIMEOUT seconds (a hang) or a process over RSS_MB MiB;
# the input that did it is written to target/fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(catalog validate)
timeout=${TIMEOUT:-20}
rss_mb=${RSS_MB:-2048}

# The workspace's crates instrumented; the dependencies are the tests' build.
RUSTC_WORKSPACE_WRAPPER="$PWD/scripts/sancov-rustc" cargo build -p evreg-fuzz --bins

for target in "${targets[@]}"; do
    # Inputs found in this run go to a fresh folder: the seeds stay as committed.
    corpus=$(mktemp -d)
    artifacts=target/fuzz/artifacts/$target
    mkdir -p "$artifacts"
    echo "fuzzing $target for ${seconds} s (timeout ${timeout} s per input, ${rss_mb} MiB)"
    "target/debug/$target" "$corpus" "evreg-fuzz/seeds/$target" \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
        -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$artifacts/"
    rm -rf "$corpus"
done
