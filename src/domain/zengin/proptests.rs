//! Invariants: any valid input renders 120-byte records (+ CR LF) whose trailer counts the
//! transfers and sums their amounts; kana normalisation is closed and idempotent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

use super::kana::is_allowed_output;
use super::{
    BankAccount, BankNameKana, CustomerCode, HolderKana, MAX_AMOUNT, NewCode, Remitter, RemitterInput, TransferFile,
    TransferRecord,
};
use crate::domain::money::Yen;

/// Characters a registration may bring: full-width and half-width kana (small, voiced), letters,
/// digits, spaces and the allowed symbols.
const POOL: &str = "アイウエオガギパピポヴァッャュョヮヵヶンワヰヱｱｲｳｶﾞﾊﾟｧｯｬﾝﾞﾟＡＺａｚAZaz０９09　 ()-.（）．ーｰ－";

fn kana_text(max_chars: usize) -> impl Strategy<Value = String> {
    let pool: Vec<char> = POOL.chars().collect();
    // A leading kana keeps the text non-empty after trimming; every pool char is at most 2 bytes.
    (
        Just('ｱ'),
        proptest::collection::vec(proptest::sample::select(pool), 0..max_chars),
    )
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

fn account() -> impl Strategy<Value = BankAccount> {
    (
        "[0-9]{4}",
        "[0-9]{3}",
        prop_oneof![Just("ordinary"), Just("current"), Just("savings")],
        "[0-9]{7}",
        kana_text(15),
    )
        .prop_map(|(bank, branch, kind, number, holder)| {
            BankAccount::parse(&bank, &branch, kind, &number, &holder).unwrap()
        })
}

fn record() -> impl Strategy<Value = TransferRecord> {
    (
        account(),
        proptest::option::of(kana_text(8)),
        proptest::option::of(kana_text(8)),
        1..=MAX_AMOUNT,
        prop_oneof![
            Just(NewCode::Other),
            Just(NewCode::FirstTransfer),
            Just(NewCode::Changed)
        ],
        proptest::option::of("[0-9]{1,10}"),
    )
        .prop_map(|(account, bank, branch, amount, new_code, code)| TransferRecord {
            account,
            bank_name: bank.map(|b| BankNameKana::parse(&b).unwrap()),
            branch_name: branch.map(|b| BankNameKana::parse(&b).unwrap()),
            amount: Yen::new(amount),
            new_code,
            customer_code_1: code.map(|c| CustomerCode::parse(&c).unwrap()),
            customer_code_2: None,
        })
}

fn business_day() -> impl Strategy<Value = NaiveDate> {
    (0u64..3650).prop_map(|offset| {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(offset);
        match d.weekday() {
            Weekday::Sat => d + Days::new(2),
            Weekday::Sun => d + Days::new(1),
            _ => d,
        }
    })
}

fn remitter() -> Remitter {
    Remitter::parse(&RemitterInput {
        remitter_code: "0000000001",
        remitter_name_kana: "ｺｸﾐﾝｹﾝｺｳﾎｹﾝ",
        bank_code: "0001",
        bank_name_kana: "ﾐｽﾞﾎ",
        branch_code: "001",
        branch_name_kana: "ﾎﾝﾃﾝ",
        account_type: "ordinary",
        account_number: "0000001",
    })
    .unwrap()
}

fn number(field: &[u8]) -> i64 {
    std::str::from_utf8(field).unwrap().parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn valid_input_renders_fixed_records_and_a_matching_trailer(
        records in proptest::collection::vec(record(), 1..20),
        transfer_date in business_day(),
    ) {
        let bytes = TransferFile::render(&remitter(), transfer_date, &records).unwrap();
        prop_assert_eq!(bytes.len(), (records.len() + 3) * 122);
        let lines: Vec<&[u8]> = bytes.chunks(122).collect();
        for line in &lines {
            prop_assert_eq!(line.len(), 122);
            prop_assert_eq!(&line[120..], b"\r\n");
            prop_assert!(!line[..120].contains(&b'\r') && !line[..120].contains(&b'\n'));
        }
        let kinds: Vec<u8> = lines.iter().map(|l| l[0]).collect();
        prop_assert_eq!(kinds[0], b'1');
        prop_assert!(kinds[1..=records.len()].iter().all(|k| *k == b'2'));
        prop_assert_eq!(&kinds[records.len() + 1..], b"89");

        let expected_total: i64 = records.iter().map(|r| r.amount.as_i64()).sum();
        let trailer = lines[records.len() + 1];
        prop_assert_eq!(number(&trailer[1..7]), records.len() as i64);
        prop_assert_eq!(number(&trailer[7..19]), expected_total);
        for (line, record) in lines[1..=records.len()].iter().zip(&records) {
            prop_assert_eq!(number(&line[80..90]), record.amount.as_i64());
            let (holder, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&line[50..80]);
            prop_assert_eq!(holder.trim_end_matches(' '), record.account.holder().as_str());
        }
    }

    #[test]
    fn normalised_kana_is_allowed_idempotent_and_single_byte(input in kana_text(30)) {
        if let Ok(name) = HolderKana::parse(&input) {
            prop_assert!(name.as_str().chars().all(is_allowed_output));
            prop_assert!(name.byte_len() <= 30);
            prop_assert_eq!(HolderKana::parse(name.as_str()).unwrap(), name.clone());
            let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(name.as_str());
            prop_assert!(!had_errors);
            prop_assert_eq!(bytes.len(), name.byte_len());
        }
    }

    #[test]
    fn arbitrary_text_is_either_refused_or_allowed(input in any::<String>()) {
        if let Ok(name) = HolderKana::parse(&input) {
            prop_assert!(name.as_str().chars().all(is_allowed_output));
        }
    }
}
