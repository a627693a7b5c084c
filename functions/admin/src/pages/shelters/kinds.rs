//! 施設の種類: the kinds staff define beyond the built-in 避難所 (公民館, AED, 給水所…), so that
//! citizens can ask for 「近くの公民館」. Adding one, or renaming it by the same id, is audited.

use super::MANUAL;
use crate::audit::{self, Actor};
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, Crumb, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::State;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::facility::kind::{MAX_KIND_ID_CHARS, MAX_KIND_NAME_CHARS};
use tayori_domain::facility::{FacilityKind, KindError, KindId};
use tayori_facilities::FacilityError;

pub const PATH: &str = "/admin/shelters/kinds";

const CRUMBS: [Crumb<'static>; 3] = [
    ("ホーム", "/admin"),
    ("避難所・施設", super::PATH),
    ("施設の種類", PATH),
];

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    render(&state, &page, ("", ""), &Problems::default()).await
}

async fn render(
    state: &AdminState,
    page: &Page,
    typed: (&str, &str),
    problems: &Problems,
) -> PageResult {
    let kinds = state.facilities.kinds().await?;
    Ok(page.render(
        "施設の種類",
        &CRUMBS,
        MANUAL,
        html! {
            (problems.summary())
            table {
                thead { tr { th { "種類ID" } th { "名前" } } }
                tbody {
                    @for k in &kinds {
                        tr {
                            td { code { (k.id().as_str()) } }
                            td { (k.name()) @if k.is_shelter() { "（組み込み）" } }
                        }
                    }
                }
            }
            h2 { "種類を追加する（同じIDなら名前を変更）" }
            form.narrow method="post" action=(PATH) {
                (page.csrf_field())
                (text_field("id", "種類ID（必須）", typed.0, problems, Some(&format!("英小文字・数字・ハイフンで{MAX_KIND_ID_CHARS}文字以内。例 kominkan"))))
                (text_field("name", "名前（必須）", typed.1, problems, Some(&format!("{MAX_KIND_NAME_CHARS}文字以内。市民には「近くの〇〇」と表示されます。例 公民館"))))
                button.primary type="submit" { "保存" }
            }
        },
    ))
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (id, name) = (form.get("id"), form.get("name"));
    let kind = KindId::new(&id).and_then(|kind_id| FacilityKind::new(kind_id, &name));
    let kind = match kind {
        Ok(kind) => kind,
        Err(e) => {
            let mut problems = Problems::default();
            let field = if e == KindError::BadId { "id" } else { "name" };
            problems.add(field, e.to_string());
            return render(&state, &page, (&id, &name), &problems).await;
        }
    };
    let desk = &state.facilities;
    let before = desk
        .kinds()
        .await?
        .into_iter()
        .find(|k| k.id() == kind.id());
    match desk.save_kind(&kind).await {
        Ok(()) => {}
        Err(FacilityError::Refused(refusal)) => {
            let mut problems = Problems::default();
            problems.add("name", refusal.to_string());
            return render(&state, &page, (&id, &name), &problems).await;
        }
        Err(e) => return Err(e.into()),
    }
    let summary = match &before {
        Some(old) => format!("{}：{}→{}", kind.id(), old.name(), kind.name()),
        None => format!("{}：{}", kind.id(), kind.name()),
    };
    let action = if before.is_some() {
        "施設の種類を変更"
    } else {
        "施設の種類を追加"
    };
    audit::record(
        &state,
        &actor,
        action,
        &format!("facility-kind:{}", kind.id()),
        summary,
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("施設の種類「{}」を保存しました。", kind.name()),
        state.config.secure_cookies,
    ))
}
