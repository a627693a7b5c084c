//! The report form (a LIFF page): small, mobile-first, no framework. Its script, stylesheet and
//! the vendored Leaflet are served here; the Content-Security-Policy runs no inline script or
//! style, and allows GSI's tiles and the upload target only for this page
//! (`tayori_web::Surface::LiffReport`).

use crate::{ReportsState, CATEGORIES_API, MINE_API, REPORTS_API, UPLOADS_API};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, DOCTYPE};
use std::sync::Arc;
use tayori_domain::report::{MAX_DETAILS_CHARS, MAX_PHOTOS};

const STYLESHEET: &str = "/liff/reports/static/forms.css";
const REPORT_STYLESHEET: &str = "/liff/reports/static/report.css";
const SCRIPT: &str = "/liff/reports/static/report.js";
const LEAFLET_JS: &str = "/liff/reports/static/vendor/leaflet/leaflet.js";
const LEAFLET_CSS: &str = "/liff/reports/static/vendor/leaflet/leaflet.css";
const LEAFLET_IMAGES: &str = "/liff/reports/static/vendor/leaflet/images/";
/// GSI's standard tiles and the attribution their terms require (as the shelters map).
const TILES: &str = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png";
const TILES_ATTRIBUTION_URL: &str = "https://maps.gsi.go.jp/development/ichiran.html";
/// Where the pin starts when the phone does not give its position: 小浜市役所.
const CITY_CENTRE: (f64, f64) = (35.4953, 135.7466);

