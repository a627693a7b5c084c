//! Citizen registration (属性登録) in the chat: the invitation after follow, one question at a
//! time with quick reply buttons, and 「登録内容」「登録変更」「登録削除」.
//!
//! Postback data (LINE allows 300 characters; these stay far below):
//! `reg:start`, `reg:later`, `reg:show`, `reg:delete`, `reg:delete:yes`, `reg:delete:no`, and
//! answers `reg:<item id>:<choice index>`, `reg:<item id>:skip`, `reg:<item id>:done`.
//! Choice indexes count every choice of the item, retired ones included, so a button keeps
//! meaning the same choice while staff retire or add others.
//!
//! Answers are kept in a progress record until the last question and only then written to the
//! friend's attributes, so an abandoned questionnaire changes nothing.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use tayori_domain::segment::{Answer, SegmentItem, SegmentItems};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};
use tayori_ports::Platform;
use tayori_records::{
    Friends, Occasion, RecordError, RegistrationProgress, RegistrationProgresses,
    SegmentItemsRecord, UsageEvents,
};

/// Where the full privacy policy is when no URL is configured: the page the forms function
/// serves, relative to the public API's origin.
pub const DEFAULT_PRIVACY_POLICY_PATH: &str = "/liff/privacy";

const PREFIX: &str = "reg:";
/// LINE's quick reply label limit.
const MAX_LABEL_CHARS: usize = 20;

/// What the citizen asked for, by text or by button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Start,
    Later,
    Show,
    AskDelete,
    ConfirmDelete,
    CancelDelete,
    Answer { item: String, tap: Tap },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tap {
    Choice(usize),
    Skip,
    Done,
}

impl Command {
    /// Registration postbacks; `None` for any other postback.
    pub fn from_postback(data: &str) -> Option<Command> {
        let rest = data.strip_prefix(PREFIX)?;
        Some(match rest {
            "start" => Command::Start,
            "later" => Command::Later,
            "show" => Command::Show,
            "delete" => Command::AskDelete,
            "delete:yes" => Command::ConfirmDelete,
            "delete:no" => Command::CancelDelete,
            _ => {
                let (item, tap) = rest.rsplit_once(':')?;
                let tap = match tap {
                    "skip" => Tap::Skip,
                    "done" => Tap::Done,
                    n => Tap::Choice(n.parse().ok()?),
                };
                if item.is_empty() {
                    return None;
                }
                Command::Answer {
                    item: item.to_string(),
                    tap,
                }
            }
        })
    }

    /// The typed commands; anything else is ordinary chat.
    pub fn from_text(text: &str) -> Option<Command> {
        match text.trim() {
            "登録" | "登録変更" => Some(Command::Start),
            "登録内容" => Some(Command::Show),
            "登録削除" => Some(Command::AskDelete),
            _ => None,
        }
    }

    /// Answers are part of a conversation, not a use of the menu.
    pub fn is_answer(&self) -> bool {
        matches!(
            self,
            Command::Answer { .. } | Command::ConfirmDelete | Command::CancelDelete
        )
    }
}

fn postback(label: &str, data: String, display: &str) -> QuickReplyItem {
    let label: String = label.chars().take(MAX_LABEL_CHARS).collect();
    QuickReplyItem::new(Action::Postback {
        label: Some(label),
        data,
        display_text: Some(display.to_string()),
        input_option: None,
        fill_in_text: None,
    })
}

fn buttons(items: Vec<QuickReplyItem>) -> QuickReply {
    QuickReply::new(items)
}

/// Items the questionnaire asks: open, and with at least one open choice (a new item whose
/// choices staff have not added yet is not asked).
fn askable(items: &SegmentItems) -> Vec<&SegmentItem> {
    items
        .open_items()
        .filter(|i| i.open_choices().next().is_some())
        .collect()
}

pub struct Registration {
    items: SegmentItemsRecord,
    progresses: RegistrationProgresses,
    friends: Friends,
    usage: UsageEvents,
    privacy_policy_url: String,
}

impl Registration {
    pub fn new(platform: &Platform, privacy_policy_url: String) -> Self {
        Self {
            items: SegmentItemsRecord::new(platform.table.clone()),
            progresses: RegistrationProgresses::new(platform),
            friends: Friends::new(platform),
            usage: UsageEvents::new(platform.table.clone()),
            privacy_policy_url,
        }
    }

    pub fn set_privacy_policy_url(&mut self, url: String) {
        self.privacy_policy_url = url;
    }

