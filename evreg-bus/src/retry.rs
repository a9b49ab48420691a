//! When a failed delivery is tried again: exponential backoff with jitter,
//! up to a number of attempts, then the delivery is dead-lettered.

use std::time::Duration;

/// How a consumer's failed deliveries are retried.
///
/// Attempt `n` (1-based) that fails is tried again after
/// `initial × multiplier^(n-1)`, capped at `max_delay`, with "equal jitter"
/// (a random point in the upper half of that delay) so that consumers failing
/// together do not retry together. After `max_attempts` failed attempts the
/// delivery is dead-lettered.
///
/// ```
/// use std::time::Duration;
/// use evreg_bus::RetryPolicy;
///
/// let p = RetryPolicy::new(5).initial(Duration::from_millis(100)).jitter(false);
/// assert_eq!(p.delay_after(1, 0.0), Some(Duration::from_millis(100)));
/// assert_eq!(p.delay_after(3, 0.0), Some(Duration::from_millis(400)));
/// assert_eq!(p.delay_after(5, 0.0), None); // the fifth failure is the last
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial: Duration,
    multiplier: f64,
    max_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 8 attempts, from 1 s doubling up to 5 minutes, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The default backoff with `max_attempts` attempts in all (at least 1).
    pub fn new(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            ..RetryPolicy::default()
        }
    }

    /// Retries at once, `max_attempts` attempts in all: for tests and for
    /// failures known to be transient.
    pub fn immediate(max_attempts: u32) -> Self {
        RetryPolicy::new(max_attempts)
            .initial(Duration::ZERO)
            .jitter(false)
    }

    /// The delay after the first failure.
    pub fn initial(mut self, delay: Duration) -> Self {
        self.initial = delay;
        self
    }

    /// The factor between consecutive delays (at least 1).
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.multiplier = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The longest delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether delays are randomized (on by default).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The number of attempts before a delivery is dead-lettered.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait after failed attempt `attempt` (1-based), or `None`
    /// when it was the last one. `random` in `[0, 1)` picks the jitter.
    pub fn delay_after(&self, attempt: u32, random: f64) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let full = self.initial.as_secs_f64() * exp;
        let full = full.min(self.max_delay.as_secs_f64());
        let secs = if self.jitter {
            full / 2.0 + full / 2.0 * random.clamp(0.0, 1.0)
        } else {
            full
        };
        Some(Duration::from_secs_f64(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let p = RetryPolicy::new(10)
            .initial(Duration::from_secs(1))
            .max_delay(Duration::from_secs(10))
            .jitter(false);
        let d: Vec<u64> = (1..10)
            .map(|n| p.delay_after(n, 0.5).unwrap().as_secs())
            .collect();
        assert_eq!(d, [1, 2, 4, 8, 10, 10, 10, 10, 10]);
        assert_eq!(p.delay_after(10, 0.5), None);
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let p = RetryPolicy::new(3).initial(Duration::from_secs(8));
        assert_eq!(p.delay_after(1, 0.0), Some(Duration::from_secs(4)));
        assert_eq!(p.delay_after(1, 1.0), Some(Duration::from_secs(8)));
        assert_eq!(p.delay_after(2, 0.5), Some(Duration::from_secs(12)));
    }

    #[test]
    fn one_attempt_never_retries() {
        assert_eq!(RetryPolicy::new(0).delay_after(1, 0.0), None);
        assert_eq!(
            RetryPolicy::immediate(2).delay_after(1, 0.9),
            Some(Duration::ZERO)
        );
    }
}
