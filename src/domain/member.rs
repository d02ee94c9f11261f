//! Insured members (被保険者): the insured number (記号・番号・枝番), kana names and the
//! eligibility dates (資格取得日 / 資格喪失日).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Violations;

/// 記号・番号・枝番, unique per insurer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuredNumber {
    /// 記号: 1 to 20 characters, no spaces or `|`.
    pub symbol: String,
    /// 番号: 1 to 10 ASCII digits.
    pub number: String,
    /// 枝番: exactly 2 ASCII digits.
    pub branch: String,
}

impl InsuredNumber {
    /// Checks the three parts; field names in the violations are `symbol`, `number`, `branch`.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut v = Violations::new();
        let n = self.symbol.chars().count();
        if n == 0
            || n > 20
            || self
                .symbol
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '|')
        {
            v.push("symbol", "must be 1 to 20 characters without spaces");
        }
        if self.number.is_empty() || self.number.len() > 10 || !self.number.bytes().all(|b| b.is_ascii_digit()) {
            v.push("number", "must be 1 to 10 ASCII digits");
        }
        if self.branch.len() != 2 || !self.branch.bytes().all(|b| b.is_ascii_digit()) {
            v.push("branch", "must be exactly 2 ASCII digits");
        }
        v.finish(())
    }

    /// Reads the printed form `記号-番号-枝番` (the symbol may itself hold `-`: the number and the
    /// branch are the last two parts), checked as [`InsuredNumber::validate`] checks.
    pub fn parse_printed(s: &str) -> Option<Self> {
        let mut parts = s.rsplitn(3, '-');
        let (branch, number, symbol) = (parts.next()?, parts.next()?, parts.next()?);
        let n = Self {
            symbol: symbol.to_string(),
            number: number.to_string(),
            branch: branch.to_string(),
        };
        n.validate().ok().map(|_| n)
    }

    /// The single lookup key the store indexes: `symbol|number|branch`.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.symbol, self.number, self.branch)
    }
}

/// As documents print it: `記号-番号-枝番`, e.g. `東1-1234-00`.
impl std::fmt::Display for InsuredNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{}", self.symbol, self.number, self.branch)
    }
}

/// A name in full-width katakana (全角カタカナ), e.g. `ヤマダ タロウ` with a full-width or ASCII
/// space between family and given name (an ASCII space is stored as full-width).
pub fn parse_kana_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("must not be empty".into());
    }
    if t.chars().count() > 100 {
        return Err("must be at most 100 characters".into());
    }
    if let Some(bad) = t
        .chars()
        .find(|c| !is_full_width_katakana(*c) && *c != ' ' && *c != '\u{3000}')
    {
        return Err(format!("must be full-width katakana; '{bad}' is not"));
    }
    Ok(t.replace(' ', "\u{3000}"))
}

fn is_full_width_katakana(c: char) -> bool {
    // ァ (U+30A1) .. ヺ (U+30FA), ・ (U+30FB), ー (U+30FC), ヽ ヾ (U+30FD, U+30FE)
    ('\u{30A1}'..='\u{30FE}').contains(&c)
}

/// 性別
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// 続柄: relationship to the household head (世帯主).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Head,
    Spouse,
    Child,
    Parent,
    Other,
}

/// 資格喪失事由: why eligibility was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LossReason {
    /// 死亡
    Death,
    /// 転出
    MovedOut,
    /// 社会保険等の加入
    OtherInsurance,
    /// 生活保護
    PublicAssistance,
    /// 後期高齢者医療へ移行 (75歳到達)
    LateElderly,
    /// その他
    Other,
}

macro_rules! wire_names {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            /// The wire and store spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            /// Reads the wire and store spelling.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)+ _ => None }
            }
        }
    };
}
pub(crate) use wire_names;

wire_names!(Sex { Male => "male", Female => "female" });
wire_names!(Relationship { Head => "head", Spouse => "spouse", Child => "child", Parent => "parent", Other => "other" });
wire_names!(LossReason {
    Death => "death",
    MovedOut => "moved_out",
    OtherInsurance => "other_insurance",
    PublicAssistance => "public_assistance",
    LateElderly => "late_elderly",
    Other => "other",
});

/// The dates of one member, checked together.
#[derive(Debug, Clone, Copy)]
pub struct MemberDates {
    pub birth_date: NaiveDate,
    pub acquired_on: NaiveDate,
    pub lost_on: Option<NaiveDate>,
    pub died_on: Option<NaiveDate>,
}

