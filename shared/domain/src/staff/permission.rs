//! Permissions (権限) per console function (仕様書 6.3.3). An account holds a set of them and a
//! department scope for forms and reports; there are no fixed roles (see `RolePreset`).
//!
//! Some permissions name capabilities that later issues build (forms, reports, shelters, FAQ).
//! [`Permission::is_live`] is the one place that says which have pages today: only those are
//! offered in the staff and role forms and the presets. The others stay in the enum so stored
//! accounts holding them keep loading, and each later issue turns its own on there.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "delivery.draft")]
    DeliveryDraft,
    #[serde(rename = "delivery.send")]
    DeliverySend,
    #[serde(rename = "delivery.approve")]
    DeliveryApprove,
    #[serde(rename = "segments")]
    Segments,
    #[serde(rename = "richmenus")]
    RichMenus,
    #[serde(rename = "emergency")]
    EmergencySwitch,
    #[serde(rename = "forms.edit")]
    FormsEdit,
    #[serde(rename = "forms.answers")]
    FormsViewAnswers,
    #[serde(rename = "forms.export")]
    FormsExport,
    #[serde(rename = "reports.handle")]
    ReportsHandle,
    #[serde(rename = "shelters")]
    Shelters,
    #[serde(rename = "garbage")]
    GarbageCalendars,
    #[serde(rename = "faq")]
    Faq,
    #[serde(rename = "staff")]
    StaffManagement,
    #[serde(rename = "audit")]
    AuditLog,
    #[serde(rename = "usage")]
    UsageReports,
    /// The welcome and the default reply. Its own permission rather than 配信 or リッチメニュー:
    /// the welcome is what every new friend reads, sent without the approval a delivery needs,
    /// so who may change it is decided on its own (the 広報担当 preset has it).
    #[serde(rename = "greetings")]
    Greetings,
    /// 相談対応: the consultations of the departments in scope.
    #[serde(rename = "consultations")]
    Consultations,
}

impl Permission {
    pub const ALL: [Permission; 18] = [
        Self::DeliveryDraft,
        Self::DeliverySend,
        Self::DeliveryApprove,
        Self::Segments,
        Self::RichMenus,
        Self::EmergencySwitch,
        Self::FormsEdit,
        Self::FormsViewAnswers,
        Self::FormsExport,
        Self::ReportsHandle,
        Self::Shelters,
        Self::GarbageCalendars,
        Self::Faq,
        Self::StaffManagement,
        Self::AuditLog,
        Self::UsageReports,
        Self::Greetings,
        Self::Consultations,
    ];

    /// Whether the console has the pages this permission opens: every one does today. A
    /// capability's permission added before its pages are built is listed here as not live,
    /// and its issue turns it on here.
    pub fn is_live(self) -> bool {
        true
    }

    /// The permissions staff can grant today, in the forms' order.
    pub fn offered() -> impl Iterator<Item = Permission> {
        Self::ALL.into_iter().filter(|p| p.is_live())
    }

