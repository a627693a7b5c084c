//! 集計 (6.2.2.2, 7.2.1): per question counts with a bar chart (and a pie chart for a single
//! choice), number summaries, the free-text answers listed, and a cross-tabulation of a choice
//! question by an attribute citizens registered (the segment items: 年代, 居住地区 …). The
//! charts are SVG drawn here, so they print and need no script; each has its numbers in a table
//! beside it for screen readers and for copying.

use super::{
    account, analysis_path, clerk, ip_of, is_outside, not_yours, tabs, visible, MANUAL, PATH,
};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::ui::form::ErrorSummary;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Path, Query, State};
use maud::{html, Markup};
use serde::Deserialize;
use std::f64::consts::PI;
use std::sync::Arc;
use tayori_domain::form::value::format_number;
use tayori_domain::form::{
    ChoiceCount, CrossTab, FieldId, FieldKind, QuestionAnalysis, QuestionSummary,
};
use tayori_records::SegmentItemsRecord;

/// The cross-tabulation asked for.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CrossQuery {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub by: String,
}

/// The colours of the pie's slices (and the bars), dark enough against white for text beside
/// them; they repeat after eight.
const COLOURS: [&str; 8] = [
    "#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#990000", "#7f6000", "#3d3d8f",
];

/// A horizontal bar chart of the counts.
pub fn bar_chart(label: &str, counts: &[ChoiceCount]) -> Markup {
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let row_h = 26u32;
    let label_w = 180u32;
    let bar_w = 420u32;
    let width = label_w + bar_w + 110;
    let height = row_h * counts.len() as u32 + 10;
    html! {
        svg.chart.bar-chart role="img" aria-label=(format!("{label}（棒グラフ）")) width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) {
            @for (i, c) in counts.iter().enumerate() {
                @let y = i as u32 * row_h + 5;
                @let w = c.count * bar_w / max;
                text x=(label_w - 8) y=(y + 17) text-anchor="end" font-size="13" fill="#1a1a1a" { (c.choice) }
                rect x=(label_w) y=(y + 3) width=(w.max(1)) height=(row_h - 8) fill=(COLOURS[0]) {}
                text x=(label_w + w + 6) y=(y + 17) font-size="13" fill="#1a1a1a" { (c.count) "（" (format_number(c.share_percent)) "%）" }
            }
        }
    }
}

/// A pie chart of the counts with its legend; nothing drawn when nobody answered.
pub fn pie_chart(label: &str, counts: &[ChoiceCount]) -> Markup {
    let total: u32 = counts.iter().map(|c| c.count).sum();
    let (cx, cy, r) = (110.0, 110.0, 100.0);
    let legend_y = |i: usize| 20 + i as u32 * 22;
    let height = (legend_y(counts.len()) + 10).max(220);
    let mut start = -PI / 2.0;
    let mut slices = Vec::new();
    for (i, c) in counts.iter().enumerate().filter(|(_, c)| c.count > 0) {
        let sweep = 2.0 * PI * f64::from(c.count) / f64::from(total.max(1));
        let colour = COLOURS[i % COLOURS.len()];
        if c.count == total {
            slices.push(html! { circle cx=(cx) cy=(cy) r=(r) fill=(colour) {} });
        } else {
            let end = start + sweep;
            let (x1, y1) = (cx + r * start.cos(), cy + r * start.sin());
            let (x2, y2) = (cx + r * end.cos(), cy + r * end.sin());
            let large = if sweep > PI { 1 } else { 0 };
            let d = format!("M{cx},{cy} L{x1:.2},{y1:.2} A{r},{r} 0 {large} 1 {x2:.2},{y2:.2} Z");
            slices.push(html! { path d=(d) fill=(colour) stroke="#ffffff" stroke-width="1" {} });
        }
        start += sweep;
    }
    html! {
        @if total > 0 {
            svg.chart.pie-chart role="img" aria-label=(format!("{label}（円グラフ）")) width="520" height=(height) viewBox=(format!("0 0 520 {height}")) {
                @for s in &slices { (s) }
                @for (i, c) in counts.iter().enumerate() {
                    rect x="240" y=(legend_y(i)) width="14" height="14" fill=(COLOURS[i % COLOURS.len()]) {}
                    text x="260" y=(legend_y(i) + 12) font-size="13" fill="#1a1a1a" { (c.choice) " " (c.count) "（" (format_number(c.share_percent)) "%）" }
                }
            }
        }
    }
}

