//! The console's configuration, read once at start: the common part, the offices' networks and
//! the one-time setup token's secret.

use crate::source_ip::AllowList;
use tayori_runtime::{BootConfig, ConfigError, Vars};
use tayori_web::BucketOrigin;

#[derive(Clone, Debug)]
pub struct AdminSettings {
    pub boot: BootConfig,
    /// `ADMIN_ALLOWED_CIDRS`: the same list as the WAF IP set (the template passes both from
    /// `AdminAllowedCidrs`). Required: an empty list would refuse every clerk.
    pub allow_list: AllowList,
    /// `ADMIN_SETUP_SECRET_ID`: the secret holding the one-time setup token, if any.
    pub setup_secret_id: Option<String>,
    /// Where report photos' presigned URLs point: the bucket (`BUCKET_NAME`) under the S3
    /// endpoint (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` when set, as against moto, else
    /// the regional endpoint of `AWS_REGION`, path-style as the S3 client addresses it). The
    /// console's image policy allows this bucket and nothing wider.
    pub photo_source: BucketOrigin,
    /// `PUBLIC_BASE_URL` and `FORMS_LIFF_ID` (both optional): the citizens' link to a form
    /// that the builder shows.
    pub forms_link: crate::pages::forms::FormsLink,
}

/// The bucket's address as presigned URLs name it (path-style).
fn photo_source(vars: &Vars) -> Result<BucketOrigin, ConfigError> {
    const REGION: &str = "AWS_REGION";
    let bucket = vars.required("BUCKET_NAME")?;
    let endpoint = match vars
        .optional("AWS_ENDPOINT_URL_S3")
        .or_else(|| vars.optional("AWS_ENDPOINT_URL"))
    {
        Some(endpoint) => endpoint.trim_end_matches('/').to_string(),
        None => format!("https://s3.{}.amazonaws.com", vars.required(REGION)?),
    };
    BucketOrigin::parse(&format!("{endpoint}/{bucket}/")).map_err(|e| ConfigError::Malformed {
        name: "BUCKET_NAME",
        reason: e.to_string(),
    })
}

impl AdminSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(lookup);
        const CIDRS: &str = "ADMIN_ALLOWED_CIDRS";
        let allow_list =
            AllowList::parse(&vars.required(CIDRS)?).map_err(|e| ConfigError::Malformed {
                name: CIDRS,
                reason: e.to_string(),
            })?;
        Ok(Self {
            photo_source: photo_source(&vars)?,
            forms_link: crate::pages::forms::FormsLink::new(
                vars.optional_url("PUBLIC_BASE_URL")?,
                vars.optional("FORMS_LIFF_ID"),
            )
            .with_registration_liff(vars.optional("LIFF_ID")),
            boot: BootConfig::from_vars(vars)?,
            allow_list,
            setup_secret_id: vars.optional("ADMIN_SETUP_SECRET_ID"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(extra: &[(&str, &str)]) -> Result<AdminSettings, ConfigError> {
        let map: HashMap<&str, &str> = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
            ("LINE_SECRET_ID", "s"),
            ("AWS_REGION", "ap-northeast-1"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        AdminSettings::from_lookup(&|name| map.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn the_offices_networks_and_the_setup_secret_are_read() {
        let settings = settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24,198.51.100.7/32"),
            ("ADMIN_SETUP_SECRET_ID", "tayori/prod/admin-setup"),
        ])
        .unwrap();
        assert!(settings.allow_list.allows("203.0.113.9".parse().unwrap()));
        assert!(!settings.allow_list.allows("192.0.2.1".parse().unwrap()));
        assert_eq!(
            settings.setup_secret_id.as_deref(),
            Some("tayori/prod/admin-setup")
        );
    }

    #[test]
    fn report_photos_are_allowed_from_the_bucket_only() {
        let aws = settings(&[("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24")]).unwrap();
        assert_eq!(
            aws.photo_source.as_str(),
            "https://s3.ap-northeast-1.amazonaws.com/b/"
        );
        let moto = settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5055/"),
        ])
        .unwrap();
        assert_eq!(moto.photo_source.as_str(), "http://127.0.0.1:5055/b/");
    }

    #[test]
    fn the_citizens_link_to_a_form_comes_from_the_liff_id_or_the_public_address() {
        let id = tayori_domain::form::FormId::parse("f1").unwrap();
        let liff = settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24"),
            ("PUBLIC_BASE_URL", "https://line.example.jp"),
            ("FORMS_LIFF_ID", "1234-abcd"),
        ])
        .unwrap();
        assert_eq!(
            liff.forms_link.for_form(&id),
            "https://liff.line.me/1234-abcd/f1"
        );
        let base = settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24"),
            ("PUBLIC_BASE_URL", "https://line.example.jp/"),
        ])
        .unwrap();
        assert_eq!(
            base.forms_link.for_form(&id),
            "https://line.example.jp/liff/forms/f1"
        );
        assert!(settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24"),
            ("PUBLIC_BASE_URL", "line.example.jp"),
        ])
        .is_err());
    }

    #[test]
    fn a_places_qr_opens_through_the_registration_liff_app_else_the_public_page() {
        let liff = settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24"),
            ("PUBLIC_BASE_URL", "https://line.example.jp"),
            ("LIFF_ID", "1650000000-regabcde"),
        ])
        .unwrap();
        assert_eq!(
            liff.forms_link.join_link("3", None).as_deref(),
            Some("https://liff.line.me/1650000000-regabcde/join/3")
        );
        let public = settings(&[
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24"),
            ("PUBLIC_BASE_URL", "https://line.example.jp/"),
        ])
        .unwrap();
        assert_eq!(
            public
                .forms_link
                .join_link("3", Some("evil.example"))
                .as_deref(),
            Some("https://line.example.jp/liff/join/3"),
            "the configured address, never the request's Host"
        );
        let nothing = settings(&[("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24")]).unwrap();
        assert_eq!(
            nothing.forms_link.join_link("3", Some("evil.example")),
            None
        );
        assert_eq!(
            nothing
                .forms_link
                .join_link("3", Some("127.0.0.1:8080"))
                .as_deref(),
            Some("http://127.0.0.1:8080/liff/join/3"),
            "the local run's own origin"
        );
    }

    #[test]
    fn the_setup_secret_is_optional() {
        let settings = settings(&[("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24")]).unwrap();
        assert_eq!(settings.setup_secret_id, None);
    }

    #[test]
    fn a_missing_or_empty_allow_list_is_named() {
        for extra in [&[][..], &[("ADMIN_ALLOWED_CIDRS", "")][..]] {
            assert_eq!(
                settings(extra).unwrap_err().to_string(),
                "environment variable ADMIN_ALLOWED_CIDRS is not set"
            );
        }
    }

    #[test]
    fn a_bad_cidr_list_names_the_variable_and_the_entry() {
        let error = settings(&[("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24,庁舎")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable ADMIN_ALLOWED_CIDRS is malformed: not an address or CIDR range: 庁舎"
        );
    }
}
