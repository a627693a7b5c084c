//! Role presets (役割のひな形): named sets of permissions that staff copy onto an account and
//! then adjust. They are starting points, not fixed roles: an account's permissions are its own.

use super::permission::{Permission, PermissionSet};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePreset {
    pub name: String,
    pub description: String,
    pub permissions: PermissionSet,
}

impl RolePreset {
    /// The presets a new installation starts with; the city edits, copies and adds to them.
    ///
    /// Each lists the permissions its role will need, and holds only those that are live
    /// ([`Permission::is_live`]): a preset never grants a page that does not exist, and gains
    /// it when the capability lands. Descriptions say what the role can do today.
    pub fn defaults() -> Vec<RolePreset> {
        use Permission::*;
        let preset = |name: &str, description: &str, permissions: &[Permission]| RolePreset {
            name: name.into(),
            description: description.into(),
            permissions: permissions
                .iter()
                .copied()
                .filter(|p| p.is_live())
                .collect(),
        };
        vec![
            preset(
                "システム管理者",
                "すべての機能と職員アカウントの管理",
                &Permission::ALL,
            ),
            preset(
                "広報担当",
                "配信の作成・送信、セグメント、リッチメニュー、あいさつ・自動応答、利用状況",
                &[
                    DeliveryDraft,
                    DeliverySend,
                    Segments,
                    RichMenus,
                    Greetings,
                    UsageReports,
                ],
            ),
            preset(
                "防災担当",
                "緊急メニュー切替・災害対応、避難所情報、リッチメニュー、配信の作成・送信",
                &[
                    EmergencySwitch,
                    RichMenus,
                    Shelters,
                    DeliveryDraft,
                    DeliverySend,
                ],
            ),
            preset(
                "各課担当",
                "通報の対応とフォームの作成・回答の確認とCSV出力（担当課のみ）、FAQ、配信の下書き",
                &[
                    FormsEdit,
                    FormsViewAnswers,
                    FormsExport,
                    ReportsHandle,
                    DeliveryDraft,
                    Faq,
                ],
            ),
            preset("閲覧のみ", "利用状況レポートの閲覧", &[UsageReports]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_preset_grants_a_page_that_does_not_exist() {
        for preset in RolePreset::defaults() {
            assert!(
                preset.permissions.iter().all(|p| p.is_live()),
                "{}",
                preset.name
            );
        }
    }

    #[test]
    fn the_departments_preset_exports_its_forms_answers() {
        let presets = RolePreset::defaults();
        let departments = presets.iter().find(|p| p.name == "各課担当").unwrap();
        assert!(departments.permissions.contains(Permission::FormsExport));
        assert!(departments.description.contains("CSV出力"));
    }

    #[test]
    fn the_departments_preset_handles_reports_in_its_own_department() {
        let presets = RolePreset::defaults();
        let handlers: Vec<_> = presets
            .iter()
            .filter(|p| p.permissions.contains(Permission::ReportsHandle))
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(handlers, vec!["システム管理者", "各課担当"]);
    }

    #[test]
    fn only_the_administrator_preset_manages_staff() {
        let presets = RolePreset::defaults();
        let managers: Vec<_> = presets
            .iter()
            .filter(|p| p.permissions.contains(Permission::StaffManagement))
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(managers, vec!["システム管理者"]);
    }
}
