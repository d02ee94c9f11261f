//! Long runs (a month's benefit run, a month's payment run): where one stands.

use super::member::wire_names;

/// Where a long run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
}

wire_names!(RunStatus {
    Running => "running",
    Completed => "completed",
    Failed => "failed",
});
