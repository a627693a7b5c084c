//! The forms function's configuration, read once at start: the common part, the LINE channel
//! it pushes receipts and status notices with, and the LIFF app's LINE Login channel.

use crate::FormsConfig;
use tayori_runtime::{BootConfig, ConfigError, Vars};
use tayori_web::BucketOrigin;

#[derive(Clone, Debug)]
pub struct FormsSettings {
    pub boot: BootConfig,
    pub forms: FormsConfig,
    /// The console's address (`CONSOLE_BASE_URL`, e.g. `https://admin.example.jp`): the new
    /// answer mail links the answer's page under it; without it the mail gives the path.
    pub console_base_url: Option<String>,
}

impl FormsSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        let boot = BootConfig::from_vars(vars)?;
        // Optional: without it the uploads go to this origin (the local run).
        let upload_origin = vars
            .optional("UPLOAD_ORIGIN")
            .map(|origin| {
                BucketOrigin::parse(&origin).map_err(|e| ConfigError::Malformed {
                    name: "UPLOAD_ORIGIN",
                    reason: e.to_string(),
                })
            })
            .transpose()?;
        Ok(Self {
            forms: FormsConfig {
                // Required: without it no LIFF ID token can be verified.
                login_channel_id: vars.required("LINE_LOGIN_CHANNEL_ID")?,
                liff_id: vars.optional("LIFF_ID"),
                forms_liff_id: vars.optional("FORMS_LIFF_ID"),
                city: boot.common.city.clone(),
                upload_origin,
            },
            console_base_url: vars
                .optional_url("CONSOLE_BASE_URL")?
                .map(|url| url.trim_end_matches('/').to_string()),
            boot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &[(&str, &str)]) -> Result<FormsSettings, ConfigError> {
        let pairs: Vec<(&str, &str)> = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
            ("LINE_SECRET_ID", "tayori/prod/line"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        FormsSettings::from_lookup(&|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_login_channel_and_the_liff_app_are_read() {
        let settings = settings(&[
            ("LINE_LOGIN_CHANNEL_ID", "1650000000"),
            ("LIFF_ID", "1650000000-abcdefgh"),
            ("FORMS_LIFF_ID", "1650000000-formsabc"),
            ("CITY_NAME", "小浜市"),
        ])
        .unwrap();
        assert_eq!(
            settings.forms.forms_liff_id.as_deref(),
            Some("1650000000-formsabc")
        );
        assert_eq!(settings.forms.login_channel_id, "1650000000");
        assert_eq!(
            settings.forms.liff_id.as_deref(),
            Some("1650000000-abcdefgh")
        );
        assert_eq!(settings.forms.city, "小浜市");
    }

    #[test]
    fn the_upload_origin_is_read_and_an_unsafe_one_refused() {
        let origin = "https://s3.ap-northeast-1.amazonaws.com/tayori-media/";
        let read = settings(&[("LINE_LOGIN_CHANNEL_ID", "1"), ("UPLOAD_ORIGIN", origin)]).unwrap();
        assert_eq!(read.forms.upload_origin.unwrap().as_str(), origin);
        let unsafe_origin = settings(&[
            ("LINE_LOGIN_CHANNEL_ID", "1"),
            ("UPLOAD_ORIGIN", "https://b.s3.amazonaws.com; script-src *"),
        ])
        .unwrap_err();
        assert!(unsafe_origin.to_string().contains("UPLOAD_ORIGIN"));
    }

    #[test]
    fn an_empty_liff_id_means_none() {
        let settings = settings(&[("LINE_LOGIN_CHANNEL_ID", "1"), ("LIFF_ID", "")]).unwrap();
        assert_eq!(settings.forms.liff_id, None);
        assert_eq!(settings.boot.line_secret_id, "tayori/prod/line");
    }

    #[test]
    fn a_missing_login_channel_is_named() {
        assert_eq!(
            settings(&[]).unwrap_err().to_string(),
            "environment variable LINE_LOGIN_CHANNEL_ID is not set"
        );
    }
}