fn question(q: &QuestionAnalysis, single: bool) -> Markup {
    html! {
        section.question id=(format!("q-{}", q.field)) {
            h3 { (q.label) }
            p.answered { "回答 " (q.summary.answered()) " 件" }
            @match &q.summary {
                QuestionSummary::Choices { counts, .. } => {
                    (bar_chart(&q.label, counts))
                    @if single { (pie_chart(&q.label, counts)) }
                    table.counts {
                        thead { tr { th { "選択肢" } th.num { "件数" } th.num { "割合" } } }
                        tbody {
                            @for c in counts {
                                tr { td { (c.choice) } td.num { (c.count) } td.num { (format_number(c.share_percent)) "%" } }
                            }
                        }
                    }
                }
                QuestionSummary::Number { min, max, mean, .. } => {
                    dl.facts {
                        dt { "最小" } dd { (min.map(format_number).unwrap_or_else(|| "—".into())) }
                        dt { "最大" } dd { (max.map(format_number).unwrap_or_else(|| "—".into())) }
                        dt { "平均" } dd { (mean.map(|m| format_number((m * 10.0).round() / 10.0)).unwrap_or_else(|| "—".into())) }
                    }
                }
                QuestionSummary::Texts { texts, answered } => {
                    @if texts.is_empty() { p { "回答はありません。" } }
                    @else {
                        ul.free-texts { @for t in texts { li { (t) } } }
                        @if (texts.len() as u32) < *answered { p.note { "先頭の" (texts.len()) "件を表示しています。" } }
                    }
                }
                QuestionSummary::Answered { .. } => {
                    p.note { "この項目は件数のみ集計します（日付・ファイル・連絡先・個人情報など）。" }
                }
            }
        }
    }
}

fn cross_table(t: &CrossTab, by_label: &str) -> Markup {
    html! {
        table #cross-tab {
            caption { "「" (t.question_label) "」× " (by_label) }
            thead { tr {
                th { (by_label) }
                @for c in &t.columns { th.num { (c) } }
                th.num { "回答数" }
            } }
            tbody {
                @for row in &t.rows {
                    tr {
                        th scope="row" { (row.label) }
                        @for n in &row.counts { td.num { (n) } }
                        td.num { (row.answered) }
                    }
                }
            }
            tfoot { tr {
                th scope="row" { "計" }
                @for n in t.column_totals() { td.num { (n) } }
                td.num { (t.rows.iter().map(|r| r.answered).sum::<u32>()) }
            } }
        }
    }
}

