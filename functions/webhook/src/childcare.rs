//! 子育て情報 in the chat: 「子育て」 (keyword or the `child:menu` postback) shows the citizen's
//! registered children with buttons to register one by birth month or due date (LINE's date
//! picker), remove one, and stop or resume the messages.
//!
//! Offered once staff have scheduled at least one stage: before that, registering would promise
//! messages nobody sends, so the keyword is left to the other features and a stale button says
//! the service is not running.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use tayori_childcare::{ChildcareDesk, ChildcareError};
use tayori_domain::childcare::{
    Birth, ChildcareSubscription, YearMonth, MAX_AGE_YEARS, MAX_DAYS_UNTIL_DUE,
};
use tayori_domain::time::to_jst;
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};
use tayori_line::webhook::{Event, EventKind, IncomingMessage};
use tayori_ports::Platform;

/// The menu's postback that shows the citizen's registration.
pub const MENU: &str = "child:menu";
pub const WORD: &str = "子育て情報";
const WORDS: [&str; 2] = ["子育て", WORD];
const BORN: &str = "child:born";
const DUE: &str = "child:due";
const REMOVE: &str = "child:remove";
const REMOVE_PREFIX: &str = "child:remove:";
const STOP: &str = "child:stop";
const RESUME: &str = "child:resume";
const PREFIX: &str = "child:";

const INTRO: &str = "子育て情報の配信\nお子さんの月齢・年齢に合わせて、予防接種や健診などのお知らせをこのトークでお送りします。";
const NOT_OFFERED: &str = "現在、子育て情報の配信は行っていません。";
const FAILED: &str = "ただいま処理できませんでした。時間をおいて、もう一度お試しください。";
const PICK_AGAIN: &str = "日付を選べませんでした。もう一度ボタンから選んでください。";

pub struct ChildcareChat {
    desk: ChildcareDesk,
}

/// LINE's date picker, opening on `today` (JST) and allowing `min..=max`.
fn date_button(
    label: &str,
    data: &str,
    today: NaiveDate,
    min: NaiveDate,
    max: NaiveDate,
) -> QuickReplyItem {
    let day = |d: NaiveDate| Some(d.format("%Y-%m-%d").to_string());
    QuickReplyItem::new(Action::DatetimePicker {
        label: Some(label.to_owned()),
        data: data.to_owned(),
        mode: "date".into(),
        initial: day(today),
        max: day(max),
        min: day(min),
    })
}

fn text(t: impl Into<String>) -> Vec<Message> {
    vec![Message::text(t)]
}

impl ChildcareChat {
    pub fn new(platform: &Platform) -> Self {
        Self {
            desk: ChildcareDesk::new(platform),
        }
    }

    /// Whether citizens are offered the messages: staff scheduled at least one stage.
    pub async fn is_offered(&self) -> bool {
        match self.desk.settings().await {
            Ok(settings) => !settings.schedule.is_empty(),
            Err(e) => {
                tracing::error!(error = %e, "the child-rearing schedule could not be read");
                false
            }
        }
    }

