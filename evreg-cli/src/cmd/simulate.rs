//! `evreg simulate`: synthetic payloads as NDJSON envelopes, for
//! `evreg validate -` and for the simulators of workflow products.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use crate::simulate::Simulator;
use evreg_core::{Event, PayloadVersion};
use serde_json::{Value, json};

use crate::opt::{Opt, SimulateArgs};

pub fn run(opt: &Opt, args: &SimulateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(None)?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let versions: Vec<(&Event, &PayloadVersion)> = match &args.event {
        None => catalog
            .versions()
            .filter(|(e, _)| e.status == evreg_core::Status::Active)
            .collect(),
        Some(name) => {
            let found = catalog
                .version_by_ref(name)
                .filter(|_| args.version.is_none())
                .or_else(|| {
                    let event = catalog.event(name)?;
                    let version = match args.version {
                        Some(n) => event.version(n)?,
                        None => event.latest()?,
                    };
                    Some((event, version))
                });
            match found {
                Some(v) => vec![v],
                None => {
                    let mut names: Vec<&str> = catalog
                        .events()
                        .iter()
                        .map(|e| e.event_type.as_str())
                        .collect();
                    names.extend(catalog.versions().map(|(_, v)| v.schema_ref.as_str()));
                    let what = match args.version {
                        Some(n) => format!("{name} v{n}"),
                        None => name.clone(),
                    };
                    let hint = evreg_core::naming::did_you_mean(name, names)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    eprintln!(
                        "error: no event or schema `{what}` in `{}`{hint}",
                        dir.display()
                    );
                    return Ok(ExitCode::from(1));
                }
            }
        }
    };
    let mut sim = Simulator::new(&catalog, args.seed);
    if let Some(t) = &args.tenant {
        sim.tenant(t.clone());
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    for (event, version) in versions {
        let envelope = |payload: Value| json!({ "type": event.event_type, "version": version.version, "payload": payload });
        if args.invalid {
            let mut written = 0;
            while written < args.count {
                let breaks = match sim.invalid(version, args.count - written) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                        break;
                    }
                };
                if breaks.is_empty() {
                    eprintln!(
                        "warning: no rule of {} that simulate knows how to break",
                        version.schema_ref
                    );
                    break;
                }
                for b in breaks.into_iter().take(args.count - written) {
                    let mut line = envelope(b.payload);
                    line["invalid"] =
                        json!({ "keyword": b.keyword, "pointer": b.pointer, "reason": b.reason });
                    serde_json::to_writer(&mut out, &line)?;
                    out.write_all(b"\n")?;
                    written += 1;
                }
            }
        } else {
            for _ in 0..args.count {
                match sim.valid(version) {
                    Ok(payload) => {
                        serde_json::to_writer(&mut out, &envelope(payload))?;
                        out.write_all(b"\n")?;
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                        break;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
