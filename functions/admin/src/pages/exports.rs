//! 出力ファイル: the CSV files the clerk asked for. A page's 「CSVを作成」 asks the export desk
//! ([`request`]) and comes here; the export function writes the file in a few seconds, and its
//! ダウンロード link hands out a short presigned link (audited by the desk).

use crate::audit::Actor;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, Export, ExportConditions, ExportKind, ExportStatus};
use tayori_domain::staff::Permission;
use tayori_domain::time::format_jst;
use tayori_exports::{Clerk, DeskError};

pub const PATH: &str = "/admin/exports";

/// Whoever may ask for any kind of file sees 出力ファイル.
pub const EXPORTERS: &[Permission] = &[
    Permission::DeliveryDraft,
    Permission::UsageReports,
    Permission::ReportsHandle,
    Permission::AuditLog,
    Permission::FormsExport,
    Permission::Faq,
];

/// The 文字コード choice a page's 「CSVを作成」 form carries (the old links' two encodings).
pub fn encoding_choice() -> Markup {
    html! {
        label for="encoding" { "文字コード" }
        select #encoding name="encoding" {
            option value=(CsvEncoding::Utf8Bom.code()) { "UTF-8（BOM付き）" }
            option value=(CsvEncoding::Cp932.code()) { "Shift_JIS" }
        }
        button type="submit" { "CSVを作成" }
    }
}

/// Asks for a file of `kind` with the page's conditions, then shows 出力ファイル. A refusal
/// (no permission, conditions the source cannot read) is shown there as the desk words it.
pub async fn request(
    state: &AdminState,
    actor: &Actor,
    kind: ExportKind,
    conditions: ExportConditions,
    encoding: CsvEncoding,
) -> PageResult {
    let Some(signed) = &actor.signed else {
        return Err(ConsoleError::NotFound);
    };
    let clerk = Clerk {
        account: &signed.account,
        ip: actor.ip,
    };
    let asked = state
        .exports
        .request(&clerk, kind, conditions, encoding)
        .await;
    requested(state, kind, asked)
}

/// 出力ファイル with the flash that says how the request went.
pub fn requested(
    state: &AdminState,
    kind: ExportKind,
    asked: Result<Export, DeskError>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    match asked {
        Ok(_) => Ok(redirect_with(
            PATH,
            FlashKind::Success,
            format!(
                "{}のCSVの作成を始めました。数秒で「完了」になります。",
                kind.label()
            ),
            secure,
        )),
        Err(e) if e.is_refusal() || matches!(e, DeskError::NotPublished(_)) => {
            Ok(redirect_with(PATH, FlashKind::Error, e.to_string(), secure))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let Some(signed) = &page.signed else {
        return Err(ConsoleError::NotFound);
    };
    let mine = state.exports.mine(&signed.account).await?;
    let now = state.platform.clock.now();
    Ok(page.render(
        "出力ファイル",
        &[("ホーム", "/admin"), ("出力ファイル", PATH)],
        "exports",
        html! {
            p {
                "各画面の「CSVを作成」で依頼したファイルです。作成中のファイルは数秒で完了になります。"
                " " a href=(PATH) { "更新" }
            }
            p.note { "ファイルは作成から24時間で削除されます。ダウンロードは操作ログに記録されます。" }
            table {
                caption { "自分が作成したCSV（新しい順）" }
                thead { tr { th { "種類" } th { "条件" } th { "状態" } th { "件数" } th { "作成日時" } th { "ダウンロード期限" } th { "ファイル" } } }
                tbody {
                    @for e in &mine {
                        (row(e, now))
                    }
                    @if mine.is_empty() { tr { td colspan="7" { "作成したCSVはありません。" } } }
                }
            }
        },
    ))
}

fn row(e: &Export, now: chrono::DateTime<chrono::Utc>) -> Markup {
    // A file past its time reads 期限切れ before the hourly sweep has marked it.
    let expired = e.is_ready() && now >= e.expires_at();
    let status = if expired {
        ExportStatus::Expired.label()
    } else {
        e.status().label()
    };
    html! {
        tr {
            td { (e.kind().label()) "（" (e.encoding().label()) "）" }
            td { (e.conditions().described()) }
            td {
                (status)
                @if let ExportStatus::Failed { reason } = e.status() { br; (reason) }
            }
            td {
                @if let ExportStatus::Ready { rows, replaced, .. } = e.status() {
                    (rows) "件"
                    @if *replaced > 0 {
                        br;
                        "CP932で表せない文字を〓に置き換えました（" (replaced) "文字）"
                    }
                }
            }
            td { (format_jst(e.requested_at())) }
            td { @if e.is_live() { (format_jst(e.expires_at())) } }
            td {
                @if e.is_ready() && !expired {
                    a href=(format!("{PATH}/{}/download", e.id())) { "ダウンロード" }
                }
            }
        }
    }
}

/// Redirects to the file's presigned link; a refusal (not the clerk's, expired) goes back to
/// the list with the desk's words.
pub async fn download(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let Some(signed) = &actor.signed else {
        return Err(ConsoleError::NotFound);
    };
    let clerk = Clerk {
        account: &signed.account,
        ip: actor.ip,
    };
    match state.exports.download_link(&clerk, &id).await {
        Ok(url) => Ok((StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response()),
        Err(e) if e.is_refusal() => Ok(redirect_with(
            PATH,
            FlashKind::Error,
            e.to_string(),
            state.config.secure_cookies,
        )),
        Err(e) => Err(e.into()),
    }
}
