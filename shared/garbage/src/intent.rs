//! Garbage questions in the chat's intent layer ([`tayori_intents`]): what citizens ask about
//! collection days and sorting, in their own words.
//!
//! [`GarbageIntents::new`] describes the garbage domain for one city: its kinds as the calendar
//! names them plus everyday names ([`KIND_WORDS`]: 燃える, 可燃, プラ, 缶・びん, 資源 …), the
//! items of its sorting dictionary, days (今日, 明日, あさって, 金曜日, 来週の月曜 …) and the
//! phrases of each question. [`GarbageIntents::question`] turns what the recogniser understood
//! into a [`Question`] the chat answers.
//!
//! | intent | example | slots |
//! |---|---|---|
//! | `garbage.day` | 明日のごみは？ / 明日は燃えるごみの日？ | day, kind (optional) |
//! | `garbage.next` | 次の燃えないごみはいつ？ / 乾電池はいつ出せる？ | kind or item, from (今週/来週, optional) |
//! | `garbage.next_any` | 次の収集日は？ | — |
//! | `garbage.week` | 今週のごみ | week |
//! | `garbage.sort` | 電池は何ごみ？ / フライパン | item |
//! | `garbage.how_to_sort` | 分別を調べる | — |
//! | `garbage.notice` | ごみ通知 / 通知を止めたい | — |

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use tayori_intents::{Domain, DomainIndex, Match, Recognition, Recognizer};

use crate::dictionary::Dictionary;
use crate::normalize::VARIANTS;
use crate::rules::Calendar;

/// The domain's name in [`Match::domain`].
pub const DOMAIN: &str = "garbage";

pub const DAY: &str = "garbage.day";
pub const NEXT: &str = "garbage.next";
pub const NEXT_ANY: &str = "garbage.next_any";
pub const WEEK: &str = "garbage.week";
pub const SORT: &str = "garbage.sort";
pub const HOW_TO_SORT: &str = "garbage.how_to_sort";
pub const NOTICE: &str = "garbage.notice";

/// Separates kind ids in a slot value (a word may name several kinds: 缶・びん, 資源ごみ).
const KIND_SEPARATOR: char = '\u{1F}';

/// A group of kinds citizens name with everyday words. A calendar kind belongs to it when its
/// name holds one of `marks`; the `words` then name it (with the kind's own name).
pub struct KindWords {
    pub marks: &'static [&'static str],
    pub words: &'static [&'static str],
}

/// Everyday names of the kinds Japanese cities collect.
pub const KIND_WORDS: &[KindWords] = &[
    KindWords {
        marks: &["燃やす", "燃える", "燃やせる", "可燃"],
        words: &[
            "燃やすごみ",
            "燃えるごみ",
            "燃やせるごみ",
            "可燃ごみ",
            "可燃物",
            "可燃",
            "燃えるもの",
            "燃やすもの",
            "燃える",
            "燃やす",
            "燃やせる",
        ],
    },
    KindWords {
        marks: &["燃やさない", "燃えない", "燃やせない", "不燃"],
        words: &[
            "燃やさないごみ",
            "燃えないごみ",
            "燃やせないごみ",
            "不燃ごみ",
            "不燃物",
            "不燃",
            "燃えないもの",
            "燃やさないもの",
            "燃えない",
            "燃やさない",
            "燃やせない",
        ],
    },
    KindWords {
        marks: &["びん", "瓶"],
        words: &["びん", "ビン類", "空きびん", "ガラスびん"],
    },
    KindWords {
        marks: &["缶"],
        words: &["缶", "空き缶", "缶類", "アルミ缶", "スチール缶"],
    },
    KindWords {
        marks: &["ペット"],
        words: &["ペットボトル", "ペット", "PETボトル", "ボトル"],
    },
    KindWords {
        marks: &["プラ", "容器包装"],
        words: &[
            "プラスチック製容器包装",
            "容器包装プラスチック",
            "プラスチック容器包装",
            "容器包装プラ",
            "プラスチックごみ",
            "プラスチック",
            "プラごみ",
            "プラ",
            "容器包装",
        ],
    },
    KindWords {
        marks: &["古紙", "古布", "紙類"],
        words: &["古紙", "古布", "古紙類", "紙類", "古着", "布類"],
    },
    KindWords {
        marks: &["粗大"],
        words: &["粗大ごみ", "粗大", "大型ごみ", "大きいごみ"],
    },
    KindWords {
        marks: &["有害", "危険"],
        words: &["有害ごみ", "有害", "危険ごみ"],
    },
    KindWords {
        marks: &["小型家電"],
        words: &["小型家電", "小型家電製品"],
    },
];

