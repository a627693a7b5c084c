//! Garbage questions in the chat (ごみの質問): 「今日のごみ」「明日のごみ」, 「次の燃やさないごみは
//! いつ？」, sorting lookups (「ペットボトルは何ごみ？」「乾電池の捨て方」) and the notice choice
//! (「ごみ通知」: 当日朝 / 前日夜 / 受け取らない). Answers are for the citizen's registered district;
//! a citizen without one is asked for it first, and it is saved to their registration.
//!
//! Only clear garbage questions are taken: anything else goes on to the default reply.
//!
//! While the calendar is the shipped sample and the run withholds it ([`SampleCalendar`], every
//! deployment), a garbage question is answered with [`PREPARING`]: the citizen asked about
//! garbage, so the honest answer is that it is not ready, rather than the default reply or
//! invented days.
//!
//! Postback data: `garbage:today`, `garbage:tomorrow`, `garbage:next`, `garbage:next:<kind #>`,
//! `garbage:sort`, `garbage:item:<entry #>`, `garbage:notice`, `garbage:notice:<morning|evening|off>`,
//! `garbage:district:<choice #>:<then>` where `<then>` is one of the others without the prefix.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tayori_domain::segment::DISTRICT_ITEM;
use tayori_domain::time::to_jst;
use tayori_garbage::normalize::fold;
use tayori_garbage::notice_text::{
    date_label, day_summary, kind_name, suspension_line, SAMPLE_NOTE,
};
use tayori_garbage::{Calendar, Lookup, SampleCalendar, Timing, GARBAGE_NOTICE_ATTRIBUTE};
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};
use tayori_ports::Platform;
use tayori_records::{Friends, GarbageRecords, RecordError, SegmentItemsRecord};

const PREFIX: &str = "garbage:";
/// LINE's quick reply limits.
const MAX_LABEL_CHARS: usize = 20;
const MAX_QUICK_REPLIES: usize = 13;

/// The answer to every garbage question while the city's calendar is not imported yet.
pub const PREPARING: &str = "ごみの収集日と分別のご案内は、ただいま準備中です。市のごみ収集カレンダーが登録されしだい、このトークでお答えします。お急ぎの場合は市役所へお問い合わせください。";

/// Endings that make a text a sorting question (the item comes before them).
const SORTING_ENDINGS: &[&str] = &[
    "は何ごみ",
    "はなにごみ",
    "って何ごみ",
    "ってなにごみ",
    "は何ごみですか",
    "の捨て方",
    "のすてかた",
    "の捨て方を教えて",
    "の出し方",
    "のだしかた",
    "はどうやって捨てる",
    "はどうやって捨てればいい",
    "を捨てたい",
    "の分別",
];

/// What the citizen asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GarbageRequest {
    Today,
    Tomorrow,
    /// The next day of a kind; `None` until the citizen says which.
    Next(Option<KindRef>),
    /// 「分別を調べる」: how to ask.
    HowToSort,
    /// A sorting lookup of what the citizen typed.
    Sort(String),
    /// A dictionary entry chosen from the candidates.
    Item(usize),
    NoticeMenu,
    SetNotice(Option<Timing>),
    /// The citizen chose their district (by segment choice index), then the question again.
    District(usize, Box<GarbageRequest>),
}

/// A kind, as typed (matched against the calendar later) or as tapped (its index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindRef {
    Typed(String),
    Index(usize),
}

impl GarbageRequest {
    /// Garbage postbacks; `None` for any other postback.
    pub fn from_postback(data: &str) -> Option<GarbageRequest> {
        Self::from_data(data.strip_prefix(PREFIX)?)
    }

    fn from_data(rest: &str) -> Option<GarbageRequest> {
        Some(match rest {
            "today" => Self::Today,
            "tomorrow" => Self::Tomorrow,
            "next" => Self::Next(None),
            "sort" => Self::HowToSort,
            "notice" => Self::NoticeMenu,
            "notice:morning" => Self::SetNotice(Some(Timing::Morning)),
            "notice:evening" => Self::SetNotice(Some(Timing::Evening)),
            "notice:off" => Self::SetNotice(None),
            _ => {
                if let Some(n) = rest.strip_prefix("next:") {
                    Self::Next(Some(KindRef::Index(n.parse().ok()?)))
                } else if let Some(n) = rest.strip_prefix("item:") {
                    Self::Item(n.parse().ok()?)
                } else if let Some(tail) = rest.strip_prefix("district:") {
                    let (n, then) = tail.split_once(':')?;
                    let then = Self::from_data(then)?;
                    if matches!(then, Self::District(..)) {
                        return None;
                    }
                    Self::District(n.parse().ok()?, Box::new(then))
                } else {
                    return None;
                }
            }
        })
    }

