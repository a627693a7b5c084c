//! The reports function's configuration, read once at start: the common part, the LIFF app's
//! LINE Login channel and where the form's photos are uploaded to.

use crate::ReportsConfig;
use tayori_runtime::{CommonConfig, ConfigError, Vars};
use tayori_web::UploadOrigin;

#[derive(Clone, Debug)]
pub struct ReportsSettings {
    pub common: CommonConfig,
    pub reports: ReportsConfig,
}

impl ReportsSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        let common = CommonConfig::from_vars(vars)?;
        // Required in AWS: without it the page's policy would block every photo upload.
        let origin = vars.required("UPLOAD_ORIGIN")?;
        let upload_origin = UploadOrigin::parse(&origin).map_err(|e| ConfigError::Malformed {
            name: "UPLOAD_ORIGIN",
            reason: e.to_string(),
        })?;
        Ok(Self {
            reports: ReportsConfig {
                login_channel_id: vars.required("LINE_LOGIN_CHANNEL_ID")?,
                liff_id: vars.optional("LIFF_ID"),
                city: common.city.clone(),
                upload_origin: Some(upload_origin),
            },
            common,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &[(&str, &str)]) -> Result<ReportsSettings, ConfigError> {
        let pairs: Vec<(&str, &str)> = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        ReportsSettings::from_lookup(&|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_login_channel_the_liff_app_and_the_upload_origin_are_read() {
        let s = settings(&[
            ("LINE_LOGIN_CHANNEL_ID", "1650000000"),
            ("LIFF_ID", "1650000000-abcdefgh"),
            (
                "UPLOAD_ORIGIN",
                "https://s3.ap-northeast-1.amazonaws.com/b/",
            ),
        ])
        .unwrap();
        assert_eq!(s.reports.login_channel_id, "1650000000");
        assert_eq!(s.reports.liff_id.as_deref(), Some("1650000000-abcdefgh"));
        assert_eq!(
            s.reports.upload_origin.unwrap().as_str(),
            "https://s3.ap-northeast-1.amazonaws.com/b/"
        );
    }

    #[test]
    fn a_missing_or_unsafe_upload_origin_stops_the_start_naming_it() {
        let missing = settings(&[("LINE_LOGIN_CHANNEL_ID", "1")]).unwrap_err();
        assert!(missing.to_string().contains("UPLOAD_ORIGIN"), "{missing}");
        let unsafe_origin = settings(&[
            ("LINE_LOGIN_CHANNEL_ID", "1"),
            ("UPLOAD_ORIGIN", "https://b.s3.amazonaws.com; script-src *"),
        ])
        .unwrap_err();
        assert!(
            unsafe_origin.to_string().contains("UPLOAD_ORIGIN"),
            "{unsafe_origin}"
        );
    }
}