/// `GET /liff/reports/static/{*path}`.
pub async fn static_file(Path(path): Path<String>) -> Response {
    let (body, content_type): (&[u8], &str) = match path.as_str() {
        // The LIFF pages' common look, from the forms function's folder: one stylesheet.
        "forms.css" => (
            include_bytes!("../../forms/static/forms.css"),
            "text/css; charset=utf-8",
        ),
        "report.css" => (
            include_bytes!("../static/report.css"),
            "text/css; charset=utf-8",
        ),
        "report.js" => (
            include_bytes!("../static/report.js"),
            "text/javascript; charset=utf-8",
        ),
        "vendor/leaflet/leaflet.js" => (
            include_bytes!("../../local/static/vendor/leaflet/leaflet.js"),
            "text/javascript; charset=utf-8",
        ),
        "vendor/leaflet/leaflet.css" => (
            include_bytes!("../../local/static/vendor/leaflet/leaflet.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/leaflet/images/marker-icon.png" => (
            include_bytes!("../../local/static/vendor/leaflet/images/marker-icon.png"),
            "image/png",
        ),
        "vendor/leaflet/images/marker-icon-2x.png" => (
            include_bytes!("../../local/static/vendor/leaflet/images/marker-icon-2x.png"),
            "image/png",
        ),
        "vendor/leaflet/images/marker-shadow.png" => (
            include_bytes!("../../local/static/vendor/leaflet/images/marker-shadow.png"),
            "image/png",
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

/// `GET /liff/reports`: the steps are sections the script shows one at a time; without the
/// script nothing can be sent (the ID token comes from it), so the page says so.
pub async fn report_form(State(state): State<Arc<ReportsState>>) -> Response {
    let liff_id = state.config.liff_id.clone().unwrap_or_default();
    let city = if state.config.city.is_empty() {
        "市"
    } else {
        state.config.city.as_str()
    };
    let markup = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "通報する" }
                link rel="stylesheet" href=(STYLESHEET);
                link rel="stylesheet" href=(LEAFLET_CSS);
                link rel="stylesheet" href=(REPORT_STYLESHEET);
                @if state.config.liff_id.is_some() {
                    // LINE's LIFF SDK: only inside LINE, and only from LINE's CDN.
                    script charset="utf-8" src="https://static.line-scdn.net/liff/edge/2/sdk.js" {}
                }
            }
            body data-liff-id=(liff_id)
                data-categories-api=(CATEGORIES_API) data-uploads-api=(UPLOADS_API)
                data-reports-api=(REPORTS_API) data-mine-api=(MINE_API)
                data-tiles=(TILES) data-tiles-attribution=(TILES_ATTRIBUTION_URL)
                data-leaflet-images=(LEAFLET_IMAGES)
                data-centre-lat=(CITY_CENTRE.0) data-centre-lng=(CITY_CENTRE.1)
                data-max-photos=(MAX_PHOTOS) data-max-details=(MAX_DETAILS_CHARS) {
                main {
                    h1 { (city) "への通報" }
                    p.note { "道路の傷みや街路灯の故障、動物の出没などを市にお知らせください。緊急の危険があるときは、110番・119番に通報してください。" }
                    div #status role="status" aria-live="polite" { "読み込んでいます…" }
                    noscript { p { "このページはJavaScriptを使います。LINEアプリから開いてください。" } }
                    form #report hidden novalidate {
                        section #step-form aria-labelledby="step-form-title" {
                            h2 #step-form-title { "通報の内容" }
                            fieldset #category-field aria-describedby="category-error" {
                                legend { "種類（必須）" }
                                div #categories {}
                                p.field-error #category-error {}
                            }
                            fieldset #location-field aria-describedby="location-help location-error" {
                                legend { "場所（必須）" }
                                p.help #location-help { "「現在地を使う」を押すか、地図をタップしてピンを通報したい場所に置いてください。" }
                                button.secondary-action #use-position type="button" { "現在地を使う" }
                                div #map role="application" aria-label="場所を選ぶ地図" {}
                                p #location-chosen aria-live="polite" { "場所はまだ選ばれていません。" }
                                p.field-error #location-error {}
                            }
                            div.field #photos-field {
                                label for="photos" { "写真（JPEGかPNG、" (MAX_PHOTOS) "枚まで）" span #photos-required {} }
                                input #photos type="file" accept="image/jpeg,image/png" multiple
                                    aria-describedby="photos-help photos-error";
                                p.help #photos-help { "1枚10MBまで。位置などの撮影情報は取り除いて保存します。" }
                                ul #photo-list {}
                                p.field-error #photos-error {}
                            }
                            div.field {
                                label for="details" { "内容（必須、" (MAX_DETAILS_CHARS) "文字まで）" }
                                textarea #details rows="4" maxlength=(MAX_DETAILS_CHARS)
                                    aria-describedby="details-error" {}
                                p.field-error #details-error {}
                            }
                            div #questions aria-describedby="answers-error" {}
                            p.field-error #answers-error {}
                            fieldset #contact-field hidden aria-describedby="contact-help contact-error" {
                                legend { "連絡先（この種類は必須）" }
                                p.help #contact-help { "確認のため、市からお電話することがあります。" }
                                label for="contact-name" { "お名前" }
                                input #contact-name type="text" autocomplete="name";
                                label for="contact-phone" { "電話番号" }
                                input #contact-phone type="tel" autocomplete="tel" inputmode="tel";
                                p.field-error #contact-error {}
                            }
                            button #to-confirm type="submit" { "確認する" }
                        }
                        section #step-confirm hidden aria-labelledby="step-confirm-title" {
                            h2 #step-confirm-title tabindex="-1" { "送信内容の確認" }
                            dl #summary {}
                            button #send type="button" { "送信する" }
                            button.secondary-action #back type="button" { "戻って直す" }
                        }
                    }
                    section #step-done hidden aria-labelledby="step-done-title" {
                        h2 #step-done-title tabindex="-1" { "通報を受け付けました" }
                        p { "受付番号" }
                        p.receipt #receipt {}
                        p { "対応の状況は、このLINEでお知らせします。メニューの「通報履歴」からも確認できます。" }
                    }
                    section #mine-section hidden aria-labelledby="mine-title" {
                        h2 #mine-title { "これまでの通報" }
                        ul #mine {}
                    }
                }
                script src=(LEAFLET_JS) {}
                script src=(SCRIPT) {}
            }
        }
    };
    // `Cache-Control: no-store` and the other headers: tayori_web::secure, in the router.
    markup.into_response()
}
