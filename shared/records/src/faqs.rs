//! The FAQ (よくある質問): the entries staff write, the synonym groups, a version that moves on
//! every change (so the chat keeps its built index until the version it read moves on: one
//! get per message), how each entry fared in the chat, and the questions the chat could not
//! resolve, for staff to answer.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::faq::{Faq, FaqId, SynonymGroups, Unresolved};
use tayori_ports::{Condition, Item, KeyRange, Query, TableStore, Write};

const PK: &str = "FAQ";
const ENTRY: &str = "ENTRY#";
const STATS: &str = "STATS#";
const SYNONYMS: &str = "SYNONYMS";
const VERSION: &str = "VERSION";
const QUESTIONS: &str = "FAQQUESTIONS";
/// An unresolved question stays on staff's list this long after it was last asked.
pub const QUESTION_LIFE: Duration = Duration::days(180);
/// Writes per transaction: DynamoDB takes 100, one is the version.
const WRITES_PER_TRANSACTION: usize = 99;

fn entry_sk(id: &FaqId) -> String {
    format!("{ENTRY}{id}")
}

/// How an FAQ fared in the chat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqStats {
    /// Times it was the answer given.
    pub answered: u64,
    /// 「解決しましたか？」 answered はい / いいえ.
    pub helpful: u64,
    pub unhelpful: u64,
}

/// A question the chat could not resolve, as staff's list shows it: the same words (folded by
/// the caller) asked again count on the same line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenQuestion {
    /// The key of the line: the kind and a hash of the folded words.
    pub key: String,
    pub kind: Unresolved,
    /// The words as last asked.
    pub text: String,
    /// For [`Unresolved::Unhelpful`]: the FAQ that did not help.
    pub faq: Option<FaqId>,
    pub count: u64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Faqs {
    table: Arc<dyn TableStore>,
}

impl Faqs {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// The version of the FAQ and its synonyms: 0 before anything was saved.
    pub async fn version(&self) -> Result<u64, RecordError> {
        Ok(self.table.get(PK, VERSION).await?.map_or(0, |i| i.version))
    }

