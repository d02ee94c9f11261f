//! Published worked examples, each reproduced to the yen (R2-R7, R9, R14, R16).

use super::Age70to74Category::*;
use super::Under70Category::*;
use super::fixtures::Household;
use super::{LimitKind, ReviewFlag, Scope};

/// Seed 004 (川越市, 2016-07): 70歳未満・区分エ, 医療費 1,000,000, 一部負担金 300,000
/// → 300,000 − 57,600 = 242,400 (R1, R3, R4).
#[test]
fn seed004_under70_category_e() {
    let got = Household::new("2016-06", E, None)
        .member("m1", "1970-04-10")
        .inpatient("m1", 1, 1_000_000, 300_000)
        .run();
    assert_eq!(got.total_benefit.as_i64(), 242_400);
    assert_eq!(got.rule_set, "2015-01");
    assert_eq!(got.paying_steps(), vec![("R4", 57_600, 242_400)]);
    assert!(got.counts_toward_multiple);
    assert!(!got.multiple_applied);
}

/// Seed 004 (川越市): 70歳以上・一般・1割, 夫 外来 16,000 (複数の医療機関), 妻 入院 40,000,
/// table before 2017-08 (外来 12,000, 世帯 44,400): (ア) 16,000 − 12,000 = 4,000;
/// (イ) 12,000 + 40,000 − 44,400 = 7,600; total 11,600 (R5).
#[test]
fn seed004_age70to74_general() {
    let got = Household::new("2016-06", U, Some(General))
        .member("husband", "1944-03-10")
        .member("wife", "1945-05-05")
        .outpatient("husband", 1, 100_000, 10_000)
        .outpatient("husband", 2, 60_000, 6_000)
        .inpatient("wife", 3, 400_000, 40_000)
        .run();
    assert_eq!(got.total_benefit.as_i64(), 11_600);
    assert_eq!(got.paying_steps(), vec![("R5", 12_000, 4_000), ("R5", 44_400, 7_600)]);
    assert_eq!(got.steps[0].scope.to_string(), "member husband outpatient");
    assert_eq!(got.steps[1].scope, Scope::Age70to74Household);
    // 7,600 shared 12,000 : 40,000 -> 1,753.8 / 5,846.2 -> 1,754 / 5,846
    assert_eq!(got.benefit_of("husband"), 4_000 + 1_754);
    assert_eq!(got.benefit_of("wife"), 5_846);
    assert!(got.counts_toward_multiple, "the 70-74 household step counts (R7)");
}

/// 大和市 6996 (mixed household, tables from 2018-08): 区分ウ, 高齢受給者 一般.
/// 世帯主 入院 600,000 (2,000,000); 子 入院 300,000 (1,000,000) and 外来 18,000 (60,000, below
/// 21,000: out); 父73 入院 50,000 (250,000); 母71 外来 30,000 (150,000).
/// 母 outpatient 30,000 − 18,000 = 12,000; 70-74 household 18,000 + 50,000 − 57,600 = 10,400;
/// whole household 57,600 + 900,000 − (80,100 + (3,400,000 − 267,000) × 1% = 111,430) = 846,170;
/// total 868,570 = 980,000 − 111,430 (R3, R5, R6, R2).
#[test]
fn yamato_6996_mixed_household() {
    let got = Household::new("2023-10", U, Some(General))
        .member("head", "1973-06-01")
        .member("child", "1998-06-01")
        .member("father", "1950-03-03")
        .member("mother", "1952-09-09")
        .inpatient("head", 1, 2_000_000, 600_000)
        .inpatient("child", 2, 1_000_000, 300_000)
        .outpatient("child", 3, 60_000, 18_000)
        .inpatient("father", 4, 250_000, 50_000)
        .outpatient("mother", 5, 150_000, 30_000)
        .run();
    assert_eq!(got.total_benefit.as_i64(), 868_570);
    assert_eq!(got.rule_set, "2018-08");
    assert_eq!(
        got.paying_steps(),
        vec![("R5", 18_000, 12_000), ("R5", 57_600, 10_400), ("R6", 111_430, 846_170)]
    );
    let whole = got.steps.last().unwrap();
    assert_eq!(whole.cost_base.as_i64(), 3_400_000);
    assert_eq!(whole.copayments.as_i64(), 957_600);
    let r3: Vec<i64> = got
        .steps
        .iter()
        .filter(|s| s.rule == "R3")
        .map(|s| s.remaining.as_i64())
        .collect();
    assert_eq!(r3, vec![600_000, 300_000, 0]);
    assert!(got.benefit_of("mother") > 12_000 && got.benefit_of("father") > 0);
}

