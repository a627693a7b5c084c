//! 未解決の質問: what citizens asked that nothing answered, and what they said an answer did not
//! resolve (「解決しましたか？」→ いいえ), the same words counted on one line, most recent
//! first. From a line the clerk writes a new FAQ (the question filled in) or marks it done.
//! Also the synonyms (同義語) the matching reads.

use super::{clerk, faq_crumbs, faq_path, MANUAL, NEW_PATH};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::forms::ip_of;
use crate::ui::form::{field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::faq::{FaqError, Unresolved};
use tayori_domain::time::format_jst;
use tayori_faq::desk::FaqDeskError;

pub const PATH: &str = "/admin/faq/questions";
pub const SYNONYMS_PATH: &str = "/admin/faq/synonyms";

pub async fn list(State(state): State<Arc<AdminState>>, page: Page, actor: Actor) -> PageResult {
    let ip = ip_of(&actor);
    let open = state.faq.open_questions(clerk(&page, &ip)?).await?;
    let title = "未解決の質問";
    Ok(page.render(
        title,
        &faq_crumbs(title, PATH),
        MANUAL,
        html! {
            p { "トークでFAQにも他の機能にも当てはまらなかった質問（回答なし）と、回答のあと「解決しなかった」と答えがあった質問です。同じ言葉の質問は1行にまとめて数えます。LINEのユーザーIDなど送った人の情報は残していません。最後に送られてから180日で一覧から消えます。" }
            @if open.is_empty() {
                p #no-questions { "未解決の質問はありません。" }
            } @else {
                table #open-questions {
                    thead { tr {
                        th scope="col" { "質問" } th scope="col" { "種類" } th scope="col" { "回数" }
                        th scope="col" { "最後に送られた日時" } th scope="col" { "対応" }
                    } }
                    tbody {
                        @for q in &open {
                            tr {
                                td { (q.text) }
                                td {
                                    (q.kind.label())
                                    @if let (Unresolved::Unhelpful, Some(faq)) = (q.kind, &q.faq) {
                                        "（" a href=(faq_path(faq.as_str())) { "回答したFAQ" } "）"
                                    }
                                }
                                td.num { (q.count) }
                                td { (format_jst(q.last_at)) }
                                td {
                                    a.button href=(new_faq_link(&q.text, &q.key)) { "FAQを作成" }
                                    form.inline method="post" action=(format!("{PATH}/{}/close", q.key)) {
                                        (page.csrf_field())
                                        button type="submit" { "対応済みにする" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn new_faq_link(question: &str, key: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("question", question)
        .append_pair("from", key)
        .finish();
    format!("{NEW_PATH}?{query}")
}

pub async fn close(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(key): Path<String>,
) -> PageResult {
    let ip = ip_of(&actor);
    let told = match state.faq.close_question(clerk(&page, &ip)?, &key).await {
        Ok(()) => "対応済みにしました。",
        Err(FaqDeskError::NotFound) => "すでに一覧にありません。",
        Err(e) => return Err(e.into()),
    };
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        told,
        state.config.secure_cookies,
    ))
}

pub async fn synonyms(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
) -> PageResult {
    let ip = ip_of(&actor);
    let groups = state.faq.synonyms(clerk(&page, &ip)?).await?;
    Ok(synonyms_page(&page, &groups.text(), &Problems::default()))
}

pub async fn save_synonyms(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let text = FormData::parse(&body).get("synonyms").replace("\r\n", "\n");
    let ip = ip_of(&actor);
    match state.faq.save_synonyms(clerk(&page, &ip)?, &text).await {
        Ok(groups) => Ok(redirect_with(
            SYNONYMS_PATH,
            FlashKind::Success,
            format!(
                "保存しました（{}組）。トークの回答にすぐ使われます。",
                groups.groups().len()
            ),
            state.config.secure_cookies,
        )),
        Err(FaqDeskError::Invalid(e @ FaqError::BadSynonyms(_))) => {
            let mut problems = Problems::default();
            problems.add("synonyms", e.to_string());
            let mut response = synonyms_page(&page, &text, &problems);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

fn synonyms_page(page: &Page, text: &str, problems: &Problems) -> axum::response::Response {
    let title = "同義語";
    page.render(
        title,
        &faq_crumbs(title, SYNONYMS_PATH),
        MANUAL,
        html! {
            (problems.summary())
            p { "同じものを指す言葉を1行に並べます（「、」か「,」で区切る）。質問に1つが含まれていれば、ほかの言葉でも探します。例：粗大ごみ、大型ごみ、そだいごみ" }
            form method="post" action=(SYNONYMS_PATH) {
                (page.csrf_field())
                (field("synonyms", "同義語（1行に1組）", problems, Some("1語30文字まで、500行まで。"), html! {
                    textarea #f-synonyms name="synonyms" rows="16" aria-describedby="h-synonyms" aria-invalid=[problems.get("synonyms").map(|_| "true")] { (text) }
                }))
                button type="submit" { "保存" }
            }
        },
    )
}
