//! Where the stream lives and how it is shaped: [`NatsConfig`], from code or
//! the environment, and the check of what exists on the server against it.

use std::time::Duration;

use async_nats::jetstream::stream;

use crate::error::BusError;

/// How long the stream keeps events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Until the stream's limits (age) are reached: replayable by any
    /// consumer, including ones created later. The default.
    Limits,
    /// Until every consumer that existed when it was published acknowledged
    /// it.
    Interest,
}

impl Retention {
    fn policy(self) -> stream::RetentionPolicy {
        match self {
            Retention::Limits => stream::RetentionPolicy::Limits,
            Retention::Interest => stream::RetentionPolicy::Interest,
        }
    }
}

/// Where the stream lives and how it is shaped. [`NatsConfig::from_env`]
/// reads the same from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct NatsConfig {
    /// The server(s), `nats://127.0.0.1:4222` (comma-separated for a
    /// cluster).
    pub url: String,
    /// The stream's name (`EVREG_EVENTS`).
    pub stream: String,
    /// The first subject token (`evreg`).
    pub subject_prefix: String,
    /// Copies of the stream in a cluster (1 on a single server).
    pub replicas: usize,
    /// How long events are kept.
    pub retention: Retention,
    /// The longest an event is kept (zero: no limit).
    pub max_age: Duration,
    /// How long the server remembers a `Nats-Msg-Id` to drop repeats.
    pub duplicate_window: Duration,
    /// Publishes awaiting the server's acknowledgement at once; a publisher
    /// past it waits.
    pub ack_window: usize,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".into(),
            stream: "EVREG_EVENTS".into(),
            subject_prefix: "evreg".into(),
            replicas: 1,
            retention: Retention::Limits,
            max_age: Duration::ZERO,
            duplicate_window: Duration::from_secs(120),
            ack_window: 4096,
        }
    }
}

impl NatsConfig {
    /// The defaults, overridden by `EVREG_NATS_URL`, `EVREG_NATS_STREAM`,
    /// `EVREG_NATS_PREFIX`, `EVREG_NATS_REPLICAS`, `EVREG_NATS_RETENTION`
    /// (`limits` or `interest`), `EVREG_NATS_MAX_AGE` and
    /// `EVREG_NATS_DUPLICATE_WINDOW` (durations such as `7d`, `2m`).
    pub fn from_env() -> Result<NatsConfig, BusError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    pub(super) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<NatsConfig, BusError> {
        let mut c = NatsConfig::default();
        let bad = |name: &str, value: &str, why: &str| {
            BusError::Transport(format!("{name}=`{value}`: {why}"))
        };
        let duration = |name: &str, value: &str| {
            humantime::parse_duration(value).map_err(|e| bad(name, value, &e.to_string()))
        };
        if let Some(v) = var("EVREG_NATS_URL") {
            c.url = v;
        }
        if let Some(v) = var("EVREG_NATS_STREAM") {
            c.stream = v;
        }
        if let Some(v) = var("EVREG_NATS_PREFIX") {
            c.subject_prefix = v;
        }
        if let Some(v) = var("EVREG_NATS_REPLICAS") {
            c.replicas = v
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| bad("EVREG_NATS_REPLICAS", &v, "expected 1 to 5"))?;
        }
        if let Some(v) = var("EVREG_NATS_RETENTION") {
            c.retention = match v.as_str() {
                "limits" => Retention::Limits,
                "interest" => Retention::Interest,
                _ => {
                    return Err(bad(
                        "EVREG_NATS_RETENTION",
                        &v,
                        "expected `limits` or `interest`",
                    ));
                }
            };
        }
        if let Some(v) = var("EVREG_NATS_MAX_AGE") {
            c.max_age = duration("EVREG_NATS_MAX_AGE", &v)?;
        }
        if let Some(v) = var("EVREG_NATS_DUPLICATE_WINDOW") {
            c.duplicate_window = duration("EVREG_NATS_DUPLICATE_WINDOW", &v)?;
        }
        c.check()?;
        Ok(c)
    }

    pub(super) fn check(&self) -> Result<(), BusError> {
        if self.stream.is_empty()
            || self
                .stream
                .chars()
                .any(|c| matches!(c, '.' | '*' | '>' | '/' | '\\') || c.is_whitespace())
        {
            return Err(BusError::Transport(format!(
                "stream name `{}` must be non-empty, without `.`, `*`, `>`, slashes or spaces",
                self.stream
            )));
        }
        if self.subject_prefix.is_empty()
            || self
                .subject_prefix
                .split('.')
                .any(|t| t.is_empty() || t.contains(['*', '>']) || t.contains(char::is_whitespace))
        {
            return Err(BusError::Transport(format!(
                "subject prefix `{}` must be non-empty tokens separated by `.`, without wildcards or spaces",
                self.subject_prefix
            )));
        }
        Ok(())
    }

    /// Every subject of the stream: `<prefix>.>`.
    pub fn subjects(&self) -> String {
        format!("{}.>", self.subject_prefix)
    }

    pub(super) fn stream_config(&self) -> stream::Config {
        stream::Config {
            name: self.stream.clone(),
            subjects: vec![self.subjects()],
            retention: self.retention.policy(),
            storage: stream::StorageType::File,
            num_replicas: self.replicas,
            max_age: self.max_age,
            duplicate_window: self.duplicate_window,
            // Reading dead letters by subject.
            allow_direct: true,
            ..Default::default()
        }
    }
}

