//! The LIFF pages: small, mobile-first, no framework, nothing loaded from elsewhere except
//! LINE's own LIFF SDK when a LIFF app id is configured (it exists only on LINE's CDN). Their
//! stylesheet and script are files in `static/`, served here.

use crate::{FormsState, FORMS_API, FORMS_PAGE, PRIVACY_PAGE, REGISTRATION_API};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use std::sync::Arc;

/// The pages' stylesheet and the registration form's script, served by this function: the
/// Content-Security-Policy runs no inline script or style.
const STYLESHEET: &str = "/liff/forms/static/forms.css";
const REGISTRATION_SCRIPT: &str = "/liff/forms/static/registration.js";
/// The forms' own stylesheet (on top of `forms.css`) and script.
const FORM_STYLESHEET: &str = "/liff/forms/static/form.css";
const FORM_SCRIPT: &str = "/liff/forms/static/form.js";

/// `GET /liff/forms/static/{name}`.
pub async fn static_file(Path(name): Path<String>) -> Response {
    let (body, content_type): (&str, &str) = match name.as_str() {
        "forms.css" => (
            include_str!("../static/forms.css"),
            "text/css; charset=utf-8",
        ),
        "registration.js" => (
            include_str!("../static/registration.js"),
            "text/javascript; charset=utf-8",
        ),
        "form.css" => (
            include_str!("../static/form.css"),
            "text/css; charset=utf-8",
        ),
        "form.js" => (
            include_str!("../static/form.js"),
            "text/javascript; charset=utf-8",
        ),
        "join.js" => (
            include_str!("../static/join.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Short: a new release must reach phones the same day.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn page(title: &str, body: Markup, head: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href=(STYLESHEET);
                (head)
            }
            (body)
        }
    };
    // `Cache-Control: no-store` and the other headers: tayori_web::secure, in the router.
    markup.into_response()
}

pub async fn registration(State(state): State<Arc<FormsState>>) -> Response {
    let liff_id = state.config.liff_id.clone().unwrap_or_default();
    page(
        "登録内容の確認・変更",
        html! {
            body data-api=(REGISTRATION_API) data-liff-id=(liff_id) {
                h1 { "登録内容の確認・変更" }
                p.note {
                    "保存するのは、ここで選んだ回答だけです。回答は、あなたに関係のあるお知らせをお送りするためだけに使います。いつでも変更・削除できます。"
                    a href=(PRIVACY_PAGE) { "個人情報の取り扱い" }
                }
                div #status role="status" aria-live="polite" { "読み込んでいます…" }
                form #registration hidden {
                    div #fields {}
                    button type="submit" { "保存する" }
                    button.secondary #delete type="button" { "登録内容を削除する" }
                }
                script src=(REGISTRATION_SCRIPT) {}
            }
        },
        html! {
            @if state.config.liff_id.is_some() {
                // LINE's LIFF SDK: only inside LINE, and only from LINE's CDN.
                script charset="utf-8" src="https://static.line-scdn.net/liff/edge/2/sdk.js" {}
            }
        },
    )
}

