//! One FAQ: new, edit, delete, and the picture sent after its answer. A refused save keeps what
//! was typed and names the field; a new FAQ written from 未解決の質問 takes that question off
//! the list once it is saved.

use super::{clerk, faq_crumbs, faq_path, questions, MANUAL, NEW_PATH, PATH};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::confirm::{is_confirmed, Confirmation, CONFIRMED};
use crate::pages::forms::ip_of;
use crate::ui::form::{field, text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::faq::{Faq, FaqDraft, FaqError, FaqId, FaqImage, MAX_ANSWER_CHARS};
use tayori_faq::desk::FaqDeskError;
use tayori_ports::ObjectKey;

/// Where an FAQ's pictures are kept: under `media/`, which LINE fetches.
fn image_prefix(id: &FaqId) -> String {
    format!("media/faq/{id}/")
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    /// The question, when written from 未解決の質問.
    #[serde(default)]
    question: String,
    /// That question's line on the list.
    #[serde(default)]
    from: String,
}

pub async fn new_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let ip = ip_of(&actor);
    // Only staff with FAQ管理 get here (the route), but the desk is asked all the same.
    state.faq.synonyms(clerk(&page, &ip)?).await?;
    let draft = FaqDraft {
        question: query.question,
        published: true,
        ..FaqDraft::default()
    };
    Ok(form_page(
        &page,
        None,
        &draft,
        &query.from,
        &Problems::default(),
    ))
}

fn draft_of(form: &FormData) -> FaqDraft {
    let text = |name: &str| form.get(name).replace("\r\n", "\n");
    FaqDraft {
        category: text("category"),
        department: text("department"),
        question: text("question"),
        phrasings: text("phrasings"),
        answer: text("answer"),
        link_label: text("link_label"),
        link_url: text("link_url"),
        published: form.has("published"),
    }
}

