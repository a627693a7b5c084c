//! The map page (`GET /liff/shelters/map`): public information, no LINE login. The chat's
//! 「地図で見る」 button opens it with `?lat=&lng=` (and `hazard=` when one applied); without a
//! position the citizen presses 「現在地を使う」 (the browser's geolocation). The list under the
//! map says everything the map shows, so the page works where tiles cannot load.
//!
//! Leaflet is the copy vendored for the simulator (`functions/local/static/vendor/leaflet`,
//! BSD-2-Clause, see its README), compiled in from there: one copy in the repository.

use crate::SheltersState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, DOCTYPE};
use std::sync::Arc;
use tayori_domain::hazard::Hazard;

pub const STYLESHEET: &str = "/liff/shelters/static/shelters-map.css";
pub const SCRIPT: &str = "/liff/shelters/static/shelters-map.js";
pub const LEAFLET_JS: &str = "/liff/shelters/static/vendor/leaflet/leaflet.js";
pub const LEAFLET_CSS: &str = "/liff/shelters/static/vendor/leaflet/leaflet.css";

/// GSI's standard tiles and the attribution their terms require.
pub const TILES: &str = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png";
pub const TILES_ATTRIBUTION_URL: &str = "https://maps.gsi.go.jp/development/ichiran.html";
/// Where the sites come from, as GSI asks it to be credited.
pub const DATA_SOURCE: &str = "出典：国土地理院 指定緊急避難場所・指定避難所データ（小浜市）";
/// GSI's caveat on the data, and the difference citizens must know.
pub const CAVEAT: &str = "このデータは国土地理院が市町村の資料をもとに公開しているもので、最新でない場合があります。実際の避難の際は、市の発表（防災行政無線・市ホームページ）を確認してください。指定緊急避難場所は災害から命を守るため緊急に逃げる場所、指定避難所は家に戻れない人が一定期間過ごす施設です。距離は直線距離です。";

/// `GET /liff/shelters/static/{*path}`: the page's script and stylesheet, and Leaflet.
pub async fn static_file(Path(path): Path<String>) -> Response {
    const JS: &str = "text/javascript; charset=utf-8";
    const CSS: &str = "text/css; charset=utf-8";
    let (body, content_type): (&[u8], &str) = match path.as_str() {
        "shelters-map.js" => (include_bytes!("../static/shelters-map.js"), JS),
        "shelters-map.css" => (include_bytes!("../static/shelters-map.css"), CSS),
        "vendor/leaflet/leaflet.js" => (
            include_bytes!("../../local/static/vendor/leaflet/leaflet.js"),
            JS,
        ),
        "vendor/leaflet/leaflet.css" => (
            include_bytes!("../../local/static/vendor/leaflet/leaflet.css"),
            CSS,
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

/// `GET /liff/shelters/map`.
pub async fn map(State(state): State<Arc<SheltersState>>) -> Response {
    let kinds = state.kinds().await;
    let markup = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "近くの避難所" }
                link rel="stylesheet" href=(LEAFLET_CSS);
                link rel="stylesheet" href=(STYLESHEET);
            }
            body data-api=(crate::NEARBY_API) data-tiles=(TILES)
                data-tiles-attribution=(TILES_ATTRIBUTION_URL)
                data-leaflet-images="/liff/shelters/static/vendor/leaflet/images/" {
                header {
                    h1 { "近くの避難所" }
                    p.caveat { (CAVEAT) }
                }
                main {
                    form #filters {
                        button #locate type="button" { "現在地を使う" }
                        label for="hazard" { "災害の種類" }
                        select #hazard name="hazard" {
                            option value="" { "指定なし（発令中の災害があればその災害）" }
                            @for hazard in Hazard::ALL {
                                option value=(hazard.code()) { (hazard.label()) }
                            }
                        }
                        @if kinds.len() > 1 {
                            label for="kind" { "施設の種類" }
                            select #kind name="kind" {
                                @for (code, name) in &kinds {
                                    option value=(code) { (name) }
                                }
                            }
                        }
                    }
                    div #status role="status" aria-live="polite" {
                        "位置情報を送るか、「現在地を使う」を押してください。"
                    }
                    div #map aria-label="避難所の地図" role="region" {}
                    h2 #list-heading { "近い順" }
                    ol #sites aria-labelledby="list-heading" {}
                }
                footer {
                    p {
                        "地図："
                        a href=(TILES_ATTRIBUTION_URL) { "地理院タイル" }
                    }
                    p { (DATA_SOURCE) }
                }
                script src=(LEAFLET_JS) {}
                script src=(SCRIPT) {}
            }
        }
    };
    markup.into_response()
}
