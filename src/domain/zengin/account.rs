//! Bank accounts as the 全銀 file needs them: the payee's (受取人) account of an auto-pay
//! registration and the remitter's (振込依頼人) own account. receivables.md section 12 (lines
//! 499–534), API.md "Automatic payment registrations and payment runs".

use std::fmt;

use super::kana::{BankNameKana, HolderKana, RemitterKana};

/// One validation failure, named by its input field (`bank_code`, `holder_kana`, …), the shape of
/// the API's `errors: [{field, message}]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A code of exactly `N` ASCII digits, written as is into an `N`-byte numeric field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DigitCode<const N: usize>(String);

/// 金融機関コード (統一金融機関番号): 4 digits (header 59–62, data 2–5; lines 508, 520).
pub type BankCode = DigitCode<4>;
/// 支店番号 (店番): 3 digits (header 78–80, data 21–23; lines 510, 522).
pub type BranchCode = DigitCode<3>;
/// 口座番号: 7 digits (header 97–103, data 44–50; lines 513, 526). For ゆうちょ銀行 this is the
/// 振込用 number, never the 記号・番号.
pub type AccountNumber = DigitCode<7>;
/// 振込依頼人コード (委託者コード): 10 digits assigned by the remitting bank (header 5–14, line 505).
pub type RemitterCode = DigitCode<10>;

