//! Forms (申請・アンケート・予約): every saved version of a form, the answers given to it, their
//! counts, the one-per-citizen markers, the citizens' drafts and their lists of answers.
//!
//! | item | pk | sk | gsi1 | ttl |
//! |---|---|---|---|---|
//! | a form as saved, each version kept | `FORM#<id>` | `VERSION#<n, 6 digits>` | – | – |
//! | the form now (latest version, status, 担当課) | `FORM#<id>` | `CURRENT` | `FORMS` / `<updated>#<id>` | – |
//! | answer counts (places held, per slot; new answers for the badge; answers ever) | `FORM#<id>` | `COUNTS` | – | – |
//! | answer | `FORMANSWER#<form id>` | `<submitted at>#<answer id>` | – | – |
//! | where an answer is, by its id | `ANSWER#<answer id>` | `ANSWER` | – | – |
//! | one-per-citizen marker | `FORMCITIZEN#<form id>#<hmac(user id)>` | `ANSWERED` | – | – |
//! | a citizen's answers (「これまでの回答」) | `FORMCITIZENANSWERS#<hmac(user id)>` | `<submitted at>#<answer id>` | – | – |
//! | receipt counter of a JST month | `FORMRECEIPT#<yymm>` | `COUNTER` | – | – |
//! | draft in the LIFF page | `FORMDRAFT#<form id>#<hmac(user id)>` | `DRAFT` | – | 7 days after its last change |
//!
//! **Versions.** An answer names the version it was given with; editing a form that has
//! answers saves a new version beside the old ones (the domain decides, `Form::edit`), so an
//! old answer is always read against the questions it answered. An edit in place is written
//! in the same transaction as an unchanged copy of the counts at the version read: an answer
//! arriving meanwhile fails the edit instead of being stored against a version that changed.
//!
//! **Submitting is one transaction**: the answer, its lookup and its entry in the citizen's
//! list, the counts (on the condition that they are still as read, which is when the capacity
//! was checked), the month's receipt counter, the one-per-citizen marker (only if absent) and
//! the deletion of the draft. Two answers racing for the last place cannot both be written.
//!
//! **Sealed.** An answer's LINE user id, the values of its personal fields (個人情報, as the
//! form version says) and all staff values (the 課's own notes on a citizen) are sealed with
//! the field cipher, bound to the answer; which fields are sealed is stored beside them so a
//! later write seals the same ones. A draft is sealed whole. Citizens are found by a keyed
//! hash of the user id under the index key, as reports' `REPORTER#` is.

use crate::index_keys::IndexKeyRecord;
use crate::optimistic::{Attempts, Patience};
use crate::{decode, encode, RecordError};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use tayori_domain::form::{
    Answer, Counts, Form, FormDraft, FormId, PerCitizen, SlotId, DRAFT_KEPT,
};
use tayori_ports::{
    Condition, Cursor, FieldCipher, Item, KeyRange, Platform, Query, StoreError, TableStore, Write,
};

const CURRENT_SK: &str = "CURRENT";
const COUNTS_SK: &str = "COUNTS";
const LOOKUP_SK: &str = "ANSWER";
const MARKER_SK: &str = "ANSWERED";
const COUNTER_SK: &str = "COUNTER";
const DRAFT_SK: &str = "DRAFT";
const LIST: &str = "FORMS";
/// The name under which the index key hashes a citizen for forms' items.
const CITIZEN_ITEM: &str = "formcitizen";
/// Answers per page of the staff list and of the export's reading.
pub const ANSWER_PAGE: usize = 200;
/// Forms per page of the list (a city has dozens to hundreds).
const FORM_PAGE: usize = 100;
/// A submit loses its turn whenever another answer (to any form: the month's receipt counter
/// is shared) is written between its read and its write. Each loss is someone else's success,
/// so this bounds the answers that may overtake one citizen's within a second or two.
/// Its pauses stop growing early: every loss is to a writer who has finished.
const SUBMIT_PATIENCE: Patience = Patience {
    attempts: 40,
    longest_pause_after: 4,
};

