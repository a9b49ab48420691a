//! `evreg serve`: the catalog as a read-only schema registry over HTTP, and
//! as a site to browse.

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use evreg_core::catalog::lock::Lock;
use evreg_core::naming::count;

use crate::opt::{Opt, ServeArgs};
use crate::serve::Served;
use crate::serve::model::{Registry, SubjectNames};

pub fn run(opt: &Opt, args: &ServeArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let started = Instant::now();
    let registry = match load(opt, &dir, args.subjects) {
        Ok(registry) => registry,
        Err(code) => return Ok(code),
    };
    let loaded_in = started.elapsed();
    let provisional = registry
        .subjects
        .values()
        .flat_map(|s| &s.versions)
        .filter(|v| !v.locked)
        .count();
    let summary = summary(&registry);
    let served = Arc::new(Served::new(registry));
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
            "serving `{}` ({summary}, loaded in {:.2} s) at http://{addr}",
            dir.display(),
            loaded_in.as_secs_f64()
        );
        if provisional > 0 {
            eprintln!(
                "note: {} not in catalog.lock: {} for this run only (`evreg lock` records them)",
                count(provisional, "version is", "versions are"),
                if provisional == 1 {
                    "its id is"
                } else {
                    "their ids are"
                },
            );
        }
        served.warm();
        let router = crate::serve::router(Arc::clone(&served), !args.quiet);
        // On a worker thread of its own: a reload, which blocks this one,
        // never holds up taking connections.
        let serve = tokio::spawn(
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown())
                .into_future(),
        );
        if args.watch {
            let (_watcher, changes) = watch(&dir)?;
            tokio::select! {
                stopped = serve => stopped.map_err(std::io::Error::other)??,
                () = reload_on_change(opt, &dir, args.subjects, &served, changes) => {}
            }
        } else {
            serve.await.map_err(std::io::Error::other)??;
        }
        eprintln!("stopped");
        Ok::<_, std::io::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The registry of the catalog in `dir`, or its problems printed and the
/// exit code.
fn load(opt: &Opt, dir: &Path, names: SubjectNames) -> Result<Registry, ExitCode> {
    let catalog = super::load(opt, dir)?;
    let lock = Lock::read(dir).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })?;
    Ok(Registry::new(catalog, lock.as_ref(), names))
}

fn summary(registry: &Registry) -> String {
    format!(
        "{}, {}",
        count(registry.subjects.len(), "subject", "subjects"),
        count(registry.ids.len(), "schema", "schemas"),
    )
}

/// How long the files must stay still before a reload: an editor's save,
/// or a `git checkout`, is many events.
const SETTLE: Duration = Duration::from_millis(150);

/// Watches the catalog folder: every path that changes, on the channel.
fn watch(
    dir: &Path,
) -> std::io::Result<(
    notify::RecommendedWatcher,
    tokio::sync::mpsc::UnboundedReceiver<PathBuf>,
)> {
    use notify::Watcher;
    let (changed, changes) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(event) if !event.kind.is_access() => {
                for path in event.paths {
                    let _ = changed.send(path);
                }
            }
            Ok(_) => {}
            Err(e) => eprintln!("warning: watching the catalog: {e}"),
        })
        .map_err(std::io::Error::other)?;
    watcher
        .watch(dir, notify::RecursiveMode::Recursive)
        .map_err(|e| std::io::Error::other(format!("cannot watch `{}`: {e}", dir.display())))?;
    eprintln!("watching `{}` for changes", dir.display());
    Ok((watcher, changes))
}

/// Reloads the catalog on every change, once the files settle. A catalog
/// with errors is reported and the last good one kept.
async fn reload_on_change(
    opt: &Opt,
    dir: &Path,
    names: SubjectNames,
    served: &Served,
    mut changes: tokio::sync::mpsc::UnboundedReceiver<PathBuf>,
) {
    while let Some(first) = changes.recv().await {
        let mut paths = vec![first];
        // Until the files stay still for SETTLE.
        while let Ok(Some(path)) = tokio::time::timeout(SETTLE, changes.recv()).await {
            paths.push(path);
        }
        if paths.iter().all(|p| ignored(dir, p)) {
            continue;
        }
        let started = Instant::now();
        match load(opt, dir, names) {
            Ok(registry) => {
                let summary = summary(&registry);
                served.replace(registry);
                served.warm();
                eprintln!(
                    "reloaded ({summary}) in {:.2} s",
                    started.elapsed().as_secs_f64()
                );
            }
            Err(_) => eprintln!(
                "note: still serving the last catalog loaded without errors; fix the catalog and save to reload"
            ),
        }
    }
    std::future::pending().await
}

/// Changes that are not the catalog's: the temporary files evreg and
/// editors write beside the real ones, and version-control folders.
fn ignored(dir: &Path, path: &Path) -> bool {
    let inside = path.strip_prefix(dir).unwrap_or(path);
    inside.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with(".git") || name.starts_with(".evreg-") || name.ends_with('~')
    }) || inside
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".swp"))
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
