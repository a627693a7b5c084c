//! 回答 (permission フォーム回答の閲覧, scoped by department): a form's answers with search (never
//! in personal values), status and period filters, paging and a bulk status change; one answer
//! read against the version of the form it was given with, its personal values shown only on
//! 「個人情報を表示」, its 管理者用項目, status (the kind's statuses, a cancellation confirmed
//! first: the citizen is told in LINE) and memo. The desk audits every view and change.

use super::{
    account, answer_path, answers_path, clerk, ip_of, is_outside, not_yours, tabs, visible, MANUAL,
    PATH,
};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::confirm::{is_confirmed, Confirmation, CONFIRMED};
use crate::pages::exports;
use crate::ui::form::ErrorSummary;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};
use tayori_domain::form::{
    format_bytes, Answer, AnswerStatus, AnswerValue, Field, FieldKind, FileRef, FileType, Form,
    FormKind, Submitted,
};
use tayori_domain::time::format_jst;
use tayori_formdesk::{AnswerDetail, AnswerFilter, FormDeskError, PersonalValues};
use tayori_ports::Cursor;

/// The list's filters and page, as the filter form sends them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Where the page starts (the store's cursor); empty for the first page.
    #[serde(default)]
    pub after: String,
}

impl ListQuery {
    /// The desk's filter; a status the form does not offer is no filter, a malformed date is
    /// said (and left out).
    fn filter(&self) -> (AnswerFilter, Option<String>) {
        let mut problem = None;
        let mut date = |s: &str| match s.trim() {
            "" => None,
            t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| problem = Some("日付は「2026-12-01」の形で入力してください。".into()))
                .ok(),
        };
        let from = date(&self.from);
        let to = date(&self.to);
        let filter = AnswerFilter {
            status: AnswerStatus::from_code(&self.status),
            text: Some(self.q.trim().to_string()).filter(|t| !t.is_empty()),
            from,
            to,
        };
        (filter, problem)
    }

    /// The filters as the form sends them, trimmed.
    fn filters(&self) -> [(&'static str, &str); 4] {
        [
            ("q", self.q.trim()),
            ("status", self.status.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
        ]
    }

    /// The list's link with these filters (back from a refused 「CSVを作成」).
    fn list_path(&self, id: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.filters() {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        match q.finish() {
            query if query.is_empty() => answers_path(id),
            query => format!("{}?{query}", answers_path(id)),
        }
    }

    /// The query string of these filters from `after` (the next page's link).
    fn next_page(&self, after: &Cursor) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.filters() {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair("after", &after.0);
        q.finish()
    }
}

fn slot_words(form: &Form, answer: &Answer) -> String {
    answer
        .slot()
        .and_then(|id| form.slot(id))
        .map(|s| s.label())
        .unwrap_or_default()
}

/// `GET /admin/forms/{id}/answers`. Opening the first page clears the form's new-answer badge.
pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let by = account(&page)?;
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let form = &listing.form;
    let (filter, problem) = q.filter();
    let cursor = Some(q.after.trim().to_string())
        .filter(|c| !c.is_empty())
        .map(Cursor);
    let ip = ip_of(&actor);
    let found = match state
        .forms
        .answers(clerk(by, &ip), form.id(), &filter, cursor)
        .await
    {
        Ok(found) => found,
        Err(e) if is_outside(&e) => return Ok(not_yours(&e)),
        Err(e) => return Err(e.into()),
    };
    // The menu's badge was counted before this first page marked the form's answers seen:
    // counted again, the page that cleared them no longer shows them as new.
    let recounted = if q.after.trim().is_empty() {
        Some(super::new_answers(&state, by).await)
    } else {
        None
    };
    let may_export = form.check_exporter(by).is_ok();
    let mut page = page;
    if let Some(n) = recounted {
        page.forms_new = n;
    }
    let here = answers_path(&id);
    let kind = form.kind();
    let reservation = kind == FormKind::Reservation;
    Ok(page.render(
        &format!("{} の回答", form.title()),
        &[
            ("ホーム", "/admin"),
            ("フォーム", PATH),
            (form.title(), &super::form_path(&id)),
            ("回答", &here),
        ],
        MANUAL,
        html! {
            @if let Some(p) = &problem { (ErrorSummary::default().field("f-from", p.clone())) }
            (tabs(&page, form, &here))
            form.inline #answer-filters method="get" action=(here) role="search" {
                label for="f-q" { "検索" }
                input #f-q type="search" name="q" value=(q.q) aria-describedby="h-q";
                label for="f-status" { "状態" }
                select #f-status name="status" {
                    option value="" { "すべて" }
                    @for s in AnswerStatus::for_kind(kind) {
                        option value=(s.code()) selected[q.status == s.code()] { (s.label()) }
                    }
                }
                label for="f-from" { "回答日" }
                input #f-from type="date" name="from" value=(q.from);
                span { "〜" }
                input #f-to type="date" name="to" value=(q.to) aria-label="回答日（終わり）";
                button type="submit" { "絞り込む" }
                div.hint #h-q { "受付番号・メモ・個人情報でない回答の中から探します。" }
            }
            @if may_export {
                form.inline #answers-csv method="post" action=(format!("{here}/export")) {
                    (page.csrf_field())
                    @for (name, value) in q.filters() {
                        input type="hidden" name=(name) value=(value);
                    }
                    label.check for="f-personal" {
                        input #f-personal type="checkbox" name="personal" value="yes" aria-describedby="h-personal";
                        "個人情報を含める"
                    }
                    (exports::encoding_choice())
                    div.hint #h-personal {
                        "絞り込んだ回答をCSVにします。個人情報の欄は、含めない場合「（個人情報・出力対象外）」になります。"
                        "含めた場合は、個人情報の閲覧として操作ログに記録されます。"
                    }
                }
            }
            p #answer-count { (found.answers.len()) " 件" @if found.cursor.is_some() { "（続きがあります）" } }
            @if found.answers.is_empty() {
                p { "条件に合う回答はありません。" }
            } @else {
                form #bulk-status method="post" action=(format!("{here}/bulk")) {
                    (page.csrf_field())
                    table #answers {
                        thead { tr {
                            th { span.visually-hidden { "選択" } }
                            th { "受付番号" } th { "回答日時" } th { "状態" }
                            @if reservation { th { "予約枠" } }
                            th { "版" }
                        } }
                        tbody {
                            @for a in &found.answers {
                                tr {
                                    td { input type="checkbox" name="answer" value=(a.id()) aria-label=(format!("{}を選択", a.receipt())); }
                                    td { a href=(answer_path(&id, a.id())) { (a.receipt()) } }
                                    td { (format_jst(a.submitted_at())) }
                                    td { (a.status().label()) }
                                    @if reservation { td { (slot_words(form, a)) } }
                                    td { "第" (a.form_version()) "版" }
                                }
                            }
                        }
                    }
                    p.toolbar {
                        label for="f-bulk-status" { "選んだ回答の状態を" }
                        select #f-bulk-status name="status" {
                            @for s in AnswerStatus::for_kind(kind) {
                                option value=(s.code()) { (s.label()) }
                            }
                        }
                        " " button type="submit" { "にする" }
                    }
                }
            }
            @if let Some(next) = &found.cursor {
                p { a #next-page href=(format!("{here}?{}", q.next_page(next))) { "次のページ" } }
            }
        },
    ))
}

