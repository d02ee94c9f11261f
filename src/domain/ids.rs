//! Identities: the insurer number (保険者番号) that names a tenant, the ids of resources, and who
//! acts (for the audit trail). Each is parsed once at the edge; on the wire an id stays the
//! server-made UUID string it always was, and a string that cannot be one names no resource.

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

/// A resource id: a UUID this server made (v7, so that id order is creation order).
pub trait Id: Sized {
    /// The id, or `None` when `s` cannot be one.
    fn parse(s: &str) -> Option<Self>;
    fn as_str(&self) -> &str;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl Id for $name {
            fn parse(s: &str) -> Option<Self> {
                uuid::Uuid::try_parse(s).ok().map(|_| Self(s.to_string()))
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

ids! {
    /// A household (世帯).
    HouseholdId;
    /// An insured member (被保険者).
    MemberId;
    /// A claim (レセプト).
    ClaimId;
    /// A benefit determination (高額療養費の支給決定).
    DeterminationId;
    /// A benefit run of a month.
    BenefitRunId;
    /// A payment run of a month.
    PaymentRunId;
    /// A payment of a determination.
    PaymentId;
    /// A registration for automatic payment.
    RegistrationId;
    /// An application for the benefit (支給申請).
    ApplicationId;
    /// A receivable (債権).
    ReceivableId;
    /// A payment order (支払督促) of a receivable.
    LegalActionId;
    /// A 保険者間調整 request.
    AdjustmentRequestId;
    /// A certificate recovery case.
    CardRecoveryId;
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
    fn an_id_is_a_uuid_and_nothing_else() {
        let id = "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506";
        assert_eq!(
            HouseholdId::parse(id).map(HouseholdId::into_string).as_deref(),
            Some(id)
        );
        for bad in [
            "",
            "abc",
            "0192f3a4-5b6c-7d8e-9fa0",
            "../households",
            "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f50g",
        ] {
            assert!(HouseholdId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn insurer_numbers_are_six_or_eight_digits() {
        assert_eq!(InsurerNumber::parse("132001").unwrap().as_str(), "132001");
        assert_eq!(InsurerNumber::parse("01130012").unwrap().to_string(), "01130012");
        for bad in ["1320011", "13200a", "", "１３２００１", "13200"] {
            assert!(InsurerNumber::parse(bad).is_none(), "{bad}");
        }
    }
}
