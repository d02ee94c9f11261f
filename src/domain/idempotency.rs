//! Retries of creating POSTs (`Idempotency-Key`): what a key already seen says about a request.

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Reservation {
    /// The key is new: do the work, then `complete` (or `release` on failure).
    Fresh,
    /// The same request was answered before: send this again.
    Replay { status: u16, body: String },
    /// The key was used with another request.
    Mismatch,
    /// The first request with this key has not finished.
    InProgress,
}
