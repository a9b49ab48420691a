//! `evreg serve`: the catalog as a read-only schema registry over HTTP.

use std::process::ExitCode;
use std::sync::Arc;

use evreg_core::catalog::lock::Lock;

use crate::opt::{Opt, ServeArgs};
use crate::serve::model::Registry;

pub fn run(opt: &Opt, args: &ServeArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let lock = match Lock::read(&dir) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let registry = Registry::new(&catalog, lock.as_ref(), args.subjects);
    let provisional = registry
        .subjects
        .values()
        .flat_map(|s| &s.versions)
        .filter(|v| !v.locked)
        .count();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot listen on {}: {e}", args.addr))
            })?;
        let addr = listener.local_addr()?;
        eprintln!(
            "serving `{}` ({}, {}) at http://{addr}",
            dir.display(),
            evreg_core::naming::count(registry.subjects.len(), "subject", "subjects"),
            evreg_core::naming::count(registry.ids.len(), "schema", "schemas"),
        );
        if provisional > 0 {
            eprintln!(
                "note: {} not in catalog.lock: {} for this run only (`evreg lock` records them)",
                evreg_core::naming::count(provisional, "version is", "versions are"),
                if provisional == 1 {
                    "its id is"
                } else {
                    "their ids are"
                },
            );
        }
        axum::serve(
            listener,
            crate::serve::router(Arc::new(registry), !args.quiet),
        )
        .with_graceful_shutdown(shutdown())
        .await?;
        eprintln!("stopped");
        Ok::<_, std::io::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM: stop taking connections, finish the requests in flight.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
