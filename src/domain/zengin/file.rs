//! The 全銀協 総合振込 file writer: receivables.md section 12 (lines 484–560). Positions in this
//! file are the 1-based byte offsets of the section's tables.

use chrono::{Datelike, NaiveDate, Weekday};

use super::account::{BankAccount, CustomerCode, Remitter};
use super::kana::BankNameKana;
use crate::domain::money::Yen;

/// Bytes of every record (line 491).
pub const RECORD_LEN: usize = 120;
/// Written after every record (line 491–492: some banks reject CR-only or LF-only).
pub const LINE_END: &[u8] = b"\r\n";
/// 振込金額 range: 1 … 9,999,999,999 円 (line 528, 10-digit field).
pub const MAX_AMOUNT: i64 = 9_999_999_999;
/// 合計件数 is 6 digits (line 541).
pub const MAX_RECORDS: usize = 999_999;
/// 合計金額 is 12 digits (line 542).
pub const MAX_TOTAL: i64 = 999_999_999_999;

/// Why a transfer file could not be written. `index` is the 0-based position in `records`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZenginError {
    #[error("a transfer file needs at least one transfer")]
    NoRecords,
    #[error("{count} transfers do not fit the trailer's 6-digit count")]
    TooManyRecords { count: usize },
    #[error("transfer {index}: amount {amount} yen must be at least 1 yen")]
    AmountNotPositive { index: usize, amount: Yen },
    #[error("transfer {index}: amount {amount} yen exceeds 9,999,999,999 yen")]
    AmountTooLarge { index: usize, amount: Yen },
    #[error("total {total} yen exceeds the trailer's 12-digit amount")]
    TotalTooLarge { total: i64 },
    #[error("transfer date {date} falls on a weekend, not a bank business day")]
    TransferDateNotBusinessDay { date: NaiveDate },
    /// A bug in this writer (a field off its documented position or width); never bad input.
    #[error("internal layout error in record type {record} at byte {position}")]
    Layout { record: char, position: usize },
}

/// 新規コード (data position 91, line 529).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NewCode {
    /// `0`: other (the default; some banks reject anything else, Q14).
    #[default]
    Other,
    /// `1`: first transfer to this account.
    FirstTransfer,
    /// `2`: the account changed.
    Changed,
}

impl NewCode {
    fn code(self) -> u8 {
        match self {
            Self::Other => b'0',
            Self::FirstTransfer => b'1',
            Self::Changed => b'2',
        }
    }
}

/// One transfer (data record): the payee account, optional bank/branch kana names (optional at
/// many banks, lines 521, 523), the net amount after any 充当 (section 11, line 480) and the
/// remitter's own references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRecord {
    pub account: BankAccount,
    pub bank_name: Option<BankNameKana>,
    pub branch_name: Option<BankNameKana>,
    pub amount: Yen,
    pub new_code: NewCode,
    pub customer_code_1: Option<CustomerCode>,
    pub customer_code_2: Option<CustomerCode>,
}

impl TransferRecord {
    /// A transfer with no names, no customer codes and 新規コード `0`.
    pub fn new(account: BankAccount, amount: Yen) -> Self {
        Self {
            account,
            bank_name: None,
            branch_name: None,
            amount,
            new_code: NewCode::Other,
            customer_code_1: None,
            customer_code_2: None,
        }
    }
}

/// The 総合振込 file (種別コード `21`, コード区分 `0` JIS).
pub struct TransferFile;

impl TransferFile {
    /// Renders header (`1`), one data record (`2`) per transfer in the given order, trailer
    /// (`8`) and end (`9`) (line 493): each exactly 120 bytes of Shift_JIS (single-byte JIS X 0201)
    /// followed by CR LF, so the result is `(records.len() + 3) * 122` bytes.
    ///
    /// Refuses an empty list, more than 999,999 transfers, an amount outside 1 … 9,999,999,999
    /// yen, a total beyond 12 digits, and a transfer date on a Saturday or Sunday (the 振込指定日
    /// must be a bank business day, line 507; public holidays are the caller's to check).
    pub fn render(
        header: &Remitter,
        transfer_date: NaiveDate,
        records: &[TransferRecord],
    ) -> Result<Vec<u8>, ZenginError> {
        if records.is_empty() {
            return Err(ZenginError::NoRecords);
        }
        if records.len() > MAX_RECORDS {
            return Err(ZenginError::TooManyRecords { count: records.len() });
        }
        if matches!(transfer_date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Err(ZenginError::TransferDateNotBusinessDay { date: transfer_date });
        }
        let mut out = Vec::with_capacity((records.len() + 3) * (RECORD_LEN + LINE_END.len()));
        push_line(&mut out, header_record(header, transfer_date)?);
        let mut total: i64 = 0;
        for (index, record) in records.iter().enumerate() {
            let amount = checked_amount(index, record.amount)?;
            total = total
                .checked_add(amount)
                .ok_or(ZenginError::TotalTooLarge { total: i64::MAX })?;
            push_line(&mut out, data_record(record, amount)?);
        }
        if total > MAX_TOTAL {
            return Err(ZenginError::TotalTooLarge { total });
        }
        push_line(&mut out, trailer_record(records.len(), total)?);
        push_line(&mut out, end_record()?);
        Ok(out)
    }
}