fn problems_of(e: &FaqError) -> Problems {
    let mut problems = Problems::default();
    problems.add(e.field().unwrap_or("question"), e.to_string());
    problems
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let draft = draft_of(&form);
    let from = form.get("from");
    let ip = ip_of(&actor);
    let clerk = clerk(&page, &ip)?;
    match state.faq.create(clerk, &draft).await {
        Ok(faq) => {
            let mut told = "FAQを作成しました。".to_owned();
            if !from.is_empty() {
                match state.faq.close_question(clerk, &from).await {
                    Ok(()) => told.push_str("元の質問は未解決の一覧から外しました。"),
                    // Closed by someone else meanwhile: nothing left to do.
                    Err(FaqDeskError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(redirect_with(
                &faq_path(faq.id().as_str()),
                FlashKind::Success,
                told,
                state.config.secure_cookies,
            ))
        }
        Err(FaqDeskError::Invalid(e)) => Ok(refused(form_page(
            &page,
            None,
            &draft,
            &from,
            &problems_of(&e),
        ))),
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let id = FaqId::parse(&id).map_err(|_| ConsoleError::NotFound)?;
    let ip = ip_of(&actor);
    let faq = state.faq.get(clerk(&page, &ip)?, &id).await?;
    Ok(form_page(
        &page,
        Some(&faq),
        &faq.draft(),
        "",
        &Problems::default(),
    ))
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = FaqId::parse(&id).map_err(|_| ConsoleError::NotFound)?;
    let form = FormData::parse(&body);
    let draft = draft_of(&form);
    let ip = ip_of(&actor);
    let clerk = clerk(&page, &ip)?;
    match state.faq.edit(clerk, &id, &draft).await {
        Ok(_) => Ok(redirect_with(
            &faq_path(id.as_str()),
            FlashKind::Success,
            "保存しました。トークの回答にすぐ使われます。",
            state.config.secure_cookies,
        )),
        Err(FaqDeskError::Invalid(e)) => {
            let faq = state.faq.get(clerk, &id).await?;
            Ok(refused(form_page(
                &page,
                Some(&faq),
                &draft,
                "",
                &problems_of(&e),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes after the confirmation page (which this same post shows without `confirmed`).
pub async fn delete(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = FaqId::parse(&id).map_err(|_| ConsoleError::NotFound)?;
    let ip = ip_of(&actor);
    let clerk = clerk(&page, &ip)?;
    if !is_confirmed(&FormData::parse(&body).get(CONFIRMED)) {
        let faq = state.faq.get(clerk, &id).await?;
        let back = faq_path(id.as_str());
        let action = format!("{back}/delete");
        return Ok(Confirmation {
            title: "FAQの削除",
            facts: vec![
                ("質問", faq.question().to_owned()),
                ("回答した回数", state.faq.stats(clerk, &id).await?.answered.to_string()),
            ],
            warning: "削除すると元に戻せません。トークでこの質問に回答しなくなります（一時的に止めるなら「公開する」のチェックを外してください）。".into(),
            action: action.clone(),
            fields: Vec::new(),
            button: "削除する",
            back: back.clone(),
        }
        .render(&page, &faq_crumbs("FAQの削除", &action), MANUAL));
    }
    let faq = state.faq.delete(clerk, &id).await?;
    if let Some(image) = faq.image() {
        remove_image(&state, image).await;
    }
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("「{}」を削除しました。", faq.question()),
        state.config.secure_cookies,
    ))
}

/// Sets (`photo`) or removes (`action=remove`) the answer's picture: checked and made the
/// sizes LINE wants by the images crate (JPEG or PNG, 4 MB at most).
pub async fn image(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    let id = FaqId::parse(&id).map_err(|_| ConsoleError::NotFound)?;
    let mut bytes = None;
    let mut remove = false;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("photo") => bytes = field.bytes().await.ok(),
            Some("action") => remove = field.text().await.is_ok_and(|t| t == "remove"),
            _ => {}
        }
    }
    let back = faq_path(id.as_str());
    let secure = state.config.secure_cookies;
    let ip = ip_of(&actor);
    let clerk = clerk(&page, &ip)?;
    // The FAQ must exist (and the clerk may change it) before anything is stored.
    state.faq.get(clerk, &id).await?;
    let image = if remove {
        None
    } else {
        let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
            return Ok(redirect_with(
                &back,
                FlashKind::Error,
                "画像のファイルを選んでください。",
                secure,
            ));
        };
        let prepared = match tayori_images::prepare(&bytes) {
            Ok(p) => p,
            Err(problem) => {
                return Ok(redirect_with(
                    &back,
                    FlashKind::Error,
                    problem.to_string(),
                    secure,
                ))
            }
        };
        let name = uuid::Uuid::new_v4().simple().to_string();
        let mut keys = Vec::new();
        for (suffix, picture) in [("", &prepared.original), ("-preview", &prepared.preview)] {
            let key = format!(
                "{}{name}{suffix}.{}",
                image_prefix(&id),
                picture.format.extension()
            );
            let object = ObjectKey::new(key.clone()).map_err(|_| ConsoleError::NotFound)?;
            state
                .platform
                .objects
                .put(
                    &object,
                    picture.bytes.clone(),
                    picture.format.content_type(),
                )
                .await?;
            keys.push(key);
        }
        let preview = keys.pop().unwrap_or_default();
        let original = keys.pop().unwrap_or_default();
        Some(FaqImage { original, preview })
    };
    let replaced = state.faq.set_image(clerk, &id, image.clone()).await?;
    if let Some(old) = replaced.filter(|old| Some(old) != image.as_ref()) {
        remove_image(&state, &old).await;
    }
    let told = if image.is_some() {
        "画像を保存しました。回答の後に送られます。"
    } else {
        "画像を削除しました。"
    };
    Ok(redirect_with(&back, FlashKind::Success, told, secure))
}

/// Deletes a picture no FAQ uses any more; a failure leaves an unused file, logged.
async fn remove_image(state: &AdminState, image: &FaqImage) {
    for key in [&image.original, &image.preview] {
        let Ok(object) = ObjectKey::new(key.clone()) else {
            continue;
        };
        if let Err(e) = state.platform.objects.delete(&object).await {
            tracing::warn!(error = %e, key = %key, "an FAQ picture no longer used was not deleted");
        }
    }
}

fn refused(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

fn form_page(
    page: &Page,
    faq: Option<&Faq>,
    draft: &FaqDraft,
    from: &str,
    problems: &Problems,
) -> Response {
    let (title, action) = match faq {
        Some(f) => (f.question().to_owned(), faq_path(f.id().as_str())),
        None => ("新しいFAQ".to_owned(), NEW_PATH.to_owned()),
    };
    let post_to = match faq {
        Some(_) => action.clone(),
        None => PATH.to_owned(),
    };
    page.render(
        &title,
        &faq_crumbs(&title, &action),
        MANUAL,
        html! {
            (problems.summary())
            @if let Some(f) = faq {
                p { "状態：" (super::published_words(f)) "。更新：" (tayori_domain::time::format_jst(f.updated_at())) "（" (f.updated_by()) "）" }
            }
            form method="post" action=(post_to) {
                (page.csrf_field())
                input type="hidden" name="from" value=(from);
                (text_field("question", "質問", &draft.question, problems, Some("市民が尋ねる形で書きます（例：粗大ごみの出し方）。")))
                (field("phrasings", "言い換え（1行に1つ）", problems, Some("同じことを別の言い方で尋ねる文を書くと、見つかりやすくなります（例：ソファを捨てたい）。"), html! {
                    textarea #f-phrasings name="phrasings" rows="5" aria-describedby="h-phrasings" aria-invalid=[problems.get("phrasings").map(|_| "true")] { (draft.phrasings) }
                }))
                (field("answer", "回答", problems, Some(&format!("トークで送る文章です（{MAX_ANSWER_CHARS}文字まで）。")), html! {
                    textarea #f-answer name="answer" rows="8" maxlength=(MAX_ANSWER_CHARS) aria-describedby="h-answer" aria-invalid=[problems.get("answer").map(|_| "true")] { (draft.answer) }
                }))
                (text_field("link_label", "リンクの文字（任意）", &draft.link_label, problems, Some("回答の後に「▶ 文字」とURLを添えます（20文字まで）。")))
                (text_field("link_url", "リンクのURL（任意）", &draft.link_url, problems, Some("https:// で始まるアドレス。")))
                (text_field("category", "分類", &draft.category, problems, Some("一覧の絞り込みに使います（例：ごみ、子育て、手続き）。")))
                (text_field("department", "担当課（任意）", &draft.department, problems, None))
                div.field {
                    label {
                        input type="checkbox" name="published" value="yes" checked[draft.published];
                        " 公開する（チェックを外すと、トークの回答に使われません）"
                    }
                }
                button type="submit" { @if faq.is_some() { "保存" } @else { "作成" } }
            }
            @if let Some(f) = faq {
                section aria-labelledby="image-title" {
                    h2 #image-title { "回答に添える画像" }
                    @if let Some(image) = f.image() {
                        p { img src=(format!("/admin/{}", image.preview)) alt="回答に添える画像" width="240"; }
                    } @else {
                        p { "画像はありません。" }
                    }
                    form method="post" action=(format!("{}/image", faq_path(f.id().as_str()))) enctype="multipart/form-data" {
                        (page.csrf_field())
                        label for="f-photo" { "画像（JPEGまたはPNG、4MBまで）" }
                        input #f-photo type="file" name="photo" accept="image/jpeg,image/png";
                        button type="submit" { "画像を保存" }
                        @if f.image().is_some() {
                            " " button type="submit" name="action" value="remove" { "画像を削除" }
                        }
                    }
                }
                section aria-labelledby="delete-title" {
                    h2 #delete-title { "削除" }
                    form method="post" action=(format!("{}/delete", faq_path(f.id().as_str()))) {
                        (page.csrf_field())
                        button.danger type="submit" { "このFAQを削除…" }
                    }
                }
            }
            p { a href=(questions::PATH) { "未解決の質問" } " ・ " a href=(PATH) { "FAQの一覧に戻る" } }
        },
    )
}