impl MemberDates {
    /// Eligibility is acquired on or after birth, lost (資格喪失日) not before it was acquired,
    /// and death is not before birth. `today` bounds the birth date.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Violations> {
        let mut v = Violations::new();
        if self.birth_date > today {
            v.push("birth_date", "must not be in the future");
        }
        if self.acquired_on < self.birth_date {
            v.push("acquired_on", "must not be before birth_date");
        }
        if let Some(lost) = self.lost_on
            && lost < self.acquired_on
        {
            v.push("lost_on", "must not be before acquired_on");
        }
        if let Some(died) = self.died_on
            && died < self.birth_date
        {
            v.push("died_on", "must not be before birth_date");
        }
        v.finish(())
    }

    /// Whether the member was insured on `date`: acquired on or before it and not yet lost
    /// (the loss date itself is the first day without eligibility).
    pub fn eligible_on(&self, date: NaiveDate) -> bool {
        self.acquired_on <= date && self.lost_on.is_none_or(|lost| date < lost)
    }
}

/// What a member holds, checked (`MemberDates::validate` and the name rules) before it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberData {
    pub insured_number: InsuredNumber,
    pub name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub relationship: Relationship,
    pub acquired_on: NaiveDate,
    pub lost_on: Option<NaiveDate>,
    pub loss_reason: Option<LossReason>,
    pub died_on: Option<NaiveDate>,
}

/// A stored member (被保険者) of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub household_id: String,
    pub data: MemberData,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_insured_number_reads_back() {
        let n = InsuredNumber::parse_printed("東1-A-1234-05").unwrap();
        assert_eq!(
            (n.symbol.as_str(), n.number.as_str(), n.branch.as_str()),
            ("東1-A", "1234", "05")
        );
        assert_eq!(n.to_string(), "東1-A-1234-05");
        for bad in ["", "1234-05", "東1-12x4-05", "東1-1234-5", "東 1-1234-05"] {
            assert!(InsuredNumber::parse_printed(bad).is_none(), "{bad}");
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn num(symbol: &str, number: &str, branch: &str) -> InsuredNumber {
        InsuredNumber {
            symbol: symbol.into(),
            number: number.into(),
            branch: branch.into(),
        }
    }

    #[test]
    fn insured_numbers() {
        assert!(num("12345678", "1234567", "00").validate().is_ok());
        assert!(num("国保東", "42", "01").validate().is_ok());
        assert_eq!(num("A1", "42", "01").key(), "A1|42|01");
        let e = num("", "12a", "1").validate().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["symbol", "number", "branch"]);
        assert!(num("a b", "1", "00").validate().is_err());
        assert!(num("a|b", "1", "00").validate().is_err());
    }

    #[test]
    fn kana_names() {
        assert_eq!(parse_kana_name("ヤマダ タロウ").unwrap(), "ヤマダ\u{3000}タロウ");
        assert_eq!(parse_kana_name("ヴァージニア・ウルフ").unwrap(), "ヴァージニア・ウルフ");
        assert!(parse_kana_name("やまだ").is_err());
        assert!(parse_kana_name("ﾔﾏﾀﾞ").is_err());
        assert!(parse_kana_name("山田").is_err());
        assert!(parse_kana_name("YAMADA").is_err());
        assert!(parse_kana_name(" ").is_err());
    }

    #[test]
    fn member_dates() {
        let today = d("2026-11-23");
        let ok = MemberDates {
            birth_date: d("1980-01-01"),
            acquired_on: d("2020-04-01"),
            lost_on: Some(d("2020-04-01")),
            died_on: None,
        };
        assert!(ok.validate(today).is_ok());
        let bad = MemberDates {
            lost_on: Some(d("2020-03-31")),
            ..ok
        };
        assert_eq!(bad.validate(today).unwrap_err().iter().next().unwrap().field, "lost_on");
        let early = MemberDates {
            acquired_on: d("1979-12-31"),
            lost_on: None,
            ..ok
        };
        assert!(early.validate(today).is_err());
        let unborn = MemberDates {
            birth_date: d("2027-01-01"),
            acquired_on: d("2027-01-01"),
            lost_on: None,
            died_on: None,
        };
        assert!(unborn.validate(today).is_err());
    }

    #[test]
    fn eligibility_ends_on_the_loss_date() {
        let m = MemberDates {
            birth_date: d("1980-01-01"),
            acquired_on: d("2020-04-01"),
            lost_on: Some(d("2024-06-15")),
            died_on: None,
        };
        assert!(!m.eligible_on(d("2020-03-31")));
        assert!(m.eligible_on(d("2020-04-01")));
        assert!(m.eligible_on(d("2024-06-14")));
        assert!(!m.eligible_on(d("2024-06-15")));
    }

    #[test]
    fn wire_names_round_trip() {
        for r in [
            Relationship::Head,
            Relationship::Spouse,
            Relationship::Child,
            Relationship::Parent,
            Relationship::Other,
        ] {
            assert_eq!(Relationship::parse(r.as_str()), Some(r));
        }
        assert_eq!(LossReason::parse("moved_out"), Some(LossReason::MovedOut));
        assert_eq!(Sex::parse("x"), None);
    }
}