fn checked_amount(index: usize, amount: Yen) -> Result<i64, ZenginError> {
    let yen = amount.as_i64();
    if yen < 1 {
        Err(ZenginError::AmountNotPositive { index, amount })
    } else if yen > MAX_AMOUNT {
        Err(ZenginError::AmountTooLarge { index, amount })
    } else {
        Ok(yen)
    }
}

fn push_line(out: &mut Vec<u8>, record: Vec<u8>) {
    out.extend_from_slice(&record);
    out.extend_from_slice(LINE_END);
}

/// Header record (ヘッダー・レコード), receivables.md lines 499–514:
///
/// | Pos | Len | Field | Written |
/// |---|---|---|---|
/// | 1 | 1 | データ区分 | `1` |
/// | 2–3 | 2 | 種別コード | `21` 総合振込 |
/// | 4 | 1 | コード区分 | `0` JIS |
/// | 5–14 | 10 | 振込依頼人コード | remitter code, 10 digits |
/// | 15–54 | 40 | 振込依頼人名 | remitter kana, left-aligned, space-filled |
/// | 55–58 | 4 | 振込指定日 | transfer date `MMDD` |
/// | 59–62 | 4 | 仕向銀行番号 | 4 digits |
/// | 63–77 | 15 | 仕向銀行名 | kana, space-filled |
/// | 78–80 | 3 | 仕向支店番号 | 3 digits |
/// | 81–95 | 15 | 仕向支店名 | kana, space-filled |
/// | 96 | 1 | 預金種目 (依頼人) | `1` 普通 / `2` 当座 |
/// | 97–103 | 7 | 口座番号 (依頼人) | 7 digits |
/// | 104–120 | 17 | ダミー | spaces |
fn header_record(r: &Remitter, transfer_date: NaiveDate) -> Result<Vec<u8>, ZenginError> {
    let mut b = RecordBuf::new('1');
    b.fixed(1, b"1")?;
    b.fixed(2, b"21")?;
    b.fixed(4, b"0")?;
    b.fixed(5, r.code().as_str().as_bytes())?;
    b.text(15, 40, r.name().as_str())?;
    b.number(55, 2, u64::from(transfer_date.month()))?;
    b.number(57, 2, u64::from(transfer_date.day()))?;
    b.fixed(59, r.bank_code().as_str().as_bytes())?;
    b.text(63, 15, r.bank_name().as_str())?;
    b.fixed(78, r.branch_code().as_str().as_bytes())?;
    b.text(81, 15, r.branch_name().as_str())?;
    b.fixed(96, &[r.account_type().zengin_code()])?;
    b.fixed(97, r.account_number().as_str().as_bytes())?;
    b.spaces(104, 17)?;
    b.finish()
}

/// Data record (データ・レコード), receivables.md lines 516–534:
///
/// | Pos | Len | Field | Written |
/// |---|---|---|---|
/// | 1 | 1 | データ区分 | `2` |
/// | 2–5 | 4 | 被仕向銀行番号 | 4 digits |
/// | 6–20 | 15 | 被仕向銀行名 | kana or spaces when not given |
/// | 21–23 | 3 | 被仕向支店番号 | 3 digits |
/// | 24–38 | 15 | 被仕向支店名 | kana or spaces when not given |
/// | 39–42 | 4 | 手形交換所番号 | unused: `0000` |
/// | 43 | 1 | 預金種目 | `1` 普通 / `2` 当座 / `4` 貯蓄 |
/// | 44–50 | 7 | 口座番号 | 7 digits |
/// | 51–80 | 30 | 受取人名 | holder kana, left-aligned, space-filled |
/// | 81–90 | 10 | 振込金額 | amount, right-aligned, zero-filled |
/// | 91 | 1 | 新規コード | `0` / `1` / `2` |
/// | 92–101 | 10 | 顧客コード1 | digits, right-aligned, zero-filled; zeros when not given |
/// | 102–111 | 10 | 顧客コード2 | as 顧客コード1 |
/// | 112 | 1 | 振込指定区分 | `7` 電信 |
/// | 113 | 1 | 識別表示 | space (no EDI) |
/// | 114–120 | 7 | ダミー | spaces |
fn data_record(t: &TransferRecord, amount: i64) -> Result<Vec<u8>, ZenginError> {
    let a = &t.account;
    let mut b = RecordBuf::new('2');
    b.fixed(1, b"2")?;
    b.fixed(2, a.bank_code().as_str().as_bytes())?;
    b.text(6, 15, t.bank_name.as_ref().map_or("", |n| n.as_str()))?;
    b.fixed(21, a.branch_code().as_str().as_bytes())?;
    b.text(24, 15, t.branch_name.as_ref().map_or("", |n| n.as_str()))?;
    b.fixed(39, b"0000")?;
    b.fixed(43, &[a.account_type().zengin_code()])?;
    b.fixed(44, a.account_number().as_str().as_bytes())?;
    b.text(51, 30, a.holder().as_str())?;
    b.number(81, 10, u64::try_from(amount).unwrap_or(u64::MAX))?;
    b.fixed(91, &[t.new_code.code()])?;
    b.digits(92, 10, t.customer_code_1.as_ref().map_or("", |c| c.as_str()))?;
    b.digits(102, 10, t.customer_code_2.as_ref().map_or("", |c| c.as_str()))?;
    b.fixed(112, b"7")?;
    b.spaces(113, 1)?;
    b.spaces(114, 7)?;
    b.finish()
}

