//! A place's poster (A4) and flyer (A6): the PDF to print and its preview, saying only what the
//! account does now ([`offers`]), with the QR of the place's page.

use super::{kit, PATH, POSTER_PATH, TITLE};
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use maud::{html, PreEscaped};
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::staff::Permission;
use tayori_outreach::{Invitation, Layout, Paper, Place};
use tayori_records::{Faqs, GarbageRecords};

/// What the account does now, in the words a poster uses: a capability that is not turned on
/// is not offered.
pub(super) async fn offers(state: &AdminState) -> Result<Vec<String>, ConsoleError> {
    let mut offers = vec!["お住まいの地区や関心に合わせたお知らせ".to_string()];
    let calendar = GarbageRecords::new(state.platform.table.clone())
        .calendar()
        .await?;
    if state.config.sample_calendar.serves(calendar.sample) {
        offers.push("ごみの収集日・分別のご案内".into());
    }
    offers.push("近くの避難所のご案内".into());
    offers.push("道路の損傷などを写真で通報".into());
    let faqs = Faqs::new(state.platform.table.clone()).all().await?;
    if faqs.iter().any(|f| f.is_published()) {
        offers.push("よくある質問に自動でお答え".into());
    }
    if !state.childcare.settings().await?.schedule.is_empty() {
        offers.push("お子さんの月齢に合わせた子育て情報".into());
    }
    if Permission::Consultations.is_live() {
        offers.push("トークで市役所に相談".into());
    }
    Ok(offers)
}

/// Where a place's QR opens: the citizens' page on the public API.
pub(super) fn join_link(state: &AdminState, headers: &HeaderMap, place: &Place) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    state.config.forms_link.join_link(place.code(), host)
}

#[derive(Deserialize)]
pub struct PosterQuery {
    paper: Option<String>,
    view: Option<String>,
}

/// A place's poster (A4) or flyer (A6): the PDF to print, or its preview in the page.
pub async fn poster(
    State(state): State<Arc<AdminState>>,
    page: Page,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<PosterQuery>,
) -> PageResult {
    let saved = kit(&state).get().await?;
    let place = saved.place(&code).ok_or(ConsoleError::NotFound)?;
    let paper = match q.paper.as_deref() {
        Some("a6") => Paper::A6Flyer,
        _ => Paper::A4Poster,
    };
    let refused = |text: String| {
        Ok(redirect_with(
            PATH,
            FlashKind::Error,
            text,
            state.config.secure_cookies,
        ))
    };
    let Some(basic_id) = saved.basic_id() else {
        return refused("先にベーシックIDを保存してください。".into());
    };
    let Some(link) = join_link(&state, &headers, place) else {
        return refused(
            "公開URL（PUBLIC_BASE_URL）が設定されていないため、QRコードを作れません。".into(),
        );
    };
    let invitation = Invitation::new(
        &state.config.city,
        basic_id,
        offers(&state).await?,
        saved.contact(),
    )
    .and_then(|i| i.with_link(&link));
    let layout = match invitation
        .map_err(|e| e.to_string())
        .and_then(|i| Layout::new(&i, paper).map_err(|e| e.to_string()))
    {
        Ok(layout) => layout,
        Err(e) => return refused(e),
    };
    let what = match paper {
        Paper::A4Poster => "ポスター（A4）",
        Paper::A6Flyer => "チラシ（A6）",
    };
    if q.view.as_deref() == Some("preview") {
        return Ok(page.render(
            &format!("{what}の見本"),
            &[("ホーム", "/admin"), (TITLE, PATH), ("見本", "")],
            "friend-kit",
            html! {
                p { (place.name()) "で配る" (what) "です。印刷には「PDFをダウンロード」を使ってください（画面の見本は、パソコンの文字で表示しています）。" }
                @if layout.shortened() { p.note { "文字が入りきらないため、一部を短くしています。担当課の名前などを短くすると、全部を印刷できます。" } }
                p { a href=(format!("{}?paper={}", POSTER_PATH.replace("{code}", place.code()), if paper == Paper::A6Flyer { "a6" } else { "a4" })) download { "PDFをダウンロード" } }
                div.poster-preview { (PreEscaped(tayori_outreach::svg(&layout))) }
            },
        ));
    }
    let file = format!(
        "friend-{}-{}.pdf",
        place.code(),
        if paper == Paper::A6Flyer { "a6" } else { "a4" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        tayori_outreach::pdf(&layout),
    )
        .into_response())
}
