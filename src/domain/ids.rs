//! Identities: the insurer number (保険者番号) that names a tenant, parsed once at the edge, and
//! who acts (for the audit trail). Resource ids stay server-made UUID strings on the wire.

use std::fmt;

/// 保険者番号: 6 digits (国保) or 8 digits (被用者保険: 協会けんぽ and the others).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InsurerNumber(String);

impl InsurerNumber {
    /// The number, or `None` when it is not 6 or 8 ASCII digits.
    pub fn parse(s: &str) -> Option<Self> {
        ((s.len() == 6 || s.len() == 8) && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who acts, for the audit trail: the tenant, the token's `sub` and the request id.
#[derive(Debug, Clone)]
pub struct Actor {
    pub insurer: String,
    pub sub: String,
    pub request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insurer_numbers_are_six_or_eight_digits() {
        assert_eq!(InsurerNumber::parse("132001").unwrap().as_str(), "132001");
        assert_eq!(InsurerNumber::parse("01130012").unwrap().to_string(), "01130012");
        for bad in ["1320011", "13200a", "", "１３２００１", "13200"] {
            assert!(InsurerNumber::parse(bad).is_none(), "{bad}");
        }
    }
}