/// Trailer record (トレーラ・レコード), receivables.md lines 536–543: `8` at 1, 合計件数 (6 digits)
/// at 2–7, 合計金額 (12 digits) at 8–19, spaces at 20–120.
fn trailer_record(count: usize, total: i64) -> Result<Vec<u8>, ZenginError> {
    let mut b = RecordBuf::new('8');
    b.fixed(1, b"8")?;
    b.number(2, 6, u64::try_from(count).unwrap_or(u64::MAX))?;
    b.number(8, 12, u64::try_from(total).unwrap_or(u64::MAX))?;
    b.spaces(20, 101)?;
    b.finish()
}

/// End record (エンド・レコード), receivables.md lines 544–545: `9` at 1, spaces at 2–120.
fn end_record() -> Result<Vec<u8>, ZenginError> {
    let mut b = RecordBuf::new('9');
    b.fixed(1, b"9")?;
    b.spaces(2, 119)?;
    b.finish()
}

/// One record under construction; every field states its documented 1-based position, and a
/// field that does not start there or does not fit is a [`ZenginError::Layout`].
struct RecordBuf {
    record: char,
    bytes: Vec<u8>,
}

impl RecordBuf {
    fn new(record: char) -> Self {
        Self {
            record,
            bytes: Vec::with_capacity(RECORD_LEN),
        }
    }

    fn layout_error(&self, position: usize) -> ZenginError {
        ZenginError::Layout {
            record: self.record,
            position,
        }
    }

    /// Appends `field`, which must start at `pos` and fits exactly.
    fn fixed(&mut self, pos: usize, field: &[u8]) -> Result<(), ZenginError> {
        if self.bytes.len() + 1 != pos || pos - 1 + field.len() > RECORD_LEN {
            return Err(self.layout_error(pos));
        }
        self.bytes.extend_from_slice(field);
        Ok(())
    }

    /// N: right-aligned, zero-filled (line 496).
    fn number(&mut self, pos: usize, len: usize, value: u64) -> Result<(), ZenginError> {
        self.digits(pos, len, &value.to_string())
    }

    /// N from a string of ASCII digits: right-aligned, zero-filled; empty gives all zeros.
    fn digits(&mut self, pos: usize, len: usize, digits: &str) -> Result<(), ZenginError> {
        if digits.len() > len || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.layout_error(pos));
        }
        let field = format!("{digits:0>len$}");
        self.fixed(pos, field.as_bytes())
    }

    /// C: Shift_JIS single-byte text, left-aligned, space-filled (lines 494–497).
    fn text(&mut self, pos: usize, len: usize, text: &str) -> Result<(), ZenginError> {
        let (encoded, _, had_errors) = encoding_rs::SHIFT_JIS.encode(text);
        if had_errors || encoded.len() > len || encoded.len() != text.chars().count() {
            return Err(self.layout_error(pos));
        }
        let mut field = encoded.into_owned();
        field.resize(len, b' ');
        self.fixed(pos, &field)
    }

    fn spaces(&mut self, pos: usize, len: usize) -> Result<(), ZenginError> {
        self.fixed(pos, &vec![b' '; len])
    }

    fn finish(self) -> Result<Vec<u8>, ZenginError> {
        if self.bytes.len() == RECORD_LEN {
            Ok(self.bytes)
        } else {
            Err(self.layout_error(self.bytes.len() + 1))
        }
    }
}
