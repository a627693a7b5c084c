//! What a citizen reads about one collection day in their district: the notice the broadcast
//! function sends (当日朝 / 前日夜) and the chat's 「今日のごみ」 answer share [`day_summary`], so
//! both always agree on what is collected and what is suspended.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::engine::{Collection, SkipReason};
use crate::holidays::Holidays;
use crate::intent::From;
use crate::notices::{NoticeSettings, Timing};
use crate::rules::{Calendar, Suspension};

/// Said wherever citizens read the shipped SAMPLE calendar (see [`crate::SAMPLE_NOTICE`] for
/// the staff-facing words).
pub const SAMPLE_NOTE: &str = "※サンプルの収集日です（小浜市の実際の収集日ではありません）。";

/// One day in one district.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DaySummary<'a> {
    /// What is collected, in the calendar's kind order.
    pub collected: Vec<Collection>,
    /// Each suspension that took kinds away that day, with the kinds it took.
    pub suspended: Vec<(&'a Suspension, Vec<String>)>,
}

impl DaySummary<'_> {
    pub fn is_empty(&self) -> bool {
        self.collected.is_empty() && self.suspended.is_empty()
    }
}

/// What is collected in `district` on `date` and what a suspension took away.
pub fn day_summary<'a>(
    calendar: &'a Calendar,
    holidays: &Holidays,
    district: &str,
    date: NaiveDate,
) -> DaySummary<'a> {
    let collected = calendar.collections_on(district, date, holidays);
    // What the day would hold without any suspension: the kinds missing from `collected`
    // were taken by the suspensions covering them.
    let unsuspended = Calendar {
        suspensions: Vec::new(),
        ..calendar.clone()
    };
    let regular = unsuspended.collections_on(district, date, holidays);
    let mut suspended: Vec<(&Suspension, Vec<String>)> = Vec::new();
    for c in regular {
        if collected.iter().any(|k| k.kind == c.kind) {
            continue;
        }
        let Some(s) = calendar
            .suspensions
            .iter()
            .find(|s| s.covers(district, &c.kind, date))
        else {
            continue;
        };
        match suspended.iter_mut().find(|(t, _)| std::ptr::eq(*t, s)) {
            Some((_, kinds)) => kinds.push(c.kind),
            None => suspended.push((s, vec![c.kind])),
        }
    }
    DaySummary {
        collected,
        suspended,
    }
}

/// 「12月1日（火）」.
pub fn date_label(date: NaiveDate) -> String {
    let weekday = match date.weekday() {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    };
    format!("{}月{}日（{weekday}）", date.month(), date.day())
}

/// A kind's name as the calendar spells it (its id when the calendar no longer has it).
pub fn kind_name<'a>(calendar: &'a Calendar, kind_id: &'a str) -> &'a str {
    calendar.kind(kind_id).map_or(kind_id, |k| k.name.as_str())
}

/// The line citizens read for a suspension: its message, and the substitute day if any.
pub fn suspension_line(calendar: &Calendar, suspension: &Suspension, kinds: &[String]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| kind_name(calendar, k)).collect();
    let mut line = if suspension.message.trim().is_empty() {
        format!("{}のため収集を中止します。", suspension.reason)
    } else {
        suspension.message.trim().to_owned()
    };
    line = format!("{}：{line}", names.join("・"));
    if let Some(day) = suspension.substitute {
        line.push_str(&format!("（振替収集日：{}）", date_label(day)));
    }
    line
}

/// Why a regular day was not collected, as citizens read it: 「大雪のため」 (a suspension's
/// reason as staff stored it), 「年末年始のため」, 「文化の日のため」.
pub fn skip_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Suspension(r) => {
            let r = r.trim().trim_end_matches('。');
            if r.ends_with("ため") {
                r.to_owned()
            } else {
                format!("{r}のため")
            }
        }
        SkipReason::Cancelled => "収集の取りやめのため".into(),
        SkipReason::YearEnd => "年末年始のため".into(),
        SkipReason::CentrePause(centre) => format!("{centre}の休止のため"),
        SkipReason::Holiday(name) => format!("{name}のため"),
    }
}

/// Most skipped days named in one answer.
const MAX_SKIPPED_NAMED: usize = 3;

