//! 集計 (6.2.2.2, 7.2.1): per question counts with a bar chart (and a pie chart for a single
//! choice), number summaries, the free-text answers listed, and a cross-tabulation of a choice
//! question by an attribute citizens registered (the segment items: 年代, 居住地区 …). The
//! charts are the console's server-side SVG (`tayori_web::chart`), so they print and need no
//! script; each has its numbers in a table beside it for copying.

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
use std::sync::Arc;
use tayori_domain::form::value::format_number;
use tayori_domain::form::{
    ChoiceCount, CrossTab, FieldId, FieldKind, QuestionAnalysis, QuestionSummary,
};
use tayori_records::SegmentItemsRecord;
use tayori_web::chart::{bar_chart, pie_chart};

/// The cross-tabulation asked for.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CrossQuery {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub by: String,
}

/// The counts as the shared charts take them: (choice, count).
fn bars(counts: &[ChoiceCount]) -> Vec<(&str, u64)> {
    counts
        .iter()
        .map(|c| (c.choice.as_str(), u64::from(c.count)))
        .collect()
}

fn question(q: &QuestionAnalysis, single: bool) -> Markup {
    html! {
        section.question id=(format!("q-{}", q.field)) {
            h3 { (q.label) }
            p.answered { "回答 " (q.summary.answered()) " 件" }
            @match &q.summary {
                QuestionSummary::Choices { counts, .. } => {
                    (bar_chart(&q.label, &bars(counts)))
                    @if single { (pie_chart(&q.label, &bars(counts))) }
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
                    p.note { "この項目は件数のみ集計します（日付・連絡先・個人情報など）。" }
                }
                QuestionSummary::Attached { answered } => {
                    p.attached { "添付あり " (answered) "件" }
                    p.note { "添付されたファイルは回答の詳細から開けます。" }
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
