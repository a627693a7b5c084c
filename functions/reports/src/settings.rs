//! The reports function's configuration, read once at start: the common part (table, bucket,
//! keys, bus, the LINE channel it replies and pushes with), where `/media/` is served (the
//! thumbnail in the status notice: LINE fetches it itself, so an absolute https address), the
//! LIFF app's LINE Login channel and where the form's photos are uploaded to.

use crate::ReportsConfig;
use tayori_runtime::{BootConfig, ConfigError, Vars};
use tayori_web::BucketOrigin;

#[derive(Clone, Debug)]
pub struct ReportsSettings {
    pub boot: BootConfig,
    /// `PUBLIC_BASE_URL` without its closing slash. Required: every status notice with a photo
    /// names its thumbnail under it.
    pub public_base_url: String,
    pub reports: ReportsConfig,
}

impl ReportsSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        let boot = BootConfig::from_vars(vars)?;
        // Required in AWS: without it the page's policy would block every photo upload.
        let origin = vars.required("UPLOAD_ORIGIN")?;
        let upload_origin = BucketOrigin::parse(&origin).map_err(|e| ConfigError::Malformed {
            name: "UPLOAD_ORIGIN",
            reason: e.to_string(),
        })?;
        Ok(Self {
            public_base_url: vars
                .required_url("PUBLIC_BASE_URL")?
                .trim_end_matches('/')
                .to_string(),
            reports: ReportsConfig {
                login_channel_id: vars.required("LINE_LOGIN_CHANNEL_ID")?,
                liff_id: vars.optional("LIFF_ID"),
                city: boot.common.city.clone(),
                upload_origin: Some(upload_origin),
            },
            boot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEEDED: [(&str, &str); 7] = [
        ("TABLE_NAME", "t"),
        ("BUCKET_NAME", "b"),
        ("KMS_KEY_ID", "k"),
        ("EVENT_BUS_NAME", "e"),
        ("LINE_SECRET_ID", "tayori/prod/line"),
        ("PUBLIC_BASE_URL", "https://line.city.obama.fukui.jp/"),
        ("LINE_LOGIN_CHANNEL_ID", "1650000000"),
    ];

    /// The needed variables, with `extra` added and `without` left out.
    fn settings(extra: &[(&str, &str)], without: &str) -> Result<ReportsSettings, ConfigError> {
        let pairs: Vec<(&str, &str)> = NEEDED
            .into_iter()
            .chain(extra.iter().copied())
            .filter(|(k, _)| *k != without)
            .collect();
        ReportsSettings::from_lookup(&|name| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    const ORIGIN: (&str, &str) = (
        "UPLOAD_ORIGIN",
        "https://s3.ap-northeast-1.amazonaws.com/b/",
    );

    #[test]
    fn every_setting_is_read() {
        let s = settings(&[ORIGIN, ("LIFF_ID", "1650000000-abcdefgh")], "").unwrap();
        assert_eq!(s.public_base_url, "https://line.city.obama.fukui.jp");
        assert_eq!(s.boot.line_secret_id, "tayori/prod/line");
        assert_eq!(s.reports.login_channel_id, "1650000000");
        assert_eq!(s.reports.liff_id.as_deref(), Some("1650000000-abcdefgh"));
        assert_eq!(
            s.reports.upload_origin.unwrap().as_str(),
            "https://s3.ap-northeast-1.amazonaws.com/b/"
        );
    }

    #[test]
    fn a_missing_setting_stops_the_start_naming_it() {
        for name in [
            "PUBLIC_BASE_URL",
            "LINE_SECRET_ID",
            "LINE_LOGIN_CHANNEL_ID",
            "UPLOAD_ORIGIN",
        ] {
            let missing = settings(&[ORIGIN], name).unwrap_err();
            assert!(missing.to_string().contains(name), "{name}: {missing}");
        }
    }

    #[test]
    fn an_unsafe_upload_origin_stops_the_start_naming_it() {
        let unsafe_origin = settings(
            &[("UPLOAD_ORIGIN", "https://b.s3.amazonaws.com; script-src *")],
            "",
        )
        .unwrap_err();
        assert!(
            unsafe_origin.to_string().contains("UPLOAD_ORIGIN"),
            "{unsafe_origin}"
        );
    }
}
