//! Kana text fields of the 全銀 file (口座名義カナ and the bank, branch and remitter names), held
//! exactly as the file carries them: receivables.md section 12, "Account-name (受取人名) characters"
//! (lines 547–560).
//!
//! Allowed output (the safe set, line 548–550): half-width katakana `ｱ`–`ﾝ` without small kana and
//! without `ｦ`, the voiced marks `ﾞ` `ﾟ` as separate characters, `A`–`Z`, `0`–`9`, space and
//! `( ) - .`. Everything is one byte in JIS X 0201 / Shift_JIS, so the length in bytes is the
//! number of characters (line 559: "Length is counted in bytes … 濁点 count as one each").

use std::fmt;

/// Why a text could not be turned into a bank-file kana field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaError {
    /// Nothing but spaces (or nothing at all) was given.
    #[error("must not be empty")]
    Empty,
    /// A character that has no place in the bank file (kanji, hiragana, `ヲ`, `・`, emoji, …).
    /// `position` counts characters of the input from 1.
    #[error("character '{character}' (U+{code:04X}) at position {position} is not allowed in a bank-file kana name", code = u32::from(*character))]
    InvalidCharacter { character: char, position: usize },
    /// The normalised text is longer than its field.
    #[error("is {bytes} bytes long once converted to half-width kana; at most {max} are allowed")]
    TooLong { bytes: usize, max: usize },
}

/// Normalised half-width kana text of at most `MAX_BYTES` bytes (= characters), never empty.
/// Private field: the only way in is [`KanaText::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KanaText<const MAX_BYTES: usize>(String);

/// 口座名義カナ / 受取人名: 30 bytes (data record positions 51–80, receivables.md line 527, 559).
pub type HolderKana = KanaText<30>;
/// 振込依頼人名: 40 bytes (header positions 15–54, receivables.md line 506).
pub type RemitterKana = KanaText<40>;
/// 銀行名 / 支店名 (仕向 and 被仕向): 15 bytes (header 63–77 and 81–95, data 6–20 and 24–38,
/// receivables.md lines 509, 511, 521, 523).
pub type BankNameKana = KanaText<15>;

impl<const MAX_BYTES: usize> KanaText<MAX_BYTES> {
    /// The most bytes the field holds.
    pub const MAX_BYTES: usize = MAX_BYTES;

