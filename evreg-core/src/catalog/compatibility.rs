//! The compatibility modes of the catalog, enforced between the versions of
//! each event (see [`crate::compat`]): a finding in a direction the event's
//! mode forbids is an `incompatible-change` error at the newer version, with
//! an example payload one side accepts and the other refuses when one of
//! the catalog's examples shows it.

use serde_json::Value;

use super::{Event, Loader, Manifest, PayloadVersion};
use crate::Diagnostic;
use crate::compat::{Direction, violations};
use crate::registry::{PatternCache, compile};

impl Loader {
    pub(crate) fn check_compatibility(&mut self, manifest: &Manifest, events: &[Event]) {
        let patterns = PatternCache::default();
        for event in events {
            let mode = event.compatibility.unwrap_or(manifest.checks.compatibility);
            for (older, newer, f) in violations(event, mode, |_| true) {
                let example = example(older, newer, f.breaks, &patterns);
                let mut d = Diagnostic::error(
                    "incompatible-change",
                    format!(
                        "`{}` is not {} compatible with v{}: {} at `{}`",
                        newer.schema_ref,
                        f.breaks.as_str(),
                        older.version,
                        f.rule,
                        if f.pointer.is_empty() {
                            "/"
                        } else {
                            &f.pointer
                        }
                    ),
                )
                .at(newer.span, "this version")
                .with_note(f.message.clone())
                .with_note(match f.breaks {
                    Direction::Backward => format!(
                        "consumers of v{} cannot read every v{} payload",
                        newer.version, older.version
                    ),
                    Direction::Forward => format!(
                        "consumers of v{} cannot read every v{} payload",
                        older.version, newer.version
                    ),
                });
                if let Some((payload, accepted, refused)) = example {
                    d = d.with_note(format!(
                        "for example, v{accepted} accepts and v{refused} refuses {payload}"
                    ));
                }
                let otherwise = format!(
                    "make the change a new event type (and deprecate this one), or relax the \
                     event's mode: compatibility = \"none\" (the catalog's is `{}`)",
                    manifest.checks.compatibility.as_str()
                );
                self.diags.push(d.with_help(match f.remedy() {
                    Some(remedy) => format!("{remedy}; or {otherwise}"),
                    None => otherwise,
                }));
            }
        }
    }
}

/// An example of the accepting version that the other refuses: (payload,
/// accepting version, refusing version).
fn example(
    older: &PayloadVersion,
    newer: &PayloadVersion,
    breaks: Direction,
    patterns: &PatternCache,
) -> Option<(String, u32, u32)> {
    let (accepting, refusing) = match breaks {
        Direction::Backward => (older, newer),
        Direction::Forward => (newer, older),
    };
    let validator = compile(&refusing.schema, patterns).ok()?;
    accepting
        .examples
        .iter()
        .map(|e| &e.payload)
        .find(|p: &&Value| !validator.is_valid(p))
        .map(|p| (p.to_string(), accepting.version, refusing.version))
}