/// Words for bottles and cans together (缶・びん, かんびん, びんと缶 …) name every kind of both.
const BOTTLES: usize = 2;
const CANS: usize = 3;
const BOTTLE_AND_CAN: (&[&str], &[&str]) = (&["びん", "ビン"], &["缶", "カン"]);

/// 資源ごみ names the kind whose name says 資源, or else every recyclable kind.
const RESOURCE_WORDS: &[&str] = &["資源ごみ", "資源物", "資源", "リサイクル"];
const RESOURCE_MARK: &str = "資源";
/// Bottles, cans, PET bottles, paper and cloth.
const RECYCLABLE: &[usize] = &[2, 3, 4, 6];

/// Words that make a message about garbage even without a kind or an item in it: only such
/// messages are offered garbage questions when the chat is unsure.
const TOPIC: &[&str] = &["ごみ", "収集", "回収", "分別", "捨て", "出し方", "ごみ通知"];

/// A day a citizen names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayRef {
    /// Today plus this many days (今日 0, 明日 1, あさって 2, 昨日 -1).
    Offset(i64),
    /// The coming such weekday, today included (金曜日, 次の金曜).
    Coming(Weekday),
    /// That weekday of this week, Monday to Sunday (今週の月曜).
    ThisWeek(Weekday),
    /// That weekday of next week (来週の月曜).
    NextWeek(Weekday),
}

impl DayRef {
    pub fn date(self, today: NaiveDate) -> NaiveDate {
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let in_week = |w: Weekday| i64::from(w.num_days_from_monday());
        match self {
            DayRef::Offset(n) => today + Duration::days(n),
            DayRef::Coming(w) => {
                let ahead = (in_week(w) - in_week(today.weekday())).rem_euclid(7);
                today + Duration::days(ahead)
            }
            DayRef::ThisWeek(w) => monday + Duration::days(in_week(w)),
            DayRef::NextWeek(w) => monday + Duration::days(7 + in_week(w)),
        }
    }

    /// A short code for the day (slot values, postback data); [`DayRef::parse`] reads it.
    pub fn code(self) -> String {
        match self {
            DayRef::Offset(n) => format!("{n:+}"),
            DayRef::Coming(w) => format!("c{}", w.number_from_monday()),
            DayRef::ThisWeek(w) => format!("t{}", w.number_from_monday()),
            DayRef::NextWeek(w) => format!("n{}", w.number_from_monday()),
        }
    }

    /// The day from its [`DayRef::code`] (also the postback form).
    pub fn parse(code: &str) -> Option<DayRef> {
        let weekday = |n: &str| -> Option<Weekday> {
            let n: u8 = n.parse().ok()?;
            (1..=7)
                .contains(&n)
                .then(|| Weekday::try_from(n - 1).ok())
                .flatten()
        };
        match code.split_at_checked(1)? {
            ("c", n) => Some(DayRef::Coming(weekday(n)?)),
            ("t", n) => Some(DayRef::ThisWeek(weekday(n)?)),
            ("n", n) => Some(DayRef::NextWeek(weekday(n)?)),
            _ => code
                .parse::<i64>()
                .ok()
                .filter(|n| (-7..=7).contains(n))
                .map(DayRef::Offset),
        }
    }

    /// How the chat names the day: 今日, 明日, 金曜日, 来週の月曜日.
    pub fn label(self) -> String {
        match self {
            DayRef::Offset(0) => "今日".into(),
            DayRef::Offset(1) => "明日".into(),
            DayRef::Offset(2) => "あさって".into(),
            DayRef::Offset(-1) => "昨日".into(),
            DayRef::Offset(n) if n > 0 => format!("{n}日後"),
            DayRef::Offset(n) => format!("{}日前", -n),
            DayRef::Coming(w) => format!("{}曜日", weekday_kanji(w)),
            DayRef::ThisWeek(w) => format!("今週の{}曜日", weekday_kanji(w)),
            DayRef::NextWeek(w) => format!("来週の{}曜日", weekday_kanji(w)),
        }
    }
}

