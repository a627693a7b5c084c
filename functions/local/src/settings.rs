//! What the local run reads from its environment, once at start. Everything has a dev default,
//! so none of it is required.

use chrono::{DateTime, Utc};
use tayori_runtime::{ConfigError, Vars};

/// Starts the local run at another time (e.g. a collection morning), for manual tries.
pub const CLOCK_VAR: &str = "TAYORI_LOCAL_CLOCK";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalSettings {
    /// `TAYORI_ADMIN_PASSWORD`: the first administrator's password for `create-admin`; asked
    /// on the terminal when unset.
    pub admin_password: Option<String>,
    /// `LINE_CHANNEL_SECRET`: the simulator signs with [`crate::DEV_CHANNEL_SECRET`] when unset.
    pub channel_secret: Option<String>,
    /// `TAYORI_LOCAL_CLOCK` (RFC 3339): the clock starts at that time and advances in real
    /// time, so ticks and notices behave as on that day.
    pub clock_start: Option<DateTime<Utc>>,
}

impl LocalSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        let clock_start = vars
            .optional(CLOCK_VAR)
            .map(|value| {
                DateTime::parse_from_rfc3339(value.trim())
                    .map(|start| start.with_timezone(&Utc))
                    .map_err(|e| ConfigError::Malformed {
                        name: CLOCK_VAR,
                        reason: format!("not an RFC 3339 time ({e})"),
                    })
            })
            .transpose()?;
        Ok(Self {
            admin_password: vars.optional("TAYORI_ADMIN_PASSWORD"),
            channel_secret: vars.optional("LINE_CHANNEL_SECRET"),
            clock_start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<LocalSettings, ConfigError> {
        LocalSettings::from_lookup(&|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn nothing_is_required() {
        assert_eq!(
            settings(&[]).unwrap(),
            LocalSettings {
                admin_password: None,
                channel_secret: None,
                clock_start: None
            }
        );
    }

    #[test]
    fn the_clock_secret_and_password_are_read() {
        let settings = settings(&[
            ("TAYORI_LOCAL_CLOCK", " 2026-12-07T06:30:00+09:00 "),
            ("LINE_CHANNEL_SECRET", "0123456789abcdef"),
            ("TAYORI_ADMIN_PASSWORD", "correct horse battery "),
        ])
        .unwrap();
        assert_eq!(
            settings.clock_start.unwrap().to_rfc3339(),
            "2026-12-06T21:30:00+00:00"
        );
        assert_eq!(settings.channel_secret.as_deref(), Some("0123456789abcdef"));
        // A password is taken as typed, trailing space included.
        assert_eq!(
            settings.admin_password.as_deref(),
            Some("correct horse battery ")
        );
    }

    #[test]
    fn a_clock_that_is_not_rfc_3339_is_named() {
        let error = settings(&[("TAYORI_LOCAL_CLOCK", "2026-12-07 06:30")]).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Malformed {
                name: "TAYORI_LOCAL_CLOCK",
                ..
            }
        ));
        assert!(error.to_string().starts_with(
            "environment variable TAYORI_LOCAL_CLOCK is malformed: not an RFC 3339 time"
        ));
    }
}
