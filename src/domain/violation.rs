//! Field-level validation failures, collected so that one answer names every problem.

/// One problem with one field, `field` being a JSON path such as `claims[0].copayment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub message: String,
}

/// A list of violations; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut v = Self::new();
        v.push(field, message);
        v
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records the error of `result` under `field` and gives back its value, if any.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(field, e.to_string());
                None
            }
        }
    }

    /// Moves the violations of `other` in, their fields prefixed with `prefix.`.
    pub fn absorb(&mut self, prefix: &str, other: Violations) {
        for v in other.0 {
            let field = if prefix.is_empty() {
                v.field
            } else {
                format!("{prefix}.{}", v.field)
            };
            self.0.push(Violation {
                field,
                message: v.message,
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    pub fn iter(&self) -> impl Iterator<Item = &Violation> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, Violations> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl std::fmt::Display for Violations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|v| format!("{}: {}", v.field, v.message)).collect();
        write!(f, "{}", parts.join("; "))
    }
}