    /// Sent after the welcome: why to register, what is kept, and the two buttons.
    pub async fn invitation(&self) -> Result<Message, RecordError> {
        let items = self.items.get().await?;
        let asked: Vec<&str> = askable(&items).iter().map(|i| i.label.as_str()).collect();
        let text = format!(
            "【登録のお願い（任意）】\n{}を登録していただくと、あなたに関係のあるお知らせだけをお届けできます。質問は{}問、1分ほどで終わります。\n\n\
             ■個人情報の取り扱い\n\
             ・保存するのは、選んだ回答だけです。お名前や連絡先はお聞きしません。\n\
             ・回答は、あなたに関係のあるお知らせを選んでお送りするためだけに使います。\n\
             ・登録内容はいつでも確認・変更・削除できます（「登録内容」「登録変更」「登録削除」と送信するか、メニューから）。\n\
             詳しくはプライバシーポリシーをご覧ください。\n{}",
            asked.join("・"),
            asked.len(),
            self.privacy_policy_url
        );
        Ok(Message::text(text).with_quick_reply(buttons(vec![
            postback("登録する", "reg:start".into(), "登録する"),
            postback("あとで", "reg:later".into(), "あとで"),
        ])))
    }

    /// The answer to one command: the messages to reply with.
    pub async fn handle(
        &self,
        user_id: &str,
        command: Command,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<Vec<Message>, RecordError> {
        match command {
            Command::Start => self.start(user_id, at).await,
            Command::Later => Ok(vec![Message::text(
                "わかりました。登録はいつでもできます。メニューの「登録内容の確認・変更」を押すか、「登録」と送ってください。",
            )]),
            Command::Show => self.show(user_id).await,
            Command::AskDelete => Ok(vec![Message::text(
                "登録内容（年代・地区・関心など、選んだ回答）をすべて削除しますか？\n削除すると、内容に応じたお知らせは届かなくなります（すべての方へのお知らせは届きます）。",
            )
            .with_quick_reply(buttons(vec![
                postback("削除する", "reg:delete:yes".into(), "削除する"),
                postback("やめる", "reg:delete:no".into(), "やめる"),
            ]))]),
            Command::ConfirmDelete => self.delete(user_id, at).await,
            Command::CancelDelete => Ok(vec![Message::text(
                "削除を取りやめました。登録内容はそのままです。",
            )]),
            Command::Answer { item, tap } => self.answer(user_id, &item, tap, at, occasion).await,
        }
    }

    async fn start(&self, user_id: &str, at: DateTime<Utc>) -> Result<Vec<Message>, RecordError> {
        let items = self.items.get().await?;
        let Some(first) = askable(&items).first().map(|i| i.id.clone()) else {
            self.progresses.clear(user_id).await?;
            return Ok(vec![Message::text("現在、登録できる項目はありません。")]);
        };
        let progress = RegistrationProgress {
            current: first,
            ..RegistrationProgress::default()
        };
        self.progresses.save(user_id, &progress, at).await?;
        Ok(vec![
            Message::text(
                "登録を始めます。答えたくない質問は「スキップ」を押してください。途中でやめても、それまでの回答は保存されません。",
            ),
            self.question(&items, &progress),
        ])
    }

    /// The current question, numbered, with a button per open choice and スキップ (and 決定 for
    /// a many-answer question, whose chosen buttons show ✓).
    fn question(&self, items: &SegmentItems, progress: &RegistrationProgress) -> Message {
        let asked = askable(items);
        let Some((n, item)) = asked
            .iter()
            .enumerate()
            .find(|(_, i)| i.id == progress.current)
        else {
            return Message::text(
                "質問が変更されました。「登録」と送って、はじめからお願いします。",
            );
        };
        let mut text = format!("（{}/{}）{}", n + 1, asked.len(), item.question);
        let mut quick = Vec::new();
        for (index, choice) in item.choices.iter().enumerate() {
            if choice.retired {
                continue;
            }
            let data = format!("{PREFIX}{}:{index}", item.id);
            let chosen = progress.selected.contains(&choice.value);
            let label = if chosen {
                format!("✓{}", choice.value)
            } else {
                choice.value.clone()
            };
            quick.push(postback(&label, data, &choice.value));
        }
        if item.answer == Answer::Many {
            if progress.selected.is_empty() {
                text.push_str("\n選び終えたら「決定」を押してください。");
            } else {
                text.push_str(&format!(
                    "\n選択中：{}\n選び終えたら「決定」を押してください。",
                    progress.selected.join("・")
                ));
            }
            quick.push(postback(
                "決定",
                format!("{PREFIX}{}:done", item.id),
                "決定",
            ));
        }
        quick.push(postback(
            "スキップ",
            format!("{PREFIX}{}:skip", item.id),
            "スキップ",
        ));
        Message::text(text).with_quick_reply(buttons(quick))
    }

    async fn answer(
        &self,
        user_id: &str,
        item_id: &str,
        tap: Tap,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<Vec<Message>, RecordError> {
        let Some(mut progress) = self.progresses.get(user_id).await? else {
            return Ok(vec![Message::text(
                "この質問の受付は終わっています。登録する場合は、もう一度はじめからお願いします。",
            )
            .with_quick_reply(buttons(vec![postback(
                "登録する",
                "reg:start".into(),
                "登録する",
            )]))]);
        };
        let items = self.items.get().await?;
        let current = items
            .get(&progress.current)
            .filter(|_| askable(&items).iter().any(|i| i.id == progress.current));
        let Some(item) = current else {
            // Staff retired the item mid-questionnaire: go on with the next one.
            return self.advance(user_id, &items, progress, at, occasion).await;
        };
        if item.id != item_id {
            // A button of an earlier question: ask the current one again.
            return Ok(vec![self.question(&items, &progress)]);
        }
        let open_choice = |index: usize| {
            item.choices
                .get(index)
                .filter(|c| !c.retired)
                .map(|c| c.value.clone())
        };
        match (item.answer, tap) {
            (_, Tap::Skip) => {
                progress.answers.remove(&item.id);
                self.advance(user_id, &items, progress, at, occasion).await
            }
            (Answer::One, Tap::Choice(index)) => match open_choice(index) {
                Some(value) => {
                    progress.answers.insert(item.id.clone(), vec![value]);
                    self.advance(user_id, &items, progress, at, occasion).await
                }
                None => Ok(vec![self.question(&items, &progress)]),
            },
            (Answer::One, Tap::Done) => Ok(vec![self.question(&items, &progress)]),
            (Answer::Many, Tap::Choice(index)) => {
                if let Some(value) = open_choice(index) {
                    if let Some(at) = progress.selected.iter().position(|v| *v == value) {
                        progress.selected.remove(at);
                    } else {
                        progress.selected.push(value);
                    }
                    // Shown and stored in the choices' order, not the order tapped.
                    progress.selected = item.check_answer(&progress.selected).unwrap_or_default();
                    self.progresses.save(user_id, &progress, at).await?;
                }
                Ok(vec![self.question(&items, &progress)])
            }
            (Answer::Many, Tap::Done) => {
                let values = item.check_answer(&progress.selected).unwrap_or_default();
                if values.is_empty() {
                    progress.answers.remove(&item.id);
                } else {
                    progress.answers.insert(item.id.clone(), values);
                }
                self.advance(user_id, &items, progress, at, occasion).await
            }
        }
    }

    /// On to the item after the current one, or the end.
    async fn advance(
        &self,
        user_id: &str,
        items: &SegmentItems,
        mut progress: RegistrationProgress,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<Vec<Message>, RecordError> {
        let asked = askable(items);
        // The next item is the first askable one after the current in the full order, so that
        // a current item staff retired meanwhile still leads to the right next one.
        let next = items
            .items
            .iter()
            .position(|i| i.id == progress.current)
            .and_then(|p| {
                items.items[p + 1..]
                    .iter()
                    .find(|i| asked.iter().any(|a| a.id == i.id))
            });
        progress.selected.clear();
        match next {
            Some(item) => {
                progress.current = item.id.clone();
                self.progresses.save(user_id, &progress, at).await?;
                Ok(vec![self.question(items, &progress)])
            }
            None => self.finish(user_id, items, progress, at, occasion).await,
        }
    }

    async fn finish(
        &self,
        user_id: &str,
        items: &SegmentItems,
        progress: RegistrationProgress,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<Vec<Message>, RecordError> {
        // Staff may have retired a choice while the citizen answered: keep only what is open.
        let answers: BTreeMap<String, Vec<String>> = progress
            .answers
            .iter()
            .filter_map(|(id, values)| {
                let item = items.get(id).filter(|i| !i.retired)?;
                let values = item.check_answer(values).ok()?;
                (!values.is_empty()).then(|| (id.clone(), values))
            })
            .collect();
        let friend = self
            .friends
            .update(user_id, at, |f| {
                f.seen(at);
                f.attributes = items.apply_registration(&f.attributes, &answers);
            })
            .await?;
        self.progresses.clear(user_id).await?;
        let event = UsageEvent::one(UsageKind::SegmentRegistration, at)
            .with_attributes(friend.attributes.clone());
        self.usage.record_quietly(occasion, &event).await;
        Ok(vec![Message::text(format!(
            "登録しました。ありがとうございます。\n\n{}\n\n{}",
            describe(items, &friend.attributes),
            HOW_TO_CHANGE
        ))])
    }

    async fn show(&self, user_id: &str) -> Result<Vec<Message>, RecordError> {
        let attributes = self
            .friends
            .get(user_id)
            .await?
            .map(|f| f.attributes)
            .unwrap_or_default();
        if attributes.is_empty() {
            return Ok(vec![Message::text(
                "まだ登録されていません。登録すると、あなたに関係のあるお知らせだけをお届けできます。",
            )
            .with_quick_reply(buttons(vec![postback(
                "登録する",
                "reg:start".into(),
                "登録する",
            )]))]);
        }
        let items = self.items.get().await?;
        Ok(vec![Message::text(format!(
            "現在の登録内容です。\n\n{}\n\n{}",
            describe(&items, &attributes),
            HOW_TO_CHANGE
        ))
        .with_quick_reply(buttons(vec![
            postback("登録し直す", "reg:start".into(), "登録し直す"),
            postback("削除する", "reg:delete".into(), "登録を削除する"),
        ]))])
    }

    async fn delete(&self, user_id: &str, at: DateTime<Utc>) -> Result<Vec<Message>, RecordError> {
        self.friends
            .update(user_id, at, |f| {
                f.seen(at);
                f.attributes.clear();
            })
            .await?;
        self.progresses.clear(user_id).await?;
        Ok(vec![Message::text(
            "登録内容をすべて削除しました。今後、登録内容に応じたお知らせは届きません。\nもう一度登録する場合は「登録」と送ってください。",
        )])
    }
}

const HOW_TO_CHANGE: &str = "変更は「登録変更」、削除は「登録削除」と送るか、メニューの「登録内容の確認・変更」からできます。";

/// 「年代：30代」 per line: every asked item (未回答 when skipped), then retired items the
/// citizen still has a value for.
pub fn describe(items: &SegmentItems, attributes: &BTreeMap<String, Vec<String>>) -> String {
    let mut lines = Vec::new();
    for item in &items.items {
        let values = attributes.get(&item.id).filter(|v| !v.is_empty());
        match (item.retired, values) {
            (false, Some(v)) => lines.push(format!("{}：{}", item.label, v.join("・"))),
            (false, None) => lines.push(format!("{}：未回答", item.label)),
            (true, Some(v)) => lines.push(format!("{}：{}", item.label, v.join("・"))),
            (true, None) => {}
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postbacks_and_texts_are_read_as_commands() {
        assert_eq!(Command::from_postback("reg:start"), Some(Command::Start));
        assert_eq!(
            Command::from_postback("reg:delete:yes"),
            Some(Command::ConfirmDelete)
        );
        assert_eq!(
            Command::from_postback("reg:district:3"),
            Some(Command::Answer {
                item: "district".into(),
                tap: Tap::Choice(3)
            })
        );
        assert_eq!(
            Command::from_postback("reg:interests:done"),
            Some(Command::Answer {
                item: "interests".into(),
                tap: Tap::Done
            })
        );
        assert_eq!(Command::from_postback("reg:district:x"), None);
        assert_eq!(Command::from_postback("menu=garbage"), None);
        assert_eq!(Command::from_text(" 登録内容 "), Some(Command::Show));
        assert_eq!(Command::from_text("登録変更"), Some(Command::Start));
        assert_eq!(Command::from_text("登録削除"), Some(Command::AskDelete));
        assert_eq!(Command::from_text("ごみの日"), None);
    }

    #[test]
    fn a_registration_reads_in_the_citys_words_with_unanswered_items_marked() {
        let mut items = SegmentItems::obama_defaults();
        items.set_item_retired("gender", true).unwrap();
        let attributes: BTreeMap<String, Vec<String>> = [
            ("district".to_string(), vec!["雲浜".to_string()]),
            (
                "interests".to_string(),
                vec!["子育て".to_string(), "防災".to_string()],
            ),
        ]
        .into();
        assert_eq!(
            describe(&items, &attributes),
            "年代：未回答\n居住地区：雲浜\n関心：子育て・防災"
        );
    }
}
