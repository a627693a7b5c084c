//! What a new import keeps of the calendar it replaces. The 5374 files hold the city's regular
//! collection days only; the year-end pause and the suspensions (a snow day set this morning)
//! are Tayori's own, set by staff in the console, and must survive the yearly re-import.

use crate::rules::{Calendar, Districts};
use chrono::NaiveDate;

/// What was carried over, and what could not be, in the city's words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarriedOver {
    pub suspensions: usize,
    pub year_end: bool,
    /// One line per setting left behind because the new calendar lacks all its districts or kinds.
    pub dropped: Vec<String>,
}

/// The districts of `districts` that `calendar` still has; `None` when none are left.
fn still_known(districts: &Districts, calendar: &Calendar) -> Option<Districts> {
    match districts {
        Districts::All => Some(Districts::All),
        Districts::Only(names) => {
            let kept: Vec<String> = names
                .iter()
                .filter(|n| calendar.district(n).is_some())
                .cloned()
                .collect();
            (!kept.is_empty()).then_some(Districts::Only(kept))
        }
    }
}

fn kinds_still_known(kinds: &[String], calendar: &Calendar) -> Vec<String> {
    kinds
        .iter()
        .filter(|k| calendar.kind(k).is_some())
        .cloned()
        .collect()
}

impl Calendar {
    /// Takes over `previous`'s year-end pause (when this calendar has none) and its suspensions
    /// that have not ended before `today`, narrowed to the districts and kinds this calendar has.
    pub fn carry_over(&mut self, previous: &Calendar, today: NaiveDate) -> CarriedOver {
        let mut carried = CarriedOver::default();
        for s in previous.suspensions.iter().filter(|s| s.range.to >= today) {
            let kinds = s.kinds.as_deref().map(|k| kinds_still_known(k, self));
            match (still_known(&s.districts, self), kinds) {
                (Some(districts), kinds) if kinds.as_ref().is_none_or(|k| !k.is_empty()) => {
                    let mut kept = s.clone();
                    kept.districts = districts;
                    kept.kinds = kinds;
                    self.suspensions.push(kept);
                    carried.suspensions += 1;
                }
                _ => carried.dropped.push(format!(
                    "収集中止「{}」（{}〜{}）：取り込んだカレンダーに対象の地区・種類がありません",
                    s.reason, s.range.from, s.range.to
                )),
            }
        }
        if let (None, Some(pause)) = (&self.year_end, &previous.year_end) {
            let mut pause = pause.clone();
            let substitutes = std::mem::take(&mut pause.substitutes);
            for mut day in substitutes {
                day.kinds = kinds_still_known(&day.kinds, self);
                match still_known(&day.districts, self) {
                    Some(districts) if !day.kinds.is_empty() => {
                        day.districts = districts;
                        pause.substitutes.push(day);
                    }
                    _ => carried.dropped.push(format!(
                        "年末年始の振替収集日 {}：取り込んだカレンダーに対象の地区・種類がありません",
                        day.date
                    )),
                }
            }
            self.year_end = Some(pause);
            carried.year_end = true;
        }
        carried
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{DateRange, MonthDay, SubstituteDay, Suspension, YearEndPause};
    use crate::sample::obama_sample;
    use crate::{import5374, Files5374};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn snow(districts: Districts, kinds: Option<Vec<String>>, from: NaiveDate) -> Suspension {
        Suspension {
            districts,
            kinds,
            range: DateRange { from, to: from },
            reason: "大雪".into(),
            substitute: None,
            message: "大雪のため収集を中止します。".into(),
        }
    }

    /// A city calendar with two of the sample's districts and one of its kinds, as a 5374 file.
    fn imported() -> Calendar {
        let previous = obama_sample().calendar;
        let kind = &previous.kinds[0];
        let area_days = format!(
            "地区,センター,{}\r\n雲浜,,月 木\r\n西津,,火 金\r\n",
            kind.id
        );
        import5374(Files5374 {
            area_days: area_days.as_bytes(),
            center: None,
            description: None,
            target: None,
        })
        .unwrap()
        .calendar
    }

    #[test]
    fn current_suspensions_and_the_year_end_pause_survive_narrowed_to_what_the_import_has() {
        let mut previous = obama_sample().calendar;
        let burnable = previous.kinds[0].id.clone();
        let other = previous.kinds[1].id.clone();
        previous.suspensions = vec![
            // Ended yesterday: history, not carried.
            snow(Districts::All, None, day(1, 11)),
            snow(Districts::All, None, day(1, 12)),
            snow(
                Districts::Only(vec!["雲浜".into(), "加斗".into()]),
                Some(vec![burnable.clone(), other.clone()]),
                day(1, 13),
            ),
            // Only districts and kinds the import lacks: cannot be kept, and is said so.
            snow(Districts::Only(vec!["加斗".into()]), None, day(1, 14)),
            snow(Districts::All, Some(vec![other.clone()]), day(1, 15)),
        ];
        previous.year_end = Some(YearEndPause {
            from: MonthDay { month: 12, day: 31 },
            to: MonthDay { month: 1, day: 3 },
            by_year: Default::default(),
            substitutes: vec![
                SubstituteDay {
                    date: day(1, 4),
                    kinds: vec![burnable.clone(), other.clone()],
                    districts: Districts::All,
                },
                SubstituteDay {
                    date: day(1, 5),
                    kinds: vec![other.clone()],
                    districts: Districts::All,
                },
            ],
        });

        let mut calendar = imported();
        let carried = calendar.carry_over(&previous, day(1, 12));

        assert_eq!(carried.suspensions, 2);
        assert!(carried.year_end);
        assert_eq!(carried.dropped.len(), 3, "{:?}", carried.dropped);
        assert!(carried.dropped[0].contains("2027-01-14"));
        assert_eq!(calendar.suspensions[0].range.from, day(1, 12));
        assert_eq!(
            calendar.suspensions[1].districts,
            Districts::Only(vec!["雲浜".into()])
        );
        assert_eq!(calendar.suspensions[1].kinds, Some(vec![burnable.clone()]));
        let pause = calendar.year_end.as_ref().unwrap();
        assert_eq!(pause.substitutes.len(), 1);
        assert_eq!(pause.substitutes[0].kinds, vec![burnable]);
        assert!(calendar.validate().is_ok());
    }

    #[test]
    fn a_year_end_pause_in_the_new_calendar_is_not_overwritten() {
        let previous = obama_sample().calendar;
        let mut calendar = imported();
        let own = YearEndPause {
            from: MonthDay { month: 12, day: 30 },
            to: MonthDay { month: 1, day: 4 },
            by_year: Default::default(),
            substitutes: Vec::new(),
        };
        calendar.year_end = Some(own.clone());
        let carried = calendar.carry_over(&previous, day(1, 12));
        assert!(!carried.year_end);
        assert_eq!(calendar.year_end, Some(own));
    }
}
