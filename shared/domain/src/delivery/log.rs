//! The delivery log (配信ログ, 仕様書 6.2.1.6): deliveries of a period, filtered by status and
//! kind, 50 to a page, with the total of the whole filtered period. The garbage notices add
//! several deliveries a day, so the log reads one period (the store's range query) and keeps
//! only a page of it; the total is counted as the period goes by.
//!
//! Pages are marked by a delivery's place in the log ([`Delivery::log_key`]): a page "before"
//! a key holds the next deliveries older than it. Marks stay right while deliveries are added.

use super::{Delivery, DeliveryKind, DeliveryStatus};
use crate::time::jst;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use std::collections::VecDeque;

/// Deliveries on one page of the log.
pub const PAGE_SIZE: usize = 50;

/// What staff chose to see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First day of the period (JST), included; `None` from the first delivery.
    pub from: Option<NaiveDate>,
    /// Last day of the period (JST), included; `None` up to now.
    pub to: Option<NaiveDate>,
    pub status: Option<DeliveryStatus>,
    pub kind: Option<DeliveryKind>,
    /// Words in the title, a text bubble or the category.
    pub search: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("期間の開始日を正しく入力してください。")]
    BadFrom,
    #[error("期間の終了日を正しく入力してください。")]
    BadTo,
    #[error("期間の終了日は開始日以降にしてください。")]
    ToBeforeFrom,
}

impl FilterError {
    /// The form field the problem is about.
    pub fn field(self) -> &'static str {
        match self {
            FilterError::BadFrom => "from",
            FilterError::BadTo | FilterError::ToBeforeFrom => "to",
        }
    }
}

/// The period shown when staff have not chosen one: last month and this month so far (JST).
pub fn default_from(today: NaiveDate) -> NaiveDate {
    let first = today.with_day(1).expect("every month has a first day");
    (first - Duration::days(1))
        .with_day(1)
        .expect("every month has a first day")
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    jst()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("JST has no gaps")
        .with_timezone(&Utc)
}

impl LogFilter {
    /// Reads the period as the form sends it (`YYYY-MM-DD`, JST). `None` is a field the form
    /// did not send (the default period); an empty one means "no bound".
    pub fn period(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<(Option<NaiveDate>, Option<NaiveDate>), FilterError> {
        let from = match from.map(str::trim) {
            None => Some(default_from(today)),
            Some("") => None,
            Some(text) => Some(date(text).ok_or(FilterError::BadFrom)?),
        };
        let to = match to.map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(date(text).ok_or(FilterError::BadTo)?),
        };
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                return Err(FilterError::ToBeforeFrom);
            }
        }
        Ok((from, to))
    }

    /// The period as instants: from the first day's midnight (JST) up to, not including, the
    /// midnight after the last day.
    pub fn created_between(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (
            self.from.map(start_of),
            self.to.map(|to| start_of(to + Duration::days(1))),
        )
    }

    /// Whether a delivery of the period is shown (the period itself is the query's).
    pub fn matches(&self, d: &Delivery) -> bool {
        self.status.is_none_or(|s| d.status == s)
            && self.kind.is_none_or(|k| d.kind() == k)
            && (self.search.is_empty()
                || d.title.contains(&self.search)
                || d.category.contains(&self.search)
                || d.bubbles.iter().any(
                    |b| matches!(b, super::Bubble::Text { text } if text.contains(&self.search)),
                ))
    }

    /// Test deliveries go only to staff: they are totalled only when staff ask for them.
    fn counts(&self, d: &Delivery) -> bool {
        self.kind == Some(DeliveryKind::Test) || !d.test
    }
}

/// The whole filtered period's sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeriodTotals {
    pub deliveries: u64,
    pub recipients: u64,
    pub succeeded: u64,
    pub failed: u64,
}

/// Where the neighbouring pages start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageMark {
    /// The newest page.
    First,
    /// The page of the deliveries just older than this key.
    Before(String),
}

/// One page and the period's total.
#[derive(Clone, Debug, PartialEq)]
pub struct LogPage {
    pub deliveries: Vec<Delivery>,
    pub newer: Option<PageMark>,
    pub older: Option<PageMark>,
    pub totals: PeriodTotals,
}

