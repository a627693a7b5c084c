//! Consultations (相談): the cases, their conversations, the citizen's open case, and what staff
//! set (templates, office hours).
//!
//! | item | pk | sk | gsi1 | ttl |
//! |---|---|---|---|---|
//! | case | `CONSULT#<id>` | `CASE` | `CONSULTS#<open\|closed>#<department>` / `<opened at>#<id>` | – |
//! | message (append-only) | `CONSULT#<id>` | `MSG#<n, 8 digits>` | – | – |
//! | the citizen's open case | `CONSULTER#<hmac(user id)>` | `OPEN` | – | – |
//! | templates, settings | `SETTINGS` | `CONSULTTEMPLATES`, `CONSULTSETTINGS` | – | – |
//!
//! **Sealed.** The case's LINE user id, and each message whole (the citizen's words, staff
//! replies and notes), are sealed with the field cipher, bound to the case (and the message's
//! key). The open case is found by a keyed hash of the user id under the index key, as
//! reports' `REPORTER#`, so the table alone does not say who is consulting; it is written with
//! the case only if absent (one open case per citizen) and removed in the same write that
//! closes the case. A case written with a message goes in one transaction, so the inbox's
//! counts never disagree with the conversation.

use crate::index_keys::IndexKeyRecord;
use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::consultation::{Case, ConsultationSettings, Message};
use tayori_domain::report::ResponseTemplate;
use tayori_ports::{
    Condition, Cursor, FieldCipher, Item, KeyRange, Platform, Query, StoreError, TableStore, Write,
};

const SETTINGS: &str = "SETTINGS";
const TEMPLATES_SK: &str = "CONSULTTEMPLATES";
const SETTINGS_SK: &str = "CONSULTSETTINGS";
const CASE_SK: &str = "CASE";
const MESSAGE_PREFIX: &str = "MSG#";
const OPEN_SK: &str = "OPEN";
/// The item in the citizen's index that names which index key hashed it.
const CONSULTER_ITEM: &str = "consulter";
const PAGE: usize = 200;

fn case_pk(id: &str) -> String {
    format!("CONSULT#{id}")
}
fn consulter_pk(hash: &str) -> String {
    format!("CONSULTER#{hash}")
}
fn list_pk(open: bool, department: &str) -> String {
    let state = if open { "open" } else { "closed" };
    format!("CONSULTS#{state}#{department}")
}
fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
fn list_key(case: &Case) -> String {
    format!("{}#{}", time_key(case.opened_at()), case.id())
}
fn citizen_context(id: &str) -> String {
    format!("consult/{id}/citizen")
}
fn message_context(id: &str, sk: &str) -> String {
    format!("consult/{id}/{sk}")
}

#[derive(Deserialize)]
struct StoredList<T> {
    items: Vec<T>,
}

#[derive(Serialize)]
struct ListToStore<'a, T> {
    items: &'a [T],
}

#[derive(Serialize, Deserialize)]
struct SealedMessage {
    sealed: String,
}

#[derive(Serialize, Deserialize)]
struct OpenEntry {
    id: String,
}

/// What opening a case did.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    Opened,
    /// The citizen already had an open case (a double tap, or two devices): nothing written.
    AlreadyOpen,
}

/// A page of the inbox.
#[derive(Clone, Debug, Default)]
pub struct CasePage {
    pub cases: Vec<Case>,
    pub cursor: Option<Cursor>,
}

#[derive(Clone)]
pub struct Consultations {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
    index: IndexKeyRecord,
}