/// 大和市 (earlier version of the same page, table before 2017-08: 一般 外来 12,000, 世帯 44,400):
/// 区分ウ; 世帯主 入院 300,000 (1,000,000); 子 入院 300,000 (1,000,000), 外来 18,000 (60,000, out);
/// 父70 入院 35,000 (350,000); 母70 外来 30,000 (300,000); both 1割 (born before 1944-04-02).
/// 18,000 + 2,600 + (644,400 − 103,930) = 561,070 = 665,000 − 103,930.
#[test]
fn yamato_mixed_household_before_2017_08() {
    let got = Household::new("2015-02", U, Some(General))
        .member("head", "1955-01-20")
        .member("child", "1990-01-20")
        .member("father", "1944-03-15")
        .member("mother", "1944-03-20")
        .inpatient("head", 1, 1_000_000, 300_000)
        .inpatient("child", 2, 1_000_000, 300_000)
        .outpatient("child", 3, 60_000, 18_000)
        .inpatient("father", 4, 350_000, 35_000)
        .outpatient("mother", 5, 300_000, 30_000)
        .run();
    assert_eq!(got.total_benefit.as_i64(), 561_070);
    assert_eq!(
        got.paying_steps(),
        vec![("R5", 12_000, 18_000), ("R5", 44_400, 2_600), ("R6", 103_930, 540_470)]
    );
}

/// 大和市 6995 (under 70, 区分ウ): the unit of 3,000 (10割 10,000) is below 21,000 and left out, copay
/// and cost alike; the 1% base is 700,000 → 80,100 + 4,330 = 84,430 (R2.1, R3). kogaku.md gives the
/// excluded unit and the base; the split of the 700,000 between the included units is ours.
#[test]
fn yamato_6995_excluded_unit_leaves_the_base() {
    let got = Household::new("2023-10", U, None)
        .member("a", "1980-01-01")
        .member("b", "1982-01-01")
        .inpatient("a", 1, 500_000, 150_000)
        .outpatient("b", 2, 200_000, 60_000)
        .outpatient("b", 3, 10_000, 3_000)
        .run();
    assert_eq!(got.paying_steps(), vec![("R4", 84_430, 210_000 - 84_430)]);
    assert_eq!(got.steps.last().unwrap().cost_base.as_i64(), 700_000);
}

/// A municipal NHI page of 2022 (高額療養費の計算例(70歳未満の方)): 区分エ, 500,000 at 3割 → 150,000
/// − 57,600 = 92,400; 区分ウ, same → 80,100 + 2,330 = 82,430, 150,000 − 82,430 = 67,570 (R1, R2).
#[test]
fn municipal_under70_patterns() {
    for (category, limit, benefit) in [(E, 57_600, 92_400), (U, 82_430, 67_570)] {
        let got = Household::new("2022-10", category, None)
            .member("a", "1987-05-05")
            .outpatient("a", 1, 500_000, 150_000)
            .run();
        assert_eq!(got.paying_steps(), vec![("R4", limit, benefit)]);
    }
}

/// 設楽町 (一般 before 2015: 80,100 + (総医療費 − 267,000) × 1%, the formula ウ kept): 夫 60,000, 妻
/// 30,000, 娘 15,000 (below 21,000: out); 医療費 300,000 → 80,430; 90,000 − 80,430 = 9,570 (R3, R4).
#[test]
fn shitara_household_two_units() {
    let got = Household::new("2016-06", U, None)
        .member("husband", "1970-01-01")
        .member("wife", "1972-01-01")
        .member("daughter", "2005-01-01")
        .outpatient("husband", 1, 200_000, 60_000)
        .outpatient("wife", 2, 100_000, 30_000)
        .outpatient("daughter", 3, 50_000, 15_000)
        .run();
    assert_eq!(got.paying_steps(), vec![("R4", 80_430, 9_570)]);
    assert_eq!(got.benefit_of("daughter"), 0);
    assert_eq!(got.benefit_of("husband"), 6_380);
    assert_eq!(got.benefit_of("wife"), 3_190);
}

/// A municipal NHI page (高額療養費の計算例(70歳以上75歳未満の方), from 2018-08): 一般 2割, W 4,000
/// (20,000) and X 18,000 (100,000, capped at the window): 18,000 + 4,000 − 18,000 = 4,000 (R5).
#[test]
fn municipal_age70to74_outpatient_only() {
    let got = Household::new("2018-10", U, Some(General))
        .member("a", "1947-05-05")
        .outpatient("a", 1, 20_000, 4_000)
        .outpatient("a", 2, 100_000, 18_000)
        .run();
    assert_eq!(got.paying_steps(), vec![("R5", 18_000, 4_000), ("R5", 57_600, 0)]);
    assert!(
        !got.counts_toward_multiple,
        "an outpatient-individual benefit alone does not count (R7)"
    );
}

