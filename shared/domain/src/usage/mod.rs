//! Usage counts (利用状況, 仕様書 6.3.5 / 7.4.6): every function records what citizens and staff
//! used, with the citizen's registered attributes at that moment, so that a report can break
//! counts down by 地区, 年代, 性別 and 関心. A delivery is counted by its recipients: the sender
//! tallies them by 年代 and 地区 ([`RecipientTally`]) and records what it sent at close
//! ([`DeliveryUsage`]).

mod programme;

pub use programme::{Programme, ProgrammeError, Programmes, MAX_PROGRAMMES};

use crate::segment::DISTRICT_ITEM;
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
    /// A follow by a citizen who had opened a place's add-friend QR page signed in with LINE
    /// (友だち集め), counted under the place ([`PLACE_ITEM`]) besides their 友だち追加.
    FriendFromPlace,
    FriendBlocked,
    SegmentRegistration,
    FormAnswer,
    Report,
    ShelterLookup,
    FaqAnswer,
    /// A question the chat could not answer from the FAQ (nor any other way).
    FaqUnanswered,
    /// A consultation (相談) a citizen opened.
    Consultation,
    /// A child-rearing message (子育て情報) received, counted per parent like a delivery's sends.
    ChildcareMessage,
    /// A garbage question the chat answered (a day's collections, the next day of a kind, the
    /// week, how to sort something, the notice choice), asked in words or by button.
    GarbageQuestion,
    MenuTap,
}

impl UsageKind {
    pub const ALL: [UsageKind; 16] = [
        Self::Delivery,
        Self::DeliverySuccess,
        Self::DeliveryFailure,
        Self::FriendAdded,
        Self::FriendFromPlace,
        Self::FriendBlocked,
        Self::SegmentRegistration,
        Self::FormAnswer,
        Self::Report,
        Self::ShelterLookup,
        Self::FaqAnswer,
        Self::FaqUnanswered,
        Self::Consultation,
        Self::ChildcareMessage,
        Self::GarbageQuestion,
        Self::MenuTap,
    ];

    /// Whether something records this kind today (shelter lookups: the webhook, when it hands
    /// a citizen's location to the shelters function; reports: the report desk, when one is
    /// filed; form answers: the form desk, when one is stored; FAQ answers and misses: the FAQ
    /// desk, when the chat answers or finds nothing). A kind added before what records it
    /// would show a 0 that means "not built", so only recorded kinds are shown: the one place
    /// each issue turns its kind on.
    pub fn is_recorded(self) -> bool {
        true
    }

    /// The kinds a report shows, in display order.
    pub fn recorded() -> impl Iterator<Item = UsageKind> {
        Self::ALL.into_iter().filter(|k| k.is_recorded())
    }

    /// Whether a report broken down by `dimension` can say how many of this kind fall under
    /// each value: deliveries are tallied by [`DELIVERY_DIMENSIONS`] only, everything else by
    /// every dimension.
    pub fn counts_by(self, dimension: &str) -> bool {
        if dimension == PLACE_ITEM {
            // Only a follow from a place knows its place.
            return self == Self::FriendFromPlace;
        }
        match self {
            Self::Delivery
            | Self::DeliverySuccess
            | Self::DeliveryFailure
            | Self::ChildcareMessage => DELIVERY_DIMENSIONS.contains(&dimension),
            _ => true,
        }
    }

    /// The kind as it is stored (its serde name), for keys.
    pub fn code(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::DeliverySuccess => "delivery_success",
            Self::DeliveryFailure => "delivery_failure",
            Self::FriendAdded => "friend_added",
            Self::FriendFromPlace => "friend_from_place",
            Self::FriendBlocked => "friend_blocked",
            Self::SegmentRegistration => "segment_registration",
            Self::FormAnswer => "form_answer",
            Self::Report => "report",
            Self::ShelterLookup => "shelter_lookup",
            Self::FaqAnswer => "faq_answer",
            Self::FaqUnanswered => "faq_unanswered",
            Self::Consultation => "consultation",
            Self::ChildcareMessage => "childcare_message",
            Self::GarbageQuestion => "garbage_question",
            Self::MenuTap => "menu_tap",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Delivery => "配信（回）",
            Self::DeliverySuccess => "配信成功（通）",
            Self::DeliveryFailure => "配信失敗（通）",
            Self::FriendAdded => "友だち追加",
            Self::FriendFromPlace => "友だち追加（QRコードから）",
            Self::FriendBlocked => "ブロック",
            Self::SegmentRegistration => "属性登録",
            Self::FormAnswer => "フォーム回答",
            Self::Report => "通報",
            Self::ShelterLookup => "避難所検索",
            Self::FaqAnswer => "FAQ応答",
            Self::FaqUnanswered => "FAQ該当なし",
            Self::Consultation => "相談",
            Self::ChildcareMessage => "子育て情報（通）",
            Self::GarbageQuestion => "ごみの問い合わせ",
            Self::MenuTap => "メニュー操作",
        }
    }
}