impl Consultations {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
            index: IndexKeyRecord::new(platform),
        }
    }

    // ---- cases ------------------------------------------------------------------------------

    /// The case item, its user id sealed, with the citizen's hash kept beside it so that the
    /// close removes the open-case entry written under it (even after a key rotation).
    async fn case_item(
        &self,
        case: &Case,
        citizen_key: &str,
        version: u64,
    ) -> Result<Item, RecordError> {
        let mut body = encode(case);
        let object = body
            .as_object_mut()
            .expect("a case serialises to an object");
        let user_id = object.remove("user_id").expect("a case has a citizen");
        let user_id = user_id.as_str().expect("a user id is a string");
        let sealed = self
            .cipher
            .seal(user_id, &citizen_context(case.id()))
            .await?;
        object.insert("sealed_user_id".into(), sealed.into());
        object.insert("citizen_key".into(), citizen_key.into());
        Ok(Item::new(case_pk(case.id()), CASE_SK, body)
            .with_gsi1(list_pk(case.is_open(), case.department()), list_key(case))
            .with_version(version))
    }

    /// The case in `item` and the citizen's hash it was opened under.
    async fn open_case_item(&self, item: &Item) -> Result<(Case, String), RecordError> {
        let corrupt = |why: String| RecordError::Corrupt(format!("{}/{}", item.pk, item.sk), why);
        let mut body = item.body.clone();
        let object = body
            .as_object_mut()
            .ok_or_else(|| corrupt("not an object".into()))?;
        let text = |object: &mut serde_json::Map<String, serde_json::Value>, field: &str| {
            object
                .remove(field)
                .and_then(|v| v.as_str().map(String::from))
                .ok_or_else(|| corrupt(format!("no {field}")))
        };
        let sealed = text(object, "sealed_user_id")?;
        let citizen_key = text(object, "citizen_key")?;
        let id = object
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| corrupt("no id".into()))?
            .to_string();
        let user_id = self.cipher.open(&sealed, &citizen_context(&id)).await?;
        object.insert("user_id".into(), user_id.into());
        let case = serde_json::from_value(body).map_err(|e| corrupt(e.to_string()))?;
        Ok((case, citizen_key))
    }

    /// The conversation's `number`th message (from 1): numbered by the case, whose version
    /// condition in the same write keeps two writers from taking one number.
    async fn message_item(
        &self,
        case_id: &str,
        number: u32,
        message: &Message,
    ) -> Result<Item, RecordError> {
        let sk = format!("{MESSAGE_PREFIX}{number:08}");
        let json = serde_json::to_string(message).expect("a message serialises to JSON");
        let sealed = self
            .cipher
            .seal(&json, &message_context(case_id, &sk))
            .await?;
        Ok(Item::new(
            case_pk(case_id),
            sk,
            encode(&SealedMessage { sealed }),
        ))
    }

    /// Stores a newly opened case and the citizen's open-case entry, both only if absent.
    pub async fn open(&self, case: &Case) -> Result<Opening, RecordError> {
        let keys = self.index.keys().await?;
        let hash = keys.current().segment_key(CONSULTER_ITEM, case.user_id());
        let writes = vec![
            Write::Put {
                item: self.case_item(case, &hash, 1).await?,
                condition: Condition::IfAbsent,
            },
            Write::Put {
                item: Item::new(
                    consulter_pk(&hash),
                    OPEN_SK,
                    encode(&OpenEntry {
                        id: case.id().into(),
                    }),
                ),
                condition: Condition::IfAbsent,
            },
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(Opening::Opened),
            Err(StoreError::ConditionFailed) => Ok(Opening::AlreadyOpen),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<Case>, RecordError> {
        match self.table.get(&case_pk(id), CASE_SK).await? {
            Some(item) => Ok(Some(self.open_case_item(&item).await?.0)),
            None => Ok(None),
        }
    }

    /// The citizen's open case, looked up under every index key in force (a rotation does not
    /// hide it).
    pub async fn open_case_of(&self, user_id: &str) -> Result<Option<Case>, RecordError> {
        let keys = self.index.keys().await?;
        for key in keys.all() {
            let hash = key.segment_key(CONSULTER_ITEM, user_id);
            let Some(item) = self.table.get(&consulter_pk(&hash), OPEN_SK).await? else {
                continue;
            };
            let entry: OpenEntry = decode(&item)?;
            // The hash may collide in theory; the sealed user id says for certain.
            if let Some(case) = self.get(&entry.id).await? {
                if case.user_id() == user_id && case.is_open() {
                    return Ok(Some(case));
                }
            }
        }
        Ok(None)
    }

    /// Applies `change` with optimistic concurrency; the message it answers (if any) is
    /// appended in the same write, and a change that closes the case removes the citizen's
    /// open-case entry with it. Answers the case after the change; `None` when there is no
    /// such case. `change` may refuse (nothing is written).
    pub async fn update<E: From<RecordError>>(
        &self,
        id: &str,
        change: impl Fn(&mut Case) -> Result<Option<Message>, E>,
    ) -> Result<Option<Case>, E> {
        let mut attempts = Attempts::new(&case_pk(id));
        loop {
            let Some(item) = self
                .table
                .get(&case_pk(id), CASE_SK)
                .await
                .map_err(RecordError::from)?
            else {
                return Ok(None);
            };
            let (before, citizen_key) = self.open_case_item(&item).await?;
            let mut after = before.clone();
            let message = change(&mut after)?;
            let mut writes = vec![Write::Put {
                item: self
                    .case_item(&after, &citizen_key, item.version + 1)
                    .await?,
                condition: Condition::IfVersion(item.version),
            }];
            if let Some(message) = &message {
                writes.push(Write::Put {
                    item: self.message_item(id, after.entries(), message).await?,
                    condition: Condition::IfAbsent,
                });
            }
            if before.is_open() && !after.is_open() {
                writes.push(Write::Delete {
                    pk: consulter_pk(&citizen_key),
                    sk: OPEN_SK.into(),
                    condition: Condition::Always,
                });
            }
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Some(after));
            }
        }
    }

    /// The conversation, oldest first.
    pub async fn messages(&self, id: &str) -> Result<Vec<Message>, RecordError> {
        let mut messages = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::partition(case_pk(id))
                        .range(KeyRange::BeginsWith(MESSAGE_PREFIX.into()))
                        .limit(PAGE)
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                let sealed: SealedMessage = decode(item)?;
                let json = self
                    .cipher
                    .open(&sealed.sealed, &message_context(id, &item.sk))
                    .await?;
                messages.push(
                    serde_json::from_str(&json)
                        .map_err(|e| RecordError::Corrupt(item.pk.clone(), e.to_string()))?,
                );
            }
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(messages);
            }
        }
    }

    /// One page of a department's open (or closed) cases, newest first.
    pub async fn of_department(
        &self,
        department: &str,
        open: bool,
        limit: usize,
        after: Option<Cursor>,
    ) -> Result<CasePage, RecordError> {
        let page = self
            .table
            .query(
                Query::gsi1(list_pk(open, department))
                    .descending()
                    .limit(limit.clamp(1, PAGE))
                    .after(after),
            )
            .await?;
        let mut cases = Vec::with_capacity(page.items.len());
        for item in &page.items {
            cases.push(self.open_case_item(item).await?.0);
        }
        Ok(CasePage {
            cases,
            cursor: page.cursor,
        })
    }

    // ---- templates and settings ---------------------------------------------------------------

    pub async fn templates(&self) -> Result<Vec<ResponseTemplate>, RecordError> {
        match self.table.get(SETTINGS, TEMPLATES_SK).await? {
            Some(item) => Ok(decode::<StoredList<ResponseTemplate>>(&item)?.items),
            None => Ok(Vec::new()),
        }
    }

    /// Applies `change` to the stored templates under a version condition; `change` may
    /// refuse, and then nothing is written.
    pub async fn update_templates<E: From<RecordError>>(
        &self,
        change: impl Fn(&mut Vec<ResponseTemplate>) -> Result<(), E>,
    ) -> Result<Vec<ResponseTemplate>, E> {
        let mut attempts = Attempts::new(TEMPLATES_SK);
        loop {
            let stored = self
                .table
                .get(SETTINGS, TEMPLATES_SK)
                .await
                .map_err(RecordError::from)?;
            let (mut items, condition, version) = match stored {
                Some(item) => (
                    decode::<StoredList<ResponseTemplate>>(&item)?.items,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (Vec::new(), Condition::IfAbsent, 1),
            };
            change(&mut items)?;
            let item = Item::new(
                SETTINGS,
                TEMPLATES_SK,
                encode(&ListToStore { items: &items }),
            )
            .with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(items);
            }
        }
    }

    /// The saved settings, or the defaults (平日 8:30–17:15) until staff save their own.
    pub async fn settings(&self) -> Result<ConsultationSettings, RecordError> {
        match self.table.get(SETTINGS, SETTINGS_SK).await? {
            Some(item) => decode(&item),
            None => Ok(ConsultationSettings::default()),
        }
    }

    pub async fn save_settings(&self, settings: &ConsultationSettings) -> Result<(), RecordError> {
        let item = Item::new(SETTINGS, SETTINGS_SK, encode(settings));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}
