//! What every handler may read: the database pool, the settings and the business clock. It lives
//! apart from `app` (which registers the handlers) so that no handler imports the module that
//! imports it.

use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::config::Config;

pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    /// "Today" and "now" for every use case (Asia/Tokyo business date).
    pub clock: Clock,
}

impl AppState {
    /// The state on the real clock.
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            db,
            config,
            clock: Clock::system(),
        }
    }
}