    /// The postback data standing for this request (for the district question's buttons).
    fn data(&self) -> Option<String> {
        Some(match self {
            Self::Today => "today".into(),
            Self::Tomorrow => "tomorrow".into(),
            Self::Next(None) => "next".into(),
            Self::Next(Some(KindRef::Index(n))) => format!("next:{n}"),
            Self::NoticeMenu => "notice".into(),
            _ => return None,
        })
    }

    /// Clear garbage questions only; ordinary chat answers `None`.
    pub fn from_text(text: &str) -> Option<GarbageRequest> {
        let folded = fold(text);
        let is = |options: &[&str]| options.iter().any(|o| fold(o) == folded);
        if is(&[
            "今日のごみ",
            "今日のごみは",
            "今日のごみは何",
            "今日は何ごみ",
            "今日は何のごみ",
            "今日のごみの日",
            "きょうのごみ",
        ]) {
            return Some(Self::Today);
        }
        if is(&[
            "明日のごみ",
            "明日のごみは",
            "明日のごみは何",
            "明日は何ごみ",
            "明日は何のごみ",
            "明日のごみの日",
            "あしたのごみ",
        ]) {
            return Some(Self::Tomorrow);
        }
        if is(&[
            "次の収集日",
            "次の収集日は",
            "次のごみの日",
            "次の収集日はいつ",
        ]) {
            return Some(Self::Next(None));
        }
        if is(&["分別を調べる", "分別", "ごみの分別", "分別を調べたい"]) {
            return Some(Self::HowToSort);
        }
        if is(&[
            "ごみ通知",
            "ごみの通知",
            "ごみ通知設定",
            "ごみ通知の設定",
            "通知の設定",
            "ごみのお知らせ",
        ]) {
            return Some(Self::NoticeMenu);
        }
        if let Some(kind) = next_question(&folded) {
            return Some(Self::Next(Some(KindRef::Typed(kind))));
        }
        let sorting = SORTING_ENDINGS
            .iter()
            .map(|e| fold(e))
            .any(|e| folded.len() > e.len() && folded.ends_with(&e));
        sorting.then(|| Self::Sort(text.trim().to_owned()))
    }
}

/// 「次の燃やさないごみはいつ」 → 「燃やさないごみ」 (folded). Needs both 「次の」 and 「いつ」 so
/// that ordinary sentences with either are left alone.
fn next_question(folded: &str) -> Option<String> {
    let rest = [fold("次の"), fold("つぎの")]
        .into_iter()
        .find_map(|p| folded.strip_prefix(p.as_str()).map(str::to_owned))?;
    let kind = [
        "の収集日はいつですか",
        "の収集日はいつ",
        "の日はいつですか",
        "の日はいつ",
        "はいつですか",
        "はいつ",
        "いつ",
    ]
    .iter()
    .map(|e| fold(e))
    .find_map(|e| rest.strip_suffix(e.as_str()).map(str::to_owned))?;
    (!kind.is_empty()).then_some(kind)
}

/// Everyday names for the calendar's kinds, folded the same way.
fn canonical_kind_text(folded: &str) -> String {
    folded
        .replace(&fold("燃えない"), &fold("燃やさない"))
        .replace(&fold("燃える"), &fold("燃やす"))
        .replace(&fold("もえない"), &fold("燃やさない"))
        .replace(&fold("もえる"), &fold("燃やす"))
}

/// The calendar kind a citizen typed: the one whose name matches it whole, else the longest
/// name inside it.
fn match_kind(calendar: &Calendar, typed: &str) -> Option<usize> {
    let typed = canonical_kind_text(typed);
    let scheduled = calendar
        .kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| k.scheduled);
    let mut best: Option<(usize, usize)> = None;
    for (i, kind) in scheduled {
        let name = fold(&kind.name);
        if name == typed {
            return Some(i);
        }
        let inside = typed.contains(&name) || (typed.chars().count() >= 2 && name.contains(&typed));
        if inside && best.is_none_or(|(_, len)| name.len() > len) {
            best = Some((i, name.len()));
        }
    }
    best.map(|(i, _)| i)
}

