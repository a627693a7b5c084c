//! Usage counts (利用状況, 仕様書 6.3.5 / 7.4.6): every function records what citizens and staff
//! used, with the citizen's registered attributes at that moment, so that a report can break
//! counts down by 地区, 年代, 性別 and 関心.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageKind {
    Delivery,
    DeliverySuccess,
    DeliveryFailure,
    FriendAdded,
    FriendBlocked,
    SegmentRegistration,
    FormAnswer,
    Report,
    ShelterLookup,
    FaqAnswer,
    MenuTap,
}

impl UsageKind {
    pub const ALL: [UsageKind; 11] = [
        Self::Delivery,
        Self::DeliverySuccess,
        Self::DeliveryFailure,
        Self::FriendAdded,
        Self::FriendBlocked,
        Self::SegmentRegistration,
        Self::FormAnswer,
        Self::Report,
        Self::ShelterLookup,
        Self::FaqAnswer,
        Self::MenuTap,
    ];

    /// Whether something records this kind today. Forms, reports, shelters and the FAQ are
    /// later issues: until one records its kind, a report would show a 0 that means "not
    /// built", so only recorded kinds are shown. The one place each issue turns its kind on.
    pub fn is_recorded(self) -> bool {
        !matches!(
            self,
            Self::FormAnswer | Self::Report | Self::ShelterLookup | Self::FaqAnswer
        )
    }

    /// The kinds a report shows, in display order.
    pub fn recorded() -> impl Iterator<Item = UsageKind> {
        Self::ALL.into_iter().filter(|k| k.is_recorded())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Delivery => "配信（回）",
            Self::DeliverySuccess => "配信成功（通）",
            Self::DeliveryFailure => "配信失敗（通）",
            Self::FriendAdded => "友だち追加",
            Self::FriendBlocked => "ブロック",
            Self::SegmentRegistration => "属性登録",
            Self::FormAnswer => "フォーム回答",
            Self::Report => "通報",
            Self::ShelterLookup => "避難所検索",
            Self::FaqAnswer => "FAQ応答",
            Self::MenuTap => "メニュー操作",
        }
    }
}

/// The attributes a report can break counts down by, with their labels.
pub const DIMENSIONS: [(&str, &str); 4] = [
    ("district", "地区"),
    ("age_group", "年代"),
    ("gender", "性別"),
    ("interests", "関心"),
];

/// Shown for a citizen who has not registered the attribute.
pub const UNREGISTERED: &str = "未登録";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    pub kind: UsageKind,
    pub at: DateTime<Utc>,
    /// How many this event counts (a delivery batch counts its recipients at once).
    pub count: u64,
    /// The citizen's attributes when it happened: dimension → chosen values. Empty for staff
    /// actions and citizens who have not registered.
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl UsageEvent {
    pub fn one(kind: UsageKind, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            at,
            count: 1,
            attributes: BTreeMap::new(),
        }
    }

    pub fn with_attributes(mut self, attributes: BTreeMap<String, Vec<String>>) -> Self {
        self.attributes = attributes;
        self
    }
}

/// Counts per kind, and per value of one dimension when a breakdown is asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageReport {
    /// The breakdown's column values in display order (`未登録` last).
    pub columns: Vec<String>,
    pub rows: BTreeMap<UsageKind, BTreeMap<String, u64>>,
    pub totals: BTreeMap<UsageKind, u64>,
}

impl UsageReport {
    /// A multi-valued attribute (関心) counts an event once under each chosen value, so a column
    /// sum can exceed the total; the total is always the number of events.
    pub fn build<'a>(
        events: impl IntoIterator<Item = &'a UsageEvent>,
        dimension: Option<&str>,
    ) -> Self {
        let mut report = UsageReport::default();
        for e in events {
            *report.totals.entry(e.kind).or_default() += e.count;
            if let Some(dim) = dimension {
                let values = e
                    .attributes
                    .get(dim)
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_else(|| vec![UNREGISTERED.to_string()]);
                for v in values {
                    *report.rows.entry(e.kind).or_default().entry(v).or_default() += e.count;
                }
            }
        }
        let mut columns: Vec<String> = report
            .rows
            .values()
            .flat_map(|r| r.keys().cloned())
            .collect();
        columns.sort();
        columns.dedup();
        if let Some(pos) = columns.iter().position(|c| c == UNREGISTERED) {
            let c = columns.remove(pos);
            columns.push(c);
        }
        report.columns = columns;
        report
    }

    pub fn count(&self, kind: UsageKind, column: &str) -> u64 {
        self.rows
            .get(&kind)
            .and_then(|r| r.get(column))
            .copied()
            .unwrap_or(0)
    }

    pub fn total(&self, kind: UsageKind) -> u64 {
        self.totals.get(&kind).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: UsageKind, district: Option<&str>, interests: &[&str]) -> UsageEvent {
        let mut attributes = BTreeMap::new();
        if let Some(d) = district {
            attributes.insert("district".to_string(), vec![d.to_string()]);
        }
        if !interests.is_empty() {
            attributes.insert(
                "interests".to_string(),
                interests.iter().map(|s| s.to_string()).collect(),
            );
        }
        UsageEvent::one(kind, Utc::now()).with_attributes(attributes)
    }

    #[test]
    fn counts_are_broken_down_by_district_with_unregistered_last() {
        let events = [
            event(UsageKind::FriendAdded, Some("雲浜"), &[]),
            event(UsageKind::FriendAdded, Some("雲浜"), &[]),
            event(UsageKind::FriendAdded, None, &[]),
            event(UsageKind::ShelterLookup, Some("小浜"), &[]),
        ];
        let r = UsageReport::build(&events, Some("district"));
        assert_eq!(r.columns, vec!["小浜", "雲浜", UNREGISTERED]);
        assert_eq!(r.count(UsageKind::FriendAdded, "雲浜"), 2);
        assert_eq!(r.count(UsageKind::FriendAdded, UNREGISTERED), 1);
        assert_eq!(r.total(UsageKind::FriendAdded), 3);
        assert_eq!(r.total(UsageKind::Report), 0);
    }

    #[test]
    fn a_multi_valued_interest_counts_under_each_value_but_once_in_the_total() {
        let events = [event(UsageKind::MenuTap, None, &["子育て", "防災"])];
        let r = UsageReport::build(&events, Some("interests"));
        assert_eq!(r.count(UsageKind::MenuTap, "子育て"), 1);
        assert_eq!(r.count(UsageKind::MenuTap, "防災"), 1);
        assert_eq!(r.total(UsageKind::MenuTap), 1);
    }

    #[test]
    fn only_kinds_something_records_are_reported() {
        let shown: Vec<_> = UsageKind::recorded().collect();
        assert_eq!(
            shown,
            [
                UsageKind::Delivery,
                UsageKind::DeliverySuccess,
                UsageKind::DeliveryFailure,
                UsageKind::FriendAdded,
                UsageKind::FriendBlocked,
                UsageKind::SegmentRegistration,
                UsageKind::MenuTap,
            ]
        );
    }

    #[test]
    fn batch_events_count_their_recipients() {
        let mut e = UsageEvent::one(UsageKind::DeliverySuccess, Utc::now());
        e.count = 500;
        assert_eq!(
            UsageReport::build([&e], None).total(UsageKind::DeliverySuccess),
            500
        );
    }
}