    pub async fn get(&self, id: &FaqId) -> Result<Option<Faq>, RecordError> {
        match self.table.get(PK, &entry_sk(id)).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Every entry, in id order.
    pub async fn all(&self) -> Result<Vec<Faq>, RecordError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::partition(PK)
                        .range(KeyRange::BeginsWith(ENTRY.into()))
                        .limit(500)
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                all.push(decode(item)?);
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(all),
            }
        }
    }

    pub async fn synonyms(&self) -> Result<SynonymGroups, RecordError> {
        match self.table.get(PK, SYNONYMS).await? {
            Some(item) => decode(&item),
            None => Ok(SynonymGroups::default()),
        }
    }

    /// Saves entries (new or replacing those with the same id), the version moving on with
    /// each transaction so that the chat never keeps an index older than what is stored.
    pub async fn save(&self, faqs: &[Faq]) -> Result<(), RecordError> {
        for chunk in faqs.chunks(WRITES_PER_TRANSACTION) {
            let writes = chunk
                .iter()
                .map(|faq| Write::Put {
                    item: Item::new(PK, entry_sk(faq.id()), encode(faq)),
                    condition: Condition::Always,
                })
                .collect();
            self.with_version(writes).await?;
        }
        Ok(())
    }

    pub async fn delete(&self, id: &FaqId) -> Result<(), RecordError> {
        self.with_version(vec![
            Write::Delete {
                pk: PK.into(),
                sk: entry_sk(id),
                condition: Condition::Always,
            },
            Write::Delete {
                pk: PK.into(),
                sk: format!("{STATS}{id}"),
                condition: Condition::Always,
            },
        ])
        .await
    }

    pub async fn save_synonyms(&self, synonyms: &SynonymGroups) -> Result<(), RecordError> {
        self.with_version(vec![Write::Put {
            item: Item::new(PK, SYNONYMS, encode(synonyms)),
            condition: Condition::Always,
        }])
        .await
    }

    /// `writes` and the version's step, together or not at all.
    async fn with_version(&self, writes: Vec<Write>) -> Result<(), RecordError> {
        let mut attempts = Attempts::new(&format!("{PK}/{VERSION}"));
        loop {
            let (condition, next) = match self.table.get(PK, VERSION).await? {
                Some(item) => (Condition::IfVersion(item.version), item.version + 1),
                None => (Condition::IfAbsent, 1),
            };
            let mut all = writes.clone();
            all.push(Write::Put {
                item: Item::new(PK, VERSION, serde_json::json!({})).with_version(next),
                condition,
            });
            if attempts.written(self.table.as_ref(), all).await? {
                return Ok(());
            }
        }
    }

    pub async fn stats(&self, id: &FaqId) -> Result<FaqStats, RecordError> {
        match self.table.get(PK, &format!("{STATS}{id}")).await? {
            Some(item) => decode(&item),
            None => Ok(FaqStats::default()),
        }
    }

    /// Every entry's stats, by id.
    pub async fn all_stats(&self) -> Result<Vec<(FaqId, FaqStats)>, RecordError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::partition(PK)
                        .range(KeyRange::BeginsWith(STATS.into()))
                        .limit(500)
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                if let Ok(id) = FaqId::parse(&item.sk[STATS.len()..]) {
                    all.push((id, decode(item)?));
                }
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(all),
            }
        }
    }

    /// Adds to an entry's stats (concurrent citizens each counted).
    pub async fn count(
        &self,
        id: &FaqId,
        change: impl Fn(&mut FaqStats),
    ) -> Result<FaqStats, RecordError> {
        let sk = format!("{STATS}{id}");
        let mut attempts = Attempts::new(&format!("{PK}/{sk}"));
        loop {
            let (mut stats, condition, next) = match self.table.get(PK, &sk).await? {
                Some(item) => (
                    decode::<FaqStats>(&item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (FaqStats::default(), Condition::IfAbsent, 1),
            };
            change(&mut stats);
            let item = Item::new(PK, sk.clone(), encode(&stats)).with_version(next);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(stats);
            }
        }
    }

    /// Notes a question the chat could not resolve under `key` (the caller's hash of its folded
    /// words): a new line, or one more on the line already there.
    pub async fn note_question(
        &self,
        key: &str,
        kind: Unresolved,
        text: &str,
        faq: Option<&FaqId>,
        at: DateTime<Utc>,
    ) -> Result<OpenQuestion, RecordError> {
        let mut attempts = Attempts::new(&format!("{QUESTIONS}/{key}"));
        loop {
            let (line, condition, next) = match self.table.get(QUESTIONS, key).await? {
                Some(item) => {
                    let mut line: OpenQuestion = decode(&item)?;
                    line.count += 1;
                    line.text = text.to_owned();
                    line.last_at = at;
                    (line, Condition::IfVersion(item.version), item.version + 1)
                }
                None => (
                    OpenQuestion {
                        key: key.to_owned(),
                        kind,
                        text: text.to_owned(),
                        faq: faq.cloned(),
                        count: 1,
                        first_at: at,
                        last_at: at,
                    },
                    Condition::IfAbsent,
                    1,
                ),
            };
            let item = Item::new(QUESTIONS, key, encode(&line))
                .with_version(next)
                .expiring_at((at + QUESTION_LIFE).timestamp());
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(line);
            }
        }
    }

    /// The open questions, most recently asked first.
    pub async fn open_questions(&self) -> Result<Vec<OpenQuestion>, RecordError> {
        let mut all: Vec<OpenQuestion> = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(Query::partition(QUESTIONS).limit(500).after(cursor))
                .await?;
            for item in &page.items {
                all.push(decode(item)?);
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        all.sort_by(|a, b| b.last_at.cmp(&a.last_at).then(a.key.cmp(&b.key)));
        Ok(all)
    }

    pub async fn open_question(&self, key: &str) -> Result<Option<OpenQuestion>, RecordError> {
        match self.table.get(QUESTIONS, key).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Takes a line off the list (answered by a new FAQ, or nothing to do).
    pub async fn close_question(&self, key: &str) -> Result<(), RecordError> {
        self.table.delete(QUESTIONS, key, Condition::Always).await?;
        Ok(())
    }
}
