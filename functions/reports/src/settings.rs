//! The reports function's configuration, read once at start: the common part (table, bucket,
//! keys, bus, the LINE channel it replies and pushes with) and where `/media/` is served, for
//! the thumbnail in the status notice (LINE fetches it itself, so an absolute https address).

use tayori_runtime::{BootConfig, ConfigError, Vars};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportsSettings {
    pub boot: BootConfig,
    /// `PUBLIC_BASE_URL` without its closing slash. Required: every status notice with a photo
    /// names its thumbnail under it.
    pub public_base_url: String,
}

impl ReportsSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        Ok(Self {
            public_base_url: vars
                .required_url("PUBLIC_BASE_URL")?
                .trim_end_matches('/')
                .to_string(),
            boot: BootConfig::from_vars(vars)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(extra: &[(&str, &str)]) -> Result<ReportsSettings, ConfigError> {
        let map: HashMap<&str, &str> = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        ReportsSettings::from_lookup(&|name| map.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn the_public_address_is_kept_without_its_closing_slash() {
        let s = settings(&[
            ("LINE_SECRET_ID", "tayori/prod/line"),
            ("PUBLIC_BASE_URL", "https://line.city.obama.fukui.jp/"),
        ])
        .unwrap();
        assert_eq!(s.public_base_url, "https://line.city.obama.fukui.jp");
        assert_eq!(s.boot.line_secret_id, "tayori/prod/line");
    }

    #[test]
    fn the_public_address_and_the_line_secret_are_required() {
        assert_eq!(
            settings(&[("LINE_SECRET_ID", "s")]).unwrap_err(),
            ConfigError::Missing("PUBLIC_BASE_URL")
        );
        assert_eq!(
            settings(&[("PUBLIC_BASE_URL", "https://x.example")]).unwrap_err(),
            ConfigError::Missing("LINE_SECRET_ID")
        );
    }
}
