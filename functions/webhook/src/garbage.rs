//! Garbage questions in the chat (ごみの質問), asked in the citizen's own words: what the
//! garbage domain of the intent layer (`tayori_garbage::intent`) understood is answered here
//! for the citizen's registered district: a day's collections (「明日のごみは？」「明日は燃える
//! ごみの日？」), the next day of a kind (「燃えるゴミいつ？」, saying why when it moved), a week,
//! sorting lookups (「電池」「ﾌﾗｲﾊﾟﾝは何ごみ？」) and the notice choice (「ごみ通知」: 当日朝 /
//! 前日夜 / 受け取らない). A citizen without a district is asked for it first, and it is saved to
//! their registration.
//!
//! What the recogniser is not sure of is handed back with the nearest garbage questions as
//! buttons ([`TextAnswer::Unsure`]); the conversation adds them to its fallback reply.
//!
//! While the calendar is the shipped sample and the run withholds it ([`SampleCalendar`], every
//! deployment), a garbage question is answered with [`PREPARING`]: the citizen asked about
//! garbage, so the honest answer is that it is not ready, rather than the default reply or
//! invented days; and no garbage buttons are offered.
//!
//! Postback data: `garbage:today`, `garbage:tomorrow`, `garbage:day:<day code>`,
//! `garbage:next`, `garbage:next:<kind #>[,<kind #>…]`, `garbage:week:<this|next>`,
//! `garbage:sort`, `garbage:lookup:<what to look up>`, `garbage:item:<entry #>`,
//! `garbage:notice`, `garbage:notice:<morning|evening|off>`, `garbage:district:<choice #>:<then>`
//! where `<then>` is one of the others without the prefix.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use tayori_domain::segment::DISTRICT_ITEM;
use tayori_domain::time::to_jst;
use tayori_garbage::intent::{DayRef, From, GarbageIntents, Question, Week};
use tayori_garbage::notice_text::{
    date_label, day_summary, kind_name, next_collection_text, suspension_line, SAMPLE_NOTE,
};
use tayori_garbage::{
    Calendar, Dictionary, Holidays, Lookup, SampleCalendar, Timing, GARBAGE_NOTICE_ATTRIBUTE,
};
use tayori_intents::Recognition;
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};
use tayori_ports::Platform;
use tayori_records::{Friends, GarbageRecords, RecordError, SegmentItemsRecord, StoredCalendar};

const PREFIX: &str = "garbage:";
/// LINE's quick reply limits.
const MAX_LABEL_CHARS: usize = 20;
const MAX_QUICK_REPLIES: usize = 13;
/// LINE's postback data limit is 300 characters; what to look up is cut well below it.
const MAX_LOOKUP_CHARS: usize = 100;

/// The answer to every garbage question while the city's calendar is not imported yet.
pub const PREPARING: &str = "ごみの収集日と分別のご案内は、ただいま準備中です。市のごみ収集カレンダーが登録されしだい、このトークでお答えします。お急ぎの場合は市役所へお問い合わせください。";

/// What the citizen asked, by text or by button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GarbageRequest {
    Ask(Question),
    /// The next collection of kinds tapped by their index in the calendar.
    NextKinds(Vec<usize>),
    /// A dictionary entry chosen from the candidates.
    Item(usize),
    SetNotice(Option<Timing>),
    /// The citizen chose their district (by segment choice index), then the question again.
    District(usize, Box<GarbageRequest>),
}

/// What a citizen's text came to.
#[derive(Debug)]
pub enum TextAnswer {
    Answered(Vec<Message>),
    /// Not understood with confidence: the nearest garbage questions as buttons (none for a
    /// message about something else).
    Unsure(Vec<QuickReplyItem>),
}

impl GarbageRequest {
    /// Garbage postbacks; `None` for any other postback.
    pub fn from_postback(data: &str) -> Option<GarbageRequest> {
        Self::from_data(data.strip_prefix(PREFIX)?)
    }