/// `POST /admin/forms/{id}/answers/export`: 「CSVを作成」 with the list's filters, made by the
/// export function (出力ファイル). Personal values only when 「個人情報を含める」 is ticked; the
/// desk checks フォーム回答の出力 in the form's 課 and audits such a file.
pub async fn request_csv(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let posted = FormData::parse(&body);
    let q = ListQuery {
        q: posted.get("q"),
        status: posted.get("status"),
        from: posted.get("from"),
        to: posted.get("to"),
        after: String::new(),
    };
    let (filter, problem) = q.filter();
    if let Some(problem) = problem {
        return Ok(redirect_with(
            &q.list_path(&id),
            FlashKind::Error,
            problem,
            state.config.secure_cookies,
        ));
    }
    let form = &listing.form;
    let mut described = vec![format!("「{}」", form.title())];
    if let Some(status) = filter.status {
        described.push(format!("状態：{}", status.label()));
    }
    if let Some(text) = &filter.text {
        described.push(format!("検索：{text}"));
    }
    let day = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%Y年%-m月%-d日").to_string())
            .unwrap_or_default()
    };
    if filter.from.is_some() || filter.to.is_some() {
        described.push(format!("回答日：{}〜{}", day(filter.from), day(filter.to)));
    }
    let conditions = ExportConditions::new(q.filters(), described.join("、"));
    let personal = match posted.get("personal").as_str() {
        "yes" => PersonalValues::Included,
        _ => PersonalValues::LeftOut,
    };
    let encoding = CsvEncoding::from_param(Some(&posted.get("encoding")));
    let clerk = tayori_exports::Clerk {
        account: by,
        ip: actor.ip,
    };
    let asked = state
        .exports
        .request_form_answers(&clerk, form.id(), conditions, personal, encoding)
        .await;
    exports::requested(&state, ExportKind::FormAnswers, asked)
}

