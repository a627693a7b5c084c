//! FAQ管理 (よくある質問, 仕様書 3.2.5): the questions the chat answers by itself, their
//! synonyms, the questions it could not resolve, and the FAQ as a CSV both ways.
//!
//! The handlers parse, call the [`FaqDesk`](tayori_faq::desk::FaqDesk) and render; the desk
//! checks FAQ管理 and writes every change to the audit log.
//!
//! | file | holds |
//! |---|---|
//! | `faq.rs` | paths, the list with its search and 「応答を試す」, CSV import and export |
//! | `faq/edit.rs` | new FAQ, edit, delete, the answer's picture |
//! | `faq/questions.rs` | 未解決の質問 (unanswered, and answers that did not help), synonyms |

pub mod edit;
pub mod questions;

use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::exports;
use crate::pages::forms::{account, ip_of};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError};
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};
use tayori_domain::faq::Faq;
use tayori_domain::time::format_jst;
use tayori_faq::desk::{FaqDeskError, FaqListing};
use tayori_intents::{Recognition, Recognizer};
use tayori_records::audit::Clerk;

pub const PATH: &str = "/admin/faq";
pub const NEW_PATH: &str = "/admin/faq/new";
pub const IMPORT_PATH: &str = "/admin/faq/import";
pub const EXPORT_PATH: &str = "/admin/faq/export";
pub const MANUAL: &str = "faq";
const TITLE: &str = "FAQ（自動応答）";
/// A CSV larger than this is not an FAQ file.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

pub fn faq_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

pub fn crumbs() -> [(&'static str, &'static str); 2] {
    [("ホーム", "/admin"), (TITLE, PATH)]
}

