//! 全銀協 総合振込 (Zengin bulk transfer) for automatic 高額療養費 payment: the account holder kana
//! (口座名義カナ), bank accounts, and the fixed-length transfer file a payment run hands to the bank.
//! Pure: no I/O, no clock. Source: shared/domain/receivables.md section 12 (lines 484–560), section
//! 10.4 (registration fields), section 11 (the file carries only the net amount after 充当), and
//! API.md "Automatic payment registrations and payment runs".
//!
//! - [`HolderKana`] (and [`RemitterKana`], [`BankNameKana`]): kana text normalised to what the
//!   file allows, with its byte limit.
//! - [`BankAccount`]: a payee account, validated field by field ([`FieldError`]).
//! - [`Remitter`]: the insurer's own account and codes for the header record.
//! - [`TransferFile::render`]: header, data, trailer and end records, 120 bytes each + CR LF.

mod account;
mod file;
mod kana;

pub use account::{
    AccountNumber, AccountType, BankAccount, BankCode, BranchCode, CustomerCode, DigitCode, FieldError, Remitter,
    RemitterCode, RemitterInput, RemitterSettings,
};
pub use file::{
    LINE_END, MAX_AMOUNT, MAX_RECORDS, MAX_TOTAL, NewCode, RECORD_LEN, TransferFile, TransferRecord, ZenginError,
};
pub use kana::{BankNameKana, HolderKana, KanaError, KanaText, RemitterKana};

#[cfg(test)]
mod account_tests;
#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod kana_tests;
#[cfg(test)]
mod proptests;