/// Builds a [`LogPage`] from the period's deliveries, given newest first.
pub struct LogPager {
    filter: LogFilter,
    before: Option<String>,
    /// Keys of the newest matches seen before the page, at most a page and one.
    newer: VecDeque<String>,
    newer_count: usize,
    page: Vec<Delivery>,
    has_older: bool,
    totals: PeriodTotals,
}

impl LogPager {
    /// The page of `filter`'s deliveries older than `before` (the newest page if `None`).
    pub fn new(filter: LogFilter, before: Option<String>) -> Self {
        Self {
            filter,
            before,
            newer: VecDeque::new(),
            newer_count: 0,
            page: Vec::new(),
            has_older: false,
            totals: PeriodTotals::default(),
        }
    }

    /// The next delivery of the period, older than every one before it.
    pub fn push(&mut self, d: Delivery) {
        if !self.filter.matches(&d) {
            return;
        }
        if self.filter.counts(&d) {
            self.totals.deliveries += 1;
            self.totals.recipients += d.totals.recipients;
            self.totals.succeeded += d.totals.succeeded;
            self.totals.failed += d.totals.failed;
        }
        let key = d.log_key();
        if self.before.as_ref().is_some_and(|before| key >= *before) {
            self.newer_count += 1;
            self.newer.push_back(key);
            if self.newer.len() > PAGE_SIZE + 1 {
                self.newer.pop_front();
            }
        } else if self.page.len() < PAGE_SIZE {
            self.page.push(d);
        } else {
            self.has_older = true;
        }
    }

