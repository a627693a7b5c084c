//! Configuration, read once at start from the variables `template.yaml` sets. Each function
//! parses its settings into one typed struct from a lookup (the process environment in
//! `main.rs`, a map in tests), so a wrong deployment fails at cold start with the variable's
//! name, not at the first request that needs it.

use tayori_adapters::aws::{self, AwsConfig};
use tayori_line::LineConfig;

/// The process environment: the one place a Lambda's settings are read from.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// What is wrong with a variable, by name. A value is never repeated whole (some name secrets);
/// at most the offending entry of a list that holds no secret, such as a CIDR.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is not an http(s) URL: {reason}")]
    NotUrl {
        name: &'static str,
        reason: &'static str,
    },
    #[error("environment variable {name} is malformed: {reason}")]
    Malformed { name: &'static str, reason: String },
}

impl From<aws::ConfigError> for ConfigError {
    fn from(error: aws::ConfigError) -> Self {
        match error {
            aws::ConfigError::Missing(name) => ConfigError::Missing(name),
            aws::ConfigError::NotMailAddress { name, reason } => ConfigError::Malformed {
                name,
                reason: reason.to_string(),
            },
        }
    }
}

/// Typed reads over a lookup. An empty or blank value counts as unset, as the template writes
/// `''` for parameters left empty.
#[derive(Clone, Copy)]
pub struct Vars<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Vars<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    /// The value as set (not trimmed: a password may end in a space), if not blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError::Missing(name))
    }

    pub fn optional_url(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        self.optional(name)
            .map(|value| {
                check_url(&value).map_err(|reason| ConfigError::NotUrl { name, reason })?;
                Ok(value)
            })
            .transpose()
    }

    pub fn required_url(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional_url(name)?.ok_or(ConfigError::Missing(name))
    }

    pub fn aws(&self) -> Result<AwsConfig, ConfigError> {
        Ok(AwsConfig::from_lookup(|name| self.optional(name))?)
    }
}

/// An absolute http(s) address with a host. LINE fetches images from, and citizens open,
/// these addresses, so a typo must stop the deployment rather than send broken links.
fn check_url(value: &str) -> Result<(), &'static str> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or("it does not start with https:// or http://")?;
    if value.chars().any(char::is_whitespace) {
        return Err("it contains spaces");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Err("it has no host");
    }
    Ok(())
}

/// Where the LINE Messaging API is (`LINE_API_BASE`, `LINE_DATA_API_BASE`); tests point them
/// at the fake LINE server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineApi {
    pub api_base: String,
    pub data_api_base: String,
}

impl LineApi {
    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let defaults = LineConfig::default();
        Ok(Self {
            api_base: vars
                .optional_url("LINE_API_BASE")?
                .unwrap_or(defaults.api_base),
            data_api_base: vars
                .optional_url("LINE_DATA_API_BASE")?
                .unwrap_or(defaults.data_api_base),
        })
    }

    /// The client settings with the channel's token (empty for calls that need none).
    pub fn client_config(&self, channel_access_token: String) -> LineConfig {
        LineConfig {
            api_base: self.api_base.clone(),
            data_api_base: self.data_api_base.clone(),
            channel_access_token,
            ..LineConfig::default()
        }
    }
}

/// The city's name in default messages when `CITY_NAME` is not set.
pub const DEFAULT_CITY: &str = "小浜市";

/// What every function with data reads: the stack's resources, where LINE is, the city.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommonConfig {
    pub aws: AwsConfig,
    pub line_api: LineApi,
    /// `CITY_NAME`, default 小浜市.
    pub city: String,
}

impl CommonConfig {
    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            aws: vars.aws()?,
            line_api: LineApi::from_vars(vars)?,
            city: vars
                .optional("CITY_NAME")
                .unwrap_or_else(|| DEFAULT_CITY.into()),
        })
    }
}

/// A function that talks to LINE with the channel's token: the common part and the secret
/// holding the channel's credentials (`LINE_SECRET_ID`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootConfig {
    pub common: CommonConfig,
    pub line_secret_id: String,
}

impl BootConfig {
    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            common: CommonConfig::from_vars(vars)?,
            line_secret_id: vars.required("LINE_SECRET_ID")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A lookup over fixed pairs, for configuration tests.
    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const AWS: [(&str, &str); 4] = [
        ("TABLE_NAME", "tayori-prod"),
        ("BUCKET_NAME", "tayori-prod-objects"),
        ("KMS_KEY_ID", "arn:aws:kms:ap-northeast-1:1:key/k"),
        ("EVENT_BUS_NAME", "tayori-prod"),
    ];

