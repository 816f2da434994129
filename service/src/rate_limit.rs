//! Per-client rate limits on the writes anyone may send (a presentation request, a registry
//! transaction, an OpenID4VCI nonce): each client address gets `per_minute` writes a minute,
//! with bursts up to that many, and is answered `429 Too Many Requests` with `Retry-After`
//! past it. An IPv6 client is limited by its /64, since one host is given a whole /64.
//!
//! The limiter is `governor`'s keyed GCRA: one small state per client and no timer; the
//! states of clients that have gone quiet are dropped when too many are tracked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// Client states tracked before the quiet ones are dropped.
const MAX_TRACKED_CLIENTS: usize = 10_000;

type Limiter<C> =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// A per-client limit on writes; `None` inside means unlimited (`per_minute = 0`).
#[derive(Debug)]
pub struct RateLimit<C: Clock = DefaultClock> {
    limiter: Option<Limiter<C>>,
    clock: C,
}

impl RateLimit {
    /// `per_minute` writes a minute per client; 0 turns the limit off.
    pub fn per_minute(per_minute: u32) -> Arc<Self> {
        Arc::new(RateLimit::with_clock(per_minute, DefaultClock::default()))
    }
}

impl<C: Clock + Clone> RateLimit<C> {
    /// The same on a given clock (tests move a fake one).
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|n| {
            RateLimiter::new(
                Quota::per_minute(n),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            )
        });
        RateLimit { limiter, clock }
    }

    /// Counts one write by `client`: `Err(wait)` when it is over its limit.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() > MAX_TRACKED_CLIENTS {
            limiter.retain_recent();
        }
        limiter
            .check_key(&client_key(client))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// The key a client is limited under: its address, or its /64 for IPv6.
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
        v4 => v4,
    }
}

/// Axum middleware: `post(handler).layer(from_fn_with_state(limit, rate_limit::enforce))`.
/// A request without a peer address (an in-process test) counts as one unknown client.
pub async fn enforce(State(limit): State<Arc<RateLimit>>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(peer)| peer.ip());
    match limit.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait),
    }
}

/// `429` with the seconds to wait, whole and at least one.
fn too_many_requests(wait: Duration) -> Response {
    let seconds = wait
        .as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
        .max(1);
    let body = axum::Json(serde_json::json!({
        "error": "too_many_requests",
        "error_description": format!("too many requests from this address; try again in {seconds} s"),
    }));
    let mut response = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_client_past_its_limit_waits_while_others_go_on() {
        let clock = FakeRelativeClock::default();
        let limit = RateLimit::with_clock(3, clock.clone());
        for _ in 0..3 {
            assert_eq!(limit.check(ip("10.0.0.1")), Ok(()));
        }
        let wait = limit.check(ip("10.0.0.1")).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(
            limit.check(ip("10.0.0.2")),
            Ok(()),
            "another client is not affected"
        );
        clock.advance(Duration::from_secs(20));
        assert_eq!(
            limit.check(ip("10.0.0.1")),
            Ok(()),
            "a third of a minute frees one write"
        );
    }

    #[test]
    fn one_ipv6_host_cannot_escape_by_changing_its_interface_id() {
        let limit = RateLimit::with_clock(2, FakeRelativeClock::default());
        assert_eq!(limit.check(ip("2001:db8:1:2::1")), Ok(()));
        assert_eq!(limit.check(ip("2001:db8:1:2::ffff")), Ok(()));
        assert!(limit.check(ip("2001:db8:1:2:abcd::9")).is_err());
        assert_eq!(limit.check(ip("2001:db8:1:3::1")), Ok(()), "another /64");
        assert_eq!(client_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }

    #[test]
    fn zero_means_unlimited() {
        let limit = RateLimit::with_clock(0, FakeRelativeClock::default());
        for _ in 0..1_000 {
            assert_eq!(limit.check(ip("10.0.0.1")), Ok(()));
        }
    }

    #[test]
    fn the_answer_says_how_long_to_wait() {
        let response = too_many_requests(Duration::from_millis(2_500));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }
}