    fn from_data(rest: &str) -> Option<GarbageRequest> {
        let ask = |q| Some(Self::Ask(q));
        match rest {
            "today" => return ask(day(DayRef::Offset(0))),
            "tomorrow" => return ask(day(DayRef::Offset(1))),
            "next" => return ask(Question::NextAny),
            "sort" => return ask(Question::HowToSort),
            "notice" => return ask(Question::Notice),
            "week:this" => return ask(Question::Week(Week::This)),
            "week:next" => return ask(Question::Week(Week::Next)),
            "notice:morning" => return Some(Self::SetNotice(Some(Timing::Morning))),
            "notice:evening" => return Some(Self::SetNotice(Some(Timing::Evening))),
            "notice:off" => return Some(Self::SetNotice(None)),
            _ => {}
        }
        if let Some(code) = rest.strip_prefix("day:") {
            ask(day(DayRef::parse(code)?))
        } else if let Some(list) = rest.strip_prefix("next:") {
            let kinds: Option<Vec<usize>> = list.split(',').map(|n| n.parse().ok()).collect();
            Some(Self::NextKinds(kinds?))
        } else if let Some(what) = rest.strip_prefix("lookup:") {
            (!what.trim().is_empty()).then(|| Self::Ask(Question::Sort(what.to_owned())))
        } else if let Some(n) = rest.strip_prefix("item:") {
            Some(Self::Item(n.parse().ok()?))
        } else if let Some(tail) = rest.strip_prefix("district:") {
            let (n, then) = tail.split_once(':')?;
            let then = Self::from_data(then)?;
            if matches!(then, Self::District(..)) {
                return None;
            }
            Some(Self::District(n.parse().ok()?, Box::new(then)))
        } else {
            None
        }
    }

    /// The postback data standing for this request (for buttons), without the prefix.
    fn data(&self, calendar: &Calendar) -> Option<String> {
        let index = |id: &String| calendar.kinds.iter().position(|k| &k.id == id);
        Some(match self {
            Self::Ask(Question::Day { day, .. }) => match day {
                DayRef::Offset(0) => "today".into(),
                DayRef::Offset(1) => "tomorrow".into(),
                other => format!("day:{}", other.code()),
            },
            Self::Ask(Question::Next { kinds, .. }) => {
                let kinds: Option<Vec<String>> = kinds
                    .iter()
                    .map(|k| index(k).map(|i| i.to_string()))
                    .collect();
                format!("next:{}", kinds?.join(","))
            }
            Self::Ask(Question::NextAny) => "next".into(),
            Self::Ask(Question::Week(Week::This)) => "week:this".into(),
            Self::Ask(Question::Week(Week::Next)) => "week:next".into(),
            Self::Ask(Question::Sort(what)) => {
                format!(
                    "lookup:{}",
                    what.chars().take(MAX_LOOKUP_CHARS).collect::<String>()
                )
            }
            Self::Ask(Question::HowToSort) => "sort".into(),
            Self::Ask(Question::Notice) => "notice".into(),
            Self::NextKinds(kinds) => format!(
                "next:{}",
                kinds
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => return None,
        })
    }
}

/// The garbage domain for the calendar and dictionary in force, built again only when either
/// changed: building it takes milliseconds (see docs/benchmarks.md), matching a message a
/// small fraction of one.
fn intents_for(calendar: &Calendar, dictionary: &Dictionary) -> Arc<GarbageIntents> {
    static BUILT: Mutex<Option<(u64, Arc<GarbageIntents>)>> = Mutex::new(None);
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(calendar)
        .unwrap_or_default()
        .hash(&mut hasher);
    serde_json::to_string(dictionary)
        .unwrap_or_default()
        .hash(&mut hasher);
    let key = hasher.finish();
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, intents)) = built.as_ref().filter(|(k, _)| *k == key) {
        return intents.clone();
    }
    let intents = Arc::new(GarbageIntents::new(calendar, dictionary));
    *built = Some((key, intents.clone()));
    intents
}