/// kogaku.md R16: 区分ウ, inpatient 1,000,000 capped to 87,430 at the window plus another unit 30,000
/// (100,000): 80,100 + (1,100,000 − 267,000) × 1% = 88,430; cash due 87,430 + 30,000 − 88,430 = 29,000.
#[test]
fn r16_window_capped_claim() {
    let got = Household::new("2024-05", U, None)
        .member("a", "1980-01-01")
        .inpatient_capped("a", 1, 1_000_000, 87_430, 212_570)
        .outpatient("a", 2, 100_000, 30_000)
        .run();
    assert_eq!(got.paying_steps(), vec![("R4", 88_430, 29_000)]);
    assert!(got.counts_toward_multiple);
}

/// R16 with R7: a month whose limit was applied at the window and where no cash follows is still
/// a benefit month for 多数回; the same month without the window benefit is not.
#[test]
fn r16_a_window_side_month_counts_toward_multiple_without_cash() {
    let got = Household::new("2024-05", U, None)
        .member("a", "1980-01-01")
        .inpatient_capped("a", 1, 1_000_000, 87_430, 212_570)
        .run();
    assert_eq!(got.total_benefit.as_i64(), 0);
    assert!(got.counts_toward_multiple, "paid in kind at the window (R16)");
    let plain = Household::new("2024-05", U, None)
        .member("a", "1980-01-01")
        .inpatient("a", 1, 1_000_000, 87_430)
        .run();
    assert!(!plain.counts_toward_multiple);
}

/// kogaku.md R14 / MHLW: from 2026-08, 区分ウ, 医療費 1,000,000: 85,800 + (1,000,000 − 286,000) × 1% =
/// 92,940. The table is Likely, so the month is flagged for review.
#[test]
fn r14_mhlw_example_2026_08() {
    let got = Household::new("2026-08", U, None)
        .member("a", "1980-01-01")
        .inpatient("a", 1, 1_000_000, 300_000)
        .run();
    assert_eq!(got.rule_set, "2026-08");
    assert_eq!(got.paying_steps(), vec![("R4", 92_940, 207_060)]);
    assert_eq!(got.review, vec![ReviewFlag::UnverifiedRuleTable]);
    let before = Household::new("2026-07", U, None)
        .member("a", "1980-01-01")
        .inpatient("a", 1, 1_000_000, 300_000)
        .run();
    assert_eq!(before.paying_steps(), vec![("R4", 87_430, 212_570)]);
}

/// kogaku.md R2 / 埼玉県市町村職員共済組合: in a mixed household the 1% base of the whole-household
/// step includes the 70-74 father's 100,000: base 600,000 → 80,100 + 3,330 = 83,430 (R2.1, R6).
/// The page's own copayments were not readable; these are ours.
#[test]
fn saitama_kyosai_base_includes_age70to74_costs() {
    let got = Household::new("2019-05", U, Some(General))
        .member("son", "1975-01-01")
        .member("father", "1947-01-01")
        .inpatient("son", 1, 500_000, 150_000)
        .inpatient("father", 2, 100_000, 20_000)
        .run();
    let whole = got.steps.last().unwrap();
    assert_eq!(
        (whole.rule, whole.cost_base.as_i64(), whole.limit.as_i64()),
        ("R6", 600_000, 83_430)
    );
    assert_eq!(got.total_benefit.as_i64(), 170_000 - 83_430);
}

/// kogaku.md R9 / 蒲郡市: 一般, the month of the 75th birthday: each side applies half the limit
/// (28,800). Here the NHI side: inpatient 60,000 before the birthday → 60,000 − 28,800 = 31,200.
/// Under 区分ウ / 現役並み the half is 40,050 + (総医療費 − 133,500) × 1%; 多数回 22,200.
#[test]
fn r9_gamagori_half_limits() {
    let general = Household::new("2024-05", E, Some(General))
        .member("a", "1949-05-20")
        .inpatient("a", 1, 300_000, 60_000)
        .run();
    assert_eq!(general.paying_steps(), vec![("R9", 28_800, 31_200), ("R5", 57_600, 0)]);
    assert!(general.steps[0].halved);
    assert_eq!(general.review, vec![ReviewFlag::Age75MonthMultipleCount]);
    let active = Household::new("2024-05", U, Some(Active1))
        .member("a", "1949-05-20")
        .inpatient("a", 1, 400_000, 120_000)
        .run();
    // 40,050 + (400,000 − 133,500) × 1% = 40,050 + 2,665 = 42,715
    assert_eq!(active.paying_steps(), vec![("R9", 42_715, 77_285), ("R5", 81_430, 0)]);
    let multiple = Household::new("2024-05", U, Some(Active1))
        .member("a", "1949-05-20")
        .inpatient("a", 1, 400_000, 120_000)
        .benefit_months(&["2024-01", "2024-02", "2024-03"])
        .run();
    assert_eq!(multiple.steps[0].limit.as_i64(), 22_200);
    assert_eq!(multiple.steps[0].limit_kind, LimitKind::Multiple);
    assert!(multiple.multiple_applied);
}