impl<const N: usize> DigitCode<N> {
    /// Exactly `N` ASCII digits; no spaces, signs or full-width digits.
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.len() == N && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(format!("must be exactly {N} digits (0-9)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 顧客コード (data 92–101 and 102–111, line 530–531): 1 to 10 digits of the remitter's own
/// reference, written right-aligned and zero-filled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomerCode(String);

impl CustomerCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        if (1..=10).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err("must be 1 to 10 digits (0-9)".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 預金種目 (account type). Wire names `ordinary|current|savings` (API.md); file codes per
/// receivables.md lines 512 and 525.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// 普通預金, code `1`.
    Ordinary,
    /// 当座預金, code `2`.
    Current,
    /// 貯蓄預金, code `4` (data records only: the header allows `1`, `2`, `9`).
    Savings,
}

impl AccountType {
    /// Reads the wire name.
    pub fn parse(input: &str) -> Result<Self, String> {
        match input {
            "ordinary" => Ok(Self::Ordinary),
            "current" => Ok(Self::Current),
            "savings" => Ok(Self::Savings),
            _ => Err("must be one of ordinary, current, savings".to_owned()),
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::Current => "current",
            Self::Savings => "savings",
        }
    }

    /// The 預金種目 digit of the file.
    pub fn zengin_code(self) -> u8 {
        match self {
            Self::Ordinary => b'1',
            Self::Current => b'2',
            Self::Savings => b'4',
        }
    }
}

/// A string schema listing exactly the wire names, so a generated client gets an enum.
impl utoipa::PartialSchema for AccountType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("預金種目: `ordinary` (普通), `current` (当座), `savings` (貯蓄)."))
            .enum_values(Some([Self::Ordinary, Self::Current, Self::Savings].map(Self::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for AccountType {}

/// A payee account (振込先口座) as registered for auto-pay: bank, branch, type, number, holder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BankAccount {
    bank_code: BankCode,
    branch_code: BranchCode,
    account_type: AccountType,
    account_number: AccountNumber,
    holder: HolderKana,
}

impl BankAccount {
    /// Validates every field and reports all failures at once, each named by its wire field
    /// (`bank_code`, `branch_code`, `account_type`, `account_number`, `holder_kana`).
    pub fn parse(
        bank_code: &str,
        branch_code: &str,
        account_type: &str,
        account_number: &str,
        holder_kana: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let bank_code = collect(&mut errors, "bank_code", BankCode::parse(bank_code));
        let branch_code = collect(&mut errors, "branch_code", BranchCode::parse(branch_code));
        let account_type = collect(&mut errors, "account_type", AccountType::parse(account_type));
        let account_number = collect(&mut errors, "account_number", AccountNumber::parse(account_number));
        let holder = collect(&mut errors, "holder_kana", HolderKana::parse(holder_kana));
        match (bank_code, branch_code, account_type, account_number, holder) {
            (Some(bank_code), Some(branch_code), Some(account_type), Some(account_number), Some(holder))
                if errors.is_empty() =>
            {
                Ok(Self {
                    bank_code,
                    branch_code,
                    account_type,
                    account_number,
                    holder,
                })
            }
            _ => Err(errors),
        }
    }

    pub fn bank_code(&self) -> &BankCode {
        &self.bank_code
    }

    pub fn branch_code(&self) -> &BranchCode {
        &self.branch_code
    }

    pub fn account_type(&self) -> AccountType {
        self.account_type
    }

    pub fn account_number(&self) -> &AccountNumber {
        &self.account_number
    }

    pub fn holder(&self) -> &HolderKana {
        &self.holder
    }
}

/// The remitter's (振込依頼人) data for the header record, as read from configuration.
#[derive(Clone, Copy, Debug, Default)]
pub struct RemitterInput<'a> {
    pub remitter_code: &'a str,
    pub remitter_name_kana: &'a str,
    pub bank_code: &'a str,
    pub bank_name_kana: &'a str,
    pub branch_code: &'a str,
    pub branch_name_kana: &'a str,
    pub account_type: &'a str,
    pub account_number: &'a str,
}

/// The remitter (振込依頼人): the insurer as the remitting bank's customer (header record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remitter {
    code: RemitterCode,
    name: RemitterKana,
    bank_code: BankCode,
    bank_name: BankNameKana,
    branch_code: BranchCode,
    branch_name: BankNameKana,
    account_type: AccountType,
    account_number: AccountNumber,
}

impl Remitter {
    /// Validates every field (errors named as the `RemitterInput` fields). The remitter's account
    /// must be ordinary or current: the header's 預金種目 has no 貯蓄 code (line 512).
    pub fn parse(input: &RemitterInput<'_>) -> Result<Self, Vec<FieldError>> {
        let mut e = Vec::new();
        let code = collect(&mut e, "remitter_code", RemitterCode::parse(input.remitter_code));
        let name = collect(
            &mut e,
            "remitter_name_kana",
            RemitterKana::parse(input.remitter_name_kana),
        );
        let bank_code = collect(&mut e, "bank_code", BankCode::parse(input.bank_code));
        let bank_name = collect(&mut e, "bank_name_kana", BankNameKana::parse(input.bank_name_kana));
        let branch_code = collect(&mut e, "branch_code", BranchCode::parse(input.branch_code));
        let branch_name = collect(&mut e, "branch_name_kana", BankNameKana::parse(input.branch_name_kana));
        let account_type = match AccountType::parse(input.account_type) {
            Ok(AccountType::Savings) => Err("a remitter account must be ordinary or current".to_owned()),
            other => other,
        };
        let account_type = collect(&mut e, "account_type", account_type);
        let account_number = collect(&mut e, "account_number", AccountNumber::parse(input.account_number));
        match (
            code,
            name,
            bank_code,
            bank_name,
            branch_code,
            branch_name,
            account_type,
            account_number,
        ) {
            (
                Some(code),
                Some(name),
                Some(bank_code),
                Some(bank_name),
                Some(branch_code),
                Some(branch_name),
                Some(account_type),
                Some(account_number),
            ) if e.is_empty() => Ok(Self {
                code,
                name,
                bank_code,
                bank_name,
                branch_code,
                branch_name,
                account_type,
                account_number,
            }),
            _ => Err(e),
        }
    }

    pub fn code(&self) -> &RemitterCode {
        &self.code
    }

    pub fn name(&self) -> &RemitterKana {
        &self.name
    }

    pub fn bank_code(&self) -> &BankCode {
        &self.bank_code
    }

    pub fn bank_name(&self) -> &BankNameKana {
        &self.bank_name
    }

    pub fn branch_code(&self) -> &BranchCode {
        &self.branch_code
    }

    pub fn branch_name(&self) -> &BankNameKana {
        &self.branch_name
    }

    pub fn account_type(&self) -> AccountType {
        self.account_type
    }

    pub fn account_number(&self) -> &AccountNumber {
        &self.account_number
    }
}

/// The value, or `None` after recording the failure under `field`.
fn collect<T, E: fmt::Display>(errors: &mut Vec<FieldError>, field: &'static str, result: Result<T, E>) -> Option<T> {
    result
        .map_err(|e| errors.push(FieldError::new(field, e.to_string())))
        .ok()
}

/// One insurer's remitter (振込依頼人) data for the transfer file header, checked when read.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemitterSettings {
    pub remitter_code: String,
    pub remitter_name_kana: String,
    pub bank_code: String,
    pub bank_name_kana: String,
    pub branch_code: String,
    pub branch_name_kana: String,
    pub account_type: String,
    pub account_number: String,
}

impl RemitterSettings {
    /// The validated remitter, or every field that is wrong.
    pub fn remitter(&self) -> Result<Remitter, String> {
        Remitter::parse(&RemitterInput {
            remitter_code: &self.remitter_code,
            remitter_name_kana: &self.remitter_name_kana,
            bank_code: &self.bank_code,
            bank_name_kana: &self.bank_name_kana,
            branch_code: &self.branch_code,
            branch_name_kana: &self.branch_name_kana,
            account_type: &self.account_type,
            account_number: &self.account_number,
        })
        .map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}
