//! [`Timestamp`]: the one time type of the bus's API, at the bottom of the
//! crate with the error type.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time as the bus keeps it: whole microseconds since the Unix
/// epoch, the precision of its tables (SQLite and PostgreSQL) and of its
/// event ids. Every time in the store API is one; it converts from and to
/// [`SystemTime`] (a `SystemTime` loses its nanoseconds).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// Now, by the system clock.
    pub fn now() -> Timestamp {
        Timestamp::from(SystemTime::now())
    }

    /// `micros` microseconds after the Unix epoch (before it when negative).
    pub const fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// Microseconds since the Unix epoch: the value the tables hold.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// `self + d`, at most the latest time there is.
    pub fn saturating_add(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
        )
    }

    /// `self - d`, at least the earliest time there is.
    pub fn saturating_sub(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_sub(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
        )
    }

    /// How long after `earlier` this is (zero when it is not after).
    pub fn duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_micros(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Timestamp {
        Timestamp(match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
        })
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> SystemTime {
        if t.0 >= 0 {
            UNIX_EPOCH + Duration::from_micros(t.0.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_micros(t.0.unsigned_abs())
        }
    }
}

/// The microseconds since the epoch, as the tables hold them.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_system_time_to_the_microsecond() {
        for micros in [0, 1, -1, 1_764_000_000_123_456, -86_400_000_000] {
            let t = Timestamp::from_micros(micros);
            assert_eq!(Timestamp::from(SystemTime::from(t)), t);
        }
        let now = SystemTime::now();
        let t = Timestamp::from(now);
        let back = SystemTime::from(t);
        assert!(back <= now && now.duration_since(back).unwrap() < Duration::from_micros(1));
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_micros(10);
        assert_eq!(t.saturating_add(Duration::from_micros(5)).as_micros(), 15);
        assert_eq!(t.saturating_sub(Duration::from_micros(15)).as_micros(), -5);
        assert_eq!(
            Timestamp::from_micros(i64::MAX).saturating_add(Duration::MAX),
            Timestamp::from_micros(i64::MAX)
        );
        assert_eq!(
            t.duration_since(Timestamp::from_micros(4)),
            Duration::from_micros(6)
        );
        assert_eq!(t.duration_since(Timestamp::from_micros(40)), Duration::ZERO);
    }
}
