//! The staff's inbox (相談対応): the cases of the departments in the clerk's scope, open first;
//! a conversation (each read audited); replies pushed to the citizen; notes, assignment and
//! closing, each audited.

use super::{target, Clerk, ConsultationDesk, ConsultationDeskError};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tayori_domain::consultation::{Case, Closing, ConsultationError, Message, Topic};
use tayori_domain::staff::{LoginId, Permission};
use tayori_line::message::Message as LineMessage;
use tayori_line::RetryKey;
use tayori_ports::ObjectKey;

/// How long a link to a citizen's image works.
pub const IMAGE_LINK_LIFE: Duration = Duration::from_secs(15 * 60);
/// Closed cases shown per department under the open ones.
const CLOSED_SHOWN: usize = 50;

/// A case in the inbox, and whether it has waited too long for a reply.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxRow {
    pub case: Case,
    pub waiting_too_long: bool,
}

/// A case with its conversation, and a link for each image (by object key).
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    pub case: Case,
    pub messages: Vec<Message>,
    pub image_links: BTreeMap<String, String>,
}

/// The month's messages sent against LINE's target limit, shown near the reply box: every push
/// (replies to consultations among them) counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub used: u64,
    /// `None` when no limit is set.
    pub limit: Option<u64>,
}

impl ConsultationDesk {
    /// The departments whose consultations `clerk` handles.
    fn departments_of(clerk: Clerk<'_>) -> BTreeSet<&'static str> {
        Topic::ALL
            .into_iter()
            .map(Topic::department)
            .filter(|d| clerk.account.may_in(Permission::Consultations, d))
            .collect()
    }

    /// The clerk's inbox: open cases, longest-waiting highlighted, newest first; then the
    /// latest closed ones.
    pub async fn inbox(&self, clerk: Clerk<'_>) -> Result<Vec<InboxRow>, ConsultationDeskError> {
        Self::check_permission(clerk)?;
        let hours = self.records.settings().await?.reply_wait_hours();
        let now = self.now();
        let mut open = Vec::new();
        let mut closed = Vec::new();
        for department in Self::departments_of(clerk) {
            let mut cursor = None;
            loop {
                let page = self
                    .records
                    .of_department(department, true, 200, cursor)
                    .await?;
                open.extend(page.cases);
                cursor = page.cursor;
                if cursor.is_none() {
                    break;
                }
            }
            let page = self
                .records
                .of_department(department, false, CLOSED_SHOWN, None)
                .await?;
            closed.extend(page.cases);
        }
        open.sort_by_key(|c| std::cmp::Reverse(c.opened_at()));
        closed.sort_by_key(|c| std::cmp::Reverse(c.closed().map(|x| x.at)));
        Ok(open
            .into_iter()
            .chain(closed)
            .map(|case| InboxRow {
                waiting_too_long: case.waiting_too_long(now, hours),
                case,
            })
            .collect())
    }

    /// The case if `clerk` may handle it.
    async fn handled(&self, clerk: Clerk<'_>, id: &str) -> Result<Case, ConsultationDeskError> {
        Self::check_permission(clerk)?;
        let case = self
            .records
            .get(id)
            .await?
            .ok_or(ConsultationDeskError::NotFound)?;
        if !case.visible_to(clerk.account) {
            return Err(ConsultationError::OtherDepartment(case.department().to_string()).into());
        }
        Ok(case)
    }

    /// The conversation for `clerk`; every read is written to the audit log (who read whose
    /// consultation, not what it says).
    pub async fn conversation(
        &self,
        clerk: Clerk<'_>,
        id: &str,
    ) -> Result<Conversation, ConsultationDeskError> {
        let case = self.handled(clerk, id).await?;
        let messages = self.records.messages(id).await?;
        self.record(
            clerk,
            "相談の会話を閲覧",
            target(id),
            format!("{}（{}）", case.topic().label(), case.department()),
        )
        .await?;
        let mut image_links = BTreeMap::new();
        for message in &messages {
            if let Message::CitizenImage { image, .. } = message {
                // One image that cannot be linked leaves the rest of the conversation readable.
                let link = match ObjectKey::new(image.key.clone()) {
                    Ok(key) => self.objects.presign_get(&key, IMAGE_LINK_LIFE).await,
                    Err(e) => Err(e),
                };
                match link {
                    Ok(url) => {
                        image_links.insert(image.key.clone(), url);
                    }
                    Err(e) => {
                        tracing::warn!(case = id, error = %e, "a citizen's image cannot be linked")
                    }
                }
            }
        }
        Ok(Conversation {
            case,
            messages,
            image_links,
        })
    }

    /// Sends `text` to the citizen (a push, counted against the month's quota) and records it.
    /// Checked before sending, so a refused reply is never sent; recorded only once LINE took it.
    pub async fn reply(
        &self,
        clerk: Clerk<'_>,
        id: &str,
        text: &str,
    ) -> Result<Case, ConsultationDeskError> {
        let mut checked = self.handled(clerk, id).await?;
        let now = self.now();
        let Message::Reply { text: sent, .. } = checked.reply(clerk.account, text, now)? else {
            unreachable!("a reply answers a reply message");
        };
        self.line
            .push(
                checked.user_id(),
                vec![LineMessage::text(sent.clone())],
                RetryKey::new(),
            )
            .await
            .map_err(ConsultationDeskError::NotSent)?;
        let case = self
            .records
            .update::<ConsultationDeskError>(id, |case| {
                Ok(Some(case.reply(clerk.account, &sent, now)?))
            })
            .await;
        let case = match case {
            Ok(Some(case)) => case,
            Ok(None) => return Err(ConsultationDeskError::NotFound),
            Err(e) => {
                // The citizen has the reply; the record does not: say so in the log.
                tracing::error!(case = id, error = %e, "a consultation reply was sent but not recorded");
                return Err(e);
            }
        };
        self.record(
            clerk,
            "相談に返信",
            target(id),
            format!("{}文字", sent.chars().count()),
        )
        .await?;
        Ok(case)
    }

    /// An internal note (内部メモ), never sent.
    pub async fn note(
        &self,
        clerk: Clerk<'_>,
        id: &str,
        text: &str,
    ) -> Result<Case, ConsultationDeskError> {
        self.handled(clerk, id).await?;
        let now = self.now();
        let case = self
            .records
            .update::<ConsultationDeskError>(id, |case| {
                Ok(Some(case.note(clerk.account, text, now)?))
            })
            .await?
            .ok_or(ConsultationDeskError::NotFound)?;
        self.record(clerk, "相談に内部メモを追加", target(id), String::new())
            .await?;
        Ok(case)
    }

    /// Assigns the case to the staff member `login_id`, or clears the assignment (`None`).
    pub async fn assign(
        &self,
        clerk: Clerk<'_>,
        id: &str,
        login_id: Option<&str>,
    ) -> Result<Case, ConsultationDeskError> {
        self.handled(clerk, id).await?;
        let assignee = match login_id {
            Some(raw) => {
                let missing = || ConsultationDeskError::NoSuchStaff(raw.to_string());
                let login = LoginId::parse(raw).map_err(|_| missing())?;
                Some(self.staff.get(&login).await?.ok_or_else(missing)?)
            }
            None => None,
        };
        let now = self.now();
        let case = self
            .records
            .update::<ConsultationDeskError>(id, |case| {
                case.assign(clerk.account, assignee.as_ref(), now)?;
                Ok(None)
            })
            .await?
            .ok_or(ConsultationDeskError::NotFound)?;
        let summary = match case.assignee() {
            Some(who) => format!("担当者: {}", who.login_id),
            None => "担当者: なし".into(),
        };
        self.record(clerk, "相談の担当者を変更", target(id), summary)
            .await?;
        Ok(case)
    }

    /// Closes the case with a category (終了区分).
    pub async fn close(
        &self,
        clerk: Clerk<'_>,
        id: &str,
        closing: Closing,
    ) -> Result<Case, ConsultationDeskError> {
        self.handled(clerk, id).await?;
        let now = self.now();
        let case = self
            .records
            .update::<ConsultationDeskError>(id, |case| {
                case.close(clerk.account, closing, now)?;
                Ok(None)
            })
            .await?
            .ok_or(ConsultationDeskError::NotFound)?;
        self.record(
            clerk,
            "相談を終了",
            target(id),
            format!("終了区分: {}", closing.label()),
        )
        .await?;
        Ok(case)
    }

    /// The month's sent messages and LINE's target limit, for the reply box.
    pub async fn quota(&self, clerk: Clerk<'_>) -> Result<Quota, ConsultationDeskError> {
        Self::check_permission(clerk)?;
        let limit = self
            .line
            .message_quota()
            .await
            .map_err(ConsultationDeskError::Quota)?
            .limit;
        let used = self
            .line
            .message_quota_consumption()
            .await
            .map_err(ConsultationDeskError::Quota)?;
        Ok(Quota { used, limit })
    }
}
