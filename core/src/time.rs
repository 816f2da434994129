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

/// The latest NumericDate Sigil reads: 9999-12-31T23:59:59Z, the last instant an
/// `xsd:dateTime` with a four-digit year can name. Anything later is a mistake or an attack.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// Reads a JWT NumericDate (RFC 7519 §2): a JSON number of seconds since
/// 1970-01-01T00:00:00Z, which may have a fraction. The fraction is dropped, since Sigil keeps
/// whole seconds everywhere (see [`now`]). `None` for anything else: not a number, negative,
/// or past [`MAX_NUMERIC_DATE`].
pub fn numeric_date(value: &serde_json::Value) -> Option<Timestamp> {
    let number = value.as_number()?;
    let seconds = match number.as_i64() {
        Some(seconds) => seconds,
        None => {
            let seconds = number.as_f64()?;
            if !(0.0..=MAX_NUMERIC_DATE as f64).contains(&seconds) {
                return None;
            }
            seconds.floor() as i64
        }
    };
    if !(0..=MAX_NUMERIC_DATE).contains(&seconds) {
        return None;
    }
    from_numeric_date(seconds)
}

/// The current time, to the second (credentials never carry sub-second precision).
pub fn now() -> Timestamp {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_numeric_date_is_a_non_negative_number_of_seconds() {
        let at = from_numeric_date;
        assert_eq!(numeric_date(&json!(0)), at(0));
        assert_eq!(numeric_date(&json!(1_782_820_800)), at(1_782_820_800));
        assert_eq!(numeric_date(&json!(1_782_820_800.75)), at(1_782_820_800));
        assert_eq!(numeric_date(&json!(1.7828208e9)), at(1_782_820_800));
        assert_eq!(numeric_date(&json!(MAX_NUMERIC_DATE)), at(MAX_NUMERIC_DATE));
    }

    #[test]
    fn anything_else_is_not_a_numeric_date() {
        for value in [
            json!("1782820800"),
            json!("2026-06-30T12:00:00Z"),
            json!(null),
            json!(true),
            json!([1_782_820_800]),
            json!({"seconds": 1_782_820_800}),
            json!(-1),
            json!(-0.5),
            json!(MAX_NUMERIC_DATE + 1),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1e300),
        ] {
            assert_eq!(numeric_date(&value), None, "{value}");
        }
        let huge: serde_json::Value = "1e400"
            .parse::<serde_json::Number>()
            .map_or(json!(null), Into::into);
        assert_eq!(numeric_date(&huge), None);
    }
}
