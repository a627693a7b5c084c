//! The export function's configuration, read once at start: only the common part (table,
//! bucket, key, bus). It talks to nobody but the stack's own resources, so no LINE secret.

use tayori_runtime::{CommonConfig, ConfigError, Vars};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSettings {
    pub common: CommonConfig,
}

impl ExportSettings {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            common: CommonConfig::from_vars(Vars::new(lookup))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_resources_are_required_and_no_line_secret_is() {
        let pairs = [
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
        ];
        let lookup = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let settings = ExportSettings::from_lookup(&lookup).unwrap();
        assert_eq!(settings.common.aws.bucket_name, "b");
        let without_bucket = |name: &str| lookup(name).filter(|_| name != "BUCKET_NAME");
        assert!(ExportSettings::from_lookup(&without_bucket).is_err());
    }
}
