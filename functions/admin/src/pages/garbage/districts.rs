//! Garbage notices and chat lookups reach a citizen by name: the 居住地区 choice they registered
//! must be a district of the calendar, spelt the same. A calendar imported from another source
//! can easily disagree (「雲浜地区」 against 「雲浜」), and then those citizens silently get
//! nothing; these pages say so instead.

use crate::AdminState;
use maud::{html, Markup};
use tayori_domain::segment::{SegmentItems, DISTRICT_ITEM};
use tayori_garbage::Calendar;
use tayori_records::{RecordError, SegmentItemsRecord};

#[derive(Debug, Default, PartialEq, Eq)]
struct Unmatched {
    /// Calendar districts no citizen can choose.
    calendar_only: Vec<String>,
    /// Choices of 居住地区 the calendar does not know.
    choices_only: Vec<String>,
}

fn unmatched(calendar: &Calendar, items: &SegmentItems) -> Unmatched {
    let choices: Vec<&str> = items
        .get(DISTRICT_ITEM)
        .filter(|item| !item.retired)
        .map(|item| item.open_choices().map(|c| c.value.as_str()).collect())
        .unwrap_or_default();
    Unmatched {
        calendar_only: calendar
            .districts
            .iter()
            .map(|d| d.name.clone())
            .filter(|name| !choices.contains(&name.as_str()))
            .collect(),
        choices_only: choices
            .into_iter()
            .filter(|choice| calendar.district(choice).is_none())
            .map(str::to_string)
            .collect(),
    }
}

fn warning(u: &Unmatched) -> Markup {
    html! {
        @if !u.calendar_only.is_empty() || !u.choices_only.is_empty() {
            div.flash.err role="alert" #district-mismatch {
                p { strong { "地区の名前が一致していません。次の地区の市民には、ごみのお知らせと収集日の案内が届きません。" } }
                ul {
                    @if !u.calendar_only.is_empty() {
                        li { "カレンダーにだけある地区：" (u.calendar_only.join("、")) "（セグメント設定の「居住地区」に同じ名前の選択肢がありません）" }
                    }
                    @if !u.choices_only.is_empty() {
                        li { "「居住地区」にだけある選択肢：" (u.choices_only.join("、")) "（カレンダーにこの地区がありません）" }
                    }
                }
                p { a href="/admin/segments" { "セグメント設定" } "で選択肢を追加するか、カレンダーの地区名を「居住地区」の選択肢と同じにして取り込み直してください。" }
            }
        }
    }
}

/// The warning for `calendar`, empty when every district matches.
pub async fn mismatch_warning(
    state: &AdminState,
    calendar: &Calendar,
) -> Result<Markup, RecordError> {
    let items = SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await?;
    Ok(warning(&unmatched(calendar, &items)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_domain::segment::OBAMA_DISTRICTS;
    use tayori_garbage::sample::obama_sample;

    #[test]
    fn the_shipped_sample_and_the_default_districts_agree() {
        let calendar = obama_sample().calendar;
        assert_eq!(
            unmatched(&calendar, &SegmentItems::obama_defaults()),
            Unmatched::default()
        );
        assert!(warning(&Unmatched::default()).into_string().is_empty());
    }

    #[test]
    fn names_that_differ_are_listed_on_both_sides() {
        let mut calendar = obama_sample().calendar;
        for (from, to) in [("雲浜", "雲浜地区"), ("西津", "西津地区")] {
            let district = calendar.districts.iter_mut().find(|d| d.name == from);
            district.unwrap().name = to.into();
        }
        let u = unmatched(&calendar, &SegmentItems::obama_defaults());
        assert_eq!(u.calendar_only, ["雲浜地区", "西津地区"]);
        assert_eq!(u.choices_only, ["雲浜", "西津"]);
        let shown = warning(&u).into_string();
        assert!(
            shown.contains("カレンダーにだけある地区：雲浜地区、西津地区"),
            "{shown}"
        );
        assert!(
            shown.contains("「居住地区」にだけある選択肢：雲浜、西津"),
            "{shown}"
        );
    }

    #[test]
    fn retired_choices_are_not_expected_in_the_calendar() {
        let mut calendar = obama_sample().calendar;
        calendar.districts.retain(|d| d.name != "雲浜");
        let mut items = SegmentItems::obama_defaults();
        let kumohama = OBAMA_DISTRICTS.iter().position(|d| *d == "雲浜").unwrap();
        items
            .set_choice_retired(DISTRICT_ITEM, kumohama, true)
            .unwrap();
        assert_eq!(unmatched(&calendar, &items), Unmatched::default());
    }
}