/// The attributes a report can break counts down by, with their labels.
pub const DIMENSIONS: [(&str, &str); 5] = [
    ("district", "地区"),
    ("age_group", "年代"),
    ("gender", "性別"),
    ("interests", "関心"),
    (PLACE_ITEM, "配布場所"),
];

/// Where a follow came from: the place (友だち集め) whose QR page the citizen opened. Set on
/// [`UsageKind::FriendFromPlace`] only, never on a friend's registration.
pub const PLACE_ITEM: &str = "place";

/// Shown for a citizen who has not registered the attribute.
pub const UNREGISTERED: &str = "未登録";

/// The items a delivery's recipients are tallied by: 年代 and 地区 (性別 and 関心 are not: a
/// tally by every item would grow with their product).
pub const AGE_GROUP_ITEM: &str = "age_group";
pub const DELIVERY_DIMENSIONS: [&str; 2] = [AGE_GROUP_ITEM, DISTRICT_ITEM];

/// Where a recipient falls in a delivery's tally: the 年代 and 地区 they registered, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    age_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    district: Option<String>,
}

impl Profile {
    pub fn new(age_group: Option<String>, district: Option<String>) -> Self {
        Self {
            age_group,
            district,
        }
    }

    fn values(&self) -> [(&'static str, Option<&String>); 2] {
        [
            (AGE_GROUP_ITEM, self.age_group.as_ref()),
            (DISTRICT_ITEM, self.district.as_ref()),
        ]
    }

    /// As a usage event's attributes: what was registered (an unregistered item is absent).
    fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        self.values()
            .into_iter()
            .filter_map(|(item, value)| Some((item.to_string(), vec![value?.clone()])))
            .collect()
    }
}

/// Recipients counted by [`Profile`]: a batch's, or a whole delivery's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<(Profile, u64)>", into = "Vec<(Profile, u64)>")]
pub struct RecipientTally {
    counts: BTreeMap<Profile, u64>,
}

impl RecipientTally {
    /// One event of `kind` per 年代 × 地区, counting its recipients.
    fn events(&self, kind: UsageKind, at: DateTime<Utc>) -> impl Iterator<Item = UsageEvent> + '_ {
        self.counts.iter().map(move |(profile, n)| UsageEvent {
            count: *n,
            ..UsageEvent::one(kind, at).with_attributes(profile.attributes())
        })
    }

    pub fn add(&mut self, profile: &Profile, n: u64) {
        if n > 0 {
            *self.counts.entry(profile.clone()).or_default() += n;
        }
    }

    pub fn merge(&mut self, other: &RecipientTally) {
        for (profile, n) in &other.counts {
            self.add(profile, *n);
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn count(&self, profile: &Profile) -> u64 {
        self.counts.get(profile).copied().unwrap_or(0)
    }
}

// JSON maps need string keys; a tally is stored as a list of (profile, count).
impl From<Vec<(Profile, u64)>> for RecipientTally {
    fn from(entries: Vec<(Profile, u64)>) -> Self {
        let mut tally = Self::default();
        for (profile, n) in &entries {
            tally.add(profile, *n);
        }
        tally
    }
}

impl From<RecipientTally> for Vec<(Profile, u64)> {
    fn from(tally: RecipientTally) -> Self {
        tally.counts.into_iter().collect()
    }
}

/// What a finished delivery adds to the usage report: the delivery itself, and its recipients
/// LINE accepted and refused, each under the 年代 and 地区 they registered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryUsage {
    succeeded: RecipientTally,
    failed: RecipientTally,
}

impl DeliveryUsage {
    pub fn succeeded(&mut self, tally: &RecipientTally) {
        self.succeeded.merge(tally);
    }

    pub fn failed(&mut self, tally: &RecipientTally) {
        self.failed.merge(tally);
    }

    pub fn merge(&mut self, other: &DeliveryUsage) {
        self.succeeded.merge(&other.succeeded);
        self.failed.merge(&other.failed);
    }

    /// The events to record at `at`. The delivery counts once, under every 年代 and 地区 it
    /// reached (and under 未登録 when it reached someone who registered none), so that "how many
    /// deliveries reached 雲浜" reads off the 雲浜 column; the sends count once per recipient.
    pub fn events(&self, at: DateTime<Utc>) -> Vec<UsageEvent> {
        let mut reached: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for profile in self
            .succeeded
            .counts
            .keys()
            .chain(self.failed.counts.keys())
        {
            for (item, value) in profile.values() {
                let value = value.map_or(UNREGISTERED, String::as_str);
                let values = reached.entry(item.to_string()).or_default();
                if !values.iter().any(|v| v == value) {
                    values.push(value.to_string());
                }
            }
        }
        let mut events = vec![UsageEvent::one(UsageKind::Delivery, at).with_attributes(reached)];
        events.extend(self.succeeded.events(UsageKind::DeliverySuccess, at));
        events.extend(self.failed.events(UsageKind::DeliveryFailure, at));
        events
    }