/// Runs `call` as the signed-in clerk from the request's address.
pub fn clerk<'a>(page: &'a Page, ip: &'a str) -> Result<Clerk<'a>, ConsoleError> {
    Ok(Clerk {
        account: account(page)?,
        ip,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    /// 「応答を試す」: a question as a citizen would write it.
    #[serde(default, rename = "try")]
    try_question: String,
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let ip = ip_of(&actor);
    let clerk = clerk(&page, &ip)?;
    let all = state.faq.list(clerk).await?;
    let open = state.faq.open_questions(clerk).await?.len();
    let mut categories: Vec<&str> = all.iter().map(|l| l.faq.category()).collect();
    categories.dedup();
    let q = query.q.trim();
    let shown: Vec<&FaqListing> = all
        .iter()
        .filter(|l| query.category.is_empty() || l.faq.category() == query.category)
        .filter(|l| q.is_empty() || mentions(&l.faq, q))
        .collect();
    let tried = match query.try_question.trim() {
        "" => None,
        question => Some((question, tried(&state, question).await?)),
    };
    Ok(page.render(
        TITLE,
        &crumbs(),
        MANUAL,
        html! {
            p { "LINEのトークで市民が送った質問に、登録したFAQから自動で回答します。回答の後に「解決しましたか？」と尋ね、解決しなかった質問と回答できなかった質問は「未解決の質問」に集まります。" }
            p.actions {
                a.button href=(NEW_PATH) { "新しいFAQ" }
                " " a href=(questions::PATH) { "未解決の質問（" (open) "件）" }
                " " a href=(questions::SYNONYMS_PATH) { "同義語" }
            }
            section aria-labelledby="try-title" {
                h2 #try-title { "応答を試す" }
                form method="get" action=(PATH) {
                    label for="f-try" { "市民が送る文" }
                    input #f-try type="text" name="try" value=(tried.as_ref().map_or("", |(q, _)| *q)) maxlength="200";
                    button type="submit" { "試す" }
                }
                @if let Some((question, matches)) = &tried {
                    @if matches.is_empty() {
                        p #try-result { "「" (question) "」に当てはまるFAQはありません。トークでは自動応答の文章（ごみの質問などに当たらなければ）が返ります。" }
                    } @else {
                        ol #try-result {
                            @for (n, (faq, score)) in matches.iter().enumerate() {
                                li {
                                    @if n == 0 { strong { "回答：" } } @else { "ほかの候補：" }
                                    a href=(faq_path(faq.id().as_str())) { (faq.question()) }
                                    " （近さ " (format!("{:.0}", score * 100.0)) "）"
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="list-title" {
                h2 #list-title { "FAQの一覧（" (shown.len()) "件）" }
                form.filters method="get" action=(PATH) {
                    label for="f-q" { "検索" }
                    input #f-q type="search" name="q" value=(q);
                    label for="f-category" { "分類" }
                    select #f-category name="category" {
                        option value="" { "すべて" }
                        @for c in &categories {
                            option value=(c) selected[*c == query.category] { (c) }
                        }
                    }
                    button type="submit" { "絞り込む" }
                }
                @if all.is_empty() {
                    p { "FAQはまだありません。「新しいFAQ」から作るか、CSVで取り込んでください。" }
                } @else {
                    table #faq-list {
                        thead { tr {
                            th scope="col" { "質問" } th scope="col" { "分類" } th scope="col" { "担当課" }
                            th scope="col" { "公開" } th scope="col" { "回答した回数" }
                            th scope="col" { "解決した／しなかった" } th scope="col" { "更新" }
                        } }
                        tbody {
                            @for l in &shown {
                                tr {
                                    td { a href=(faq_path(l.faq.id().as_str())) { (l.faq.question()) } }
                                    td { (l.faq.category()) }
                                    td { (l.faq.department()) }
                                    td { @if l.faq.is_published() { "公開" } @else { "非公開" } }
                                    td.num { (l.stats.answered) }
                                    td.num { (l.stats.helpful) "／" (l.stats.unhelpful) }
                                    td { (format_jst(l.faq.updated_at())) }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="csv-title" {
                h2 #csv-title { "CSVで取り込み・出力" }
                p { "列は「" (tayori_faq::desk::COLUMNS.join("」「")) "」です。出力したCSVをExcelで編集して取り込むと、IDが同じFAQは上書き、IDが空の行は新しいFAQになります。言い換えは「|」で区切ります。1行でも問題があれば、どの行も取り込みません。" }
                form method="post" action=(IMPORT_PATH) enctype="multipart/form-data" {
                    (page.csrf_field())
                    label for="f-file" { "CSVファイル（UTF-8またはShift_JIS）" }
                    input #f-file type="file" name="file" accept=".csv,text/csv" required;
                    button type="submit" { "取り込む" }
                }
                form method="post" action=(EXPORT_PATH) {
                    (page.csrf_field())
                    (exports::encoding_choice())
                }
            }
        },
    ))
}

/// Whether the question, a phrasing, the answer or the category holds `q`.
fn mentions(faq: &Faq, q: &str) -> bool {
    faq.question().contains(q)
        || faq.phrasings().iter().any(|p| p.contains(q))
        || faq.answer().contains(q)
        || faq.category().contains(q)
}

/// What the chat's FAQ makes of `question`: the answer first, then the alternatives.
async fn tried(state: &AdminState, question: &str) -> Result<Vec<(Faq, f32)>, ConsoleError> {
    let chat = state.faq.chat().await?;
    let matches = match Recognizer::new(vec![chat.index()]).recognize(question) {
        Recognition::Understood(m) => vec![m],
        Recognition::Unsure(near) => near,
    };
    let mut found: Vec<(Faq, f32)> = matches
        .iter()
        .filter_map(|m| chat.faq(&m.intent).map(|f| (f.clone(), m.score)))
        .collect();
    for m in chat.index().answer(question, 4) {
        if !found.iter().any(|(f, _)| f.id().as_str() == m.entry.id) {
            if let Some(faq) = chat.faq(&m.entry.id) {
                found.push((faq.clone(), m.score));
            }
        }
    }
    found.truncate(4);
    Ok(found)
}

pub async fn import(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    mut multipart: Multipart,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            file = field.bytes().await.ok();
        }
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return Ok(redirect_with(
            PATH,
            FlashKind::Error,
            "CSVファイルを選んでください。",
            secure,
        ));
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return Ok(redirect_with(
            PATH,
            FlashKind::Error,
            "ファイルが大きすぎます（5MBまで）。",
            secure,
        ));
    }
    let ip = ip_of(&actor);
    match state.faq.import(clerk(&page, &ip)?, &bytes).await {
        Ok(done) => Ok(redirect_with(
            PATH,
            FlashKind::Success,
            format!(
                "取り込みました（新規{}件、更新{}件）。トークの回答にすぐ使われます。",
                done.created, done.updated
            ),
            secure,
        )),
        Err(FaqDeskError::Rows(problems)) => Ok(refused_import(&page, &problems)),
        Err(e @ (FaqDeskError::Unreadable(_) | FaqDeskError::Invalid(_))) => {
            Ok(redirect_with(PATH, FlashKind::Error, e.to_string(), secure))
        }
        Err(e) => Err(e.into()),
    }
}

/// Every refused row with its line, so the clerk can fix the file and send it again.
fn refused_import(page: &Page, problems: &[tayori_faq::desk::RowProblem]) -> Response {
    let mut response = page.render(
        "CSVを取り込めませんでした",
        &[
            ("ホーム", "/admin"),
            (TITLE, PATH),
            ("取り込み", IMPORT_PATH),
        ],
        MANUAL,
        html! {
            div.error-summary #error-summary role="alert" tabindex="-1" {
                h2 { "問題のある行が" (problems.len()) "件あるため、どの行も取り込んでいません。" }
                ul #import-problems { @for p in problems { li { (p.to_string()) } } }
            }
            p { "ファイルを直して、もう一度取り込んでください。" }
            p { a href=(PATH) { "FAQの一覧に戻る" } }
        },
    );
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

pub async fn request_csv(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let encoding = CsvEncoding::from_param(Some(&form.get("encoding")));
    let conditions = ExportConditions::new(Vec::<(&str, String)>::new(), "すべてのFAQ");
    exports::request(&state, &actor, ExportKind::Faqs, conditions, encoding).await
}

/// A page that shows a refusal as a flash on `back`.
pub fn refused(state: &AdminState, back: &str, e: impl std::fmt::Display) -> Response {
    redirect_with(
        back,
        FlashKind::Error,
        e.to_string(),
        state.config.secure_cookies,
    )
    .into_response()
}

pub fn faq_crumbs<'a>(title: &'a str, path: &'a str) -> [(&'a str, &'a str); 3] {
    [("ホーム", "/admin"), (TITLE, PATH), (title, path)]
}

/// The list's text for an FAQ's state.
pub fn published_words(faq: &Faq) -> Markup {
    html! { @if faq.is_published() { "公開中" } @else { "非公開（トークでは使われません）" } }
}