fn form_pk(id: &FormId) -> String {
    format!("FORM#{id}")
}
fn version_sk(version: u32) -> String {
    format!("VERSION#{version:06}")
}
fn answers_pk(form: &FormId) -> String {
    format!("FORMANSWER#{form}")
}
fn lookup_pk(answer_id: &str) -> String {
    format!("ANSWER#{answer_id}")
}
fn marker_pk(form: &FormId, hash: &str) -> String {
    format!("FORMCITIZEN#{form}#{hash}")
}
fn citizen_pk(hash: &str) -> String {
    format!("FORMCITIZENANSWERS#{hash}")
}
fn counter_pk(month: &str) -> String {
    format!("FORMRECEIPT#{month}")
}
fn draft_pk(form: &FormId, hash: &str) -> String {
    format!("FORMDRAFT#{form}#{hash}")
}
fn answer_context(answer_id: &str) -> String {
    format!("formanswer/{answer_id}")
}
fn draft_context(form: &FormId, hash: &str) -> String {
    format!("formdraft/{form}/{hash}")
}
fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
fn answer_sk(answer: &Answer) -> String {
    format!("{}#{}", time_key(answer.submitted_at()), answer.id())
}
fn list_key(form: &Form) -> String {
    format!("{}#{}", time_key(form.updated_at()), form.id())
}

/// Why the submit transaction refused an answer: the places or the citizen's one answer were
/// taken between the desk's check and the write (or before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("定員に達しました。")]
    Full,
    #[error("この枠は満席です。別の枠をお選びください。")]
    SlotFull,
    #[error("すでに回答済みです。このフォームには1回のみ回答できます。")]
    AlreadyAnswered,
    /// The form was saved since it was read for this answer: the answer was checked against
    /// questions that may have changed.
    #[error("フォームが更新されました。内容を確かめて、もう一度送信してください。")]
    FormChanged,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl From<StoreError> for SubmitError {
    fn from(e: StoreError) -> Self {
        SubmitError::Record(e.into())
    }
}

impl From<tayori_ports::CipherError> for SubmitError {
    fn from(e: tayori_ports::CipherError) -> Self {
        SubmitError::Record(e.into())
    }
}

/// The counts item: the domain's counts (places held) and what the console shows beside them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormCounts {
    #[serde(flatten)]
    pub places: Counts,
    /// Answers since staff last opened the list (the badge).
    #[serde(default)]
    pub new: u32,
    /// Answers ever stored, cancelled ones included: whether an edit needs a new version.
    #[serde(default)]
    pub ever: u64,
    /// The version of the form's `CURRENT` item last saved. Every save of the form rewrites
    /// the counts with it, so a save and an answer racing each other conflict on this one item,
    /// and an answer checked against a form saved since is told so.
    #[serde(default)]
    pub form_saved: u64,
}

#[derive(Serialize, Deserialize)]
struct Counter {
    last: u64,
}

#[derive(Serialize, Deserialize)]
struct Lookup {
    form_id: FormId,
    sk: String,
}

#[derive(Serialize, Deserialize)]
struct Marker {
    answer_id: String,
}

#[derive(Serialize, Deserialize)]
struct CitizenEntry {
    form_id: FormId,
    answer_id: String,
    sk: String,
}

#[derive(Serialize, Deserialize)]
struct StoredDraft {
    sealed: String,
}

/// What an answer keeps sealed: who gave it, their personal values, and the staff values.
#[derive(Serialize, Deserialize)]
struct SealedPart {
    user_id: String,
    values: serde_json::Map<String, serde_json::Value>,
    staff_values: serde_json::Value,
}

/// A form as read, with the version of its `CURRENT` item a write back must find.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredForm {
    pub form: Form,
    pub version: u64,
}

/// An answer as read, with the item version a write back must find.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAnswer {
    pub answer: Answer,
    pub version: u64,
}

/// A page of a form's answers, newest first, and where the next one starts.
#[derive(Clone, Debug)]
pub struct AnswerPage {
    pub answers: Vec<Answer>,
    pub cursor: Option<Cursor>,
}

#[derive(Clone)]
pub struct Forms {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
    index: IndexKeyRecord,
}

