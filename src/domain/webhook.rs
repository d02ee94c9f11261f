//! Webhooks (Standard Webhooks): the signature, the retry schedule and which addresses a delivery
//! may go to. Pure: the caller brings the clock, the randomness and the resolved addresses.

// Address values only (`core::net` has no sockets).
use core::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::event::EventType;

/// How long a delivery is retried before the subscription is disabled.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);

/// A subscription as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub insurer: String,
    pub url: String,
    /// Empty: every type.
    pub types: Vec<EventType>,
    pub secret: String,
    pub active: bool,
    pub last_sequence: i64,
    pub disabled_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    /// Given up after [`GIVE_UP_AFTER`]; the subscription was disabled.
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One delivery with its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub sequence: i64,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` keyed
/// with the secret's UTF-8 bytes.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine as _;
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes a key of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// The wait before attempt `attempts + 1`: `base` doubled for each failed attempt, within a
/// quarter either way by `jitter` (any number: it is reduced here), at most six hours.
pub fn retry_delay(base_seconds: u64, attempts: u32, jitter: u64) -> Duration {
    let doubled = base_seconds
        .saturating_mul(1u64 << attempts.saturating_sub(1).min(20))
        .min(6 * 3_600);
    let millis = doubled.saturating_mul(1_000);
    let spread = millis / 2;
    let jittered = millis - millis / 4 + if spread == 0 { 0 } else { jitter % (spread + 1) };
    Duration::milliseconds(i64::try_from(jittered).unwrap_or(i64::MAX))
}

/// Whether an address is one a webhook may be sent to without the allow-list: not loopback,
/// private, link-local, shared (CGNAT), unspecified, multicast or broadcast, in IPv4 or IPv6
/// (IPv4-mapped addresses are judged as IPv4).
pub fn public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_standard_webhooks() {
        // The example of the Standard Webhooks specification's reference libraries, with the
        // secret taken as its UTF-8 bytes.
        let sig = signature("secret", "msg_1", 1_614_265_330, br#"{"test": 2432232314}"#);
        assert!(sig.starts_with("v1,"));
        assert_eq!(
            sig,
            signature("secret", "msg_1", 1_614_265_330, br#"{"test": 2432232314}"#)
        );
        assert_ne!(
            sig,
            signature("secreT", "msg_1", 1_614_265_330, br#"{"test": 2432232314}"#)
        );
        assert_ne!(
            sig,
            signature("secret", "msg_1", 1_614_265_331, br#"{"test": 2432232314}"#)
        );
    }

    #[test]
    fn retries_double_within_a_quarter_and_stop_growing() {
        for (attempts, base_ms) in [(1, 30_000), (2, 60_000), (3, 120_000)] {
            for jitter in [0, 7, u64::MAX] {
                let d = retry_delay(30, attempts, jitter).num_milliseconds();
                assert!(d >= base_ms * 3 / 4 && d <= base_ms * 5 / 4, "{attempts} {jitter} {d}");
            }
        }
        assert!(retry_delay(30, 40, 0) <= Duration::hours(8));
        assert_eq!(retry_delay(0, 3, 99), Duration::zero());
    }

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!public_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "203.0.114.1", "2606:4700::1111"] {
            assert!(public_address(ip.parse().unwrap()), "{ip}");
        }
    }
}
