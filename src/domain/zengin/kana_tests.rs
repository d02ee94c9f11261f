//! Kana normalisation: the conversion table of receivables.md section 12 (lines 547–560).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::kana::{CONVERSIONS, is_allowed_output};
use super::{BankNameKana, HolderKana, KanaError, RemitterKana};

fn norm(input: &str) -> String {
    HolderKana::parse(input)
        .unwrap_or_else(|e| panic!("{input:?}: {e}"))
        .as_str()
        .to_owned()
}

#[test]
fn full_width_katakana_rows_become_half_width() {
    let cases = [
        ("アイウエオ", "ｱｲｳｴｵ"),
        ("カキクケコ", "ｶｷｸｹｺ"),
        ("サシスセソ", "ｻｼｽｾｿ"),
        ("タチツテト", "ﾀﾁﾂﾃﾄ"),
        ("ナニヌネノ", "ﾅﾆﾇﾈﾉ"),
        ("ハヒフヘホ", "ﾊﾋﾌﾍﾎ"),
        ("マミムメモ", "ﾏﾐﾑﾒﾓ"),
        ("ヤユヨ", "ﾔﾕﾖ"),
        ("ラリルレロ", "ﾗﾘﾙﾚﾛ"),
        ("ワン", "ﾜﾝ"),
        ("ヰヱ", "ｲｴ"),
    ];
    for (input, expected) in cases {
        assert_eq!(norm(input), expected, "{input}");
    }
}

#[test]
fn voiced_and_semi_voiced_kana_get_separate_marks() {
    let cases = [
        ("ガギグゲゴ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ"),
        ("ザジズゼゾ", "ｻﾞｼﾞｽﾞｾﾞｿﾞ"),
        ("ダヂヅデド", "ﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ"),
        ("バビブベボ", "ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ"),
        ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ヴ", "ｳﾞ"),
        // spacing marks and combining marks (decomposed input)
        ("カ゛ハ゜", "ｶﾞﾊﾟ"),
        ("カ\u{3099}ハ\u{309A}", "ｶﾞﾊﾟ"),
        // already half-width with separate marks: unchanged
        ("ｶﾞﾊﾟｳﾞ", "ｶﾞﾊﾟｳﾞ"),
    ];
    for (input, expected) in cases {
        assert_eq!(norm(input), expected, "{input}");
    }
}

#[test]
fn small_kana_become_full_size() {
    let cases = [
        ("ァィゥェォ", "ｱｲｳｴｵ"),
        ("ッャュョヮ", "ﾂﾔﾕﾖﾜ"),
        ("ヵヶ", "ｶｹ"),
        ("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ"),
        // the examples of line 554
        ("キュウヨ", "ｷﾕｳﾖ"),
        ("ショウ", "ｼﾖｳ"),
        ("ジョン", "ｼﾞﾖﾝ"),
    ];
    for (input, expected) in cases {
        assert_eq!(norm(input), expected, "{input}");
    }
}

#[test]
fn full_width_letters_digits_space_and_symbols_become_half_width() {
    let cases = [
        ("ＡＢＣＸＹＺ", "ABCXYZ"),
        ("ａｂｃｘｙｚ", "ABCXYZ"),
        ("abcxyz", "ABCXYZ"),
        ("０１２３４５６７８９", "0123456789"),
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("（カ）ヤマダ", "(ｶ)ﾔﾏﾀﾞ"),
        ("カ)ヤマダ．", "ｶ)ﾔﾏﾀﾞ."),
        ("ラーメン", "ﾗ-ﾒﾝ"),
        ("ｺｰﾋｰ", "ｺ-ﾋ-"),
        ("A－B‐C−D-E", "A-B-C-D-E"),
        ("　ヤマダ　 ", "ﾔﾏﾀﾞ"),
        ("ﾔﾏﾀﾞ  ﾀﾛｳ", "ﾔﾏﾀﾞ  ﾀﾛｳ"),
    ];
    for (input, expected) in cases {
        assert_eq!(norm(input), expected, "{input}");
    }
}

#[test]
fn every_table_entry_maps_to_allowed_output() {
    for (from, to) in CONVERSIONS {
        assert!(!to.is_empty() && to.chars().all(is_allowed_output), "{from} -> {to}");
        let expected = if *to == " " {
            "ｱ".to_owned()
        } else {
            format!("ｱ{to}")
        };
        assert_eq!(norm(&format!("ｱ{from}")), expected, "{from}");
    }
}

#[test]
fn every_full_width_katakana_except_wo_is_accepted() {
    for code in 0x30A1..=0x30F6u32 {
        let c = char::from_u32(code).unwrap();
        let result = HolderKana::parse(&c.to_string());
        if c == 'ヲ' {
            assert!(result.is_err());
        } else {
            let out = result.unwrap_or_else(|e| panic!("{c}: {e}"));
            assert!(out.as_str().chars().all(is_allowed_output), "{c}");
            assert!(matches!(out.byte_len(), 1 | 2), "{c}");
        }
    }
}