    /// Reads full-width or half-width katakana (and the few letters, digits and symbols the
    /// bank file allows) and normalises it (receivables.md lines 554–556):
    /// - full-width katakana → half-width; voiced and semi-voiced kana → base + `ﾞ`/`ﾟ`
    ///   (`ガ` → `ｶﾞ`, `パ` → `ﾊﾟ`, `ヴ` → `ｳﾞ`); `゛` `゜` and the combining marks U+3099/U+309A
    ///   → `ﾞ` `ﾟ`;
    /// - small kana → full size (`ァ`/`ｧ` → `ｱ`, `ッ`/`ｯ` → `ﾂ`, `ャ` → `ﾔ`, `ヮ` → `ﾜ`,
    ///   `ヵ` → `ｶ`, `ヶ` → `ｹ`); archaic `ヰ` `ヱ` → `ｲ` `ｴ`;
    /// - full-width letters, digits, space and `（ ） ． －` → half-width; lowercase → uppercase;
    /// - the long-vowel mark `ー`/`ｰ` and the dashes `‐` `−` → `-` ([Medium], line 555);
    /// - leading and trailing spaces are dropped (the field is space-padded anyway).
    ///
    /// Anything else (kanji, hiragana, `ヲ`/`ｦ`, `・`, `/`, `,`, `¥`, control characters, emoji)
    /// is refused with the character and its 1-based position in `input` (lines 551–553).
    pub fn parse(input: &str) -> Result<Self, KanaError> {
        let mut out = String::with_capacity(input.len());
        for (index, character) in input.chars().enumerate() {
            if !push_converted(character, &mut out) {
                return Err(KanaError::InvalidCharacter {
                    character,
                    position: index + 1,
                });
            }
        }
        let trimmed = out.trim_matches(' ');
        if trimmed.is_empty() {
            return Err(KanaError::Empty);
        }
        let bytes = trimmed.chars().count();
        if bytes > MAX_BYTES {
            return Err(KanaError::TooLong { bytes, max: MAX_BYTES });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The normalised half-width text (Unicode half-width forms, one Shift_JIS byte each).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Length in bytes as written to the file (one byte per character).
    pub fn byte_len(&self) -> usize {
        self.0.chars().count()
    }
}

impl<const MAX_BYTES: usize> fmt::Display for KanaText<MAX_BYTES> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `c` may stand in a normalised kana field (receivables.md lines 548–550).
pub(crate) fn is_allowed_output(c: char) -> bool {
    matches!(c, 'A'..='Z' | '0'..='9' | ' ' | '(' | ')' | '-' | '.' | '\u{FF71}'..='\u{FF9F}')
}

/// Appends the normalised form of `c` to `out`; `false` when `c` has none.
fn push_converted(c: char, out: &mut String) -> bool {
    if is_allowed_output(c) {
        out.push(c);
        return true;
    }
    if let Some(mapped) = convert_width_or_case(c) {
        out.push(mapped);
        return true;
    }
    match CONVERSIONS.iter().find(|(from, _)| *from == c) {
        Some((_, to)) => {
            out.push_str(to);
            true
        }
        None => false,
    }
}

/// Full-width `Ａ`–`Ｚ`, `ａ`–`ｚ`, `０`–`９` and ASCII `a`–`z` to ASCII uppercase / digits.
fn convert_width_or_case(c: char) -> Option<char> {
    let code = u32::from(c);
    match c {
        'a'..='z' => Some(c.to_ascii_uppercase()),
        '\u{FF21}'..='\u{FF3A}' => char::from_u32(code - 0xFF21 + u32::from('A')),
        '\u{FF41}'..='\u{FF5A}' => char::from_u32(code - 0xFF41 + u32::from('A')),
        '\u{FF10}'..='\u{FF19}' => char::from_u32(code - 0xFF10 + u32::from('0')),
        _ => None,
    }
}

/// Every other accepted input character and what it becomes. `ヲ` (U+30F2) and `ｦ` are absent on
/// purpose: the safe set excludes them (line 549–551).
#[rustfmt::skip]
pub(crate) const CONVERSIONS: &[(char, &str)] = &[
    // Full-width katakana (U+30A1–U+30F6), small kana made full size, voiced → base + ﾞ/ﾟ.
    ('ァ', "ｱ"), ('ア', "ｱ"), ('ィ', "ｲ"), ('イ', "ｲ"), ('ゥ', "ｳ"), ('ウ', "ｳ"), ('ェ', "ｴ"), ('エ', "ｴ"),
    ('ォ', "ｵ"), ('オ', "ｵ"), ('カ', "ｶ"), ('ガ', "ｶﾞ"), ('キ', "ｷ"), ('ギ', "ｷﾞ"), ('ク', "ｸ"),
    ('グ', "ｸﾞ"), ('ケ', "ｹ"), ('ゲ', "ｹﾞ"), ('コ', "ｺ"), ('ゴ', "ｺﾞ"), ('サ', "ｻ"), ('ザ', "ｻﾞ"),
    ('シ', "ｼ"), ('ジ', "ｼﾞ"), ('ス', "ｽ"), ('ズ', "ｽﾞ"), ('セ', "ｾ"), ('ゼ', "ｾﾞ"), ('ソ', "ｿ"),
    ('ゾ', "ｿﾞ"), ('タ', "ﾀ"), ('ダ', "ﾀﾞ"), ('チ', "ﾁ"), ('ヂ', "ﾁﾞ"), ('ッ', "ﾂ"), ('ツ', "ﾂ"),
    ('ヅ', "ﾂﾞ"), ('テ', "ﾃ"), ('デ', "ﾃﾞ"), ('ト', "ﾄ"), ('ド', "ﾄﾞ"), ('ナ', "ﾅ"), ('ニ', "ﾆ"),
    ('ヌ', "ﾇ"), ('ネ', "ﾈ"), ('ノ', "ﾉ"), ('ハ', "ﾊ"), ('バ', "ﾊﾞ"), ('パ', "ﾊﾟ"), ('ヒ', "ﾋ"),
    ('ビ', "ﾋﾞ"), ('ピ', "ﾋﾟ"), ('フ', "ﾌ"), ('ブ', "ﾌﾞ"), ('プ', "ﾌﾟ"), ('ヘ', "ﾍ"), ('ベ', "ﾍﾞ"),
    ('ペ', "ﾍﾟ"), ('ホ', "ﾎ"), ('ボ', "ﾎﾞ"), ('ポ', "ﾎﾟ"), ('マ', "ﾏ"), ('ミ', "ﾐ"), ('ム', "ﾑ"),
    ('メ', "ﾒ"), ('モ', "ﾓ"), ('ャ', "ﾔ"), ('ヤ', "ﾔ"), ('ュ', "ﾕ"), ('ユ', "ﾕ"), ('ョ', "ﾖ"),
    ('ヨ', "ﾖ"), ('ラ', "ﾗ"), ('リ', "ﾘ"), ('ル', "ﾙ"), ('レ', "ﾚ"), ('ロ', "ﾛ"), ('ヮ', "ﾜ"),
    ('ワ', "ﾜ"), ('ヰ', "ｲ"), ('ヱ', "ｴ"), ('ン', "ﾝ"), ('ヴ', "ｳﾞ"), ('ヵ', "ｶ"), ('ヶ', "ｹ"),
    // Half-width small kana (U+FF67–U+FF6F) made full size.
    ('ｧ', "ｱ"), ('ｨ', "ｲ"), ('ｩ', "ｳ"), ('ｪ', "ｴ"), ('ｫ', "ｵ"), ('ｬ', "ﾔ"), ('ｭ', "ﾕ"), ('ｮ', "ﾖ"),
    ('ｯ', "ﾂ"),
    // Voiced marks: spacing full-width and combining (decomposed input).
    ('゛', "ﾞ"), ('゜', "ﾟ"), ('\u{3099}', "ﾞ"), ('\u{309A}', "ﾟ"),
    // Long vowel and dashes → hyphen-minus (line 555–556, [Medium]).
    ('ー', "-"), ('ｰ', "-"), ('－', "-"), ('‐', "-"), ('−', "-"),
    // Full-width space and symbols of the safe set.
    ('\u{3000}', " "), ('（', "("), ('）', ")"), ('．', "."),
];