/// `POST /admin/forms/{id}/answers/bulk`: each chosen answer moved on its own; what was
/// refused is said with its receipt number.
pub async fn bulk(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    if let Err(refused) = visible(&state, by, &id).await? {
        return Ok(refused);
    }
    let form = FormData::parse(&body);
    let back = answers_path(&id);
    let secure = state.config.secure_cookies;
    let ids = form.all("answer");
    let Some(to) = AnswerStatus::from_code(&form.get("status")) else {
        return Ok(redirect_with(
            &back,
            FlashKind::Error,
            "新しい状態を選んでください。",
            secure,
        ));
    };
    if ids.is_empty() {
        return Ok(redirect_with(
            &back,
            FlashKind::Error,
            "状態を変える回答を選んでください。",
            secure,
        ));
    }
    // The desk checks each answer's own form and 課, so an id of an answer the clerk may not
    // handle is refused whatever form's page it was posted from.
    let ip = ip_of(&actor);
    let outcome = state.forms.bulk_status(clerk(by, &ip), &ids, to).await?;
    let refused: Vec<String> = outcome
        .refused
        .iter()
        .map(|(answer_id, e)| format!("{answer_id}：{e}"))
        .collect();
    let changed = outcome.changed.len();
    Ok(if refused.is_empty() {
        redirect_with(
            &back,
            FlashKind::Success,
            format!("{changed}件の状態を「{}」にしました。", to.label()),
            secure,
        )
    } else {
        redirect_with(
            &back,
            FlashKind::Error,
            format!(
                "{changed}件の状態を「{}」にしました。変更できなかった回答：{}",
                to.label(),
                refused.join("／")
            ),
            secure,
        )
    })
}

