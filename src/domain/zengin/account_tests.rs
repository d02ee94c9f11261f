//! Account and remitter validation (receivables.md section 12, API.md payment registrations).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{AccountType, BankAccount, CustomerCode, FieldError, Remitter, RemitterInput};

fn fields(errors: &[FieldError]) -> Vec<&'static str> {
    errors.iter().map(|e| e.field).collect()
}

#[test]
fn a_valid_account_is_normalised() {
    let a = BankAccount::parse("0009", "123", "ordinary", "0012345", "ヤマダ　タロウ").unwrap();
    assert_eq!(a.bank_code().as_str(), "0009");
    assert_eq!(a.branch_code().as_str(), "123");
    assert_eq!(a.account_type(), AccountType::Ordinary);
    assert_eq!(a.account_number().as_str(), "0012345");
    assert_eq!(a.holder().as_str(), "ﾔﾏﾀﾞ ﾀﾛｳ");
}

#[test]
fn account_types_map_to_file_codes() {
    let cases = [
        ("ordinary", AccountType::Ordinary, b'1'),
        ("current", AccountType::Current, b'2'),
        ("savings", AccountType::Savings, b'4'),
    ];
    for (wire, expected, code) in cases {
        let t = AccountType::parse(wire).unwrap();
        assert_eq!(t, expected);
        assert_eq!(t.zengin_code(), code);
        assert_eq!(t.as_str(), wire);
    }
}

#[test]
fn each_bad_field_is_named() {
    let good = ["0009", "123", "ordinary", "0012345", "ﾔﾏﾀﾞ"];
    let cases: [(usize, &str, &str); 19] = [
        (0, "009", "bank_code"),
        (0, "00091", "bank_code"),
        (0, "00a9", "bank_code"),
        (0, "０００９", "bank_code"),
        (0, " 009", "bank_code"),
        (0, "", "bank_code"),
        (1, "12", "branch_code"),
        (1, "1234", "branch_code"),
        (1, "12-", "branch_code"),
        (2, "futsu", "account_type"),
        (2, "Ordinary", "account_type"),
        (2, "", "account_type"),
        (3, "123456", "account_number"),
        (3, "12345678", "account_number"),
        (3, "123456a", "account_number"),
        (3, "-123456", "account_number"),
        (4, "山田", "holder_kana"),
        (4, "", "holder_kana"),
        (4, &"ｱ".repeat(31), "holder_kana"),
    ];
    for (index, value, field) in cases {
        let mut input = good;
        input[index] = value;
        let errors = BankAccount::parse(input[0], input[1], input[2], input[3], input[4]).unwrap_err();
        assert_eq!(fields(&errors), [field], "{value:?}");
        assert!(!errors[0].message.is_empty());
    }
}

#[test]
fn all_failures_are_reported_at_once() {
    let errors = BankAccount::parse("1", "2", "x", "3", "やまだ").unwrap_err();
    assert_eq!(
        fields(&errors),
        [
            "bank_code",
            "branch_code",
            "account_type",
            "account_number",
            "holder_kana"
        ]
    );
    assert_eq!(errors[0].message, "must be exactly 4 digits (0-9)");
    assert!(errors[4].message.contains("'や'"), "{}", errors[4].message);
    assert_eq!(errors[1].to_string(), "branch_code: must be exactly 3 digits (0-9)");
}

fn remitter_input() -> RemitterInput<'static> {
    RemitterInput {
        remitter_code: "1234567890",
        remitter_name_kana: "コクミンケンコウホケン",
        bank_code: "0005",
        bank_name_kana: "ミツビシユーエフジエイ",
        branch_code: "001",
        branch_name_kana: "ホンテン",
        account_type: "current",
        account_number: "7654321",
    }
}

#[test]
fn a_valid_remitter_is_normalised() {
    let r = Remitter::parse(&remitter_input()).unwrap();
    assert_eq!(r.code().as_str(), "1234567890");
    assert_eq!(r.name().as_str(), "ｺｸﾐﾝｹﾝｺｳﾎｹﾝ");
    assert_eq!(r.bank_name().as_str(), "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ");
    assert_eq!(r.branch_name().as_str(), "ﾎﾝﾃﾝ");
    assert_eq!(r.account_type(), AccountType::Current);
}

#[test]
fn remitter_fields_are_checked() {
    let savings = RemitterInput {
        account_type: "savings",
        ..remitter_input()
    };
    assert_eq!(fields(&Remitter::parse(&savings).unwrap_err()), ["account_type"]);

    let bad = RemitterInput {
        remitter_code: "123456789",
        remitter_name_kana: &"ｱ".repeat(41),
        bank_name_kana: "",
        branch_name_kana: "本店",
        account_number: "123",
        ..remitter_input()
    };
    assert_eq!(
        fields(&Remitter::parse(&bad).unwrap_err()),
        [
            "remitter_code",
            "remitter_name_kana",
            "bank_name_kana",
            "branch_name_kana",
            "account_number"
        ]
    );
}

#[test]
fn customer_codes_are_one_to_ten_digits() {
    for ok in ["0", "42", "1234567890"] {
        assert_eq!(CustomerCode::parse(ok).unwrap().as_str(), ok);
    }
    for bad in ["", "12345678901", "12a", " 1", "１"] {
        assert!(CustomerCode::parse(bad).is_err(), "{bad:?}");
    }
}
