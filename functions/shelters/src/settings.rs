//! The shelters function's configuration, read once at start: the LINE channel (it answers
//! citizens with the reply token, or a push) and where its map page is on the public API.

use tayori_runtime::{BootConfig, ConfigError, Vars};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheltersSettings {
    pub boot: BootConfig,
    /// `PUBLIC_BASE_URL`: the public API's address, for the carousel's 「地図で見る」 button
    /// (LINE only opens absolute URLs). Required: every answer in the chat carries it.
    pub public_base_url: String,
}

impl SheltersSettings {
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

    /// The map page's absolute address.
    pub fn map_page_url(&self) -> String {
        format!("{}{}", self.public_base_url, crate::MAP_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(extra: &[(&str, &str)]) -> Result<SheltersSettings, ConfigError> {
        let map: HashMap<&str, &str> = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        SheltersSettings::from_lookup(&|name| map.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn the_map_page_is_on_the_public_address() {
        let settings = settings(&[
            ("LINE_SECRET_ID", "tayori/prod/line"),
            ("PUBLIC_BASE_URL", "https://line.city.obama.fukui.jp/"),
        ])
        .unwrap();
        assert_eq!(settings.boot.line_secret_id, "tayori/prod/line");
        assert_eq!(
            settings.map_page_url(),
            "https://line.city.obama.fukui.jp/liff/shelters/map"
        );
    }

    #[test]
    fn the_public_address_and_the_line_secret_are_required_and_a_bad_address_is_named() {
        assert_eq!(
            settings(&[("LINE_SECRET_ID", "s"), ("PUBLIC_BASE_URL", "")]).unwrap_err(),
            ConfigError::Missing("PUBLIC_BASE_URL")
        );
        assert_eq!(
            settings(&[("PUBLIC_BASE_URL", "https://x.example")]).unwrap_err(),
            ConfigError::Missing("LINE_SECRET_ID")
        );
        assert_eq!(
            settings(&[("LINE_SECRET_ID", "s"), ("PUBLIC_BASE_URL", "line.example")])
                .unwrap_err()
                .to_string(),
            "environment variable PUBLIC_BASE_URL is not an http(s) URL: it does not start with https:// or http://"
        );
    }
}
