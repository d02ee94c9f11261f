//! Money: `Yen`, a whole number of yen held as `rust_decimal::Decimal`. Rates and intermediate
//! terms are `Decimal`; the only ways back to `Yen` are the named rounding functions below, each
//! citing the rule it implements. No floats.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// An amount of yen, always whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Yen(Decimal);

/// A decimal that is not a whole number of yen was offered where one is required.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a whole number of yen")]
pub struct FractionalYen;

impl Yen {
    pub const ZERO: Yen = Yen(Decimal::ZERO);

    /// From a whole number of yen (what the wire and the store carry).
    pub fn new(yen: i64) -> Self {
        Self(Decimal::from(yen))
    }

    /// From a decimal that must already be whole; refuses to lose precision.
    pub fn from_whole(d: Decimal) -> Result<Self, FractionalYen> {
        if d.fract().is_zero() {
            Ok(Self(d.normalize()))
        } else {
            Err(FractionalYen)
        }
    }

    /// Rounds half up to the yen (1円未満四捨五入): the rounding of the 1% term of
    /// 高額療養費 (健康保険法施行令42条, kogaku R2) and of every other yen result that names
    /// "half up".
    pub fn round_half_up(d: Decimal) -> Self {
        Self(d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
    }

    /// Truncates to a multiple of `unit` yen (切り捨て), e.g. the 1,000-yen base and 100-yen
    /// result of 延滞金 (健康保険法181条, receivables section 5).
    pub fn truncate_to(d: Decimal, unit: i64) -> Self {
        let unit = Decimal::from(unit);
        Self(((d / unit).trunc() * unit).normalize())
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Whole yen as an integer for the store and the wire. Amounts beyond i64 do not occur in
    /// this domain; they saturate rather than panic.
    pub fn as_i64(self) -> i64 {
        self.0
            .trunc()
            .to_i64()
            .unwrap_or(if self.0.is_sign_negative() { i64::MIN } else { i64::MAX })
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn max(self, other: Self) -> Self {
        if self >= other { self } else { other }
    }

    pub fn min(self, other: Self) -> Self {
        if self <= other { self } else { other }
    }

    /// `self - other`, floored at zero.
    pub fn saturating_sub(self, other: Self) -> Self {
        if self > other { self - other } else { Self::ZERO }
    }
}

/// The largest amount one claim (or one month's outpatient copayment) may carry: 99,999,999,999
/// yen, far above any real レセプト. It keeps every sum of a household's month or year exact in
/// 64 bits, so that no figure is ever clamped into a wrong answer.
pub const MAX_AMOUNT: i64 = 99_999_999_999;

/// The message of an amount above [`MAX_AMOUNT`].
pub const ABOVE_MAX: &str = "must not be above 99999999999 yen";

impl Add for Yen {
    type Output = Yen;
    fn add(self, rhs: Yen) -> Yen {
        Yen(self.0 + rhs.0)
    }
}

impl AddAssign for Yen {
    fn add_assign(&mut self, rhs: Yen) {
        self.0 += rhs.0;
    }
}

impl Sub for Yen {
    type Output = Yen;
    fn sub(self, rhs: Yen) -> Yen {
        Yen(self.0 - rhs.0)
    }
}

impl Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        iter.fold(Yen::ZERO, Add::add)
    }
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

/// `part / whole` in percent, rounded by [`round_percent`]; `None` when `whole` is not above zero.
pub fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    percent_dp(part, whole, 2)
}

/// `part / whole` in percent with `dp` decimals, half up; `None` when `whole` is not above zero.
/// Seed 004's application figures print one decimal (95.3%, 22.2%); everything else two.
pub fn percent_dp(part: Decimal, whole: Decimal, dp: u32) -> Option<Decimal> {
    if whole <= Decimal::ZERO {
        return None;
    }
    let ratio = part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)?;
    Some(round_percent_dp(ratio, dp))
}

/// The one rounding of a rate in percent: two decimals, half up (四捨五入), always written with
/// two decimals (`50.00`), as API.md "Statistics" requires and SEED-A prints (76.07%, 27.83%).
pub fn round_percent(percent: Decimal) -> Decimal {
    round_percent_dp(percent, 2)
}

fn round_percent_dp(percent: Decimal, dp: u32) -> Decimal {
    let mut r = percent.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_two_decimals() {
        // Seed 000, FY2017 current-year refunds: 37,902,197 / 49,826,384.
        let p = |a: i64, b: i64| percent(Decimal::from(a), Decimal::from(b));
        assert_eq!(p(37_902_197, 49_826_384), Some(Decimal::new(7607, 2)));
        assert_eq!(p(13_116_401, 47_122_720), Some(Decimal::new(2783, 2)));
        assert_eq!(p(1, 8), Some(Decimal::new(1250, 2)));
        assert_eq!(p(1, 800), Some(Decimal::new(13, 2)), "0.125 rounds up");
        assert_eq!(p(1, 0), None);
        assert_eq!(p(1, 2).map(|r| r.to_string()).as_deref(), Some("50.00"));
    }
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn whole_yen_round_trip() {
        assert_eq!(Yen::new(80_100).as_i64(), 80_100);
        assert_eq!(Yen::new(-5).as_i64(), -5);
        assert_eq!(Yen::from_whole(dec("120.00")).unwrap().as_i64(), 120);
        assert!(Yen::from_whole(dec("120.5")).is_err());
    }

    #[test]
    fn half_up_rounding() {
        assert_eq!(Yen::round_half_up(dec("4299.5")).as_i64(), 4300);
        assert_eq!(Yen::round_half_up(dec("4299.49")).as_i64(), 4299);
        assert_eq!(Yen::round_half_up(dec("0.5")).as_i64(), 1);
    }

    #[test]
    fn truncation_to_units() {
        assert_eq!(Yen::truncate_to(dec("123456"), 1000).as_i64(), 123_000);
        assert_eq!(Yen::truncate_to(dec("2345.99"), 100).as_i64(), 2_300);
    }

    #[test]
    fn saturating_and_ordering() {
        assert_eq!(Yen::new(100).saturating_sub(Yen::new(300)), Yen::ZERO);
        assert_eq!(Yen::new(300).saturating_sub(Yen::new(100)).as_i64(), 200);
        assert_eq!([Yen::new(1), Yen::new(2)].into_iter().sum::<Yen>().as_i64(), 3);
    }
}