/// Which week a citizen names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Week {
    This,
    Next,
}

impl Week {
    pub fn label(self) -> &'static str {
        match self {
            Week::This => "今週",
            Week::Next => "来週",
        }
    }

    /// The days it covers from `today`: the rest of this week, or next Monday to Sunday.
    pub fn days(self, today: NaiveDate) -> Vec<NaiveDate> {
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let (from, to) = match self {
            Week::This => (today, monday + Duration::days(6)),
            Week::Next => (monday + Duration::days(7), monday + Duration::days(13)),
        };
        from.iter_days().take_while(|d| *d <= to).collect()
    }
}

/// From when a "next collection" is looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    /// Today on (次の, 今度の).
    Today,
    /// Today on, said of this week (今週の): the answer says when it is not this week.
    ThisWeek,
    /// Next Monday on (来週の).
    NextWeek,
}

/// A garbage question the chat answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    /// What is collected on a day; with kinds, whether those are.
    Day {
        day: DayRef,
        kinds: Vec<String>,
    },
    /// The next collection of these kinds (ids).
    Next {
        kinds: Vec<String>,
        from: From,
    },
    /// A collection day, without saying of which kind.
    NextAny,
    Week(Week),
    /// How to sort what the citizen named, as they wrote it.
    Sort(String),
    HowToSort,
    Notice,
}

impl Question {
    /// A short name for a button (at most 20 characters is the caller's to cut).
    pub fn label(&self, calendar: &Calendar) -> String {
        match self {
            Question::Day { day, kinds } if kinds.is_empty() => format!("{}のごみ", day.label()),
            Question::Day { day, kinds } => {
                format!("{}は{}？", day.label(), kind_names(calendar, kinds))
            }
            Question::Next { kinds, .. } => format!("{}の収集日", kind_names(calendar, kinds)),
            Question::NextAny => "次の収集日".into(),
            Question::Week(w) => format!("{}のごみ", w.label()),
            Question::Sort(item) => format!("{item}の分別"),
            Question::HowToSort => "分別を調べる".into(),
            Question::Notice => "ごみ通知の設定".into(),
        }
    }
}

fn kind_names(calendar: &Calendar, kinds: &[String]) -> String {
    kinds
        .iter()
        .map(|k| calendar.kind(k).map_or(k.as_str(), |k| k.name.as_str()))
        .collect::<Vec<_>>()
        .join("・")
}

fn weekday_kanji(w: Weekday) -> &'static str {
    ["月", "火", "水", "木", "金", "土", "日"][w.num_days_from_monday() as usize]
}

/// The garbage domain for one calendar and dictionary.
#[derive(Clone, Debug)]
pub struct GarbageIntents {
    index: DomainIndex,
}

impl GarbageIntents {
    pub fn new(calendar: &Calendar, dictionary: &Dictionary) -> Self {
        Self {
            index: domain(calendar, dictionary).build(),
        }
    }

    /// The built domain, for a [`Recognizer`] over several domains.
    pub fn index(&self) -> &DomainIndex {
        &self.index
    }

    /// This domain alone.
    pub fn recognize(&self, text: &str) -> Recognition {
        Recognizer::new(vec![&self.index]).recognize(text)
    }