#[test]
fn allowed_characters_pass_through_unchanged() {
    let mut allowed: Vec<char> = ('A'..='Z').chain('0'..='9').chain("()-.".chars()).collect();
    allowed.extend((0xFF71..=0xFF9F).filter_map(char::from_u32)); // ｱ..ﾝ ﾞ ﾟ
    for c in allowed {
        assert!(is_allowed_output(c));
        assert_eq!(norm(&format!("ｱ {c}")), format!("ｱ {c}"), "{c}");
    }
}

#[test]
fn bad_characters_are_named_with_their_position() {
    let cases = [
        ("山田", '山', 1),
        ("ヤマダ太郎", '太', 4),
        ("やまだ", 'や', 1),
        ("ヤマダ😀", '😀', 4),
        ("ヤマダ・タロウ", '・', 4),
        ("ﾔﾏﾀﾞ･ﾀﾛｳ", '･', 5),
        ("ヲ", 'ヲ', 1),
        ("ｦ", 'ｦ', 1),
        ("A/B", '/', 2),
        ("A,B", ',', 2),
        ("¥100", '¥', 1),
        ("A\tB", '\t', 2),
        ("ヷ", 'ヷ', 1),
        ("ﾔﾏﾀﾞ｢ﾀﾛｳ", '｢', 5),
        ("A*B", '*', 2),
    ];
    for (input, character, position) in cases {
        assert_eq!(
            HolderKana::parse(input),
            Err(KanaError::InvalidCharacter { character, position }),
            "{input}"
        );
    }
    let message = HolderKana::parse("ヤマダ太郎").unwrap_err().to_string();
    assert!(
        message.contains("'太'") && message.contains("U+592A") && message.contains("position 4"),
        "{message}"
    );
}

#[test]
fn empty_names_are_refused() {
    for input in ["", " ", "　　", "   "] {
        assert_eq!(HolderKana::parse(input), Err(KanaError::Empty), "{input:?}");
    }
}

#[test]
fn length_is_counted_in_bytes_after_conversion() {
    assert_eq!(HolderKana::parse(&"ｱ".repeat(30)).unwrap().byte_len(), 30);
    assert_eq!(
        HolderKana::parse(&"ｱ".repeat(31)),
        Err(KanaError::TooLong { bytes: 31, max: 30 })
    );
    // each voiced kana is two bytes (line 559)
    assert_eq!(HolderKana::parse(&"ガ".repeat(15)).unwrap().byte_len(), 30);
    assert_eq!(
        HolderKana::parse(&"ガ".repeat(16)),
        Err(KanaError::TooLong { bytes: 32, max: 30 })
    );
    // trailing spaces are not counted
    assert!(HolderKana::parse(&format!("{}   ", "ｱ".repeat(30))).is_ok());
    assert_eq!(HolderKana::MAX_BYTES, 30);
    assert!(RemitterKana::parse(&"ｱ".repeat(40)).is_ok());
    assert_eq!(
        RemitterKana::parse(&"ｱ".repeat(41)),
        Err(KanaError::TooLong { bytes: 41, max: 40 })
    );
    assert!(BankNameKana::parse(&"ｱ".repeat(15)).is_ok());
    assert_eq!(
        BankNameKana::parse(&"ｱ".repeat(16)),
        Err(KanaError::TooLong { bytes: 16, max: 15 })
    );
}

#[test]
fn normalising_twice_changes_nothing() {
    for input in ["ヤマダ　タロウ", "（カ）ガッコウ", "ｷｭｳﾖ", "ａｂｃ－１２３"] {
        let once = HolderKana::parse(input).unwrap();
        assert_eq!(HolderKana::parse(once.as_str()).unwrap(), once, "{input}");
    }
}

#[test]
fn shift_jis_round_trip_is_one_byte_per_character() {
    let name = HolderKana::parse("ヤマダ　タロウ").unwrap();
    let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(name.as_str());
    assert!(!had_errors);
    assert_eq!(&bytes[..], &[0xD4, 0xCF, 0xC0, 0xDE, 0x20, 0xC0, 0xDB, 0xB3]);
    assert_eq!(bytes.len(), name.byte_len());
    let (decoded, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert_eq!(decoded, name.as_str());

    let all = HolderKana::parse("ｱｶﾞﾊﾟﾝﾞﾟ AZ09()-.").unwrap();
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(all.as_str());
    assert_eq!(&bytes[..4], &[0xB1, 0xB6, 0xDE, 0xCA]);
    assert!(bytes.iter().all(|b| b.is_ascii() || (0xB1..=0xDF).contains(b)));
    assert_eq!(
        encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes).0,
        all.as_str()
    );
}
