//! The transfer file: a golden 2-record file checked byte by byte at the field offsets of
//! receivables.md section 12 (header lines 499–514, data 516–534, trailer/end 536–545).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;

use super::{
    BankAccount, BankNameKana, CustomerCode, NewCode, Remitter, RemitterInput, TransferFile, TransferRecord,
    ZenginError,
};
use crate::domain::money::Yen;

// Golden records, one string per field; `_` stands for a space.
const HEADER: &[&str] = &[
    "1",
    "21",
    "0",
    "1234567890",
    "ｺｸﾐﾝｹﾝｺｳﾎｹﾝ ﾆﾎﾝｼ________________________",
    "0415",
    "0005",
    "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ__",
    "001",
    "ﾎﾝﾃﾝ___________",
    "2",
    "7654321",
    "_________________",
];
const DATA_1: &[&str] = &[
    "2",
    "0009",
    "ﾐﾂｲｽﾐﾄﾓ________",
    "123",
    "ｼﾝｼﾞﾕｸ_________",
    "0000",
    "1",
    "0012345",
    "ﾔﾏﾀﾞ ﾀﾛｳ______________________",
    "0000057600",
    "1",
    "0000202604",
    "0000000042",
    "7",
    "_",
    "_______",
];
const DATA_2: &[&str] = &[
    "2",
    "0010",
    "_______________",
    "456",
    "_______________",
    "0000",
    "4",
    "7654321",
    "ｻﾄｳ ﾊﾅｺ_______________________",
    "0001234567",
    "0",
    "0000000000",
    "0000000000",
    "7",
    "_",
    "_______",
];
const TRAILER: &[&str] = &[
    "8",
    "000002",
    "000001292167",
    "_____________________________________________________________________________________________________",
];
const END: &[&str] = &[
    "9",
    "_______________________________________________________________________________________________________________________",
];

fn remitter() -> Remitter {
    Remitter::parse(&RemitterInput {
        remitter_code: "1234567890",
        remitter_name_kana: "コクミンケンコウホケン　ニホンシ",
        bank_code: "0005",
        bank_name_kana: "ミツビシユーエフジエイ",
        branch_code: "001",
        branch_name_kana: "ホンテン",
        account_type: "current",
        account_number: "7654321",
    })
    .unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn golden_records() -> Vec<TransferRecord> {
    let first = TransferRecord {
        account: BankAccount::parse("0009", "123", "ordinary", "0012345", "ヤマダ　タロウ").unwrap(),
        bank_name: Some(BankNameKana::parse("ミツイスミトモ").unwrap()),
        branch_name: Some(BankNameKana::parse("シンジュク").unwrap()),
        amount: Yen::new(57_600),
        new_code: NewCode::FirstTransfer,
        customer_code_1: Some(CustomerCode::parse("202604").unwrap()),
        customer_code_2: Some(CustomerCode::parse("42").unwrap()),
    };
    let second = TransferRecord::new(
        BankAccount::parse("0010", "456", "savings", "7654321", "ｻﾄｳ ﾊﾅｺ").unwrap(),
        Yen::new(1_234_567),
    );
    vec![first, second]
}

fn render(records: &[TransferRecord]) -> Result<Vec<u8>, ZenginError> {
    TransferFile::render(&remitter(), date(2026, 4, 15), records)
}

/// Bytes `pos..pos+len` (1-based, as in the section 12 tables) of a record.
fn at(record: &[u8], pos: usize, len: usize) -> &[u8] {
    &record[pos - 1..pos - 1 + len]
}

fn sjis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

#[test]
fn golden_file_matches_line_by_line() {
    let bytes = render(&golden_records()).unwrap();
    assert_eq!(bytes.len(), 5 * 122);
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 6, "five records, each followed by CR LF");
    assert_eq!(lines[5], "");
    for (line, golden) in lines.iter().zip([HEADER, DATA_1, DATA_2, TRAILER, END]) {
        assert_eq!(*line, golden.concat().replace('_', " "));
    }
}

