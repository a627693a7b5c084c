//! Tayori's records in the single table, and the access patterns they serve.
//!
//! | record | pk | sk | gsi1 | ttl | serves |
//! |---|---|---|---|---|---|
//! | friend | `FRIEND#<userId>` | `PROFILE` | `FRIENDS#<shard 00–15>` / `<userId>` | – | webhook: upsert on every event; delivery: recipients by segment keys; daily: removal after the retention period |
//! | greetings | `SETTINGS` | `GREETINGS` | – | – | webhook: welcome and default reply; console: edit |
//! | webhook event seen | `WEBHOOKEVENT#<webhookEventId>` | `SEEN` | – | 2 days | webhook: handle each event once |
//! | LINE retry key | `RETRYKEY#<operation>` | `KEY` | – | 24 h | LINE client: same key after a crash |
//! | staff account | `STAFF#<loginId>` | `ACCOUNT` | `STAFF` / `<loginId>` | – | console: sign-in (attempts counted by conditional write), staff list; TOTP secrets sealed |
//! | role presets | `SETTINGS` | `ROLEPRESETS` | – | – | console: new accounts start from one |
//! | console session | `SESSION#<sha256(token)>` | `SESSION` | – | idle/absolute end | console: who is signed in (saved only at the version read; dead once the account's session generation moves on) |
//! | usage event | `USAGE#<yyyy-mm-dd JST>` | `<uuid>` | – | 3 years | usage report by period (no user id; the day and the report's dimensions only) |
//! | rich menu | `RICHMENU#<id>` | `MENU` | `RICHMENU` / `<id>` | – | console: menu list and editor |
//! | menu designation | `SETTINGS` | `MENUMODE` | – | – | 通常/緊急 menus and the one in force |
//! | delivery | `DELIVERY#<id>` | `META` | `DELIVERIES` / `<created>#<id>` | – | console: delivery list and log |
//! | due delivery | `DUE` | `<due at>#<id>` | – | – | broadcast: what to send this minute |
//! | send plan, batches, lease, stop flag | `DELIVERY#<id>` | `PLAN`, `BATCH#<n>`, `LEASE`, `STOP` | – | lease; a sent batch 30 days | broadcast: plan while sending, resume after a crash, one sender at a time, stop before the next batch |
//! | testers | `SETTINGS` | `TESTERS` | – | – | test deliveries go to staff's own LINE accounts |
//! | tester code | `TESTERCODE#<code>` | `CODE` | – | 10 min | 「テスター登録 <code>」 from LINE links the account |
//! | segment items | `SETTINGS` | `SEGMENTITEMS` | – | – | console: セグメント項目; webhook and LIFF: the questions |
//! | registration progress | `REGISTRATION#<userId>` | `PROGRESS` | – | 24 h | webhook: where a citizen is in the chat questionnaire (sealed) |
//! | index key | `SETTINGS` | `INDEXKEY` | – | – | the key behind segment keys, wrapped by the key service; created once, rotated on request |
//! | friend retention | `SETTINGS` | `FRIENDRETENTION` | – | – | console: how long a blocked friend's data is kept; daily: removal |
//! | garbage calendar, dictionary, holidays, notice settings | `GARBAGE` | `CALENDAR`, `DICTIONARY`, `HOLIDAYS`, `NOTICES` | – | – | console: ごみカレンダー; broadcast: morning notices; webhook: lookups |
//! | emergency (災害対応) | `EMERGENCY#<id>` | `EVENT` | `EMERGENCIES` / `<opened at>#<id>` | – | console: banner, history; shelters: status shown and hazard filter |
//! | open emergency | `SETTINGS` | `EMERGENCYOPEN` | – | – | the one emergency open now (written with it, removed when it closes) |
//! | facility registry | `SETTINGS` | `FACILITYREGISTRY` | – | – | the generation of sites in force; its version moves on every site write, so a cached nearest-site index checks it with one get |
//! | facility (施設・避難所) | `FACILITY#<generation>` | `<site id>` | – | – | shelters: nearest sites, status; console: registry, edit, status (an import writes a new generation, then switches the pointer) |
//! | facility kinds | `SETTINGS` | `FACILITYKINDS` | – | – | the kinds staff define (公民館, AED…) |
//! | location question | `LOCATIONASK#<userId>` | `KIND` | – | 10 min | webhook: the kind 「近くの公民館」 asked for, until the location arrives |
//! | report categories, response templates | `SETTINGS` | `REPORTCATEGORIES`, `REPORTTEMPLATES` | – | – | console: 通報の種類, 定型文; chat and LIFF: the category list |
//! | report (通報) | `REPORT#<id>` | `REPORT` | `REPORTS` / `<filed at>#<id>` | – | console: list, map, detail, CSV; the reporter sealed |
//! | a citizen's report | `REPORTER#<hmac(userId)>` | `<filed at>#<id>` | – | – | chat: 「通報履歴」 without a plain user id |
//! | report receipt counter | `REPORTRECEIPT#<yymm JST>` | `COUNTER` | – | – | 受付番号, one per report (conditional increment) |
//! | report draft | `REPORTDRAFT#<userId>` | `DRAFT` | – | a day after its last change | chat: the report in progress (sealed) |
//! | audit entry | `AUDIT#<yyyy-mm JST>` | `<time>#<uuid>` | – | retention | console: 操作ログ by month |
//! | form (フォーム), each version kept; the form now; answer counts | `FORM#<id>` | `VERSION#<n>`, `CURRENT`, `COUNTS` | `FORMS` / `<updated>#<id>` (`CURRENT`) | – | console: builder, list, badge; LIFF: the form, its availability and slots (`forms.rs`) |
//! | form answer; lookup by id | `FORMANSWER#<form id>`; `ANSWER#<id>` | `<submitted at>#<id>`; `ANSWER` | – | – | console: answers newest first, CSV and analysis streamed; citizen and personal values sealed |
//! | one answer per citizen; a citizen's answers | `FORMCITIZEN#<form id>#<hmac(userId)>`; `FORMCITIZENANSWERS#<hmac(userId)>` | `ANSWERED`; `<submitted at>#<id>` | – | – | LIFF: 1回のみ (written only if absent, in the submit transaction), 「これまでの回答」 |
//! | consultation (相談) case; its messages (append-only) | `CONSULT#<id>` | `CASE`; `MSG#<n>` | `CONSULTS#<open\|closed>#<department>` / `<opened at>#<id>` (case) | – | console: inbox by department and state, newest first, the conversation; the user id and every message sealed (`consultations.rs`) |
//! | a citizen's open consultation | `CONSULTER#<hmac(userId)>` | `OPEN` | – | – | webhook: whether the bot stays silent for this citizen (written only if absent, with the case; removed when it closes) |
//! | consultation templates, settings | `SETTINGS` | `CONSULTTEMPLATES`, `CONSULTSETTINGS` | – | – | console: 定型文, office hours and the hours before a case is highlighted; webhook: the after-hours reply |
//! | form receipt counter; form draft | `FORMRECEIPT#<yymm JST>`; `FORMDRAFT#<form id>#<hmac(userId)>` | `COUNTER`; `DRAFT` | – | draft: 7 days after its last change | 受付番号 `F2612-0001`; the LIFF page's draft (sealed) |
//! | FAQ entry; its chat stats; synonyms; version | `FAQ` | `ENTRY#<id>`; `STATS#<id>`; `SYNONYMS`; `VERSION` | – | – | console: FAQ管理 (every change moves the version on in the same transaction); webhook: the built index kept until the version moves on, answers counted (`faqs.rs`) |
//! | unresolved chat question | `FAQQUESTIONS` | `<kind>-<hash of the folded words>` | – | 180 days after last asked | console: 未解決の質問 (no user id: the words and a count) |
//! | a citizen's children (子育て), sealed; schedule and send time | `PARENT#<hmac(userId)>`; `SETTINGS` | `CHILDREN`; `CHILDCARE` | `CHILDREN` / `<hmac(userId)>` (children) | – | broadcast: child-rearing messages by age; the rest of the layout in `children.rs` |
//! | a stage sent to a child; a day's run; a delivery's addressees (sealed) | `CHILDSENT#<child id>`; `CHILDCARERUN#<yyyy-mm-dd JST>`; `DELIVERY#<id>` | `<stage id>`; `DONE`; `ADDRESSEES` | – | run: 30 days | once per child and stage (written only if absent); a delivery to named citizens |
//!
//! Records are typed here so that no function writes raw keys of another's records.
//!
//! **Personal data is sealed here.** A friend's registered answers and a questionnaire in
//! progress are sealed with the field cipher (AES-256-GCM under KMS data keys, bound to the
//! record) by the repositories that write them ([`Friends`], [`RegistrationProgresses`]) and
//! opened by the same repositories when read, so no handler sees or forgets the sealed form.
//! The friend record stores, beside the sealed answers, `segment_keys`: HMAC-SHA256 of each
//! (item, value) under the index key, with the key's `index_generation`, so that a delivery's
//! recipients and the console's count are found without opening anyone
//! ([`friends::TargetMatcher`]). Records from before sealing hold the answers in plain text;
//! they are read as before and sealed on their next write (or by the daily job). Keys and their
//! rotation: `infra/key-rotation.md`.