    /// The question an understood match asks; `None` for another domain's match or one the
    /// calendar cannot answer (an item whose kind has no collection days).
    pub fn question(&self, m: &Match) -> Option<Question> {
        if m.domain != DOMAIN {
            return None;
        }
        let kinds = || -> Vec<String> {
            let mut kinds: Vec<String> = Vec::new();
            for slot in m.values("kind").chain(m.values("item")) {
                for k in slot.value.split(KIND_SEPARATOR).filter(|k| !k.is_empty()) {
                    if !kinds.iter().any(|have| have == k) {
                        kinds.push(k.to_owned());
                    }
                }
            }
            kinds
        };
        Some(match m.intent.as_str() {
            DAY => Question::Day {
                day: DayRef::parse(&m.value("day")?.value)?,
                kinds: kinds(),
            },
            NEXT => {
                let kinds = kinds();
                if kinds.is_empty() {
                    return None;
                }
                let from = match m.value("from").map(|s| s.value.as_str()) {
                    Some("this") => From::ThisWeek,
                    Some("next") => From::NextWeek,
                    _ => From::Today,
                };
                Question::Next { kinds, from }
            }
            NEXT_ANY => Question::NextAny,
            WEEK => Question::Week(match m.value("week")?.value.as_str() {
                "next" => Week::Next,
                _ => Week::This,
            }),
            SORT => Question::Sort(m.value("item")?.text.clone()),
            HOW_TO_SORT => Question::HowToSort,
            NOTICE => Question::Notice,
            _ => return None,
        })
    }

    /// The questions to offer when the recogniser was not sure: each candidate's, and the
    /// collection day of every kind the message named; without duplicates, best first.
    pub fn suggestions(&self, candidates: &[Match]) -> Vec<Question> {
        let mut out: Vec<Question> = Vec::new();
        let mut add = |q: Question| {
            if !out.contains(&q) {
                out.push(q);
            }
        };
        for m in candidates.iter().filter(|m| m.domain == DOMAIN) {
            for slot in m.values("kind") {
                let kinds: Vec<String> = slot
                    .value
                    .split(KIND_SEPARATOR)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect();
                if !kinds.is_empty() {
                    add(Question::Next {
                        kinds,
                        from: From::Today,
                    });
                }
            }
            if let Some(q) = self.suggestion(m) {
                add(q);
            }
        }
        out
    }

    /// What a candidate the recogniser was not sure of can still offer: its question, or the
    /// nearest one it leads to when a slot is missing (a kind not named: which kind?).
    pub fn suggestion(&self, m: &Match) -> Option<Question> {
        let nearest = match m.intent.as_str() {
            NEXT => Some(Question::NextAny),
            SORT => Some(Question::HowToSort),
            WEEK => Some(Question::Week(Week::This)),
            _ => None,
        };
        self.question(m).or(nearest)
    }
}

