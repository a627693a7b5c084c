//! The broadcast function's configuration, read once at start: the common part and where LINE
//! fetches delivery images.

use tayori_runtime::{BootConfig, ConfigError, Vars};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastSettings {
    pub boot: BootConfig,
    /// `PUBLIC_BASE_URL`: the public API as LINE sees it (the stack's `PublicBaseUrl`, the
    /// WebhookUrl output without `/line/webhook`, or `https://<PublicDomainName>`). Required:
    /// without it no delivery image can be sent.
    pub media_base_url: String,
    /// JMA's Atom feeds polled every minute: `JMA_EXTRA_FEED_URL` (警報) and
    /// `JMA_EQVOL_FEED_URL` (地震・津波), JMA's PULL feeds unless set.
    pub jma_feeds: Vec<String>,
}

impl BroadcastSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        Ok(Self {
            boot: BootConfig::from_vars(vars)?,
            media_base_url: vars.required_url("PUBLIC_BASE_URL")?,
            jma_feeds: vec![
                vars.optional_url("JMA_EXTRA_FEED_URL")?
                    .unwrap_or_else(|| tayori_disaster::JMA_EXTRA_FEED.into()),
                vars.optional_url("JMA_EQVOL_FEED_URL")?
                    .unwrap_or_else(|| tayori_disaster::JMA_EQVOL_FEED.into()),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(public_base_url: &str) -> Result<BroadcastSettings, ConfigError> {
        let pairs = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
            ("LINE_SECRET_ID", "s"),
            ("PUBLIC_BASE_URL", public_base_url),
        ];
        BroadcastSettings::from_lookup(&|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn delivery_images_are_served_from_the_public_api() {
        let settings = settings("https://line.example.jp").unwrap();
        assert_eq!(settings.media_base_url, "https://line.example.jp");
    }

    #[test]
    fn jma_feeds_default_to_jmas_pull_service() {
        let settings = settings("https://line.example.jp").unwrap();
        assert_eq!(
            settings.jma_feeds,
            [
                "https://www.data.jma.go.jp/developer/xml/feed/extra.xml",
                "https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml"
            ]
        );
        let bad = BroadcastSettings::from_lookup(&|name| match name {
            "JMA_EQVOL_FEED_URL" => Some("data.jma.go.jp/eqvol.xml".into()),
            "TABLE_NAME" | "BUCKET_NAME" | "KMS_KEY_ID" | "EVENT_BUS_NAME" | "LINE_SECRET_ID" => {
                Some("x".into())
            }
            "PUBLIC_BASE_URL" => Some("https://line.example.jp".into()),
            _ => None,
        });
        assert!(matches!(
            bad,
            Err(ConfigError::NotUrl {
                name: "JMA_EQVOL_FEED_URL",
                ..
            })
        ));
    }

    #[test]
    fn an_empty_public_address_is_named_as_missing() {
        assert_eq!(
            settings("").unwrap_err().to_string(),
            "environment variable PUBLIC_BASE_URL is not set"
        );
    }

    #[test]
    fn a_public_address_without_a_scheme_is_named() {
        assert_eq!(
            settings("line.example.jp").unwrap_err(),
            ConfigError::NotUrl {
                name: "PUBLIC_BASE_URL",
                reason: "it does not start with https:// or http://"
            }
        );
    }
}
