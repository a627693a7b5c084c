//! 友だち集め's trend: friends added and blocked per JST day and by registered attribute (from
//! the usage events), follows counted for each place, and LINE's own count beside them.

use crate::AdminState;
use crate::ConsoleError;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;
use tayori_domain::time::to_jst;
use tayori_domain::usage::{UsageKind, DIMENSIONS, PLACE_ITEM, UNREGISTERED};
use tayori_line::Followers;
use tayori_records::UsageEvents;

/// A month and a few days: the trend's table stays one printed page.
const MAX_DAYS: i64 = 62;

#[derive(Deserialize, Default)]
pub struct TrendQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

/// The trend's period: this month so far unless asked; refused periods fall back to it.
pub(super) fn period(
    state: &AdminState,
    q: &TrendQuery,
) -> (NaiveDate, NaiveDate, Option<&'static str>) {
    let today = to_jst(state.platform.clock.now()).date_naive();
    let first = today.with_day(1).expect("the first exists");
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    let (from, to) = match (parse(&q.from), parse(&q.to)) {
        (Some(f), Some(t)) if f <= t && (t - f).num_days() < MAX_DAYS => (f, t),
        _ => (first, today),
    };
    let by =
        q.by.as_deref()
            .and_then(|b| registered().find(|(id, _)| *id == b).map(|(id, _)| *id));
    (from, to, by)
}

/// The breakdowns of friends added and blocked: what citizens register (a follow's place is
/// the table of places, not a breakdown of every follow).
pub(super) fn registered() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    DIMENSIONS.iter().filter(|(id, _)| *id != PLACE_ITEM)
}

/// Friends added and blocked per JST day, and per value of `by` when asked.
pub(crate) struct Trend {
    days: Vec<(NaiveDate, u64, u64)>,
    by_value: BTreeMap<String, (u64, u64)>,
    /// Follows counted for a place, by the place's name.
    from_place: BTreeMap<String, u64>,
}

impl Trend {
    /// Each day of the period: (day, added, blocked).
    pub(crate) fn days(&self) -> &[(NaiveDate, u64, u64)] {
        &self.days
    }

    /// Friends (added, blocked) under each value of the breakdown asked for.
    pub(crate) fn by_value(&self) -> &BTreeMap<String, (u64, u64)> {
        &self.by_value
    }

    /// Follows counted for the place named `name`.
    pub(crate) fn follows_from(&self, name: &str) -> u64 {
        self.from_place.get(name).copied().unwrap_or(0)
    }
}

pub(crate) async fn trend(
    state: &AdminState,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<&str>,
) -> Result<Trend, ConsoleError> {
    let mut per_day: BTreeMap<NaiveDate, (u64, u64)> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (d, (0, 0)))
        .collect();
    let mut by_value: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut from_place: BTreeMap<String, u64> = BTreeMap::new();
    UsageEvents::new(state.platform.table.clone())
        .each_between(from, to, |e| {
            if e.kind == UsageKind::FriendFromPlace {
                for place in e.attributes.get(PLACE_ITEM).into_iter().flatten() {
                    *from_place.entry(place.clone()).or_default() += e.count;
                }
                return;
            }
            let added = e.kind == UsageKind::FriendAdded;
            if !added && e.kind != UsageKind::FriendBlocked {
                return;
            }
            let add = |cell: &mut (u64, u64)| {
                if added {
                    cell.0 += e.count;
                } else {
                    cell.1 += e.count;
                }
            };
            if let Some(cell) = per_day.get_mut(&to_jst(e.at).date_naive()) {
                add(cell);
            }
            if let Some(by) = by {
                let values = e
                    .attributes
                    .get(by)
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_else(|| vec![UNREGISTERED.to_string()]);
                for v in values {
                    add(by_value.entry(v).or_default());
                }
            }
        })
        .await?;
    Ok(Trend {
        days: per_day.into_iter().map(|(d, (a, b))| (d, a, b)).collect(),
        by_value,
        from_place,
    })
}

/// LINE's own count as of yesterday (LINE counts a day once it ends), beside ours: it includes
/// friends from before this system and never misses an event.
pub(super) async fn line_count(state: &AdminState) -> String {
    let yesterday = to_jst(state.platform.clock.now()).date_naive() - chrono::Duration::days(1);
    let day = yesterday.format("%-m月%-d日");
    match state.line.followers(yesterday).await {
        Ok(Followers::Ready {
            followers,
            targeted_reaches,
            blocks,
        }) => format!(
            "LINEの集計（{day}時点）: これまでに友だち追加した人 {followers}人、ブロック中 {blocks}人、属性で絞り込んだ配信が届く人 {targeted_reaches}人。"
        ),
        Ok(Followers::NotYet) => format!("LINEの{day}の集計は、まだ出ていません。"),
        Ok(Followers::OutOfService) => "LINEの集計は、この期間のものを表示できません。".into(),
        Err(e) => {
            tracing::warn!(error = %e, "LINE's follower count could not be read");
            "LINEの集計を取得できませんでした。時間をおいて表示し直してください。".into()
        }
    }
}

pub(super) fn net(added: u64, blocked: u64) -> String {
    let n = added as i64 - blocked as i64;
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}