/// The garbage domain: slots, phrases and spelling variants.
pub fn domain(calendar: &Calendar, dictionary: &Dictionary) -> Domain {
    let mut d = Domain::new(DOMAIN);
    for (variant, spelling) in VARIANTS {
        d.variant(variant, spelling);
    }
    d.slot("day", day_words());
    d.slot("kind", kind_words(calendar));
    d.slot_named_in_part("item", item_words(calendar, dictionary), 2);
    d.slot(
        "from",
        words(&[
            ("次", "now"),
            ("今度", "now"),
            ("次回", "now"),
            ("今週", "this"),
            ("来週", "next"),
        ]),
    );
    d.slot("week", words(&[("今週", "this"), ("来週", "next")]));
    d.topical("kind")
        .topical("item")
        .topic(TOPIC.iter().copied());

    d.intent(
        DAY,
        [
            "{day}のごみ",
            "{day}のごみは何",
            "{day}のごみ何",
            "{day}は何ごみ",
            "{day}何ごみ",
            "{day}は何のごみ",
            "{day}何のごみ",
            "{day}のごみの日",
            "{day}は何ごみの日",
            "{day}は何のごみの日",
            "{day}はごみの日",
            "{day}ごみの日",
            "{day}の収集",
            "{day}の収集は何",
            "{day}は何の収集",
            "{day}何の収集",
            "{day}の回収",
            "{day}は何を出す",
            "{day}何出す",
            "{day}何を出せばいい",
            "{day}は何を出せばいい",
            "{day}出せるごみ",
            "{day}出せるごみは何",
            "{day}出すごみ",
            "{day}のごみ出し",
            "{day}のごみ出しは何",
            "{day}ごみ出せる",
            "{day}ごみ出しできる",
            "{day}は{kind}の日",
            "{day}{kind}の日",
            "{day}は{kind}",
            "{day}は{kind}出せる",
            "{day}{kind}出せる",
            "{day}は{kind}出していい",
            "{day}は{kind}を出してもいい",
            "{day}の{kind}",
            "{kind}は{day}",
            "{kind}は{day}の日",
        ],
    );
    let mut next = vec![
        ("{kind}", 1.0),
        ("{kind}はいつ", 1.0),
        ("{kind}いつ", 1.0),
        ("{kind}の日", 1.0),
        ("{kind}の日はいつ", 1.0),
        ("{kind}の収集日", 1.0),
        ("{kind}の収集日はいつ", 1.0),
        ("{kind}の回収日", 1.0),
        ("{kind}回収日", 1.0),
        ("{kind}の収集", 1.0),
        ("{kind}の回収", 1.0),
        ("{kind}の収集はいつ", 1.0),
        ("{kind}の回収はいつ", 1.0),
        ("{kind}はいつ回収", 1.0),
        ("{kind}は何曜日", 1.0),
        ("{kind}何曜日", 1.0),
        ("{kind}の曜日", 1.0),
        ("{kind}を出す日", 1.0),
        ("{kind}出す日", 1.0),
        ("{kind}を出す日はいつ", 1.0),
        ("{kind}はいつ出す", 1.0),
        ("{kind}はいつ出せる", 1.0),
        ("{kind}いつ出せる", 1.0),
        ("{kind}はいつ出せばいい", 1.0),
        ("{kind}出していい日", 1.0),
        ("{kind}次いつ", 1.0),
        ("{from}の{kind}", 1.0),
        ("{from}の{kind}はいつ", 1.0),
        ("{from}の{kind}の日", 1.0),
        ("{from}の{kind}の日はいつ", 1.0),
        ("{from}の{kind}の収集日", 1.0),
        ("{from}の{kind}ある", 1.0),
        ("{from}{kind}", 1.0),
    ];
    // An item's collection day is its kind's (生ごみの日 → 燃やすごみ), but a bare item name
    // asks how to sort it.
    let with_items: Vec<(String, f32)> = next
        .iter()
        .filter(|(p, _)| *p != "{kind}" && *p != "{from}{kind}")
        .map(|(p, w)| (p.replace("{kind}", "{item}"), *w))
        .collect();
    next.extend(with_items.iter().map(|(p, w)| (p.as_str(), *w)));
    d.weighted(NEXT, next);
    d.intent(
        NEXT_ANY,
        [
            "次の収集日",
            "次の収集日はいつ",
            "次のごみの日",
            "次のごみの日はいつ",
            "ごみの日",
            "ごみの日はいつ",
            "ごみの収集日",
            "ごみの収集日はいつ",
            "収集日",
            "収集日はいつ",
            "回収日",
            "回収日はいつ",
            "ごみ出しの日",
            "ごみ出しの日はいつ",
            "次のごみ出し",
            "次のごみ出しはいつ",
            "次の回収",
        ],
    );
    d.intent(
        WEEK,
        [
            "{week}のごみ",
            "{week}のごみの予定",
            "{week}のごみは何",
            "{week}は何ごみ",
            "{week}の収集",
            "{week}の収集日",
            "{week}の収集予定",
            "{week}の回収",
            "{week}の回収日",
            "{week}何のごみがある",
            "{week}のごみ出し",
            "{week}のごみ出し予定",
            "{week}のごみカレンダー",
        ],
    );
    d.weighted(
        SORT,
        [
            ("{item}", 0.9),
            ("{item*}は何ごみ", 1.0),
            ("{item*}何ごみ", 1.0),
            ("{item*}って何ごみ", 1.0),
            ("{item*}は何のごみ", 1.0),
            ("{item*}の捨て方", 1.0),
            ("{item*}捨て方", 1.0),
            ("{item*}の出し方", 1.0),
            ("{item*}の分別", 1.0),
            ("{item*}の分け方", 1.0),
            ("{item*}はどうやって捨てる", 1.0),
            ("{item*}どうやって捨てる", 1.0),
            ("{item*}はどう捨てる", 1.0),
            ("{item*}はどう捨てればいい", 1.0),
            ("{item*}はどうやって捨てればいい", 1.0),
            ("{item*}はどうやって出す", 1.0),
            ("{item*}はどう出せばいい", 1.0),
            ("{item*}を捨てたい", 1.0),
            ("{item*}捨てたい", 1.0),
            ("{item*}を処分したい", 1.0),
            ("{item*}の処分方法", 1.0),
            ("{item*}の処分", 1.0),
            ("{item*}の処分の仕方", 1.0),
            ("{item*}は{kind}", 1.0),
            ("{item*}って{kind}", 1.0),
            ("{item*}は{kind}でいい", 1.0),
            ("{item*}は何ごみに出す", 1.0),
        ],
    );
    d.intent(
        HOW_TO_SORT,
        [
            "分別を調べる",
            "分別",
            "ごみの分別",
            "分別方法",
            "分別の方法",
            "分別の仕方",
            "分別が分からない",
            "分別を知りたい",
            "捨て方",
            "捨て方が分からない",
            "ごみの捨て方",
            "ごみの出し方",
            "出し方",
            "分別辞典",
            "何ごみか調べたい",
            "ごみの分け方",
        ],
    );
    d.intent(
        NOTICE,
        [
            "ごみ通知",
            "ごみの通知",
            "ごみ通知設定",
            "ごみ通知の設定",
            "通知の設定",
            "通知設定",
            "お知らせ設定",
            "お知らせの設定",
            "ごみのお知らせ",
            "収集日のお知らせ",
            "収集日のお知らせを受け取りたい",
            "お知らせを受け取りたい",
            "通知がほしい",
            "通知してほしい",
            "ごみの日の通知がほしい",
            "お知らせがほしい",
            "知らせてほしい",
            "ごみの日を知らせてほしい",
            "前日に通知してほしい",
            "当日の朝に通知してほしい",
            "通知を止めたい",
            "通知を止める",
            "通知をやめたい",
            "通知いらない",
            "お知らせを止めたい",
        ],
    );
    d
}