/// The chat's answer to 「次の燃やすごみはいつ？」 for `district`: the next collection of
/// `kind_id` from `from` (今日 is counted: asked in the morning, today's collection is the
/// next one), and when regular days before it were not collected, which and why, and that the
/// collection was moved to it: 「12月10日（木）は大雪のため休み、代わりに12月12日（土）に収集します。」
pub fn next_collection_text(
    calendar: &Calendar,
    holidays: &Holidays,
    district: &str,
    kind_id: &str,
    from: From,
    today: NaiveDate,
) -> String {
    let name = kind_name(calendar, kind_id);
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let start = match from {
        From::Today | From::ThisWeek => today,
        From::NextWeek => monday + chrono::Duration::days(7),
    };
    let Some(next) = calendar.next_collection(
        district,
        kind_id,
        start - chrono::Duration::days(1),
        holidays,
    ) else {
        return format!("{district}地区の{name}の収集予定は、この先1年ほど見つかりませんでした。");
    };
    let when = if next == today {
        format!("今日 {}", date_label(next))
    } else {
        date_label(next)
    };
    let mut text = String::new();
    if from == From::ThisWeek && next > monday + chrono::Duration::days(6) {
        text.push_str(&format!(
            "今週は{district}地区の{name}の収集はありません。
"
        ));
    }
    text.push_str(&format!("{district}地区の次の{name}は、{when}です。"));
    let skipped = calendar.skipped_days(district, kind_id, start, next, holidays);
    let moved = calendar
        .collections_on(district, next, holidays)
        .iter()
        .any(|c| c.kind == kind_id && c.is_moved_or_substitute());
    if !skipped.is_empty() {
        let named: Vec<String> = skipped[skipped.len().saturating_sub(MAX_SKIPPED_NAMED)..]
            .iter()
            .map(|s| format!("{}は{}", date_label(s.date), skip_reason(&s.reason)))
            .collect();
        text.push('\n');
        text.push_str(&named.join("、"));
        if moved {
            text.push_str(&format!("休み、代わりに{}に収集します。", date_label(next)));
        } else {
            text.push_str("休みです。");
        }
    }
    text
}

