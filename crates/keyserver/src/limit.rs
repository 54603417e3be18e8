//! Per-client rate limits: a token bucket per client IP, refilled at a steady rate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Most clients tracked; beyond it, buckets that are full again are forgotten.
const MAX_CLIENTS: usize = 100_000;

/// Token buckets by client IP.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_second` requests a second per client, `burst` at once; `per_second == 0` means no
    /// limit.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_second),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client` at `now`; `false` when the client is over its rate.
    pub fn allow(&self, client: IpAddr, now: Instant) -> bool {
        if self.per_second == 0.0 {
            return true;
        }
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        let refill = now.saturating_duration_since(*at).as_secs_f64() * self.per_second;
        *tokens = (*tokens + refill).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_its_rate() {
        let limiter = RateLimiter::new(10, 3);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.allow(a, t0)));
        assert!(!limiter.allow(a, t0));
        // Another client is not affected.
        assert!(limiter.allow(b, t0));
        // 100 ms later one more token has come.
        let t1 = t0 + Duration::from_millis(100);
        assert!(limiter.allow(a, t1));
        assert!(!limiter.allow(a, t1));
        // Refills stop at the burst.
        let t2 = t1 + Duration::from_secs(60);
        assert!((0..3).all(|_| limiter.allow(a, t2)));
        assert!(!limiter.allow(a, t2));
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0, 0);
        let a: IpAddr = "::1".parse().unwrap();
        let t = Instant::now();
        assert!((0..10_000).all(|_| limiter.allow(a, t)));
    }
}
