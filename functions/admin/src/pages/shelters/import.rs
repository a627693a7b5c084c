//! 国土地理院データの取込: GSI's two published lists (指定緊急避難場所 and 指定避難所) replace the
//! shelters, and a CSV of 施設一覧 replaces the sites of the kinds it names. All or nothing: a
//! file with any bad row imports nothing, and the page lists every bad row (file, line, column,
//! what is wrong) for the clerk to fix. Staff's extras and statuses survive a re-import.

use super::MANUAL;
use crate::audit::{self, Actor};
use crate::ui::{redirect_with, Crumb, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Multipart, State};
use maud::html;
use std::collections::HashMap;
use std::sync::Arc;
use tayori_facilities::import::{gsi, kinds};
use tayori_facilities::{FacilityError, ImportReport, Imported};

pub const PATH: &str = "/admin/shelters/import";
pub const KIND_SITES: &str = "/admin/shelters/import/sites";

const CRUMBS: [Crumb<'static>; 3] = [
    ("ホーム", "/admin"),
    ("避難所・施設", super::PATH),
    ("データの取込", PATH),
];

pub async fn show(page: Page) -> PageResult {
    Ok(render(&page, None))
}

/// The page, with the report of a refused import (which file, and every bad row) first.
fn render(page: &Page, refused: Option<(&str, &ImportReport)>) -> axum::response::Response {
    page.render(
        "データの取込",
        &CRUMBS,
        MANUAL,
        html! {
            @if let Some((what, report)) = refused {
                div.error-summary #error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                    h2 #error-summary-title { (what) "を取り込めませんでした（" (report.errors.len()) "件の誤り）" }
                    p { "何も取り込んでいません（登録済みのデータはそのままです）。ファイルを直してから、もう一度取り込んでください。" }
                    ol.import-errors {
                        @for e in &report.errors { li { (e.to_string()) } }
                    }
                }
            }
            h2 { "避難所（国土地理院の指定緊急避難場所・指定避難所データ）" }
            p {
                "国土地理院の「指定緊急避難場所データ」と「指定避難所データ」のCSV（市町村別にダウンロードしたもの、UTF-8 または Shift_JIS）を、2つとも選んでください。"
                "登録済みの避難所はすべて、このファイルの内容に置き換わります。同じ共通IDの避難所の追加情報（収容人数・電話番号など）と開設状況は引き継がれます。"
            }
            form.narrow method="post" action=(PATH) enctype="multipart/form-data" {
                (page.csrf_field())
                div.field {
                    label for="f-emergency-sites" { "指定緊急避難場所のCSV" }
                    input #f-emergency-sites type="file" name="emergency_sites" accept=".csv,text/csv" required;
                }
                div.field {
                    label for="f-shelters" { "指定避難所のCSV" }
                    input #f-shelters type="file" name="shelters" accept=".csv,text/csv" required;
                }
                button.primary type="submit" { "避難所を取り込む" }
            }
            h2 { "避難所以外の施設（公民館・AEDなど）" }
            p {
                "先に" a href=(super::kinds::PATH) { "施設の種類" } "を登録してから、次の列のCSVを選んでください。"
                "ファイルにある種類の施設は、すべてこのファイルの内容に置き換わります。"
            }
            p { code { (kinds::HEADINGS.join(",")) } }
            form.narrow method="post" action=(KIND_SITES) enctype="multipart/form-data" {
                (page.csrf_field())
                div.field {
                    label for="f-sites" { "施設一覧のCSV" }
                    input #f-sites type="file" name="sites" accept=".csv,text/csv" required;
                }
                button.primary type="submit" { "施設を取り込む" }
            }
        },
    )
}

/// The uploaded files of a multipart post, by field name.
async fn files(mut multipart: Multipart) -> HashMap<String, Vec<u8>> {
    let mut files = HashMap::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if let Ok(bytes) = field.bytes().await {
            files.insert(name, bytes.to_vec());
        }
    }
    files
}

/// What an import did, in a sentence.
fn told(what: &str, imported: &Imported) -> String {
    format!(
        "{what}を {} 件取り込みました（うち引き継ぎ {} 件、なくなった施設 {} 件）。",
        imported.sites, imported.kept, imported.removed
    )
}

/// Answers a finished import: recorded and told, or the page with its report.
async fn answer(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    what: &str,
    result: Result<Imported, FacilityError>,
) -> PageResult {
    match result {
        Ok(imported) => {
            let text = told(what, &imported);
            audit::record(
                state,
                actor,
                &format!("{what}を取込"),
                "facilities",
                text.clone(),
            )
            .await;
            Ok(redirect_with(
                super::PATH,
                FlashKind::Success,
                text,
                state.config.secure_cookies,
            ))
        }
        Err(FacilityError::Import(report)) => Ok(render(page, Some((what, &report)))),
        Err(e) => Err(e.into()),
    }
}

pub async fn import_gsi(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    multipart: Multipart,
) -> PageResult {
    let files = files(multipart).await;
    let file = |name: &str| files.get(name).map(Vec::as_slice).unwrap_or_default();
    let (sites, shelters) = (file("emergency_sites"), file("shelters"));
    if sites.is_empty() || shelters.is_empty() {
        return Ok(redirect_with(
            PATH,
            FlashKind::Error,
            format!(
                "「{}」と「{}」のCSVを、2つとも選んでください。",
                gsi::EMERGENCY_SITES_FILE,
                gsi::SHELTERS_FILE
            ),
            state.config.secure_cookies,
        ));
    }
    let result = state.facilities.import_gsi(sites, shelters).await;
    answer(&state, &page, &actor, "避難所", result).await
}

pub async fn import_sites(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    multipart: Multipart,
) -> PageResult {
    let files = files(multipart).await;
    let Some(sites) = files.get("sites").filter(|b| !b.is_empty()) else {
        return Ok(redirect_with(
            PATH,
            FlashKind::Error,
            "施設一覧のCSVを選んでください。",
            state.config.secure_cookies,
        ));
    };
    let result = state.facilities.import_kind_csv(sites).await;
    answer(&state, &page, &actor, "施設", result).await
}