impl Forms {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
            index: IndexKeyRecord::new(platform),
        }
    }

    // ---- forms ------------------------------------------------------------------------------

    fn form_items(&self, form: &Form, current_version: u64) -> (Item, Item) {
        let body = encode(form);
        let current = Item::new(form_pk(form.id()), CURRENT_SK, body.clone())
            .with_gsi1(LIST, list_key(form))
            .with_version(current_version);
        let version = Item::new(form_pk(form.id()), version_sk(form.version()), body)
            .with_version(current_version);
        (current, version)
    }

    /// Stores a new form (its first version); refused as `ConditionFailed` if the id is taken.
    pub async fn create(&self, form: &Form) -> Result<(), RecordError> {
        let (current, version) = self.form_items(form, 1);
        self.table
            .transact(vec![
                Write::Put {
                    item: current,
                    condition: Condition::IfAbsent,
                },
                Write::Put {
                    item: version,
                    condition: Condition::IfAbsent,
                },
                self.counts_write(
                    form.id(),
                    &FormCounts {
                        form_saved: 1,
                        ..FormCounts::default()
                    },
                    None,
                ),
            ])
            .await?;
        Ok(())
    }

    /// The form as it is now.
    pub async fn get(&self, id: &FormId) -> Result<Option<StoredForm>, RecordError> {
        match self.table.get(&form_pk(id), CURRENT_SK).await? {
            Some(item) => Ok(Some(StoredForm {
                form: decode(&item)?,
                version: item.version,
            })),
            None => Ok(None),
        }
    }

    /// The form as it was at `version` (what an answer given with it is read against).
    pub async fn version(&self, id: &FormId, version: u32) -> Result<Option<Form>, RecordError> {
        match self.table.get(&form_pk(id), &version_sk(version)).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Every form, most recently changed first.
    pub async fn all(&self) -> Result<Vec<Form>, RecordError> {
        let mut forms = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::gsi1(LIST)
                        .descending()
                        .limit(FORM_PAGE)
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                forms.push(decode(item)?);
            }
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(forms);
            }
        }
    }

    /// Applies `change` to the form as it is now, with optimistic concurrency; `change` is told
    /// whether the form has answers (then the domain makes a new version). `None` when there is
    /// no such form. Answers the form before and after the change.
    pub async fn update<E: From<RecordError>>(
        &self,
        id: &FormId,
        change: impl Fn(&mut Form, bool) -> Result<(), E>,
    ) -> Result<Option<(Form, Form)>, E> {
        let mut attempts = Attempts::new(&form_pk(id));
        loop {
            let Some(stored) = self.get(id).await? else {
                return Ok(None);
            };
            let (mut counts, counts_version) = self.counts_item(id).await?;
            counts.form_saved = stored.version + 1;
            let before = stored.form;
            let mut after = before.clone();
            change(&mut after, counts.ever > 0)?;
            let (current, version) = self.form_items(&after, stored.version + 1);
            let version_condition = if after.version() == before.version() {
                Condition::Always
            } else {
                Condition::IfAbsent
            };
            let writes = vec![
                Write::Put {
                    item: current,
                    condition: Condition::IfVersion(stored.version),
                },
                Write::Put {
                    item: version,
                    condition: version_condition,
                },
                // An answer stored since the read moves the counts too: this edit then retries
                // and sees that answers exist.
                self.counts_write(id, &counts, counts_version),
            ];
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Some((before, after)));
            }
        }
    }

    // ---- counts -----------------------------------------------------------------------------

    async fn counts_item(&self, id: &FormId) -> Result<(FormCounts, Option<u64>), RecordError> {
        match self.table.get(&form_pk(id), COUNTS_SK).await? {
            Some(item) => Ok((decode(&item)?, Some(item.version))),
            None => Ok((FormCounts::default(), None)),
        }
    }

    fn counts_write(&self, id: &FormId, counts: &FormCounts, seen: Option<u64>) -> Write {
        Write::Put {
            item: Item::new(form_pk(id), COUNTS_SK, encode(counts))
                .with_version(seen.map_or(1, |v| v + 1)),
            condition: seen.map_or(Condition::IfAbsent, Condition::IfVersion),
        }
    }

    pub async fn counts(&self, id: &FormId) -> Result<FormCounts, RecordError> {
        Ok(self.counts_item(id).await?.0)
    }

    /// Staff opened the form's answers: the badge starts again from nought.
    pub async fn clear_new(&self, id: &FormId) -> Result<(), RecordError> {
        let mut attempts = Attempts::new(&form_pk(id));
        loop {
            let (mut counts, seen) = self.counts_item(id).await?;
            if counts.new == 0 {
                return Ok(());
            }
            counts.new = 0;
            if attempts
                .written(
                    self.table.as_ref(),
                    vec![self.counts_write(id, &counts, seen)],
                )
                .await?
            {
                return Ok(());
            }
        }
    }

    // ---- answers ----------------------------------------------------------------------------

    /// The answer as stored: `user_id`, the personal values of `sealed_fields` and all staff
    /// values sealed in one blob bound to the answer.
    async fn answer_item(
        &self,
        answer: &Answer,
        sealed_fields: &BTreeSet<String>,
        version: u64,
    ) -> Result<Item, RecordError> {
        let mut body = encode(answer);
        let object = body
            .as_object_mut()
            .expect("an answer serialises to an object");
        let user_id = object
            .remove("user_id")
            .expect("an answer names its citizen");
        let staff_values = object
            .remove("staff_values")
            .unwrap_or_else(|| serde_json::json!({}));
        let mut personal = serde_json::Map::new();
        if let Some(values) = object.get_mut("values").and_then(|v| v.as_object_mut()) {
            for field in sealed_fields {
                if let Some(value) = values.remove(field) {
                    personal.insert(field.clone(), value);
                }
            }
        }
        let part = SealedPart {
            user_id: user_id.as_str().unwrap_or_default().to_string(),
            values: personal,
            staff_values,
        };
        let json = serde_json::to_string(&part).expect("sealed parts serialise to JSON");
        let sealed = self
            .cipher
            .seal(&json, &answer_context(answer.id()))
            .await?;
        object.insert("sealed".into(), sealed.into());
        object.insert("sealed_fields".into(), encode(sealed_fields));
        Ok(Item::new(answers_pk(answer.form_id()), answer_sk(answer), body).with_version(version))
    }

    /// Takes the item: a page of answers is opened once, so its body is not copied.
    async fn open_answer(&self, item: Item) -> Result<(Answer, BTreeSet<String>), RecordError> {
        let corrupt = |why: String| RecordError::Corrupt(format!("{}/{}", item.pk, item.sk), why);
        let mut body = item.body;
        let object = body
            .as_object_mut()
            .ok_or_else(|| corrupt("not an object".into()))?;
        let sealed = object
            .remove("sealed")
            .and_then(|v| v.as_str().map(String::from))
            .ok_or_else(|| corrupt("nothing sealed".into()))?;
        let sealed_fields: BTreeSet<String> = object
            .remove("sealed_fields")
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| corrupt(e.to_string()))?
            .unwrap_or_default();
        let id = object
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| corrupt("no id".into()))?
            .to_string();
        let json = self.cipher.open(&sealed, &answer_context(&id)).await?;
        let part: SealedPart = serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
        object.insert("user_id".into(), part.user_id.into());
        object.insert("staff_values".into(), part.staff_values);
        let values = object
            .entry("values")
            .or_insert_with(|| serde_json::json!({}))
            .as_object_mut()
            .ok_or_else(|| corrupt("values are not an object".into()))?;
        values.extend(part.values);
        let answer = serde_json::from_value(body).map_err(|e| corrupt(e.to_string()))?;
        Ok((answer, sealed_fields))
    }

    /// Stores the answer `make` builds from its receipt sequence, in one transaction with the
    /// counts, the receipt counter of `month` (`YYMM`, JST), the one-per-citizen marker and the
    /// deletion of the citizen's draft. `stored` is the form as read when the answer was
    /// checked; the capacity of the form and of the answer's slot are checked against the
    /// counts read, and the write holds only if the counts and the form are still as read.
    pub async fn submit(
        &self,
        stored: &StoredForm,
        month: &str,
        make: impl Fn(u64) -> Answer,
    ) -> Result<Answer, SubmitError> {
        let form = &stored.form;
        let keys = self.index.keys().await?;
        let sealed_fields: BTreeSet<String> = form
            .fields()
            .iter()
            .filter(|f| f.personal)
            .map(|f| f.id.as_str().to_string())
            .collect();
        let once = form.per_citizen() == PerCitizen::Once;
        let counter = counter_pk(month);
        // A lost race means the counts or the counter moved, or the citizen's marker appeared:
        // the next round reads again and decides afresh.
        let pk = form_pk(form.id());
        let mut attempts = Attempts::within(SUBMIT_PATIENCE, &pk);
        loop {
            let (mut counts, counts_seen) = self.counts_item(form.id()).await?;
            if counts.form_saved != stored.version {
                return Err(Refusal::FormChanged.into());
            }
            let (last, counter_seen) = match self.table.get(&counter, COUNTER_SK).await? {
                Some(item) => (decode::<Counter>(&item)?.last, Some(item.version)),
                None => (0, None),
            };
            let answer = make(last + 1);
            let user_id = answer.user_id().to_string();
            if once && self.has_answered(form.id(), &user_id).await? {
                return Err(Refusal::AlreadyAnswered.into());
            }
            take_place(form, answer.slot(), &mut counts)?;
            let hash = keys.current().segment_key(CITIZEN_ITEM, &user_id);
            let mut writes = vec![
                self.counts_write(form.id(), &counts, counts_seen),
                Write::Put {
                    item: Item::new(
                        counter.clone(),
                        COUNTER_SK,
                        encode(&Counter { last: last + 1 }),
                    )
                    .with_version(counter_seen.map_or(1, |v| v + 1)),
                    condition: counter_seen.map_or(Condition::IfAbsent, Condition::IfVersion),
                },
                Write::Put {
                    item: self.answer_item(&answer, &sealed_fields, 1).await?,
                    condition: Condition::IfAbsent,
                },
                Write::Put {
                    item: Item::new(
                        lookup_pk(answer.id()),
                        LOOKUP_SK,
                        encode(&Lookup {
                            form_id: form.id().clone(),
                            sk: answer_sk(&answer),
                        }),
                    ),
                    condition: Condition::IfAbsent,
                },
                Write::Put {
                    item: Item::new(
                        citizen_pk(&hash),
                        answer_sk(&answer),
                        encode(&CitizenEntry {
                            form_id: form.id().clone(),
                            answer_id: answer.id().to_string(),
                            sk: answer_sk(&answer),
                        }),
                    ),
                    condition: Condition::Always,
                },
                Write::Delete {
                    pk: draft_pk(form.id(), &hash),
                    sk: DRAFT_SK.into(),
                    condition: Condition::Always,
                },
            ];
            if once {
                writes.push(Write::Put {
                    item: Item::new(
                        marker_pk(form.id(), &hash),
                        MARKER_SK,
                        encode(&Marker {
                            answer_id: answer.id().to_string(),
                        }),
                    ),
                    condition: Condition::IfAbsent,
                });
            }
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(answer);
            }
        }
    }

    /// Whether the citizen holds the form's one-per-citizen marker, under any index key in
    /// force (a rotation must not let them answer twice).
    pub async fn has_answered(&self, form: &FormId, user_id: &str) -> Result<bool, RecordError> {
        let keys = self.index.keys().await?;
        for key in keys.all() {
            let hash = key.segment_key(CITIZEN_ITEM, user_id);
            if self
                .table
                .get(&marker_pk(form, &hash), MARKER_SK)
                .await?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn answer_at(
        &self,
        form: &FormId,
        sk: &str,
    ) -> Result<Option<(StoredAnswer, BTreeSet<String>)>, RecordError> {
        match self.table.get(&answers_pk(form), sk).await? {
            Some(item) => {
                let version = item.version;
                let (answer, sealed) = self.open_answer(item).await?;
                Ok(Some((StoredAnswer { answer, version }, sealed)))
            }
            None => Ok(None),
        }
    }

    async fn lookup(&self, answer_id: &str) -> Result<Option<Lookup>, RecordError> {
        match self.table.get(&lookup_pk(answer_id), LOOKUP_SK).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    pub async fn answer(&self, answer_id: &str) -> Result<Option<StoredAnswer>, RecordError> {
        let Some(lookup) = self.lookup(answer_id).await? else {
            return Ok(None);
        };
        Ok(self
            .answer_at(&lookup.form_id, &lookup.sk)
            .await?
            .map(|(stored, _)| stored))
    }

    /// Applies `change` to the answer with optimistic concurrency, answering it before and
    /// after; `None` when there is no such answer. A change that gives the answer's place back
    /// (a cancellation) lowers the counts in the same transaction, and lifts the citizen's
    /// one-per-citizen marker so that they may book again.
    pub async fn update_answer<E: From<RecordError>>(
        &self,
        answer_id: &str,
        change: impl Fn(&mut Answer) -> Result<(), E>,
    ) -> Result<Option<(Answer, Answer)>, E> {
        let Some(lookup) = self.lookup(answer_id).await? else {
            return Ok(None);
        };
        let mut attempts = Attempts::new(&lookup_pk(answer_id));
        loop {
            let Some((stored, sealed)) = self.answer_at(&lookup.form_id, &lookup.sk).await? else {
                return Ok(None);
            };
            let before = stored.answer;
            let mut after = before.clone();
            change(&mut after)?;
            let mut writes = vec![Write::Put {
                item: self
                    .answer_item(&after, &sealed, stored.version + 1)
                    .await?,
                condition: Condition::IfVersion(stored.version),
            }];
            let released = after.status().releases_place();
            if released != before.status().releases_place() {
                let (mut counts, seen) = self.counts_item(&lookup.form_id).await?;
                let slot = after.slot().cloned();
                if released {
                    give_place_back(&mut counts, slot.as_ref());
                    let keys = self.index.keys().await?;
                    for key in keys.all() {
                        let hash = key.segment_key(CITIZEN_ITEM, after.user_id());
                        writes.push(Write::Delete {
                            pk: marker_pk(&lookup.form_id, &hash),
                            sk: MARKER_SK.into(),
                            condition: Condition::Always,
                        });
                    }
                } else {
                    counts.places.total += 1;
                    if let Some(slot) = slot {
                        *counts.places.per_slot.entry(slot).or_default() += 1;
                    }
                }
                writes.push(self.counts_write(&lookup.form_id, &counts, seen));
            }
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Some((before, after)));
            }
        }
    }

    /// A page of the form's answers, newest first, from `cursor` (`None`: the newest).
    pub async fn answers(
        &self,
        form: &FormId,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<AnswerPage, RecordError> {
        let page = self
            .table
            .query(
                Query::partition(answers_pk(form))
                    .range(KeyRange::All)
                    .descending()
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        let mut answers = Vec::with_capacity(page.items.len());
        for item in page.items {
            answers.push(self.open_answer(item).await?.0);
        }
        Ok(AnswerPage {
            answers,
            cursor: page.cursor,
        })
    }

    /// A pager over every answer of the form, newest first, one store page at a time: what
    /// the CSV export and the analysis read, never holding more than a page.
    pub fn each_answer(&self, form: &FormId) -> AnswerPager {
        AnswerPager {
            forms: self.clone(),
            form: form.clone(),
            cursor: None,
            done: false,
        }
    }

    /// The citizen's latest `limit` answers to any form, newest first (「これまでの回答」).
    /// Looked up under every index key in force, so a rotation hides none.
    pub async fn of_citizen(
        &self,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<Answer>, RecordError> {
        let keys = self.index.keys().await?;
        let mut entries: Vec<CitizenEntry> = Vec::new();
        for key in keys.all() {
            let hash = key.segment_key(CITIZEN_ITEM, user_id);
            let page = self
                .table
                .query(
                    Query::partition(citizen_pk(&hash))
                        .descending()
                        .limit(limit),
                )
                .await?;
            for item in &page.items {
                entries.push(decode(item)?);
            }
        }
        entries.sort_by(|a, b| b.sk.cmp(&a.sk));
        entries.dedup_by(|a, b| a.answer_id == b.answer_id);
        let mut answers = Vec::new();
        for entry in entries.into_iter().take(limit) {
            // The hash may collide in theory; the sealed user id says for certain.
            if let Some((stored, _)) = self.answer_at(&entry.form_id, &entry.sk).await? {
                if stored.answer.user_id() == user_id {
                    answers.push(stored.answer);
                }
            }
        }
        Ok(answers)
    }

    // ---- drafts -----------------------------------------------------------------------------

    async fn citizen_hash(&self, user_id: &str) -> Result<String, RecordError> {
        Ok(self
            .index
            .keys()
            .await?
            .current()
            .segment_key(CITIZEN_ITEM, user_id))
    }

    pub async fn draft(
        &self,
        form: &FormId,
        user_id: &str,
    ) -> Result<Option<FormDraft>, RecordError> {
        let hash = self.citizen_hash(user_id).await?;
        let pk = draft_pk(form, &hash);
        let Some(item) = self.table.get(&pk, DRAFT_SK).await? else {
            return Ok(None);
        };
        let stored: StoredDraft = decode(&item)?;
        let json = self
            .cipher
            .open(&stored.sealed, &draft_context(form, &hash))
            .await?;
        let draft: FormDraft =
            serde_json::from_str(&json).map_err(|e| RecordError::Corrupt(pk, e.to_string()))?;
        Ok(Some(draft).filter(|d| d.user_id() == user_id))
    }

    /// Keeps the citizen's draft (the latest save wins: one citizen, one page), until
    /// [`DRAFT_KEPT`] after this change.
    pub async fn save_draft(&self, draft: &FormDraft) -> Result<(), RecordError> {
        let hash = self.citizen_hash(draft.user_id()).await?;
        let json = serde_json::to_string(draft).expect("a draft serialises to JSON");
        let sealed = self
            .cipher
            .seal(&json, &draft_context(draft.form_id(), &hash))
            .await?;
        let item = Item::new(
            draft_pk(draft.form_id(), &hash),
            DRAFT_SK,
            encode(&StoredDraft { sealed }),
        )
        .expiring_at((draft.updated_at() + DRAFT_KEPT).timestamp());
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}

/// Counts the answer's place, or says which capacity it would exceed.
fn take_place(form: &Form, slot: Option<&SlotId>, counts: &mut FormCounts) -> Result<(), Refusal> {
    if form
        .capacity()
        .is_some_and(|cap| counts.places.total >= cap)
    {
        return Err(Refusal::Full);
    }
    if let Some(slot) = slot {
        let capacity = form.slot(slot).map_or(0, |s| s.capacity);
        if counts.places.in_slot(slot) >= capacity {
            return Err(Refusal::SlotFull);
        }
        *counts.places.per_slot.entry(slot.clone()).or_default() += 1;
    }
    counts.places.total += 1;
    counts.new += 1;
    counts.ever += 1;
    Ok(())
}

fn give_place_back(counts: &mut FormCounts, slot: Option<&SlotId>) {
    counts.places.total = counts.places.total.saturating_sub(1);
    if let Some(slot) = slot {
        if let Some(n) = counts.places.per_slot.get_mut(slot) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Every answer of one form, a store page at a time (see [`Forms::each_answer`]).
pub struct AnswerPager {
    forms: Forms,
    form: FormId,
    cursor: Option<Cursor>,
    done: bool,
}

impl AnswerPager {
    /// The next page (never empty), or `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Answer>>, RecordError> {
        while !self.done {
            let page = self
                .forms
                .answers(&self.form, self.cursor.take(), ANSWER_PAGE)
                .await?;
            self.cursor = page.cursor;
            self.done = self.cursor.is_none();
            if !page.answers.is_empty() {
                return Ok(Some(page.answers));
            }
        }
        Ok(None)
    }
}