#[test]
fn golden_file_field_offsets() {
    let bytes = render(&golden_records()).unwrap();
    let records: Vec<&[u8]> = bytes.chunks(122).collect();
    for record in &records {
        assert_eq!(record.len(), 122);
        assert_eq!(&record[120..], b"\r\n");
    }
    let (h, d1, d2, t, e) = (records[0], records[1], records[2], records[3], records[4]);

    assert_eq!(at(h, 1, 1), b"1");
    assert_eq!(at(h, 2, 2), b"21");
    assert_eq!(at(h, 4, 1), b"0");
    assert_eq!(at(h, 5, 10), b"1234567890");
    assert_eq!(at(h, 15, 16), &sjis("ｺｸﾐﾝｹﾝｺｳﾎｹﾝ ﾆﾎﾝｼ")[..]);
    assert_eq!(at(h, 15, 1), &[0xBA]); // ｺ
    assert_eq!(at(h, 31, 24), [b' '; 24]);
    assert_eq!(at(h, 55, 4), b"0415");
    assert_eq!(at(h, 59, 4), b"0005");
    assert_eq!(at(h, 63, 15), &sjis("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ  ")[..]);
    assert_eq!(at(h, 78, 3), b"001");
    assert_eq!(at(h, 81, 15), &sjis("ﾎﾝﾃﾝ           ")[..]);
    assert_eq!(at(h, 96, 1), b"2");
    assert_eq!(at(h, 97, 7), b"7654321");
    assert_eq!(at(h, 104, 17), [b' '; 17]);

    assert_eq!(at(d1, 1, 1), b"2");
    assert_eq!(at(d1, 2, 4), b"0009");
    assert_eq!(at(d1, 6, 15), &sjis("ﾐﾂｲｽﾐﾄﾓ        ")[..]);
    assert_eq!(at(d1, 21, 3), b"123");
    assert_eq!(at(d1, 24, 15), &sjis("ｼﾝｼﾞﾕｸ         ")[..]);
    assert_eq!(at(d1, 39, 4), b"0000");
    assert_eq!(at(d1, 43, 1), b"1");
    assert_eq!(at(d1, 44, 7), b"0012345");
    assert_eq!(at(d1, 51, 8), &[0xD4, 0xCF, 0xC0, 0xDE, 0x20, 0xC0, 0xDB, 0xB3]); // ﾔﾏﾀﾞ ﾀﾛｳ
    assert_eq!(at(d1, 59, 22), [b' '; 22]);
    assert_eq!(at(d1, 81, 10), b"0000057600");
    assert_eq!(at(d1, 91, 1), b"1");
    assert_eq!(at(d1, 92, 10), b"0000202604");
    assert_eq!(at(d1, 102, 10), b"0000000042");
    assert_eq!(at(d1, 112, 1), b"7");
    assert_eq!(at(d1, 113, 1), b" ");
    assert_eq!(at(d1, 114, 7), [b' '; 7]);

    assert_eq!(at(d2, 2, 4), b"0010");
    assert_eq!(at(d2, 6, 15), [b' '; 15]);
    assert_eq!(at(d2, 21, 3), b"456");
    assert_eq!(at(d2, 24, 15), [b' '; 15]);
    assert_eq!(at(d2, 43, 1), b"4");
    assert_eq!(at(d2, 44, 7), b"7654321");
    assert_eq!(at(d2, 81, 10), b"0001234567");
    assert_eq!(at(d2, 91, 1), b"0");
    assert_eq!(at(d2, 92, 20), [b'0'; 20]);

    assert_eq!(at(t, 1, 1), b"8");
    assert_eq!(at(t, 2, 6), b"000002");
    assert_eq!(at(t, 8, 12), b"000001292167"); // 57,600 + 1,234,567
    assert_eq!(at(t, 20, 101), [b' '; 101]);

    assert_eq!(at(e, 1, 1), b"9");
    assert_eq!(at(e, 2, 119), [b' '; 119]);
}

#[test]
fn amounts_must_fit_the_field() {
    let mut records = golden_records();
    let cases = [
        (
            Yen::new(0),
            ZenginError::AmountNotPositive {
                index: 1,
                amount: Yen::new(0),
            },
        ),
        (
            Yen::new(-500),
            ZenginError::AmountNotPositive {
                index: 1,
                amount: Yen::new(-500),
            },
        ),
        (
            Yen::new(10_000_000_000),
            ZenginError::AmountTooLarge {
                index: 1,
                amount: Yen::new(10_000_000_000),
            },
        ),
    ];
    for (amount, expected) in cases {
        records[1].amount = amount;
        assert_eq!(render(&records), Err(expected));
    }
    records[1].amount = Yen::new(9_999_999_999);
    let bytes = render(&records).unwrap();
    assert_eq!(at(&bytes[244..], 81, 10), b"9999999999");
    assert_eq!(at(&bytes[366..], 8, 12), b"010000057599");
}

#[test]
fn total_must_fit_twelve_digits() {
    let mut record = golden_records().remove(0);
    record.amount = Yen::new(9_999_999_999);
    let records = vec![record; 101];
    assert_eq!(
        render(&records),
        Err(ZenginError::TotalTooLarge {
            total: 1_009_999_999_899
        })
    );
    let bytes = render(&records[..100]).unwrap();
    assert_eq!(bytes.len(), 103 * 122);
    assert_eq!(at(&bytes[101 * 122..], 1, 19), b"8000100999999999900");
}

#[test]
fn an_empty_run_and_weekend_dates_are_refused() {
    assert_eq!(render(&[]), Err(ZenginError::NoRecords));
    for d in [date(2026, 4, 18), date(2026, 4, 19)] {
        assert_eq!(
            TransferFile::render(&remitter(), d, &golden_records()),
            Err(ZenginError::TransferDateNotBusinessDay { date: d })
        );
    }
    let bytes = TransferFile::render(&remitter(), date(2026, 12, 1), &golden_records()).unwrap();
    assert_eq!(at(&bytes, 55, 4), b"1201");
}
