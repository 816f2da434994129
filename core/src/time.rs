//! Timestamps as the specifications write them: XML Schema `dateTime` (VCDM, Data
//! Integrity) and JWT NumericDate (seconds since the epoch).

use chrono::{DateTime, SecondsFormat, Utc};

/// A point in time, always in UTC.
pub type Timestamp = DateTime<Utc>;

/// Parses an `xsd:dateTime` with an explicit offset (VCDM 2.0 §4.6 requires one).
pub fn parse_datetime(text: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Formats a timestamp as `YYYY-MM-DDThh:mm:ssZ`, the form issuers conventionally use.
pub fn format_datetime(time: Timestamp) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Converts a JWT NumericDate.
pub fn from_numeric_date(seconds: i64) -> Option<Timestamp> {
    DateTime::from_timestamp(seconds, 0)
}

/// The current time, to the second (credentials never carry sub-second precision).
pub fn now() -> Timestamp {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}
