//! Japan Standard Time. Times are stored in UTC and shown to citizens and staff in JST (UTC+9,
//! no daylight saving).

use chrono::{DateTime, FixedOffset, Utc};

pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

pub fn to_jst(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&jst())
}

/// `2026年11月25日 12:34` — how dates and times are shown in the console.
pub fn format_jst(at: DateTime<Utc>) -> String {
    to_jst(at).format("%Y年%-m月%-d日 %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_evening_is_the_next_morning_in_japan() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T21:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format_jst(at), "2026年12月1日 06:30");
    }
}