    /// The feature's answer to `event`, or `None` when it is not about child-rearing messages.
    pub async fn answer(
        &self,
        event: &Event,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Option<Vec<Message>> {
        match &event.kind {
            EventKind::Message(IncomingMessage::Text { text: words, .. })
                if WORDS.contains(&words.trim()) =>
            {
                if !self.is_offered().await {
                    return None;
                }
                Some(self.overview(user_id, now, None).await)
            }
            EventKind::Postback { data, params } if data.starts_with(PREFIX) => {
                if !self.is_offered().await {
                    return Some(text(NOT_OFFERED));
                }
                let date = params.as_ref().and_then(|p| p.get("date"));
                Some(
                    self.postback(user_id, data, date.map(String::as_str), now)
                        .await,
                )
            }
            _ => None,
        }
    }

    async fn postback(
        &self,
        user_id: &str,
        data: &str,
        date: Option<&str>,
        now: DateTime<Utc>,
    ) -> Vec<Message> {
        let picked = date.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let done = match (data, picked) {
            (MENU, _) => return self.overview(user_id, now, None).await,
            (BORN | DUE, None) => return text(PICK_AGAIN),
            (BORN, Some(day)) => {
                self.register(
                    user_id,
                    Birth::Born {
                        month: YearMonth::of(day),
                    },
                )
                .await
            }
            (DUE, Some(day)) => self.register(user_id, Birth::Expected { due: day }).await,
            (REMOVE, _) => return self.ask_which(user_id).await,
            (STOP, _) => self.desk.opt_out(user_id).await.map(|()| {
                "子育て情報の配信を止めました。登録したお子さんの情報は残っています。".into()
            }),
            (RESUME, _) => self
                .desk
                .opt_in(user_id)
                .await
                .map(|()| "子育て情報の配信を再開しました。".into()),
            _ => match data.strip_prefix(REMOVE_PREFIX) {
                Some(child_id) => self.remove(user_id, child_id).await,
                None => return self.overview(user_id, now, None).await,
            },
        };
        match done {
            Ok(said) => self.overview(user_id, now, Some(said)).await,
            Err(e) => failed(&e),
        }
    }

    async fn register(&self, user_id: &str, birth: Birth) -> Result<String, ChildcareError> {
        let child = self.desk.register_child(user_id, birth, None).await?;
        Ok(format!(
            "「{}」のお子さんを登録しました。",
            child.birth().label()
        ))
    }

    async fn remove(&self, user_id: &str, child_id: &str) -> Result<String, ChildcareError> {
        let subscription = self.desk.subscription(user_id).await?;
        let label = subscription
            .children()
            .iter()
            .find(|c| c.id() == child_id)
            .map(|c| c.birth().label());
        self.desk.remove_child(user_id, child_id).await?;
        Ok(format!(
            "「{}」のお子さんの登録を削除しました。",
            label.unwrap_or_default()
        ))
    }

    async fn ask_which(&self, user_id: &str) -> Vec<Message> {
        let subscription = match self.desk.subscription(user_id).await {
            Ok(s) => s,
            Err(e) => return failed(&e),
        };
        if subscription.children().is_empty() {
            return text("登録しているお子さんはいません。");
        }
        let buttons = subscription
            .children()
            .iter()
            .map(|c| {
                QuickReplyItem::postback(&c.birth().label(), &format!("{REMOVE_PREFIX}{}", c.id()))
            })
            .collect();
        vec![Message::text("登録を削除するお子さんを選んでください。")
            .with_quick_reply(QuickReply::new(buttons))]
    }

    /// The citizen's registration and what they can do next, after `said` when an action
    /// was just done.
    async fn overview(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
        said: Option<String>,
    ) -> Vec<Message> {
        let subscription = match self.desk.subscription(user_id).await {
            Ok(s) => s,
            Err(e) => return failed(&e),
        };
        let mut words = said.map_or_else(|| INTRO.to_owned(), |s| s + "\n");
        words.push('\n');
        words.push_str(&listing(&subscription));
        let today = to_jst(now).date_naive();
        // The picker allows only what the registry accepts (the domain checks again).
        let oldest = YearMonth::of(today)
            .first_day()
            .checked_sub_months(Months::new(12 * MAX_AGE_YEARS.unsigned_abs()))
            .unwrap_or(today);
        let furthest = today + Days::new(MAX_DAYS_UNTIL_DUE);
        let mut buttons = vec![
            date_button("生まれた年月で登録", BORN, today, oldest, today),
            date_button("出産予定日で登録", DUE, today, today, furthest),
        ];
        if !subscription.children().is_empty() {
            buttons.push(QuickReplyItem::postback("登録を削除", REMOVE));
        }
        buttons.push(if subscription.is_opted_out() {
            QuickReplyItem::postback("配信を再開", RESUME)
        } else {
            QuickReplyItem::postback("配信を止める", STOP)
        });
        vec![Message::text(words).with_quick_reply(QuickReply::new(buttons))]
    }
}

/// 「登録中のお子さん」 and the opt-out, in words.
fn listing(subscription: &ChildcareSubscription) -> String {
    let mut out = if subscription.children().is_empty() {
        "登録しているお子さんはいません。下のボタンから、生まれた年月（日付はその月のどの日でもかまいません）か出産予定日を選んで登録してください。".to_owned()
    } else {
        let mut list = "登録中のお子さん：".to_owned();
        for child in subscription.children() {
            list.push_str("\n・");
            list.push_str(&child.birth().label());
        }
        list
    };
    if subscription.is_opted_out() {
        out.push_str("\n（現在、配信を止めています）");
    }
    out
}

fn failed(e: &ChildcareError) -> Vec<Message> {
    match e {
        ChildcareError::Child(refusal) => text(refusal.to_string()),
        other => {
            tracing::error!(error = %other, "a child-rearing registration could not be handled");
            text(FAILED)
        }
    }
}
