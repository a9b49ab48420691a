//! `evreg`: see [`evreg_cli`] and docs/cli.md.

use std::process::ExitCode;

// Loading a catalog allocates many small JSON values; mimalloc makes that
// markedly faster than the system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    evreg_cli::run()
}
