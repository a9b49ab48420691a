//! `evreg diff OLD NEW`: what changed between two catalogs, and whether it
//! breaks the rules (released versions changed or removed, events removed
//! without deprecation, new versions that break their event's compatibility
//! mode). OLD may be `git:REF[:path]`, read with `git archive`, no checkout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use evreg_core::diff::{Baseline, Change, diff_baseline};
use evreg_core::{Catalog, Report};

use crate::opt::{DiffArgs, Opt, ValidateFormat};

pub fn run(opt: &Opt, args: &DiffArgs) -> Result<ExitCode, super::CliError> {
    let new_dir = opt
        .catalog_dir(None)
        .map(|d| args.new.clone().unwrap_or(d))?;
    let (old_dir, _scratch) = match args.old.strip_prefix("git:") {
        Some(spec) => match from_git(spec, &new_dir) {
            Ok((dir, scratch)) => (dir, Some(scratch)),
            Err(e) => {
                eprintln!("error: {}: {e}", args.old);
                return Ok(ExitCode::from(2));
            }
        },
        None => (PathBuf::from(&args.old), None),
    };
    // The new side first: the old one is read only where its files differ.
    let new = match load(opt, &new_dir, Catalog::check_schemas(&new_dir), "new") {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let old = match Baseline::load(&old_dir, &new) {
        Ok(b) => b,
        Err(e) => match load(opt, &old_dir, Report::from(e), "old") {
            Ok(c) => Baseline::full(c),
            Err(code) => return Ok(code),
        },
    };
    let changes = diff_baseline(&old, &new);
    let errors = changes.iter().filter(|c| c.error).count();
    let mut out = std::io::stdout().lock();
    match args.format {
        ValidateFormat::Text => {
            for c in &changes {
                writeln!(out, "{}", text(c))?;
            }
        }
        ValidateFormat::Github => {
            for c in &changes {
                let level = if c.error { "error" } else { "notice" };
                let at = match (&c.file, c.line, c.column) {
                    (Some(f), Some(l), Some(col)) => format!("file={f},line={l},col={col},"),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "::{level} {at}title=evreg diff ({})::{}",
                    c.kind,
                    escape(&text(c))
                )?;
            }
        }
        ValidateFormat::Json => {
            let doc = serde_json::json!({ "changes": changes, "errors": errors });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    eprintln!(
        "{} from `{}` to `{}`; {errors} break{} the rules",
        evreg_core::naming::count(changes.len(), "change", "changes"),
        args.old,
        new_dir.display(),
        if errors == 1 { "s" } else { "" }
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(opt: &Opt, dir: &Path, report: Report, label: &str) -> Result<Catalog, ExitCode> {
    let catalog = super::loaded(opt, dir, report);
    if catalog.is_err() {
        eprintln!("error: the {label} catalog does not load");
    }
    catalog
}

fn text(c: &Change) -> String {
    let level = if c.error { "error" } else { "info" };
    let rule = match (&c.rule, &c.pointer) {
        (Some(r), Some(p)) => format!(" [{r} at `{}`]", if p.is_empty() { "/" } else { p }),
        _ => String::new(),
    };
    let at = match (&c.file, c.line, c.column) {
        (Some(f), Some(l), Some(col)) => format!("{f}:{l}:{col}: "),
        _ => String::new(),
    };
    format!("{at}{level}[{}]: {}{rule}", c.kind, c.message)
}

/// GitHub workflow commands end a message at a newline and read `%`.
fn escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The catalog at `REF[:path]` of the repository holding `new_dir`, written
/// to a scratch folder by `git archive | tar -x`. The folder is new, with a
/// random name, readable by its owner only, and removed when dropped: no file
/// planted beforehand can become part of the old catalog.
fn from_git(spec: &str, new_dir: &Path) -> Result<(PathBuf, tempfile::TempDir), String> {
    let (rev, path) = match spec.split_once(':') {
        Some((rev, path)) => (rev.to_owned(), PathBuf::from(path)),
        None => (spec.to_owned(), PathBuf::new()),
    };
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(new_dir)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let path = if path.as_os_str().is_empty() {
        let here = new_dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", new_dir.display()))?;
        here.strip_prefix(&top)
            .map(Path::to_path_buf)
            .map_err(|_| {
                format!(
                    "{} is not inside the repository {}",
                    new_dir.display(),
                    top.display()
                )
            })?
    } else {
        path
    };
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("`{rev}` is not a commit of {}", top.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix("evreg-diff-")
        .tempdir()
        .map_err(|e| {
            format!(
                "a scratch folder in {}: {e}",
                std::env::temp_dir().display()
            )
        })?;
    let pathspec = if path.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        path.to_string_lossy().into_owned()
    };
    let mut archive = Command::new("git")
        .args(["archive", "--format=tar", &rev, "--", &pathspec])
        .current_dir(&top)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    let tar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(scratch.path())
        .stdin(archive.stdout.take().expect("piped"))
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let archived = archive.wait_with_output().map_err(|e| e.to_string())?;
    if !archived.status.success() {
        return Err(format!(
            "`{pathspec}` at `{rev}`: {}",
            String::from_utf8_lossy(&archived.stderr).trim()
        ));
    }
    if !tar.success() {
        return Err("tar could not unpack the archive".to_owned());
    }
    Ok((scratch.path().join(&path), scratch))
}