    fn boot(extra: &[(&str, &str)]) -> Result<BootConfig, ConfigError> {
        let pairs: Vec<_> = AWS.iter().chain(extra).copied().collect();
        let lookup = lookup(&pairs);
        BootConfig::from_vars(Vars::new(&lookup))
    }

    #[test]
    fn the_deployed_settings_are_read_with_defaults_for_the_optional_ones() {
        let config = boot(&[("LINE_SECRET_ID", "tayori/prod/line-channel")]).unwrap();
        assert_eq!(config.line_secret_id, "tayori/prod/line-channel");
        assert_eq!(config.common.aws.table_name, "tayori-prod");
        assert_eq!(config.common.city, "小浜市");
        assert_eq!(config.common.line_api.api_base, "https://api.line.me");
        assert_eq!(
            config.common.line_api.data_api_base,
            "https://api-data.line.me"
        );
    }

    #[test]
    fn the_city_and_the_line_addresses_can_be_set() {
        let config = boot(&[
            ("LINE_SECRET_ID", "s"),
            ("CITY_NAME", "敦賀市"),
            ("LINE_API_BASE", "http://127.0.0.1:9000"),
            ("LINE_DATA_API_BASE", "http://127.0.0.1:9000/"),
        ])
        .unwrap();
        assert_eq!(config.common.city, "敦賀市");
        assert_eq!(config.common.line_api.api_base, "http://127.0.0.1:9000");
        let client = config.common.line_api.client_config("token".into());
        assert_eq!(client.data_api_base, "http://127.0.0.1:9000/");
        assert_eq!(client.channel_access_token, "token");
    }

    #[test]
    fn a_missing_or_blank_secret_id_is_named() {
        for extra in [&[][..], &[("LINE_SECRET_ID", "  ")][..]] {
            assert_eq!(
                boot(extra).unwrap_err().to_string(),
                "environment variable LINE_SECRET_ID is not set"
            );
        }
    }

    #[test]
    fn the_mail_sender_is_optional_and_named_when_malformed() {
        let config = boot(&[("LINE_SECRET_ID", "s")]).unwrap();
        assert_eq!(config.common.aws.mail_from, None);
        let config = boot(&[
            ("LINE_SECRET_ID", "s"),
            ("MAIL_FROM", "tayori@city.obama.lg.jp"),
        ])
        .unwrap();
        assert_eq!(
            config.common.aws.mail_from.unwrap().as_str(),
            "tayori@city.obama.lg.jp"
        );
        assert_eq!(
            boot(&[("LINE_SECRET_ID", "s"), ("MAIL_FROM", "tayori")]).unwrap_err(),
            ConfigError::Malformed {
                name: "MAIL_FROM",
                reason: "メールアドレスの形式が正しくありません（例: kikaku@city.obama.lg.jp）。"
                    .into()
            }
        );
    }

    #[test]
    fn a_missing_resource_name_is_named() {
        let lookup = lookup(&[("LINE_SECRET_ID", "s"), ("TABLE_NAME", "t")]);
        assert_eq!(
            BootConfig::from_vars(Vars::new(&lookup)).unwrap_err(),
            ConfigError::Missing("BUCKET_NAME")
        );
    }

    #[test]
    fn a_line_address_that_is_not_a_url_is_named_without_its_value() {
        for (value, reason) in [
            ("api.line.me", "it does not start with https:// or http://"),
            ("https://", "it has no host"),
            ("https://api.line .me", "it contains spaces"),
        ] {
            let error = boot(&[("LINE_SECRET_ID", "s"), ("LINE_API_BASE", value)]).unwrap_err();
            assert_eq!(
                error,
                ConfigError::NotUrl {
                    name: "LINE_API_BASE",
                    reason
                }
            );
            assert_eq!(
                error.to_string(),
                format!("environment variable LINE_API_BASE is not an http(s) URL: {reason}")
            );
        }
    }

    #[test]
    fn a_required_url_is_missing_when_empty_and_read_when_set() {
        let lookup = lookup(&[("PUBLIC_BASE_URL", ""), ("OTHER", "https://x.example/")]);
        let vars = Vars::new(&lookup);
        assert_eq!(
            vars.required_url("PUBLIC_BASE_URL"),
            Err(ConfigError::Missing("PUBLIC_BASE_URL"))
        );
        assert_eq!(vars.required_url("OTHER").unwrap(), "https://x.example/");
    }
}