    pub fn finish(self) -> LogPage {
        let newer = match self.newer_count {
            0 => None,
            // The previous page is the page of the deliveries just newer than this one; its
            // mark is the key of the one before those (or it is the first page).
            n if n <= PAGE_SIZE => Some(PageMark::First),
            _ => self.newer.front().cloned().map(PageMark::Before),
        };
        let older = if self.has_older {
            self.page.last().map(|d| PageMark::Before(d.log_key()))
        } else {
            None
        };
        LogPage {
            deliveries: self.page,
            newer,
            older,
            totals: self.totals,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::{Totals, GARBAGE_NOTICE_AUTHOR};
    use crate::segment::Target;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        jst()
            .with_ymd_and_hms(2026, 6, day, hour, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Delivery `n`, one text by `by`, a draft made at `created`.
    fn one_text(n: usize, by: &str, created: DateTime<Utc>) -> Delivery {
        let (id, title) = (format!("D{n:03}"), format!("お知らせ{n}"));
        Delivery::automatic(id, by, "一般", title, "本文".into(), Target::All, created)
    }

    /// `d` released when it was made and sent with `totals` (stopped if some were not sent).
    fn finished(mut d: Delivery, totals: Totals) -> Delivery {
        let at = d.created().at;
        d.submit("tanaka", true, String::new(), at).unwrap();
        assert!(d.start_sending(at));
        if totals.not_sent > 0 {
            d.request_stop("suzuki", at).unwrap();
        }
        assert!(d.close(totals, Vec::new(), at));
        d
    }

    const TEN_NINE_SENT: Totals = Totals {
        recipients: 10,
        succeeded: 9,
        failed: 1,
        not_sent: 0,
    };

    fn sent(n: usize, created: DateTime<Utc>) -> Delivery {
        finished(one_text(n, "tanaka", created), TEN_NINE_SENT)
    }

    fn sent_by_tayori(n: usize, created: DateTime<Utc>) -> Delivery {
        finished(one_text(n, GARBAGE_NOTICE_AUTHOR, created), TEN_NINE_SENT)
    }

    /// `count` deliveries, newest first, an hour apart.
    fn period(count: usize) -> Vec<Delivery> {
        (0..count)
            .rev()
            .map(|n| sent(n, at(1, 0) + Duration::hours(n as i64)))
            .collect()
    }

    fn page(all: &[Delivery], filter: LogFilter, before: Option<String>) -> LogPage {
        let mut pager = LogPager::new(filter, before);
        for d in all {
            pager.push(d.clone());
        }
        pager.finish()
    }

    fn ids(page: &LogPage) -> Vec<String> {
        page.deliveries.iter().map(|d| d.id.clone()).collect()
    }

    fn mark(m: &Option<PageMark>) -> Option<String> {
        match m {
            Some(PageMark::Before(key)) => Some(key.clone()),
            _ => None,
        }
    }

    #[test]
    fn a_hundred_and_twenty_deliveries_are_three_pages_and_each_page_leads_back() {
        let all = period(120);
        let first = page(&all, LogFilter::default(), None);
        assert_eq!(first.deliveries.len(), 50);
        assert_eq!(first.newer, None);
        let second = page(&all, LogFilter::default(), mark(&first.older));
        assert_eq!(ids(&second)[0], "D069");
        let third = page(&all, LogFilter::default(), mark(&second.older));
        assert_eq!(third.deliveries.len(), 20);
        assert_eq!(third.older, None);
        assert_eq!(ids(&third).last().unwrap(), "D000");

        let back = page(&all, LogFilter::default(), mark(&third.newer));
        assert_eq!(ids(&back), ids(&second));
        assert_eq!(back.newer, Some(PageMark::First));
        for p in [&first, &second, &third] {
            assert_eq!(
                p.totals,
                PeriodTotals {
                    deliveries: 120,
                    recipients: 1200,
                    succeeded: 1080,
                    failed: 120
                }
            );
        }
    }

    #[test]
    fn filters_narrow_the_page_and_the_total_and_tests_count_only_when_asked_for() {
        let mut all = period(6);
        let tested_at = all[0].created().at;
        let test = all[0].test_copy("D005".into(), "tanaka", tested_at);
        all[0] = finished(test.unwrap(), TEN_NINE_SENT);
        let half = Totals {
            recipients: 10,
            succeeded: 5,
            failed: 0,
            not_sent: 5,
        };
        all[1] = finished(one_text(4, "tanaka", all[1].created().at), half);
        all[2] = sent_by_tayori(3, all[2].created().at);
        let everything = page(&all, LogFilter::default(), None);
        assert_eq!(everything.deliveries.len(), 6);
        assert_eq!(everything.totals.deliveries, 5, "the test is not totalled");

        let stopped = LogFilter {
            status: Some(DeliveryStatus::Stopped),
            ..LogFilter::default()
        };
        assert_eq!(ids(&page(&all, stopped, None)), ["D004"]);
        let garbage = LogFilter {
            kind: Some(DeliveryKind::GarbageNotice),
            ..LogFilter::default()
        };
        assert_eq!(ids(&page(&all, garbage, None)), ["D003"]);
        let tests = LogFilter {
            kind: Some(DeliveryKind::Test),
            ..LogFilter::default()
        };
        let tests = page(&all, tests, None);
        assert_eq!(ids(&tests), ["D005"]);
        assert_eq!(tests.totals.recipients, 10);
        let search = LogFilter {
            search: "お知らせ1".into(),
            ..LogFilter::default()
        };
        assert_eq!(ids(&page(&all, search, None)), ["D001"]);
    }

    #[test]
    fn the_period_is_whole_jst_days_and_defaults_to_last_month_and_this_one() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let (from, to) = LogFilter::period(None, None, today).unwrap();
        assert_eq!(from, NaiveDate::from_ymd_opt(2025, 12, 1));
        assert_eq!(to, None);
        assert_eq!(
            LogFilter::period(Some(""), Some(""), today),
            Ok((None, None))
        );
        let (from, to) = LogFilter::period(Some("2026-06-01"), Some("2026-06-30"), today).unwrap();
        let filter = LogFilter {
            from,
            to,
            ..LogFilter::default()
        };
        let (start, end) = filter.created_between();
        assert_eq!(start, Some(at(1, 0)));
        assert_eq!(
            end.unwrap().to_rfc3339(),
            "2026-06-30T15:00:00+00:00",
            "midnight after 30 June, JST"
        );
        assert_eq!(
            LogFilter::period(Some("2026-13-01"), None, today),
            Err(FilterError::BadFrom)
        );
        assert_eq!(
            LogFilter::period(Some("2026-07-01"), Some("2026-06-01"), today),
            Err(FilterError::ToBeforeFrom)
        );
    }
}