fn postback(label: &str, data: String, display: &str) -> QuickReplyItem {
    let label: String = label.chars().take(MAX_LABEL_CHARS).collect();
    QuickReplyItem::new(Action::Postback {
        label: Some(label),
        data,
        display_text: Some(display.chars().take(300).collect()),
        input_option: None,
        fill_in_text: None,
    })
}

fn quick(items: Vec<QuickReplyItem>) -> QuickReply {
    QuickReply::new(items.into_iter().take(MAX_QUICK_REPLIES).collect())
}

/// The follow-ups offered under every garbage answer.
fn follow_ups() -> QuickReply {
    quick(vec![
        postback("今日のごみ", format!("{PREFIX}today"), "今日のごみ"),
        postback("明日のごみ", format!("{PREFIX}tomorrow"), "明日のごみ"),
        postback("次の収集日", format!("{PREFIX}next"), "次の収集日"),
        postback("分別を調べる", format!("{PREFIX}sort"), "分別を調べる"),
        postback("通知の設定", format!("{PREFIX}notice"), "ごみ通知の設定"),
    ])
}

pub struct GarbageChat {
    garbage: GarbageRecords,
    friends: Friends,
    items: SegmentItemsRecord,
    sample_calendar: SampleCalendar,
}

impl GarbageChat {
    pub fn new(platform: &Platform, sample_calendar: SampleCalendar) -> Self {
        Self {
            garbage: GarbageRecords::new(platform.table.clone()),
            friends: Friends::new(platform),
            items: SegmentItemsRecord::new(platform.table.clone()),
            sample_calendar,
        }
    }