/// `GET /admin/forms/{id}/analysis[?question=…&by=…]`: against the form's current questions
/// (field ids stay across versions, so older answers count under the same question).
pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<CrossQuery>,
) -> PageResult {
    let by = account(&page)?;
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let form = &listing.form;
    let ip = ip_of(&actor);
    let who = clerk(by, &ip);
    let analysis = match state.forms.analysis(who, form.id(), form.version()).await {
        Ok(a) => a,
        Err(e) if is_outside(&e) => return Ok(not_yours(&e)),
        Err(e) => return Err(e.into()),
    };
    let attributes: Vec<(String, String)> = SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await?
        .items
        .into_iter()
        .filter(|i| !i.retired)
        .map(|i| (i.id, i.label))
        .collect();
    let choice_questions: Vec<(String, String)> = form
        .fields()
        .iter()
        .filter(|f| f.kind.condition_values().is_some())
        .map(|f| (f.id.to_string(), f.label.clone()))
        .collect();
    let mut problem = None;
    let cross = if q.question.is_empty() || q.by.is_empty() {
        None
    } else {
        match FieldId::parse(&q.question) {
            Ok(field) => match state.forms.cross_tab(who, form.id(), &field, &q.by).await {
                Ok(t) => Some(t),
                Err(e) if e.is_refusal() => {
                    problem = Some(e.to_string());
                    None
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => {
                problem = Some(e.to_string());
                None
            }
        }
    };
    let by_label = attributes
        .iter()
        .find(|(i, _)| *i == q.by)
        .map_or(q.by.as_str(), |(_, l)| l.as_str());
    let here = analysis_path(&id);
    Ok(page.render(
        &format!("{} の集計", form.title()),
        &[
            ("ホーム", "/admin"),
            ("フォーム", PATH),
            (form.title(), &super::form_path(&id)),
            ("集計", &here),
        ],
        MANUAL,
        html! {
            @if let Some(p) = &problem { (ErrorSummary::default().field("f-cross-question", p.clone())) }
            (tabs(&page, form, &here))
            p #analysis-count { "集計した回答 " (analysis.answers) " 件（キャンセルを除く）" }
            h2 { "クロス集計" }
            @if choice_questions.is_empty() || attributes.is_empty() {
                p { "選択式の質問と、市民の登録項目（セグメント設定）があるときに使えます。" }
            } @else {
                form.inline #cross-form method="get" action=(here) {
                    label for="f-cross-question" { "質問" }
                    select #f-cross-question name="question" {
                        @for (fid, label) in &choice_questions {
                            option value=(fid) selected[&q.question == fid] { (label) }
                        }
                    }
                    label for="f-cross-by" { "登録項目" }
                    select #f-cross-by name="by" {
                        @for (aid, label) in &attributes {
                            option value=(aid) selected[&q.by == aid] { (label) }
                        }
                    }
                    button type="submit" { "集計する" }
                }
                @if let Some(t) = &cross { (cross_table(t, by_label)) }
            }
            h2 { "質問ごとの集計" }
            @if analysis.questions.is_empty() {
                p { "集計する質問がありません。" }
            }
            @for qa in &analysis.questions {
                @let single = form.field(&qa.field).is_some_and(|f| matches!(f.kind, FieldKind::SingleChoice { .. } | FieldKind::Dropdown { .. } | FieldKind::Consent { .. }));
                (question(qa, single))
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u32)]) -> Vec<ChoiceCount> {
        let total: u32 = pairs.iter().map(|p| p.1).sum();
        pairs
            .iter()
            .map(|(c, n)| ChoiceCount {
                choice: c.to_string(),
                count: *n,
                share_percent: f64::from(*n) * 100.0 / f64::from(total.max(1)),
            })
            .collect()
    }

    #[test]
    fn bars_are_as_long_as_their_counts_and_labels_are_escaped() {
        let svg = bar_chart("満足度", &counts(&[("<b>満足</b>", 4), ("不満", 2)])).into_string();
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains("width=\"420\""),
            "the largest fills the width: {svg}"
        );
        assert!(svg.contains("width=\"210\""), "half of it: {svg}");
        assert!(svg.contains("&lt;b&gt;満足&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn a_pie_has_a_slice_per_answered_choice_and_a_whole_circle_for_one() {
        let svg =
            pie_chart("地区", &counts(&[("雲浜", 1), ("西津", 3), ("内外海", 0)])).into_string();
        assert_eq!(svg.matches("<path").count(), 2);
        // The larger slice (270°) takes the long way round.
        assert!(svg.contains(" 0 1 1 "), "{svg}");
        let whole = pie_chart("地区", &counts(&[("雲浜", 5)])).into_string();
        assert!(whole.contains("<circle"));
        assert_eq!(pie_chart("地区", &counts(&[("雲浜", 0)])).into_string(), "");
    }
}