pub mod audit;
pub mod children;
pub mod consultations;
pub mod deliveries;
pub mod emergencies;
pub mod exports;
pub mod facilities;
pub mod faqs;
pub mod forms;
pub mod friends;
pub mod garbage;
pub mod index_keys;
pub mod location_asks;
pub mod outreach;
pub mod reports;
pub mod retention;
pub mod richmenus;
pub mod segments;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod testers;
pub mod usage;
pub mod webhook_events;

mod optimistic;

pub use audit::{AuditEntry, AuditLog};
pub use children::ChildcareRecords;
pub use deliveries::{Batch, BatchState, Deliveries, OutOfStep, Plan, Recipient, SourcePage};
pub use emergencies::{Emergencies, Opened};
pub use facilities::{Facilities, Registry, Replaced};
pub use faqs::Faqs;
pub use garbage::{Change, GarbageRecords, StoredCalendar, StoredHolidays};
pub use outreach::FriendKit;
pub use reports::{Reports, StoredReportDraft};
pub use richmenus::{MenuDesignation, MenuImage, RichMenus, StoredMenu};
pub use segments::{RegistrationProgress, RegistrationProgresses, SegmentItemsRecord};
pub use sessions::{LiveSession, Session, Sessions};
pub use staff::{Attempt, StaffAccounts};
pub use testers::{Redemption, Tester, Testers};
pub use usage::{Occasion, UsageEvents};