pub async fn privacy(State(state): State<Arc<FormsState>>) -> Response {
    let city = if state.config.city.is_empty() {
        "市"
    } else {
        state.config.city.as_str()
    };
    // The period staff set; should the table not answer, the page still says what happens.
    let kept = match tayori_records::retention::RetentionRecord::new(state.platform.table.clone())
        .get()
        .await
    {
        Ok(retention) => format!("{}日", retention.days()),
        Err(e) => {
            tracing::warn!(error = %e, "retention period not read for the privacy page");
            "市が定める期間".to_string()
        }
    };
    page(
        "個人情報の取り扱い",
        html! {
            body {
                h1 { (city) "LINE公式アカウント 個人情報の取り扱い" }
                h2 { "保存する情報" }
                p { "登録（年代・性別・お住まいの地区・関心のある分野など）で選んだ回答だけを保存します。お名前、住所、電話番号などはお聞きしません。LINEのユーザーIDは、お知らせをお送りするためにLINEが発行する識別子として保存します。" }
                h2 { "利用の目的" }
                p { "回答は、あなたに関係のあるお知らせ（お住まいの地区の防災情報、関心のある分野のお知らせなど）を選んでお送りするためだけに使います。利用状況の集計では、個人が分からない件数として扱います。" }
                h2 { "確認・変更・削除" }
                p { "登録内容はいつでも確認・変更・削除できます。トーク画面で「登録内容」「登録変更」「登録削除」と送るか、メニューの「登録内容の確認・変更」から操作してください。削除すると、回答はすぐに消去されます。" }
                h2 { "保存期間" }
                p { "公式アカウントをブロックしてから" (kept) "を過ぎると、友だちとしての記録（LINEのユーザーIDと登録内容）を削除します。それまでにブロックを解除した場合は、登録内容はそのまま残ります。障害に備えたバックアップからは、削除の後35日以内に消えます。なお、お知らせを送った記録に送信先として残るLINEのユーザーIDは、送信から30日で消えます。ポスター・チラシのQRコードからLINEで開いたページでは、どの配布場所のページを開いたかを、どこから友だち追加があったかを数えるためにLINEのユーザーIDとともに保存します。1日を過ぎたものは使わず、消去します。" }
                h2 { "第三者への提供" }
                p { "法令に基づく場合を除き、回答を第三者に提供することはありません。" }
                h2 { "お問い合わせ" }
                p { (city) "の担当窓口までお問い合わせください。" }
            }
        },
        html! {},
    )
}

/// LINE's LIFF SDK, only when a LIFF app is configured (inside LINE, from LINE's CDN).
fn liff_sdk(state: &FormsState) -> Markup {
    html! {
        @if state.config.forms_liff_id.is_some() {
            script charset="utf-8" src="https://static.line-scdn.net/liff/edge/2/sdk.js" {}
        }
    }
}

/// The page's frame; `form.js` fills it from the API (`data-form` names the form, or none for
/// the list). Nothing of the form is in the HTML: whether it takes answers is said before any
/// input is shown.
fn form_page(state: &FormsState, form_id: Option<&str>) -> Response {
    let liff_id = state.config.forms_liff_id.clone().unwrap_or_default();
    page(
        "申請・アンケート",
        html! {
            body.answering data-api=(FORMS_API) data-list=(FORMS_PAGE) data-form=[form_id] data-liff-id=(liff_id) {
                main {
                    h1 #title tabindex="-1" { "申請・アンケート" }
                    div #status role="status" aria-live="polite" { "読み込んでいます…" }
                    div #alert role="alert" {}
                    @if form_id.is_none() {
                        section #open-forms hidden aria-labelledby="open-forms-title" {
                            h2 #open-forms-title { "受付中のフォーム" }
                            ul #form-list {}
                        }
                    } @else {
                        p #description hidden {}
                        p #period.note hidden {}
                        form #answer-form hidden novalidate {
                            div #fields {}
                            p #draft-state.note aria-live="polite" {}
                            button #to-confirm type="submit" { "確認する" }
                        }
                        section #confirm hidden aria-labelledby="confirm-title" {
                            h2 #confirm-title tabindex="-1" { "入力内容の確認" }
                            p { "この内容で送信します。よろしければ「送信する」を押してください。" }
                            dl #summary {}
                            button #send type="button" { "送信する" }
                            button.secondary #back type="button" { "修正する" }
                        }
                        section #done hidden aria-labelledby="done-title" {
                            h2 #done-title tabindex="-1" { "送信しました" }
                            p { "受付番号は " strong #receipt-number {} " です。同じ内容をLINEのトークにもお送りします。" }
                            ul #receipt-lines {}
                        }
                    }
                    section #mine hidden aria-labelledby="mine-title" {
                        h2 #mine-title { "これまでの回答" }
                        ul #mine-list {}
                    }
                }
                script src=(FORM_SCRIPT) {}
            }
        },
        html! {
            link rel="stylesheet" href=(FORM_STYLESHEET);
            (liff_sdk(state))
        },
    )
}

/// `GET /liff/forms`: the forms taking answers, and the citizen's answers so far.
pub async fn forms_list(State(state): State<Arc<FormsState>>) -> Response {
    form_page(&state, None)
}

/// `GET /liff/forms/{id}`: one form.
pub async fn form(State(state): State<Arc<FormsState>>, Path(id): Path<String>) -> Response {
    match tayori_domain::form::FormId::parse(&id) {
        Ok(id) => form_page(&state, Some(id.as_str())),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