/// The settings of a stream or consumer on the server that differ from the
/// configuration.
#[derive(Default)]
pub(super) struct Differences(Vec<String>);

impl Differences {
    pub(super) fn check(
        mut self,
        what: &str,
        wanted: impl std::fmt::Debug,
        actual: impl std::fmt::Debug,
    ) -> Self {
        let (wanted, actual) = (format!("{wanted:?}"), format!("{actual:?}"));
        if wanted != actual {
            self.0
                .push(format!("{what}: wanted {wanted}, found {actual}"));
        }
        self
    }

    /// An error naming `what` and every difference, if there is one.
    pub(super) fn into_result(self, what: &str) -> Result<(), BusError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(BusError::Transport(format!(
            "{what} exists with another configuration ({}); change one side on purpose, evreg does not reconfigure it",
            self.0.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_from_the_environment() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            NatsConfig::from_vars(vars(&[])).unwrap(),
            NatsConfig::default()
        );
        let c = NatsConfig::from_vars(vars(&[
            ("EVREG_NATS_URL", "nats://n1:4222,nats://n2:4222"),
            ("EVREG_NATS_STREAM", "ACME"),
            ("EVREG_NATS_PREFIX", "acme.events"),
            ("EVREG_NATS_REPLICAS", "3"),
            ("EVREG_NATS_RETENTION", "interest"),
            ("EVREG_NATS_MAX_AGE", "7d"),
            ("EVREG_NATS_DUPLICATE_WINDOW", "10m"),
        ]))
        .unwrap();
        assert_eq!(c.stream, "ACME");
        assert_eq!(c.subjects(), "acme.events.>");
        assert_eq!(c.replicas, 3);
        assert_eq!(c.retention, Retention::Interest);
        assert_eq!(c.max_age, Duration::from_secs(7 * 86_400));
        assert_eq!(c.duplicate_window, Duration::from_secs(600));
        for (name, value, says) in [
            ("EVREG_NATS_REPLICAS", "0", "expected 1 to 5"),
            (
                "EVREG_NATS_RETENTION",
                "forever",
                "expected `limits` or `interest`",
            ),
            ("EVREG_NATS_MAX_AGE", "soon", "EVREG_NATS_MAX_AGE=`soon`"),
            ("EVREG_NATS_STREAM", "a.b", "stream name `a.b`"),
            ("EVREG_NATS_PREFIX", "a.*", "subject prefix `a.*`"),
        ] {
            let err = NatsConfig::from_vars(|n| (n == name).then(|| value.to_string()))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{name}={value}: {err}");
        }
    }
}