fn words(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(w, v)| (w.to_string(), v.to_string()))
        .collect()
}

/// 今日, 明日, あさって, 金曜日, 次の金曜, 今週の月曜, 来週の月曜 …
fn day_words() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |word: String, day: DayRef| out.push((word, day.code()));
    for (word, n) in [
        ("今日", 0),
        ("きょう", 0),
        ("本日", 0),
        ("今朝", 0),
        ("今日の朝", 0),
        ("明日", 1),
        ("あした", 1),
        ("あす", 1),
        ("明朝", 1),
        ("明日の朝", 1),
        ("翌日", 1),
        ("明後日", 2),
        ("あさって", 2),
        ("しあさって", 3),
        ("明明後日", 3),
        ("昨日", -1),
        ("きのう", -1),
    ] {
        add(word.into(), DayRef::Offset(n));
    }
    for w in (0..7).filter_map(|n| Weekday::try_from(n).ok()) {
        let k = weekday_kanji(w);
        for name in [format!("{k}曜日"), format!("{k}曜")] {
            add(name.clone(), DayRef::Coming(w));
            for next in ["次の", "今度の", "次"] {
                add(format!("{next}{name}"), DayRef::Coming(w));
            }
            for this in ["今週の", "今週"] {
                add(format!("{this}{name}"), DayRef::ThisWeek(w));
            }
            for next in ["来週の", "来週"] {
                add(format!("{next}{name}"), DayRef::NextWeek(w));
            }
        }
    }
    out
}