    /// The sends that reached their recipients, counted as `kind` too (a service that goes out
    /// as deliveries, such as 子育て情報, counts what it delivered).
    pub fn received_as(&self, kind: UsageKind, at: DateTime<Utc>) -> Vec<UsageEvent> {
        self.succeeded.events(kind, at).collect()
    }
}

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
    /// The dimension the counts are broken down by, if any.
    dimension: Option<String>,
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
        let mut report = UsageReport {
            dimension: dimension.map(str::to_string),
            ..UsageReport::default()
        };
        for e in events {
            *report.totals.entry(e.kind).or_default() += e.count;
            if let Some(dim) = dimension.filter(|d| e.kind.counts_by(d)) {
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

    /// What the report shows for `kind` under `column`: `None` when the kind is not counted
    /// by the report's dimension (a delivery by 性別), which is not the same as 0.
    pub fn cell(&self, kind: UsageKind, column: &str) -> Option<u64> {
        self.dimension
            .as_deref()
            .is_none_or(|d| kind.counts_by(d))
            .then(|| self.count(kind, column))
    }

    pub fn total(&self, kind: UsageKind) -> u64 {
        self.totals.get(&kind).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinds_code_is_its_stored_name() {
        for kind in UsageKind::ALL {
            let stored = serde_json::to_value(kind).unwrap();
            assert_eq!(stored, kind.code(), "{kind:?}");
        }
    }

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
                UsageKind::FriendFromPlace,
                UsageKind::FriendBlocked,
                UsageKind::SegmentRegistration,
                UsageKind::FormAnswer,
                UsageKind::Report,
                UsageKind::ShelterLookup,
                UsageKind::FaqAnswer,
                UsageKind::FaqUnanswered,
                UsageKind::Consultation,
                UsageKind::ChildcareMessage,
                UsageKind::GarbageQuestion,
                UsageKind::MenuTap,
            ]
        );
    }

    fn profile(age: Option<&str>, district: Option<&str>) -> Profile {
        Profile::new(age.map(str::to_string), district.map(str::to_string))
    }

    #[test]
    fn a_deliverys_sends_are_counted_under_each_recipients_age_group_and_district() {
        let mut batch = RecipientTally::default();
        batch.add(&profile(Some("30代"), Some("雲浜")), 300);
        batch.add(&profile(Some("40代"), Some("雲浜")), 150);
        batch.add(&profile(None, Some("西津")), 50);
        let mut refused = RecipientTally::default();
        refused.add(&profile(Some("30代"), None), 20);
        let mut usage = DeliveryUsage::default();
        usage.succeeded(&batch);
        usage.failed(&refused);
        let events = usage.events(Utc::now());

        let by_district = UsageReport::build(&events, Some("district"));
        assert_eq!(
            by_district.cell(UsageKind::DeliverySuccess, "雲浜"),
            Some(450)
        );
        assert_eq!(
            by_district.cell(UsageKind::DeliverySuccess, "西津"),
            Some(50)
        );
        assert_eq!(
            by_district.cell(UsageKind::DeliveryFailure, UNREGISTERED),
            Some(20)
        );
        assert_eq!(by_district.total(UsageKind::DeliverySuccess), 500);
        // The delivery reached 雲浜, 西津 and someone without a 地区: once under each.
        assert_eq!(by_district.count(UsageKind::Delivery, "雲浜"), 1);
        assert_eq!(by_district.count(UsageKind::Delivery, "西津"), 1);
        assert_eq!(by_district.count(UsageKind::Delivery, UNREGISTERED), 1);
        assert_eq!(by_district.total(UsageKind::Delivery), 1);

        let by_age = UsageReport::build(&events, Some("age_group"));
        assert_eq!(by_age.cell(UsageKind::DeliverySuccess, "30代"), Some(300));
        assert_eq!(by_age.cell(UsageKind::DeliverySuccess, "40代"), Some(150));
        assert_eq!(
            by_age.cell(UsageKind::DeliverySuccess, UNREGISTERED),
            Some(50)
        );
        assert_eq!(by_age.cell(UsageKind::DeliveryFailure, "30代"), Some(20));

        // Recipients are not tallied by 性別: the report says so rather than show 0.
        let by_gender = UsageReport::build(&events, Some("gender"));
        assert_eq!(
            by_gender.cell(UsageKind::DeliverySuccess, UNREGISTERED),
            None
        );
        assert_eq!(by_gender.total(UsageKind::DeliverySuccess), 500);
        assert_eq!(
            by_gender.cell(UsageKind::FriendAdded, UNREGISTERED),
            Some(0)
        );
    }

    #[test]
    fn a_tally_is_stored_as_a_list_and_read_back_the_same() {
        let mut tally = RecipientTally::default();
        tally.add(&profile(Some("30代"), Some("雲浜")), 2);
        tally.add(&profile(None, None), 1);
        let json = serde_json::to_value(&tally).unwrap();
        assert!(json.is_array(), "{json}");
        let back: RecipientTally = serde_json::from_value(json).unwrap();
        assert_eq!(back, tally);
        assert_eq!(back.total(), 3);
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