    /// The answer to a text, or `None` when it is not a garbage question.
    pub async fn answer_text(
        &self,
        user_id: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Message>>, RecordError> {
        let request = match GarbageRequest::from_text(text) {
            Some(GarbageRequest::Next(Some(KindRef::Typed(typed)))) => {
                // 「次の〇〇はいつ」 is only ours when 〇〇 is a kind of garbage.
                let calendar = self.garbage.calendar().await?.calendar;
                if match_kind(&calendar, &typed).is_none() && !typed.contains(&fold("ごみ")) {
                    return Ok(None);
                }
                GarbageRequest::Next(Some(KindRef::Typed(typed)))
            }
            Some(request) => request,
            None => return Ok(None),
        };
        Ok(Some(self.answer(user_id, request, now).await?))
    }

    /// The answer to a postback, or `None` when it is not a garbage postback.
    pub async fn answer_postback(
        &self,
        user_id: &str,
        data: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Message>>, RecordError> {
        match GarbageRequest::from_postback(data) {
            Some(request) => Ok(Some(self.answer(user_id, request, now).await?)),
            None => Ok(None),
        }
    }

    pub async fn answer(
        &self,
        user_id: &str,
        request: GarbageRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<Message>, RecordError> {
        if !self
            .sample_calendar
            .serves(self.garbage.calendar().await?.sample)
        {
            return Ok(vec![Message::text(PREPARING)]);
        }
        let today = to_jst(now).date_naive();
        let request = match request {
            GarbageRequest::District(choice, then) => {
                match self.save_district(user_id, choice, now).await? {
                    Some(_) => *then,
                    None => return self.ask_district(&then).await,
                }
            }
            other => other,
        };
        match request {
            GarbageRequest::HowToSort => Ok(vec![Message::text(
                "調べたいものの名前に「は何ごみ？」をつけて送ってください。\n例：「ペットボトルは何ごみ？」「乾電池の捨て方」",
            )
            .with_quick_reply(follow_ups())]),
            GarbageRequest::Sort(text) => self.sort(&text).await,
            GarbageRequest::Item(n) => self.item(n).await,
            GarbageRequest::SetNotice(timing) => self.set_notice(user_id, timing, now).await,
            needs_district => {
                let Some(district) = self.district_of(user_id).await? else {
                    return self.ask_district(&needs_district).await;
                };
                match needs_district {
                    GarbageRequest::Today => self.day(&district, today, "今日").await,
                    GarbageRequest::Tomorrow => {
                        self.day(&district, today + Duration::days(1), "明日").await
                    }
                    GarbageRequest::Next(kind) => self.next(&district, kind, today).await,
                    GarbageRequest::NoticeMenu => self.notice_menu(user_id, &district).await,
                    _ => Ok(vec![Message::text("もう一度お試しください。")]),
                }
            }
        }
    }

    async fn district_of(&self, user_id: &str) -> Result<Option<String>, RecordError> {
        Ok(self
            .friends
            .get(user_id)
            .await?
            .and_then(|f| f.attributes.get(DISTRICT_ITEM).cloned())
            .and_then(|v| v.into_iter().next()))
    }

    /// The districts a citizen can choose: the registration's, or the calendar's when the
    /// city has no district item.
    async fn district_choices(&self) -> Result<Vec<(usize, String)>, RecordError> {
        let items = self.items.get().await?;
        if let Some(item) = items.get(DISTRICT_ITEM).filter(|i| !i.retired) {
            return Ok(item
                .choices
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.retired)
                .map(|(i, c)| (i, c.value.clone()))
                .collect());
        }
        let calendar = self.garbage.calendar().await?.calendar;
        Ok(calendar
            .districts
            .into_iter()
            .enumerate()
            .map(|(i, d)| (i, d.name))
            .collect())
    }

    async fn ask_district(&self, then: &GarbageRequest) -> Result<Vec<Message>, RecordError> {
        let then = then.data().unwrap_or_else(|| "today".into());
        let buttons = self
            .district_choices()
            .await?
            .into_iter()
            .map(|(i, name)| postback(&name, format!("{PREFIX}district:{i}:{then}"), &name))
            .collect();
        Ok(vec![Message::text(
            "お住まいの地区を教えてください。選んだ地区は登録内容に保存され、次からはすぐにお答えします（「登録変更」でいつでも変えられます）。",
        )
        .with_quick_reply(quick(buttons))])
    }

    /// Saves the chosen district on the citizen, as registration stores it.
    async fn save_district(
        &self,
        user_id: &str,
        choice: usize,
        at: DateTime<Utc>,
    ) -> Result<Option<String>, RecordError> {
        let Some((_, district)) = self
            .district_choices()
            .await?
            .into_iter()
            .find(|(i, _)| *i == choice)
        else {
            return Ok(None);
        };
        let value = vec![district.clone()];
        self.friends
            .update(user_id, at, |f| {
                f.seen(at);
                f.attributes.insert(DISTRICT_ITEM.into(), value.clone());
            })
            .await?;
        Ok(Some(district))
    }

    async fn day(
        &self,
        district: &str,
        date: NaiveDate,
        when: &str,
    ) -> Result<Vec<Message>, RecordError> {
        let stored = self.garbage.calendar().await?;
        let calendar = &stored.calendar;
        let holidays = self.garbage.holidays().await?.holidays;
        let mut text = format!("{when} {}　{district}地区のごみ\n", date_label(date));
        if calendar.district(district).is_none() {
            text = format!("{district}地区の収集日がカレンダーに見つかりませんでした。市役所にお問い合わせください。");
        } else {
            let summary = day_summary(calendar, &holidays, district, date);
            if summary.is_empty() {
                text.push_str("収集はありません。");
            }
            for c in &summary.collected {
                text.push_str(&format!("・{}", kind_name(calendar, &c.kind)));
                if c.is_moved_or_substitute() {
                    text.push_str("（振替収集）");
                }
                text.push('\n');
            }
            for (suspension, kinds) in &summary.suspended {
                text.push_str(&format!(
                    "・{}\n",
                    suspension_line(calendar, suspension, kinds)
                ));
            }
        }
        Ok(vec![Message::text(
            self.marked(text.trim_end(), stored.sample),
        )
        .with_quick_reply(follow_ups())])
    }

    async fn next(
        &self,
        district: &str,
        kind: Option<KindRef>,
        today: NaiveDate,
    ) -> Result<Vec<Message>, RecordError> {
        let stored = self.garbage.calendar().await?;
        let calendar = &stored.calendar;
        let index = match kind {
            Some(KindRef::Index(i)) => calendar.kinds.get(i).map(|_| i),
            Some(KindRef::Typed(typed)) => match_kind(calendar, &typed),
            None => None,
        };
        let Some(index) = index else {
            let buttons = calendar
                .kinds
                .iter()
                .enumerate()
                .filter(|(_, k)| k.scheduled)
                .map(|(i, k)| postback(&k.name, format!("{PREFIX}next:{i}"), &k.name))
                .collect();
            return Ok(vec![
                Message::text("どのごみの収集日を調べますか？").with_quick_reply(quick(buttons))
            ]);
        };
        let kind = &calendar.kinds[index];
        let holidays = self.garbage.holidays().await?.holidays;
        // Today counts: asked in the morning, today's collection is the next one.
        let next =
            calendar.next_collection(district, &kind.id, today - Duration::days(1), &holidays);
        let text = match next {
            Some(day) if day == today => format!(
                "{district}地区の次の{}は、今日 {}です。",
                kind.name,
                date_label(day)
            ),
            Some(day) => format!(
                "{district}地区の次の{}は、{}です。",
                kind.name,
                date_label(day)
            ),
            None => format!(
                "{district}地区の{}の収集予定は、この先1年ほど見つかりませんでした。",
                kind.name
            ),
        };
        Ok(vec![
            Message::text(self.marked(&text, stored.sample)).with_quick_reply(follow_ups())
        ])
    }

    async fn sort(&self, text: &str) -> Result<Vec<Message>, RecordError> {
        let dictionary = self.garbage.dictionary().await?;
        let reply = match dictionary.lookup(text) {
            Lookup::Exact(entry) => entry_text(entry),
            Lookup::Candidates(entries) => {
                let buttons = entries
                    .iter()
                    .filter_map(|e| {
                        let i = dictionary.entries.iter().position(|d| std::ptr::eq(d, *e))?;
                        Some(postback(&e.name, format!("{PREFIX}item:{i}"), &e.name))
                    })
                    .collect();
                return Ok(vec![Message::text(
                    "いくつか見つかりました。近いものを選んでください。",
                )
                .with_quick_reply(quick(buttons))]);
            }
            Lookup::None => "ごめんなさい、分別辞典に見つかりませんでした。\n別の呼び方（例：「電池」→「乾電池」）で「○○は何ごみ？」と送ってみてください。わからないときは市役所の環境担当へお問い合わせください。".to_string(),
        };
        Ok(vec![Message::text(reply).with_quick_reply(follow_ups())])
    }

    async fn item(&self, n: usize) -> Result<Vec<Message>, RecordError> {
        let dictionary = self.garbage.dictionary().await?;
        let text = match dictionary.entries.get(n) {
            Some(entry) => entry_text(entry),
            None => "分別辞典が更新されました。もう一度「○○は何ごみ？」と送ってください。".into(),
        };
        Ok(vec![Message::text(text).with_quick_reply(follow_ups())])
    }

    async fn notice_menu(
        &self,
        user_id: &str,
        district: &str,
    ) -> Result<Vec<Message>, RecordError> {
        let settings = self.garbage.notices().await?;
        let current = self
            .friends
            .get(user_id)
            .await?
            .and_then(|f| f.attributes.get(GARBAGE_NOTICE_ATTRIBUTE).cloned())
            .and_then(|v| v.into_iter().next());
        let now = match current.as_deref().and_then(Timing::from_label) {
            Some(t) => format!("現在の設定：{}", t.label()),
            None => "現在の設定：受け取らない".into(),
        };
        let text = format!(
            "{district}地区のごみ収集日のお知らせを受け取れます。\n・当日朝：収集日の朝{}ごろ\n・前日夜：収集日の前の日の{}ごろ\n{now}",
            clock_label(settings.morning_at),
            clock_label(settings.evening_at),
        );
        Ok(vec![Message::text(text).with_quick_reply(quick(vec![
            postback(
                "当日朝",
                format!("{PREFIX}notice:morning"),
                "当日朝に受け取る",
            ),
            postback(
                "前日夜",
                format!("{PREFIX}notice:evening"),
                "前日夜に受け取る",
            ),
            postback(
                "受け取らない",
                format!("{PREFIX}notice:off"),
                "受け取らない",
            ),
        ]))])
    }

    async fn set_notice(
        &self,
        user_id: &str,
        timing: Option<Timing>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Message>, RecordError> {
        if timing.is_some() && self.district_of(user_id).await?.is_none() {
            return self.ask_district(&GarbageRequest::NoticeMenu).await;
        }
        self.friends
            .update(user_id, at, |f| {
                f.seen(at);
                match timing {
                    Some(t) => {
                        f.attributes
                            .insert(GARBAGE_NOTICE_ATTRIBUTE.into(), vec![t.label().into()]);
                    }
                    None => {
                        f.attributes.remove(GARBAGE_NOTICE_ATTRIBUTE);
                    }
                }
            })
            .await?;
        let settings = self.garbage.notices().await?;
        let mut text = match timing {
            Some(Timing::Morning) => format!(
                "設定しました。収集日の朝{}ごろにお知らせします。",
                clock_label(settings.morning_at)
            ),
            Some(Timing::Evening) => format!(
                "設定しました。収集日の前の日の{}ごろにお知らせします。",
                clock_label(settings.evening_at)
            ),
            None => "ごみ収集日のお知らせを止めました。「ごみ通知」と送ればいつでも再開できます。"
                .into(),
        };
        if timing.is_some() && !settings.enabled {
            text.push_str(
                "\n（現在、市がお知らせの配信を休止しています。再開されるとお届けします。）",
            );
        }
        Ok(vec![Message::text(text).with_quick_reply(follow_ups())])
    }

    fn marked(&self, text: &str, sample: bool) -> String {
        if sample {
            format!("{text}\n\n{SAMPLE_NOTE}")
        } else {
            text.to_owned()
        }
    }
}

fn entry_text(entry: &tayori_garbage::Entry) -> String {
    let mut text = format!("「{}」は【{}】です。", entry.name, entry.kind);
    if !entry.notice.trim().is_empty() {
        text.push_str(&format!("\n{}", entry.notice.trim()));
    }
    text
}

/// 「6時30分」.
fn clock_label(time: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    if time.minute() == 0 {
        format!("{}時", time.hour())
    } else {
        format!("{}時{}分", time.hour(), time.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_garbage_questions_are_recognised() {
        use GarbageRequest as G;
        assert_eq!(G::from_text("今日のごみ"), Some(G::Today));
        assert_eq!(G::from_text("今日のゴミは？"), Some(G::Today));
        assert_eq!(G::from_text("明日のごみ"), Some(G::Tomorrow));
        assert_eq!(
            G::from_text("次の燃やさないごみはいつ？"),
            Some(G::Next(Some(KindRef::Typed(fold("燃やさないごみ")))))
        );
        assert_eq!(
            G::from_text("ペットボトルは何ごみ？"),
            Some(G::Sort("ペットボトルは何ごみ？".into()))
        );
        assert_eq!(
            G::from_text("乾電池の捨て方"),
            Some(G::Sort("乾電池の捨て方".into()))
        );
        assert_eq!(G::from_text("ごみ通知"), Some(G::NoticeMenu));
    }

    #[test]
    fn ordinary_messages_are_not_taken_for_garbage_questions() {
        for text in [
            "こんにちは",
            "今日はいい天気",
            "次のイベントはいつ？ではなく、場所を知りたい",
            "ごみ",
            "は何ごみ",
            "避難所はどこ",
            "次はいつ会える",
        ] {
            assert_eq!(GarbageRequest::from_text(text), None, "{text}");
        }
    }

    #[test]
    fn postbacks_round_trip_through_their_data() {
        for request in [
            GarbageRequest::Today,
            GarbageRequest::Tomorrow,
            GarbageRequest::Next(None),
            GarbageRequest::Next(Some(KindRef::Index(3))),
            GarbageRequest::NoticeMenu,
        ] {
            let data = format!("{PREFIX}{}", request.data().unwrap());
            assert_eq!(GarbageRequest::from_postback(&data), Some(request));
        }
        assert_eq!(
            GarbageRequest::from_postback("garbage:district:2:next:1"),
            Some(GarbageRequest::District(
                2,
                Box::new(GarbageRequest::Next(Some(KindRef::Index(1))))
            ))
        );
        assert_eq!(
            GarbageRequest::from_postback("garbage:district:2:district:1:today"),
            None
        );
        assert_eq!(GarbageRequest::from_postback("reg:start"), None);
    }

    #[test]
    fn kinds_are_found_by_their_name_or_an_everyday_name() {
        let calendar = Calendar::obama_sample();
        let name = |typed: &str| {
            match_kind(&calendar, &fold(typed)).map(|i| calendar.kinds[i].name.as_str())
        };
        assert_eq!(name("燃やさないごみ"), Some("燃やさないごみ"));
        assert_eq!(name("燃えないごみ"), Some("燃やさないごみ"));
        assert_eq!(name("燃えるゴミ"), Some("燃やすごみ"));
        assert_eq!(name("ペットボトル"), Some("ペットボトル"));
        assert_eq!(name("宇宙ごみ"), None);
    }
}