/// Each scheduled kind by its name (with and without ごみ) and by the everyday words of the
/// groups it belongs to; values are kind ids.
fn kind_words(calendar: &Calendar) -> Vec<(String, String)> {
    let fold = crate::normalize::fold;
    let scheduled: Vec<_> = calendar.kinds.iter().filter(|k| k.scheduled).collect();
    let in_group = |g: &KindWords| -> Vec<String> {
        scheduled
            .iter()
            .filter(|k| {
                let name = fold(&k.name);
                g.marks.iter().any(|m| name.contains(&fold(m)))
            })
            .map(|k| k.id.clone())
            .collect()
    };
    let join = |ids: &[String]| ids.join(&KIND_SEPARATOR.to_string());
    let mut out = Vec::new();
    for k in &scheduled {
        out.push((k.name.clone(), k.id.clone()));
        if let Some(short) = k
            .name
            .strip_suffix("ごみ")
            .filter(|s| s.chars().count() >= 2)
        {
            out.push((short.to_owned(), k.id.clone()));
        }
    }
    let groups: Vec<Vec<String>> = KIND_WORDS.iter().map(in_group).collect();
    for (g, ids) in KIND_WORDS.iter().zip(&groups) {
        if ids.is_empty() {
            continue;
        }
        for w in g.words {
            out.push((w.to_string(), join(ids)));
        }
    }
    let both: Vec<String> = groups[BOTTLES]
        .iter()
        .chain(&groups[CANS])
        .cloned()
        .collect();
    if !groups[BOTTLES].is_empty() && !groups[CANS].is_empty() {
        let ids = sorted_as_calendar(calendar, both);
        for b in BOTTLE_AND_CAN.0 {
            for c in BOTTLE_AND_CAN.1 {
                for w in [
                    format!("{b}{c}"),
                    format!("{c}{b}"),
                    format!("{b}と{c}"),
                    format!("{c}と{b}"),
                ] {
                    out.push((w, join(&ids)));
                }
            }
        }
    }
    let named: Vec<String> = scheduled
        .iter()
        .filter(|k| fold(&k.name).contains(&fold(RESOURCE_MARK)))
        .map(|k| k.id.clone())
        .collect();
    let resources = if named.is_empty() {
        sorted_as_calendar(
            calendar,
            RECYCLABLE.iter().flat_map(|g| groups[*g].clone()).collect(),
        )
    } else {
        named
    };
    if !resources.is_empty() {
        for w in RESOURCE_WORDS {
            out.push((w.to_string(), join(&resources)));
        }
    }
    out
}

fn sorted_as_calendar(calendar: &Calendar, mut ids: Vec<String>) -> Vec<String> {
    ids.sort_by_key(|id| calendar.kinds.iter().position(|k| &k.id == id));
    ids.dedup();
    ids
}

/// The dictionary's items by name, name without its note and reading; the value is the
/// item's kind when the calendar collects it (for 「乾電池はいつ出せる？」), else empty.
fn item_words(calendar: &Calendar, dictionary: &Dictionary) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in &dictionary.entries {
        let kind = calendar
            .kinds
            .iter()
            .find(|k| k.scheduled && (k.id == entry.kind || k.name == entry.kind))
            .map(|k| k.id.clone())
            .unwrap_or_default();
        for key in crate::dictionary::names(entry) {
            out.push((key, kind.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn named_days_are_dated_from_today() {
        let monday = date(12, 7);
        assert_eq!(DayRef::Offset(1).date(monday), date(12, 8));
        assert_eq!(DayRef::Coming(Weekday::Mon).date(monday), monday);
        assert_eq!(DayRef::Coming(Weekday::Sun).date(monday), date(12, 13));
        assert_eq!(
            DayRef::NextWeek(Weekday::Mon).date(date(12, 10)),
            date(12, 14)
        );
        assert_eq!(DayRef::ThisWeek(Weekday::Mon).date(date(12, 10)), monday);
    }

    #[test]
    fn day_codes_read_back() {
        for day in [
            DayRef::Offset(0),
            DayRef::Offset(-1),
            DayRef::Offset(3),
            DayRef::Coming(Weekday::Fri),
            DayRef::ThisWeek(Weekday::Sun),
            DayRef::NextWeek(Weekday::Mon),
        ] {
            assert_eq!(DayRef::parse(&day.code()), Some(day));
        }
        assert_eq!(DayRef::parse("c8"), None);
        assert_eq!(DayRef::parse("+30"), None);
    }

    #[test]
    fn this_week_is_the_rest_of_it_and_next_week_is_monday_to_sunday() {
        let thursday = date(12, 10);
        assert_eq!(Week::This.days(thursday).len(), 4);
        let next = Week::Next.days(thursday);
        assert_eq!((next[0], next[6]), (date(12, 14), date(12, 20)));
    }
}
