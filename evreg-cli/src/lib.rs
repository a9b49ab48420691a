//! # evreg-cli
//!
//! The `evreg` program: `init`, `new`, `import`, `check`, `generate`, `migrate`, `lock`, `diff`,
//! `list`, `show`, `simulate`, `validate` and `events` (the bus's audit
//! trail, deliveries, `tail` and `relay`). docs/cli.md documents every
//! option and the exit codes.
//!
//! The library holds what the program needs beyond `evreg-codegen`: live
//! databases ([`db`]) and synthetic payloads ([`simulate`]); [`run`] is the
//! program itself.

mod cmd;
pub mod db;
mod opt;
pub mod serve;
pub mod simulate;
pub mod site;

use std::process::ExitCode;

use clap::Parser;

/// Runs `evreg` with the process's arguments. Exit codes: 0 ok, 1 problems
/// found, 2 usage or I/O error.
pub fn run() -> ExitCode {
    run_from(std::env::args_os())
}

/// Runs `evreg` with `args` (the program's name first), in this process:
/// what the fuzz targets of `evreg-fuzz` call. Reports go to standard output
/// and standard error as the program's do; invalid arguments print clap's
/// message and exit the process, as the program does.
pub fn run_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let opt = opt::Opt::parse_from(args);
    let result = match &opt.command {
        opt::Command::Init(args) => cmd::init::run(&opt, args),
        opt::Command::New(command) => cmd::new::run(&opt, command),
        opt::Command::Import(command) => cmd::import::run(&opt, command),
        opt::Command::Check(args) => cmd::check::run(&opt, args),
        opt::Command::Generate(args) => cmd::generate::run(&opt, args),
        opt::Command::Export(command) => cmd::export::run(&opt, command),
        opt::Command::Serve(args) => cmd::serve::run(&opt, args),
        opt::Command::Docs(args) => cmd::docs::run(&opt, args),
        opt::Command::Migrate(args) => cmd::migrate::run(&opt, args),
        opt::Command::Lock(args) => cmd::lock::run(&opt, args),
        opt::Command::Diff(args) => cmd::diff::run(&opt, args),
        opt::Command::List(args) => cmd::list::run(&opt, args),
        opt::Command::Show(args) => cmd::show::run(&opt, args),
        opt::Command::Simulate(args) => cmd::simulate::run(&opt, args),
        opt::Command::Validate(args) => cmd::validate::run(&opt, args),
        opt::Command::Events(args) => cmd::events::run(&opt, args),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`evreg list | head`) is the reader's choice, not a failure.
        Err(cmd::CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(cmd::CliError::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(cmd::CliError::Usage(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