/// The answer, if it is one of this form's and the clerk may handle it.
async fn detail(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    answer_id: &str,
) -> Result<Result<(AnswerDetail, Form), Response>, crate::ConsoleError> {
    let by = account(page)?;
    let listing = match visible(state, by, id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(Err(refused)),
    };
    let ip = ip_of(actor);
    match state.forms.answer(clerk(by, &ip), answer_id).await {
        Ok(d) if d.answer.form_id() == listing.form.id() => Ok(Ok((d, listing.form))),
        Ok(_) => Err(crate::ConsoleError::NotFound),
        Err(e) if is_outside(&e) => Ok(Err(not_yours(&e))),
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/forms/{id}/answers/{answer}`: personal values hidden.
pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path((id, answer_id)): Path<(String, String)>,
) -> PageResult {
    match detail(&state, &page, &actor, &id, &answer_id).await? {
        Ok((d, now)) => Ok(render(&page, &d, &now, false, None)),
        Err(refused) => Ok(refused),
    }
}

/// `POST /admin/forms/{id}/answers/{answer}/reveal`: the same page with the personal values,
/// written to the audit log as the clerk's 「個人情報を表示」.
pub async fn reveal(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path((id, answer_id)): Path<(String, String)>,
) -> PageResult {
    match detail(&state, &page, &actor, &id, &answer_id).await? {
        Ok((d, now)) => {
            crate::audit::record(
                &state,
                &actor,
                "フォーム回答の個人情報を表示",
                &format!("form:{id}"),
                format!("受付番号 {}", d.answer.receipt()),
            )
            .await;
            Ok(render(&page, &d, &now, true, None))
        }
        Err(refused) => Ok(refused),
    }
}

/// What a change of the answer's page came to: back with a message, the refusal on the page,
/// or the error page.
async fn answered(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    (id, answer_id): (&str, &str),
    result: Result<Answer, FormDeskError>,
    done: &str,
) -> PageResult {
    let back = answer_path(id, answer_id);
    let secure = state.config.secure_cookies;
    match result {
        Ok(_) => Ok(redirect_with(&back, FlashKind::Success, done, secure)),
        // Written, but the citizen's LINE notice could not be asked for: said, not hidden.
        Err(e @ FormDeskError::NotPublished(..)) => {
            tracing::error!(error = ?e, answer = answer_id, "the citizen's notice could not be asked for");
            Ok(redirect_with(
                &back,
                FlashKind::Error,
                e.to_string(),
                secure,
            ))
        }
        Err(e) if is_outside(&e) => Ok(not_yours(&e)),
        Err(e) if e.is_refusal() => match detail(state, page, actor, id, answer_id).await? {
            Ok((d, now)) => Ok(render(page, &d, &now, false, Some(e.to_string()))),
            Err(refused) => Ok(refused),
        },
        Err(e) => Err(e.into()),
    }
}

/// `POST …/status`: to one of the statuses the answer may move to; a cancellation (which gives
/// the place back and tells the citizen) asks for a confirmation first.
pub async fn change_status(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path((id, answer_id)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let Some(to) = AnswerStatus::from_code(&form.get("status")) else {
        return Ok(redirect_with(
            &answer_path(&id, &answer_id),
            FlashKind::Error,
            "新しい状態を選んでください。",
            state.config.secure_cookies,
        ));
    };
    if to == AnswerStatus::Cancelled && !is_confirmed(&form.get(CONFIRMED)) {
        let (d, now) = match detail(&state, &page, &actor, &id, &answer_id).await? {
            Ok(found) => found,
            Err(refused) => return Ok(refused),
        };
        let here = answer_path(&id, &answer_id);
        return Ok(Confirmation {
            title: "予約をキャンセルする",
            facts: vec![
                ("フォーム", now.title().to_string()),
                ("受付番号", d.answer.receipt().to_string()),
                ("予約枠", slot_words(&d.form, &d.answer)),
            ],
            warning: "キャンセルすると枠が空き、市民にLINEでお知らせが届きます。元には戻せません。"
                .into(),
            action: format!("{here}/status"),
            fields: vec![("status", to.code().to_string())],
            button: "キャンセルする",
            back: here.clone(),
        }
        .render(
            &page,
            &[
                ("ホーム", "/admin"),
                ("フォーム", PATH),
                (d.answer.receipt(), &here),
            ],
            MANUAL,
        ));
    }
    let ip = ip_of(&actor);
    let result = state
        .forms
        .change_status(clerk(by, &ip), &answer_id, to)
        .await;
    let done = format!("状態を「{}」にしました。", to.label());
    answered(&state, &page, &actor, (&id, &answer_id), result, &done).await
}

/// `POST …/memo`: 対応メモ.
pub async fn memo(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path((id, answer_id)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let ip = ip_of(&actor);
    let result = state
        .forms
        .set_memo(clerk(by, &ip), &answer_id, &form.secret("memo"))
        .await;
    answered(
        &state,
        &page,
        &actor,
        (&id, &answer_id),
        result,
        "メモを保存しました。",
    )
    .await
}

/// `POST …/staff`: 管理者用項目, as `v.<field id>` (repeated for a multiple choice).
pub async fn staff_values(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path((id, answer_id)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let posted = FormData::parse(&body);
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let mut submitted = Submitted::new();
    for field in listing.form.staff_fields().filter(|f| f.takes_answer()) {
        for value in posted.all(&format!("v.{}", field.id)) {
            if !value.trim().is_empty() {
                submitted = submitted.with(field.id.as_str(), value.trim());
            }
        }
    }
    let ip = ip_of(&actor);
    let result = state
        .forms
        .set_staff_values(clerk(by, &ip), &answer_id, &submitted)
        .await;
    answered(
        &state,
        &page,
        &actor,
        (&id, &answer_id),
        result,
        "管理者用項目を保存しました。",
    )
    .await
}

// ---- the answer's page ----------------------------------------------------------------------

/// A value as an input holds it (the inverse of what the domain reads).
fn raw_values(value: &AnswerValue) -> Vec<String> {
    match value {
        AnswerValue::Text(s)
        | AnswerValue::Email(s)
        | AnswerValue::Phone(s)
        | AnswerValue::PostalCode(s)
        | AnswerValue::Choice(s) => vec![s.clone()],
        AnswerValue::Number(n) => vec![tayori_domain::form::value::format_number(*n)],
        AnswerValue::Date(d) => vec![d.format("%Y-%m-%d").to_string()],
        AnswerValue::Time(t) => vec![t.format("%H:%M").to_string()],
        AnswerValue::Choices(c) => c.clone(),
        AnswerValue::Consent(given) => vec![if *given { "yes" } else { "no" }.to_string()],
        AnswerValue::Files(_) => Vec::new(),
    }
}

fn render(
    page: &Page,
    d: &AnswerDetail,
    now: &Form,
    revealed: bool,
    problem: Option<String>,
) -> Response {
    let a = &d.answer;
    let form = &d.form;
    let id = form.id().as_str();
    let here = answer_path(id, a.id());
    let title = format!("回答 {}", a.receipt());
    let has_personal = form
        .fields()
        .iter()
        .any(|f| f.personal && a.value(&f.id).is_some());
    page.render(
        &title,
        &[
            ("ホーム", "/admin"),
            ("フォーム", PATH),
            (now.title(), &super::form_path(id)),
            ("回答", &answers_path(id)),
            (a.receipt(), &here),
        ],
        MANUAL,
        html! {
            @if let Some(p) = &problem { (ErrorSummary::default().field("answer-changes", p.clone())) }
            (tabs(page, now, &here))
            dl.facts #answer-facts {
                dt { "受付番号" } dd { (a.receipt()) }
                dt { "回答日時" } dd { (format_jst(a.submitted_at())) }
                dt { "状態" } dd #answer-status { (a.status().label()) }
                @if let Some(slot) = a.slot().and_then(|s| form.slot(s)) { dt { "予約枠" } dd { (slot.label()) } }
                dt { "フォームの版" } dd #answer-version {
                    "第" (a.form_version()) "版"
                    @if a.form_version() != now.version() {
                        "（現在は第" (now.version()) "版。この回答は回答した時の第" (a.form_version()) "版の項目で表示しています）"
                    }
                }
            }
            h2 { "回答内容" }
            @if has_personal && !revealed {
                form.inline #reveal method="post" action=(format!("{here}/reveal")) {
                    (page.csrf_field())
                    span { "個人情報は隠しています。" }
                    button type="submit" { "個人情報を表示" }
                    span.hint { "表示したことは操作ログに記録されます。" }
                }
            }
            table #answer-values {
                tbody {
                    @for f in form.citizen_fields().filter(|f| f.takes_answer()) {
                        tr {
                            th scope="row" { (f.label) @if f.personal { " " span.personal { "個人情報" } } }
                            td {
                                @match a.value(&f.id) {
                                    None => span.none { "（回答なし）" },
                                    Some(_) if f.personal && !revealed => span.hidden-value { "（非表示）" },
                                    Some(AnswerValue::Files(files)) => (attached(files, &d.file_links)),
                                    Some(v) => (v.display()),
                                }
                            }
                        }
                    }
                }
            }
            div #answer-changes {
                (staff_form(page, &here, now, a, revealed))
                (status_form(page, &here, form, a))
                (memo_form(page, &here, a))
            }
            h2 { "状態の履歴" }
            @if a.history().is_empty() {
                p { "まだ変更はありません。" }
            } @else {
                ol #answer-history {
                    @for h in a.history() {
                        li { (format_jst(h.at)) "　" (h.from.label()) " → " (h.to.label()) "（" (h.by.label()) "）" }
                    }
                }
            }
        },
    )
}

/// An answer's files: a photo as a thumbnail, any file by its name, each opened through a
/// presigned link that lives five minutes (opening the answer is audited).
fn attached(files: &[FileRef], links: &BTreeMap<String, String>) -> Markup {
    html! {
        ul.answer-files {
            @for file in files {
                @let image = FileType::from_mime(&file.content_type).is_some_and(FileType::is_image);
                li {
                    @if let Some(url) = links.get(&file.key) {
                        @if image {
                            a href=(url) target="_blank" rel="noopener" {
                                img.thumbnail src=(url) alt=(format!("添付写真：{}", file.name)) width="160" loading="lazy";
                            }
                        }
                        a.file-name href=(url) target="_blank" rel="noopener" { (file.name) }
                    } @else {
                        span.file-name { (file.name) }
                    }
                    " （" (format_bytes(file.bytes)) "）"
                }
            }
        }
    }
}

fn staff_form(page: &Page, here: &str, now: &Form, a: &Answer, revealed: bool) -> Markup {
    // Staff fill the 管理者用項目 of the form as it is now.
    let fields: Vec<&Field> = now.staff_fields().filter(|f| f.takes_answer()).collect();
    html! {
        @if !fields.is_empty() {
            h2 { "管理者用項目" }
            form #staff-values method="post" action=(format!("{here}/staff")) {
                (page.csrf_field())
                @for f in &fields {
                    @let hidden = f.personal && !revealed;
                    @let current: Vec<String> = if hidden { Vec::new() } else { a.value(&f.id).map(raw_values).unwrap_or_default() };
                    (staff_input(f, &current, hidden))
                }
                button type="submit" { "管理者用項目を保存" }
            }
        }
    }
}

fn staff_input(f: &Field, current: &[String], hidden: bool) -> Markup {
    let name = format!("v.{}", f.id);
    let id = format!("f-v-{}", f.id);
    let first = current.first().cloned().unwrap_or_default();
    html! {
        div.field {
            @match &f.kind {
                FieldKind::SingleChoice { choices } | FieldKind::Dropdown { choices } => {
                    label for=(id) { (f.label) }
                    select id=(id) name=(name) {
                        option value="" { "（未選択）" }
                        @for c in choices { option value=(c) selected[&first == c] { (c) } }
                    }
                }
                FieldKind::MultipleChoice { choices, .. } => {
                    fieldset.choices {
                        legend { (f.label) }
                        @for c in choices {
                            label.check { input type="checkbox" name=(name) value=(c) checked[current.contains(c)]; (c) }
                        }
                    }
                }
                FieldKind::Consent { .. } => {
                    label.check for=(id) { input id=(id) type="checkbox" name=(name) value="yes" checked[first == "yes"]; (f.label) }
                }
                FieldKind::LongText { .. } => {
                    label for=(id) { (f.label) }
                    textarea id=(id) name=(name) rows="3" { (first) }
                }
                FieldKind::Date { .. } => {
                    label for=(id) { (f.label) }
                    input id=(id) type="date" name=(name) value=(first);
                }
                FieldKind::Time => {
                    label for=(id) { (f.label) }
                    input id=(id) type="time" name=(name) value=(first);
                }
                _ => {
                    label for=(id) { (f.label) }
                    input id=(id) type="text" name=(name) value=(first);
                }
            }
            @if hidden { div.hint { "個人情報のため、「個人情報を表示」の後に編集できます。" } }
        }
    }
}

fn status_form(page: &Page, here: &str, form: &Form, a: &Answer) -> Markup {
    let next = a.status().next(form.kind());
    html! {
        h2 { "状態" }
        @if next.is_empty() {
            p { "この回答は「" (a.status().label()) "」のため、状態は変更できません。" }
        } @else {
            form.inline #answer-status-form method="post" action=(format!("{here}/status")) {
                (page.csrf_field())
                label for="f-answer-status" { "新しい状態" }
                select #f-answer-status name="status" {
                    @for s in next { option value=(s.code()) { (s.label()) } }
                }
                " " button type="submit" { "状態を変更" }
            }
            @if next.contains(&AnswerStatus::Cancelled) {
                p.note { "予約のキャンセルは確認のあと実行され、市民にLINEでお知らせが届きます。" }
            }
        }
    }
}

fn memo_form(page: &Page, here: &str, a: &Answer) -> Markup {
    html! {
        h2 { "対応メモ" }
        form #answer-memo method="post" action=(format!("{here}/memo")) {
            (page.csrf_field())
            div.field {
                label for="f-memo" { "メモ（職員のみ）" }
                textarea #f-memo name="memo" rows="3" { (a.memo()) }
            }
            button type="submit" { "メモを保存" }
        }
    }
}