pub use exports::Exports;
pub use friends::Friends;
pub use location_asks::LocationAsks;
pub use settings::Settings;
pub use webhook_events::WebhookEvents;

/// Errors are logged by whoever meets them; keys such as `FRIEND#<userId>` name a citizen,
/// so LINE user ids are left out of the words (the record kind stays).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] tayori_ports::StoreError),
    #[error("stored record {} is unreadable: {}", without_user_ids(.0), without_user_ids(.1))]
    Corrupt(String, String),
    #[error("record {} kept changing under concurrent writers", without_user_ids(.0))]
    Contended(String),
    /// A sealed field could not be sealed or opened (key service down, or the value altered).
    #[error("sealed personal data could not be sealed or opened: {0}")]
    Cipher(#[from] tayori_ports::CipherError),
}

/// `text` with every LINE user id (`U` and 32 hex digits) shortened to `U…`.
fn without_user_ids(text: &str) -> String {
    const HEX: usize = 32;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let id = bytes[i] == b'U'
            && bytes.len() >= i + 1 + HEX
            && bytes[i + 1..i + 1 + HEX].iter().all(u8::is_ascii_hexdigit);
        if id {
            out.push_str("U…");
            i += 1 + HEX;
        } else {
            let ch = text[i..].chars().next().expect("inside the text");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    item: &tayori_ports::Item,
) -> Result<T, RecordError> {
    // Read from the body in place: cloning it first would copy every field, sealed values
    // included, of every friend a delivery lists.
    <T as serde::Deserialize>::deserialize(&item.body)
        .map_err(|e| RecordError::Corrupt(format!("{}/{}", item.pk, item.sk), e.to_string()))
}

pub(crate) fn encode<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("records serialise to JSON")
}

/// How often an optimistic update is tried before giving up as contended.
pub(crate) const MAX_UPDATE_ATTEMPTS: u32 = 10;

/// A short random pause before retrying an optimistic update that lost a race, so that writers
/// who collided do not collide again in lockstep.
pub(crate) async fn backoff(attempt: u32) {
    use rand::Rng;
    let ceiling_ms = 2u64 << attempt.min(6);
    let ms = rand::thread_rng().gen_range(1..=ceiling_ms);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_error_never_names_a_citizens_line_user_id() {
        let user = "U0123456789abcdef0123456789abcdef";
        let contended = RecordError::Contended(format!("FRIEND#{user}")).to_string();
        assert_eq!(
            contended,
            "record FRIEND#U… kept changing under concurrent writers"
        );
        let corrupt = RecordError::Corrupt(
            format!("REGISTRATION#{user}/PROGRESS"),
            format!("invalid value {user:?}"),
        )
        .to_string();
        assert!(!corrupt.contains(user), "{corrupt}");
        assert!(corrupt.contains("REGISTRATION#U…/PROGRESS"), "{corrupt}");
        assert_eq!(
            RecordError::Contended("DELIVERY#Ustaff-written".into()).to_string(),
            "record DELIVERY#Ustaff-written kept changing under concurrent writers"
        );
    }
}