/// The notice for `district` about collection day `date`, sent at `timing` (当日朝: 「今日」,
/// 前日夜: 「明日」). `None` when notices are off, or when no kind switched on is collected or
/// suspended that day: a district with nothing to hear about gets nothing.
pub fn notice_text(
    calendar: &Calendar,
    holidays: &Holidays,
    settings: &NoticeSettings,
    district: &str,
    date: NaiveDate,
    timing: Timing,
) -> Option<String> {
    if !settings.enabled {
        return None;
    }
    let on = |kind: &str| settings.kind(calendar, kind).on;
    let summary = day_summary(calendar, holidays, district, date);
    let mut lines = Vec::new();
    for c in summary.collected.iter().filter(|c| on(&c.kind)) {
        let mut line = format!("・{}", settings.kind(calendar, &c.kind).wording.trim());
        if c.is_moved_or_substitute() {
            line.push_str("（振替収集）");
        }
        lines.push(line);
    }
    for (suspension, kinds) in &summary.suspended {
        let kinds: Vec<String> = kinds.iter().filter(|k| on(k)).cloned().collect();
        if !kinds.is_empty() {
            lines.push(format!(
                "・{}",
                suspension_line(calendar, suspension, &kinds)
            ));
        }
    }
    if lines.is_empty() {
        return None;
    }
    let when = match timing {
        Timing::Morning => "今日",
        Timing::Evening => "明日",
    };
    Some(format!(
        "【ごみ収集のお知らせ】\n{when} {}　{district}地区\n{}",
        date_label(date),
        lines.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notices::KindNotice;
    use crate::rules::{DateRange, Districts};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn sample() -> (Calendar, Holidays) {
        (Calendar::obama_sample(), Holidays::bundled())
    }

    fn kind_id(calendar: &Calendar, name: &str) -> String {
        calendar
            .kinds
            .iter()
            .find(|k| k.name == name)
            .unwrap()
            .id
            .clone()
    }

    #[test]
    fn a_collection_morning_names_the_day_the_district_and_each_kind() {
        let (calendar, holidays) = sample();
        // Tuesday 1 December 2026: 雲浜 collects 燃やさないごみ (火1) in the sample.
        let text = notice_text(
            &calendar,
            &holidays,
            &NoticeSettings::default(),
            "雲浜",
            day(12, 1),
            Timing::Morning,
        )
        .unwrap();
        assert!(text.contains("今日 12月1日（火）　雲浜地区"), "{text}");
        assert!(text.contains("・燃やさないごみの日です。"), "{text}");
        assert!(!text.contains("燃やすごみの日"), "{text}");
    }

    #[test]
    fn the_evening_notice_speaks_of_tomorrow() {
        let (calendar, holidays) = sample();
        let text = notice_text(
            &calendar,
            &holidays,
            &NoticeSettings::default(),
            "雲浜",
            day(12, 3),
            Timing::Evening,
        )
        .unwrap();
        assert!(text.contains("明日 12月3日（木）"), "{text}");
        assert!(text.contains("燃やすごみ"), "{text}");
    }

    #[test]
    fn a_day_without_collection_has_no_notice() {
        let (calendar, holidays) = sample();
        // Sunday 6 December: nothing is collected on Sundays in the sample.
        let none = notice_text(
            &calendar,
            &holidays,
            &NoticeSettings::default(),
            "雲浜",
            day(12, 6),
            Timing::Morning,
        );
        assert_eq!(none, None);
    }

    #[test]
    fn a_kind_switched_off_is_not_listed_and_alone_sends_nothing() {
        let (calendar, holidays) = sample();
        let mut settings = NoticeSettings::default();
        let burnable = kind_id(&calendar, "燃やすごみ");
        settings.kinds.insert(
            burnable,
            KindNotice {
                on: false,
                wording: "燃やすごみの日です。".into(),
            },
        );
        // Thursday 3 December: only 燃やすごみ in 雲浜.
        let none = notice_text(
            &calendar,
            &holidays,
            &settings,
            "雲浜",
            day(12, 3),
            Timing::Morning,
        );
        assert_eq!(none, None);
    }

    #[test]
    fn the_wording_staff_chose_is_what_citizens_read() {
        let (calendar, holidays) = sample();
        let mut settings = NoticeSettings::default();
        settings.kinds.insert(
            kind_id(&calendar, "燃やすごみ"),
            KindNotice {
                on: true,
                wording: "燃やすごみは朝8時30分までに出してください。".into(),
            },
        );
        let text = notice_text(
            &calendar,
            &holidays,
            &settings,
            "雲浜",
            day(12, 3),
            Timing::Morning,
        )
        .unwrap();
        assert!(text.contains("・燃やすごみは朝8時30分までに出してください。"));
    }

    #[test]
    fn a_suspension_replaces_the_kind_with_its_message_and_substitute_day() {
        let (mut calendar, holidays) = sample();
        calendar.suspensions.push(Suspension {
            districts: Districts::Only(vec!["雲浜".into()]),
            kinds: None,
            range: DateRange {
                from: day(12, 3),
                to: day(12, 3),
            },
            reason: "大雪".into(),
            substitute: Some(day(12, 5)),
            message: "大雪のため収集を中止します。".into(),
        });
        let text = notice_text(
            &calendar,
            &holidays,
            &NoticeSettings::default(),
            "雲浜",
            day(12, 3),
            Timing::Morning,
        )
        .unwrap();
        assert!(
            text.contains(
                "・燃やすごみ：大雪のため収集を中止します。（振替収集日：12月5日（土））"
            ),
            "{text}"
        );
        assert!(!text.contains("燃やすごみの日です"), "{text}");
        // The substitute Saturday carries the suspended kind, marked as moved.
        let substitute = notice_text(
            &calendar,
            &holidays,
            &NoticeSettings::default(),
            "雲浜",
            day(12, 5),
            Timing::Morning,
        )
        .unwrap();
        assert!(
            substitute.contains("燃やすごみの日です。（振替収集）"),
            "{substitute}"
        );
        // Another district is not touched.
        let other = notice_text(
            &calendar,
            &holidays,
            &NoticeSettings::default(),
            "小浜",
            day(12, 3),
            Timing::Morning,
        )
        .unwrap();
        assert!(other.contains("燃やすごみの日です。"), "{other}");
    }

    #[test]
    fn notices_switched_off_send_nothing() {
        let (calendar, holidays) = sample();
        let settings = NoticeSettings {
            enabled: false,
            ..NoticeSettings::default()
        };
        let none = notice_text(
            &calendar,
            &holidays,
            &settings,
            "雲浜",
            day(12, 3),
            Timing::Morning,
        );
        assert_eq!(none, None);
    }

    #[test]
    fn dates_read_with_their_japanese_weekday() {
        assert_eq!(date_label(day(12, 1)), "12月1日（火）");
        assert_eq!(date_label(day(12, 6)), "12月6日（日）");
    }
}
