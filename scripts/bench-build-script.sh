#!/usr/bin/env bash
# What a build script that uses `evreg_codegen::Builder` costs a new crate:
# packages compiled and cold build time (`cargo build`, empty target folder),
# at two revisions of evreg, one after the other in the same run.
#
#   scripts/bench-build-script.sh [BEFORE] [AFTER]
#
# BEFORE defaults to the last commit before the workspace re-cut (61a818f),
# AFTER to HEAD. The crate is what docs/codegen.md describes at each
# revision: `evreg` in [dependencies], `evreg-codegen` in
# [build-dependencies] (as path dependencies on that revision's checkout, with
# their default features), `build.rs` calling `Builder::new("catalog")`, and
# the `minimal` fixture catalog (one event), so that the time is the
# dependencies', not the generated module's.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-61a818f}
after=${2:-HEAD}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/before-src" 2>/dev/null; git worktree remove --force "$work/after-src" 2>/dev/null; rm -rf "$work"' EXIT

crate() { # name rev
    local name=$1 rev=$2 src="$work/$1-src" shop="$work/$1-shop" codegen
    git worktree add --quiet --detach "$src" "$rev"
    codegen="$src/evreg-codegen"
    [ -d "$codegen" ] || codegen="$src/codegen"
    mkdir -p "$shop/src"
    cat > "$shop/Cargo.toml" <<EOF
[package]
name = "shop"
version = "0.1.0"
edition = "2024"

[dependencies]
evreg = { path = "$src/evreg" }

[build-dependencies]
evreg-codegen = { path = "$codegen" }

[workspace]
EOF
    cp "$src/Cargo.lock" "$shop/Cargo.lock"
    cp -r "$src/tests/fixtures/codegen/minimal" "$shop/catalog"
    cat > "$shop/build.rs" <<'EOF'
fn main() {
    evreg_codegen::Builder::new("catalog").compile().unwrap();
}
EOF
    cat > "$shop/src/lib.rs" <<'EOF'
pub mod events {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}
EOF
    # Fetch first, so that downloads are not timed.
    (cd "$shop" && cargo fetch --quiet)
}

measure() { # name
    local shop="$work/$1-shop" log="$work/$1.log" start end
    start=$(date +%s.%N)
    (cd "$shop" && CARGO_TARGET_DIR="$work/$1-target" cargo build --offline 2> "$log")
    end=$(date +%s.%N)
    units=$(grep -c '^ *Compiling ' "$log")
    packages=$(grep '^ *Compiling ' "$log" | awk '{print $2}' | sort -u | wc -l)
    size=$(du -sm "$work/$1-target" | cut -f1)
    printf '%-7s %-10s %5d units %5d packages %8.1f s %6d MB\n' \
        "$1" "$(git rev-parse --short "$2")" "$units" "$packages" "$(echo "$end - $start" | bc)" "$size"
}

crate before "$before"
crate after "$after"
echo "rustc $(rustc --version | cut -d' ' -f2), $(nproc) cores"
measure before "$before"
measure after "$after"