    /// The stable code stored in the table and sent by the console's forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::DeliveryDraft => "delivery.draft",
            Self::DeliverySend => "delivery.send",
            Self::DeliveryApprove => "delivery.approve",
            Self::Segments => "segments",
            Self::RichMenus => "richmenus",
            Self::EmergencySwitch => "emergency",
            Self::FormsEdit => "forms.edit",
            Self::FormsViewAnswers => "forms.answers",
            Self::FormsExport => "forms.export",
            Self::ReportsHandle => "reports.handle",
            Self::Shelters => "shelters",
            Self::GarbageCalendars => "garbage",
            Self::Faq => "faq",
            Self::StaffManagement => "staff",
            Self::AuditLog => "audit",
            Self::UsageReports => "usage",
            Self::Greetings => "greetings",
            Self::Consultations => "consultations",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// What the clerk sees beside the checkbox.
    pub fn label(self) -> &'static str {
        match self {
            Self::DeliveryDraft => "配信の作成（下書き）",
            Self::DeliverySend => "配信の送信",
            Self::DeliveryApprove => "配信の承認",
            Self::Segments => "セグメント設定",
            Self::RichMenus => "リッチメニュー",
            Self::EmergencySwitch => "緊急メニュー切替",
            Self::FormsEdit => "フォームの作成・編集",
            Self::FormsViewAnswers => "フォーム回答の閲覧",
            Self::FormsExport => "フォーム回答の出力",
            Self::ReportsHandle => "通報の対応",
            Self::Shelters => "避難所情報",
            Self::GarbageCalendars => "ごみ収集カレンダー",
            Self::Faq => "FAQ（自動応答）",
            Self::StaffManagement => "職員アカウント管理",
            Self::AuditLog => "操作ログの閲覧",
            Self::UsageReports => "利用状況レポート",
            Self::Greetings => "あいさつ・自動応答",
            Self::Consultations => "相談対応",
        }
    }

    /// Whether the department scope narrows this permission (forms, reports and consultations
    /// belong to a 課).
    pub fn is_department_scoped(self) -> bool {
        matches!(
            self,
            Self::FormsEdit
                | Self::FormsViewAnswers
                | Self::FormsExport
                | Self::ReportsHandle
                | Self::Consultations
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn all() -> Self {
        Self(Permission::ALL.into_iter().collect())
    }

    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    /// The held permissions that have pages today (what the console shows as held).
    pub fn live(&self) -> impl Iterator<Item = Permission> + '_ {
        self.iter().filter(|p| p.is_live())
    }

    /// The held permissions whose pages do not exist yet: kept, not shown.
    pub fn not_yet_live(&self) -> impl Iterator<Item = Permission> + '_ {
        self.iter().filter(|p| !p.is_live())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn insert(&mut self, permission: Permission) {
        self.0.insert(permission);
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<T: IntoIterator<Item = Permission>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Which departments' (課) forms and reports an account may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "departments", rename_all = "snake_case")]
pub enum DepartmentScope {
    All,
    Only(BTreeSet<String>),
}

impl Default for DepartmentScope {
    fn default() -> Self {
        Self::Only(BTreeSet::new())
    }
}

impl DepartmentScope {
    pub fn covers(&self, department: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(names) => names.contains(department),
        }
    }

    /// 「全課」 or the departments joined with 、 for lists.
    pub fn describe(&self) -> String {
        match self {
            Self::All => "全課".into(),
            Self::Only(names) if names.is_empty() => "なし".into(),
            Self::Only(names) => names.iter().cloned().collect::<Vec<_>>().join("、"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_a_unique_code_that_round_trips() {
        let codes: BTreeSet<_> = Permission::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), Permission::ALL.len());
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.code()));
        }
        assert_eq!(Permission::from_code("root"), None);
    }

    #[test]
    fn only_permissions_with_pages_are_offered_and_stored_ones_still_load() {
        let offered: Vec<_> = Permission::offered().collect();
        assert!(offered.contains(&Permission::Faq));
        assert!(offered.contains(&Permission::Consultations));
        for built in [
            Permission::FormsEdit,
            Permission::FormsViewAnswers,
            Permission::FormsExport,
        ] {
            assert!(offered.contains(&built), "{built:?}");
        }
        assert!(offered.contains(&Permission::ReportsHandle));
        assert!(offered.contains(&Permission::Shelters));
        assert!(offered.contains(&Permission::GarbageCalendars));
        assert!(offered.contains(&Permission::Greetings));
        let stored: PermissionSet = serde_json::from_str(r#"["faq","garbage"]"#).unwrap();
        assert_eq!(
            stored.live().collect::<Vec<_>>(),
            [Permission::GarbageCalendars, Permission::Faq]
        );
        assert_eq!(stored.not_yet_live().count(), 0);
    }

    #[test]
    fn a_scope_of_named_departments_covers_only_those() {
        let scope = DepartmentScope::Only(["環境衛生課".to_string()].into_iter().collect());
        assert!(scope.covers("環境衛生課"));
        assert!(!scope.covers("子ども未来課"));
        assert!(DepartmentScope::All.covers("子ども未来課"));
        assert!(!DepartmentScope::default().covers("環境衛生課"));
    }
}