fn day(day: DayRef) -> Question {
    Question::Day {
        day,
        kinds: Vec::new(),
    }
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

/// A button asking `question`.
fn ask_button(calendar: &Calendar, question: Question) -> Option<QuickReplyItem> {
    let label = question.label(calendar);
    let data = GarbageRequest::Ask(question).data(calendar)?;
    Some(postback(&label, format!("{PREFIX}{data}"), &label))
}

/// The questions offered under every garbage answer, and in the default reply.
fn usual_questions() -> Vec<Question> {
    vec![
        day(DayRef::Offset(0)),
        day(DayRef::Offset(1)),
        Question::NextAny,
        Question::HowToSort,
        Question::Notice,
    ]
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

/// The calendar in force and the garbage domain built from it.
pub struct GarbageReading {
    stored: StoredCalendar,
    intents: Arc<GarbageIntents>,
}

impl GarbageReading {
    /// The domain, for the chat's recogniser beside the others.
    pub fn intents(&self) -> &tayori_intents::DomainIndex {
        self.intents.index()
    }
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

    /// The garbage domain as the chat reads a message with it now.
    pub async fn reading(&self) -> Result<GarbageReading, RecordError> {
        let stored = self.garbage.calendar().await?;
        let dictionary = self.garbage.dictionary().await?;
        let intents = intents_for(&stored.calendar, &dictionary);
        Ok(GarbageReading { stored, intents })
    }

    /// What the chat makes of a citizen's text read over garbage and the other domains: the
    /// answer to an understood garbage question, or the nearest garbage questions as buttons.
    pub async fn answer_recognition(
        &self,
        user_id: &str,
        reading: &GarbageReading,
        recognition: Recognition,
        now: DateTime<Utc>,
    ) -> Result<TextAnswer, RecordError> {
        let GarbageReading { stored, intents } = reading;
        let candidates = match recognition {
            Recognition::Understood(m) => match intents.question(&m) {
                Some(question) => {
                    let answer = self.answer(user_id, GarbageRequest::Ask(question), now);
                    return Ok(TextAnswer::Answered(answer.await?));
                }
                None => vec![m],
            },
            Recognition::Unsure(candidates) => candidates,
        };
        if !self.sample_calendar.serves(stored.sample) {
            return Ok(TextAnswer::Unsure(Vec::new()));
        }
        let buttons = intents
            .suggestions(&candidates)
            .into_iter()
            .filter_map(|q| ask_button(&stored.calendar, q))
            .collect();
        Ok(TextAnswer::Unsure(buttons))
    }

    /// The garbage questions worth offering under the default reply; none while the calendar
    /// is withheld (they would only say 準備中).
    pub async fn usual_buttons(&self) -> Result<Vec<QuickReplyItem>, RecordError> {
        let stored = self.garbage.calendar().await?;
        if !self.sample_calendar.serves(stored.sample) {
            return Ok(Vec::new());
        }
        Ok(usual_questions()
            .into_iter()
            .filter_map(|q| ask_button(&stored.calendar, q))
            .collect())
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
        let stored = self.garbage.calendar().await?;
        if !self.sample_calendar.serves(stored.sample) {
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
        let question = match request {
            GarbageRequest::Ask(question) => question,
            GarbageRequest::NextKinds(indexes) => {
                let kinds: Vec<String> = indexes
                    .iter()
                    .filter_map(|i| stored.calendar.kinds.get(*i))
                    .map(|k| k.id.clone())
                    .collect();
                if kinds.is_empty() {
                    Question::NextAny
                } else {
                    Question::Next {
                        kinds,
                        from: From::Today,
                    }
                }
            }
            GarbageRequest::Item(n) => return self.item(n).await,
            GarbageRequest::SetNotice(timing) => {
                return self.set_notice(user_id, timing, now).await
            }
            GarbageRequest::District(..) => {
                return Ok(vec![Message::text("もう一度お試しください。")])
            }
        };
        match question {
            Question::HowToSort => Ok(vec![Message::text(
                "調べたいものの名前を送ってください。\n例：「電池」「フライパンは何ごみ？」「スプレー缶の捨て方」",
            )
            .with_quick_reply(follow_ups())]),
            Question::Sort(text) => self.sort(&text).await,
            Question::NextAny => Ok(vec![self.which_kind(&stored.calendar)]),
            needs_district => {
                let Some(district) = self.district_of(user_id).await? else {
                    return self.ask_district(&GarbageRequest::Ask(needs_district)).await;
                };
                if stored.calendar.district(&district).is_none() {
                    return Ok(vec![Message::text(format!("{district}地区の収集日がカレンダーに見つかりませんでした。市役所にお問い合わせください。"))
                        .with_quick_reply(follow_ups())]);
                }
                let holidays = self.garbage.holidays().await?.holidays;
                let days = Days {
                    calendar: &stored.calendar,
                    holidays: &holidays,
                    district: &district,
                    today,
                };
                let text = match needs_district {
                    Question::Day { day, kinds } => days.day(day, &kinds),
                    Question::Next { kinds, from } => days.next(&kinds, from),
                    Question::Week(week) => days.week(week),
                    Question::Notice => return self.notice_menu(user_id, &district).await,
                    _ => return Ok(vec![Message::text("もう一度お試しください。")]),
                };
                Ok(vec![Message::text(self.marked(&text, stored.sample))
                    .with_quick_reply(follow_ups())])
            }
        }
    }

    /// 「どのごみの収集日を調べますか？」 with a button per kind.
    fn which_kind(&self, calendar: &Calendar) -> Message {
        let buttons = calendar
            .kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.scheduled)
            .map(|(i, k)| postback(&k.name, format!("{PREFIX}next:{i}"), &k.name))
            .collect();
        Message::text("どのごみの収集日を調べますか？").with_quick_reply(quick(buttons))
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
        let calendar = self.garbage.calendar().await?.calendar;
        let then = then.data(&calendar).unwrap_or_else(|| "today".into());
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

    async fn sort(&self, text: &str) -> Result<Vec<Message>, RecordError> {
        let dictionary = self.garbage.dictionary().await?;
        let reply = match dictionary.lookup(text) {
            Lookup::Exact(entry) => entry_text(entry),
            Lookup::Candidates(entries) if entries.len() == 1 => entry_text(entries[0]),
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
            None => {
                "分別辞典が更新されました。もう一度、調べたいものの名前を送ってください。".into()
            }
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
            return self
                .ask_district(&GarbageRequest::Ask(Question::Notice))
                .await;
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

/// Answers about days in one district.
struct Days<'a> {
    calendar: &'a Calendar,
    holidays: &'a Holidays,
    district: &'a str,
    today: NaiveDate,
}

impl Days<'_> {
    /// 「明日 12月8日（火）　雲浜地区のごみ」 and its collections; asked about kinds, first
    /// whether each is collected that day.
    fn day(&self, day: DayRef, kinds: &[String]) -> String {
        let date = day.date(self.today);
        let when = format!("{} {}", day.label(), date_label(date));
        let summary = day_summary(self.calendar, self.holidays, self.district, date);
        let mut text = String::new();
        for kind in kinds {
            let name = kind_name(self.calendar, kind);
            if summary.collected.iter().any(|c| &c.kind == kind) {
                text.push_str(&format!("{when}は{name}の収集日です。\n"));
            } else {
                text.push_str(&format!("{when}は{name}の収集日ではありません。"));
                let next = self
                    .calendar
                    .next_collection(self.district, kind, date, self.holidays);
                if let Some(next) = next {
                    text.push_str(&format!("次の{name}は{}です。", date_label(next)));
                }
                text.push('\n');
            }
        }
        text.push_str(&format!("{when}　{}地区のごみ\n", self.district));
        text.push_str(&self.collections(date));
        text.trim_end().to_owned()
    }

    /// The lines of one day's collections and suspensions, or 「収集はありません。」.
    fn collections(&self, date: NaiveDate) -> String {
        let summary = day_summary(self.calendar, self.holidays, self.district, date);
        if summary.is_empty() {
            return "収集はありません。\n".into();
        }
        let mut text = String::new();
        for c in &summary.collected {
            text.push_str(&format!("・{}", kind_name(self.calendar, &c.kind)));
            if c.is_moved_or_substitute() {
                text.push_str("（振替収集）");
            }
            text.push('\n');
        }
        for (suspension, kinds) in &summary.suspended {
            text.push_str(&format!(
                "・{}\n",
                suspension_line(self.calendar, suspension, kinds)
            ));
        }
        text
    }

    fn next(&self, kinds: &[String], from: From) -> String {
        kinds
            .iter()
            .map(|k| {
                next_collection_text(
                    self.calendar,
                    self.holidays,
                    self.district,
                    k,
                    from,
                    self.today,
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The week's collection days, one line each.
    fn week(&self, week: Week) -> String {
        let days = week.days(self.today);
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return String::new();
        };
        let mut text = format!(
            "{}（{}〜{}）　{}地区のごみ\n",
            week.label(),
            date_label(*first),
            date_label(*last),
            self.district
        );
        let mut any = false;
        for date in days {
            let summary = day_summary(self.calendar, self.holidays, self.district, date);
            if summary.is_empty() {
                continue;
            }
            any = true;
            let mut names: Vec<String> = summary
                .collected
                .iter()
                .map(|c| {
                    let name = kind_name(self.calendar, &c.kind);
                    if c.is_moved_or_substitute() {
                        format!("{name}（振替収集）")
                    } else {
                        name.to_owned()
                    }
                })
                .collect();
            for (suspension, kinds) in &summary.suspended {
                names.push(suspension_line(self.calendar, suspension, kinds));
            }
            text.push_str(&format!("{}：{}\n", date_label(date), names.join("・")));
        }
        if !any {
            text.push_str("収集はありません。\n");
        }
        text.trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postbacks_round_trip_through_their_data() {
        let calendar = Calendar::obama_sample();
        let burnable = calendar.kinds[0].id.clone();
        for request in [
            GarbageRequest::Ask(day(DayRef::Offset(0))),
            GarbageRequest::Ask(day(DayRef::Offset(1))),
            GarbageRequest::Ask(day(DayRef::NextWeek(chrono::Weekday::Mon))),
            GarbageRequest::Ask(Question::NextAny),
            GarbageRequest::Ask(Question::Week(Week::Next)),
            GarbageRequest::Ask(Question::Sort("ﾗｲﾀｰ".into())),
            GarbageRequest::Ask(Question::HowToSort),
            GarbageRequest::Ask(Question::Notice),
            GarbageRequest::NextKinds(vec![3, 4]),
        ] {
            let data = format!("{PREFIX}{}", request.data(&calendar).unwrap());
            assert_eq!(GarbageRequest::from_postback(&data), Some(request));
        }
        let next = GarbageRequest::Ask(Question::Next {
            kinds: vec![burnable],
            from: From::Today,
        });
        assert_eq!(
            GarbageRequest::from_postback(&format!("{PREFIX}{}", next.data(&calendar).unwrap())),
            Some(GarbageRequest::NextKinds(vec![0]))
        );
        assert_eq!(
            GarbageRequest::from_postback("garbage:district:2:next:1"),
            Some(GarbageRequest::District(
                2,
                Box::new(GarbageRequest::NextKinds(vec![1]))
            ))
        );
        assert_eq!(
            GarbageRequest::from_postback("garbage:district:2:district:1:today"),
            None
        );
        assert_eq!(GarbageRequest::from_postback("garbage:lookup:"), None);
        assert_eq!(GarbageRequest::from_postback("reg:start"), None);
    }

    #[test]
    fn buttons_keep_to_line_s_limits() {
        let calendar = Calendar::obama_sample();
        let long = Question::Sort("とても長い名前の使い終わった家庭用の品物のたぐい".repeat(10));
        let button = ask_button(&calendar, long).unwrap();
        let Action::Postback { label, data, .. } = button.action else {
            panic!()
        };
        assert!(label.unwrap().chars().count() <= MAX_LABEL_CHARS);
        assert!(data.chars().count() <= 300);
    }
}
