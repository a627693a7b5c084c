//! Writing a calendar back as a 5374 data set, so the city can publish it as open data.
//!
//! 5374 has no place for holiday policies, cancelled dates, the recurring year-end pause or
//! suspensions: those are Tayori's own and are not written. Everything an import reads is.
//! Files are UTF-8 without BOM, CRLF line ends. Cells are written by the shared CSV writer's
//! rule: imported third-party text that Excel would run as a formula (`=HYPERLINK(…)`, `+…`,
//! `-…`, `@…`) gets a leading `'`, which the import takes off again.

use crate::cell::{self, Cell};
use crate::dictionary::Dictionary;
use crate::rules::Calendar;
use crate::text::write_csv;

/// The four files of a 5374 data set, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported5374 {
    pub area_days: String,
    pub center: String,
    pub description: String,
    pub target: String,
}

pub fn export5374(calendar: &Calendar, dictionary: &Dictionary) -> Exported5374 {
    let scheduled: Vec<_> = calendar.kinds.iter().filter(|k| k.scheduled).collect();

    let mut area_days = vec![["地区", "センター"]
        .into_iter()
        .map(str::to_owned)
        .chain(scheduled.iter().map(|k| k.name.clone()))
        .collect::<Vec<_>>()];
    for district in &calendar.districts {
        let mut row = vec![
            district.name.clone(),
            district.centre.clone().unwrap_or_default(),
        ];
        for kind in &scheduled {
            let cell = calendar.rule(&district.name, &kind.id).map(|rule| {
                cell::format(&Cell {
                    schedules: rule.schedules.clone(),
                    dates: rule.extra_dates.clone(),
                    notes: rule.notes.clone(),
                    months: rule.months.clone(),
                })
            });
            row.push(cell.unwrap_or_default());
        }
        area_days.push(row);
    }

    let mut center = vec![vec![
        "名称".to_owned(),
        "休止開始日".to_owned(),
        "休止終了日".to_owned(),
    ]];
    center.extend(calendar.centre_pauses.iter().map(|p| {
        vec![
            p.centre.clone(),
            p.range.from.format("%Y/%-m/%-d").to_string(),
            p.range.to.format("%Y/%-m/%-d").to_string(),
        ]
    }));

    let mut description = vec![["label", "sublabel", "description", "styles", "Bgcolor"]
        .map(str::to_owned)
        .to_vec()];
    description.extend(calendar.kinds.iter().map(|k| {
        vec![
            k.name.clone(),
            k.sublabel.clone(),
            k.description.clone(),
            k.styles.clone(),
            k.colour.clone(),
        ]
    }));

    let mut target = vec![["type", "name", "notice", "furigana"]
        .map(str::to_owned)
        .to_vec()];
    target.extend(dictionary.entries.iter().map(|e| {
        vec![
            e.kind.clone(),
            e.name.clone(),
            e.notice.clone(),
            e.furigana.clone(),
        ]
    }));

    Exported5374 {
        area_days: write_csv(&area_days),
        center: write_csv(&center),
        description: write_csv(&description),
        target: write_csv(&target),
    }
}
