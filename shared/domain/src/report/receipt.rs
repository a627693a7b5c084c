//! 受付番号: the JST year and month and a sequence within the month (`2612-0007` is the 7th
//! report of December 2026), short enough to read out on the phone to the 課. The desk keeps
//! the per-month counter; this module only names the month and writes the number.

use crate::time::to_jst;
use chrono::{DateTime, Utc};

/// The counter's month: `YYMM` in JST (a report filed at 23:30 UTC on 30 November is a
/// December report in Obama).
pub fn receipt_month(at: DateTime<Utc>) -> String {
    to_jst(at).format("%y%m").to_string()
}

/// `2612-0007`; past 9999 in a month the sequence simply grows a digit.
pub fn receipt_number(month: &str, sequence: u64) -> String {
    format!("{month}-{sequence:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_month_is_the_japanese_one() {
        assert_eq!(receipt_month(at("2026-11-30T14:59:59Z")), "2611");
        assert_eq!(receipt_month(at("2026-11-30T15:00:00Z")), "2612");
        assert_eq!(receipt_month(at("2026-12-31T15:00:00Z")), "2701");
    }

    #[test]
    fn numbers_are_padded_to_four_digits() {
        assert_eq!(receipt_number("2612", 7), "2612-0007");
        assert_eq!(receipt_number("2612", 12345), "2612-12345");
    }
}
