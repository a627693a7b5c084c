//! The webhook's configuration, read once at start: the common part and where the registration
//! invitation links for the privacy policy.

use crate::registration::DEFAULT_PRIVACY_POLICY_PATH;
use tayori_runtime::{BootConfig, ConfigError, Vars};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    pub boot: BootConfig,
    /// `PRIVACY_POLICY_URL` (the city's own policy), or the page the forms function serves on
    /// the public API (`PUBLIC_BASE_URL` + `/liff/privacy`); `None` when neither is set.
    pub privacy_policy_url: Option<String>,
    /// `PUBLIC_BASE_URL` without its closing slash: where `/media/` is served, for the report
    /// thumbnails in 「通報履歴」.
    pub public_base_url: Option<String>,
}

impl WebhookSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        let public_base_url = vars.optional_url("PUBLIC_BASE_URL")?;
        let privacy_policy_url = match vars.optional_url("PRIVACY_POLICY_URL")? {
            Some(url) => Some(url),
            None => public_base_url.as_ref().map(|base| {
                format!(
                    "{}{DEFAULT_PRIVACY_POLICY_PATH}",
                    base.trim_end_matches('/')
                )
            }),
        };
        Ok(Self {
            boot: BootConfig::from_vars(vars)?,
            privacy_policy_url,
            public_base_url: public_base_url.map(|b| b.trim_end_matches('/').to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(extra: &[(&str, &str)]) -> Result<WebhookSettings, ConfigError> {
        let map: HashMap<&str, &str> = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
            ("LINE_SECRET_ID", "s"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        WebhookSettings::from_lookup(&|name| map.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn the_privacy_policy_is_the_citys_own_when_set() {
        let settings = settings(&[
            (
                "PRIVACY_POLICY_URL",
                "https://www.city.obama.fukui.jp/privacy",
            ),
            ("PUBLIC_BASE_URL", "https://line.example.jp"),
        ])
        .unwrap();
        assert_eq!(
            settings.privacy_policy_url.as_deref(),
            Some("https://www.city.obama.fukui.jp/privacy")
        );
    }

    #[test]
    fn otherwise_the_forms_functions_page_on_the_public_api() {
        let settings = settings(&[("PUBLIC_BASE_URL", "https://line.example.jp/prod/")]).unwrap();
        assert_eq!(
            settings.privacy_policy_url.as_deref(),
            Some("https://line.example.jp/prod/liff/privacy")
        );
        assert_eq!(settings.boot.line_secret_id, "s");
    }

    #[test]
    fn neither_set_leaves_the_relative_path() {
        let settings = settings(&[("PUBLIC_BASE_URL", "")]).unwrap();
        assert_eq!(settings.privacy_policy_url, None);
    }

    #[test]
    fn a_malformed_address_is_named() {
        for name in ["PRIVACY_POLICY_URL", "PUBLIC_BASE_URL"] {
            assert_eq!(
                settings(&[(name, "www.city.obama.fukui.jp")]).unwrap_err(),
                ConfigError::NotUrl {
                    name,
                    reason: "it does not start with https:// or http://"
                }
            );
        }
    }

    #[test]
    fn the_common_part_is_required() {
        let error = WebhookSettings::from_lookup(&|_| None).unwrap_err();
        assert_eq!(error, ConfigError::Missing("TABLE_NAME"));
    }
}
