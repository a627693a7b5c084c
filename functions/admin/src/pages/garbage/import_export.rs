//! 取込・書出: importing the city's calendar in the 5374 format (every error with its file and
//! line, nothing saved unless all is right), exporting it back as 5374 open data, and
//! refreshing the national holidays from the Cabinet Office CSV.

use super::{change, date_ja, format_change, records, render, today, TABS};
use crate::audit::{self, Actor};
use crate::session::MAX_FORM_BYTES;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::body::{to_bytes, Body};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{Datelike, Duration};
use maud::html;
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_csv::{CsvEncoding, CsvWriter};
use tayori_garbage::reimport::CarriedOver;
use tayori_garbage::{export5374, import5374, Files5374, Holidays, ImportError};
use tayori_records::{StoredCalendar, StoredHolidays};

const PATH: &str = "/admin/garbage/data";
/// Larger than any city's 5374 file or the holiday CSV (about 20 KB), small enough that a
/// wrong file is refused at once.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
const FILES_5374: [&str; 4] = ["area_days", "center", "description", "target"];
const HOLIDAYS_FIELD: &str = "holidays";

/// Uploaded files by form field, with the problems found before any parsing.
#[derive(Default)]
struct Uploads {
    files: BTreeMap<String, Vec<u8>>,
    problems: Vec<String>,
}

/// Reads the multipart body the session layer has already checked for its CSRF token. The
/// body is taken whole (the session layer capped it) rather than through axum's `Bytes`
/// extractor, whose own 2 MB cap would answer a bare 413 instead of saying which file is too big.
async fn uploads(headers: &HeaderMap, body: Body) -> Uploads {
    let mut out = Uploads::default();
    let Ok(body) = to_bytes(body, MAX_FORM_BYTES).await else {
        out.problems
            .push("送信された内容が大きすぎます。ファイルを1つずつ送信してください。".into());
        return out;
    };
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok());
    let Some(boundary) = boundary else {
        out.problems
            .push("ファイルが送られていません。ファイルを選んでから送信してください。".into());
        return out;
    };
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                out.problems.push(
                    "送信されたファイルを読み取れませんでした。もう一度送信してください。".into(),
                );
                break;
            }
        };
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if !FILES_5374.contains(&name.as_str()) && name != HOLIDAYS_FIELD {
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_string();
        let Ok(bytes) = field.bytes().await else {
            out.problems
                .push(format!("{name}.csv を読み取れませんでした。"));
            continue;
        };
        // A file input left empty still sends its part, with no name and no bytes.
        if filename.is_empty() && bytes.is_empty() {
            continue;
        }
        let label = if name == HOLIDAYS_FIELD {
            "祝日CSV".to_string()
        } else {
            format!("{name}.csv")
        };
        if bytes.len() > MAX_FILE_BYTES {
            out.problems.push(format!(
                "{label}（{filename}）は大きすぎます。{}MB以内のファイルにしてください。",
                MAX_FILE_BYTES / 1024 / 1024
            ));
        } else if !filename.to_ascii_lowercase().ends_with(".csv") || bytes.contains(&0) {
            out.problems.push(format!(
                "{label}に選ばれたファイル（{filename}）はCSVファイルではありません。Excelの場合は「CSV（コンマ区切り）」で保存したファイルを選んでください。"
            ));
        } else {
            out.files.insert(name, bytes.to_vec());
        }
    }
    out
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    screen(&state, &page, &[], StatusCode::OK).await
}

async fn screen(
    state: &AdminState,
    page: &Page,
    errors: &[String],
    status: StatusCode,
) -> PageResult {
    let records = records(state);
    let (stored, holidays, dictionary) =
        tokio::try_join!(records.calendar(), records.holidays(), records.dictionary())?;
    let body = html! {
        h2 { "5374形式で取り込む" }
        p { "市のごみカレンダーを、5374（ごみなし）形式のCSVファイルで取り込みます。文字コードはShift_JIS（CP932）とUTF-8のどちらでも構いません。" }
        p { strong { "取り込むと、地区・ごみの種類・収集日のルール・分別辞典がファイルの内容に置き換わります。" }
            "今日以降の収集中止と年末年始の休止（この画面で設定したもの）は、取り込んだ地区・種類に合わせて引き継ぎます。"
            "ファイルに誤りが1つでもあれば、何も変更せずに誤りの一覧を表示します。" }
        @if !errors.is_empty() {
            div.flash.err role="alert" #import-errors {
                p { "取り込めませんでした（何も変更していません）。次の誤りを直して、もう一度取り込んでください。" }
                ul { @for e in errors { li { (e) } } }
            }
        }
        form #import-form method="post" action="/admin/garbage/import" enctype="multipart/form-data" {
            (page.csrf_field())
            @for (name, label) in [("area_days", "area_days.csv（地区ごとの収集日、必須）"), ("center", "center.csv（センターの休止期間、任意）"), ("description", "description.csv（ごみの種類の説明と色、任意）"), ("target", "target.csv（分別辞典、任意）")] {
                div.field {
                    label for=(format!("f-{name}")) { (label) }
                    input type="file" id=(format!("f-{name}")) name=(name) accept=".csv,text/csv";
                }
            }
            p.hint { "1ファイル" (MAX_FILE_BYTES / 1024 / 1024) "MBまで。" }
            button.primary type="submit" { "取り込む" }
        }
        h2 { "5374形式で書き出す" }
        p { "今のカレンダーを5374形式のCSV（UTF-8、Excelで開けるようBOM付き）で書き出します。オープンデータとして公開するときに使います。"
            "祝日の扱い・収集しない日・収集中止は5374形式にないため書き出されません。"
            "「=」「+」「-」「@」で始まる文字（Excelが数式として実行するもの）は、先頭に「'」を付けて書き出します。取り込むときは「'」を外して元の文字に戻します。" }
        ul #export-links {
            @for name in FILES_5374 {
                li { a href=(format!("/admin/garbage/export/{name}.csv")) download { (name) ".csv" } }
            }
        }
        p.note { "地区 " (stored.calendar.districts.len()) "・ごみの種類 " (stored.calendar.kinds.len()) "・分別辞典 " (dictionary.entries.len()) "品目" }
        h2 { "祝日（内閣府CSV）" }
        (holiday_facts(state, &holidays))
        form #holidays-form method="post" action="/admin/garbage/holidays" enctype="multipart/form-data" {
            (page.csrf_field())
            div.field {
                label for="f-holidays" { "祝日CSV（syukujitsu.csv）" }
                input type="file" #f-holidays name=(HOLIDAYS_FIELD) accept=".csv,text/csv";
                div.hint { "内閣府「国民の祝日について」のページからダウンロードしたファイルを、そのまま選んでください。毎年2月ごろ翌年分が追加されます。" }
            }
            button type="submit" { "祝日を更新" }
        }
        p.attribution { "出典：内閣府ホームページ（国民の祝日について） https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html" }
    };
    Ok(render(
        page,
        TABS[3].0,
        &stored,
        state.config.sample_calendar,
        status,
        body,
    ))
}

fn holiday_facts(state: &AdminState, holidays: &StoredHolidays) -> maud::Markup {
    let last = holidays.holidays.last_date();
    let today = today(state);
    let soon = last.is_some_and(|l| l < today + Duration::days(90));
    let coming = holidays
        .holidays
        .between(today, today + Duration::days(365));
    html! {
        dl.facts #holiday-facts {
            dt { "収録件数" } dd { (holidays.holidays.len()) "日" }
            dt { "最後の祝日" } dd { (last.map(|d| format!("{}年{}", d.year(), date_ja(d))).unwrap_or_else(|| "なし".into())) }
            dt { "更新" } dd {
                @match &holidays.updated {
                    Some(c) => (format_change(c)),
                    None => "システムに同梱の版（まだ取り込まれていません）",
                }
            }
        }
        @if let Some(last) = last {
            p #holidays-computed {
                (last.year() + 1) "年以降の祝日は、法律の規定から計算しています。"
                "春分の日・秋分の日（とそれによる休日）は、内閣府が前の年の2月に公表するまで「見込み」と表示します。"
                "公表後に祝日CSVを取り込むと、その年はCSVのとおりになります。"
            }
        }
        @if soon {
            p.flash.err role="alert" { "収録されている祝日が残りわずかです。内閣府のページで翌年の祝日が公表されていれば、最新の祝日CSVを取り込んでください。" }
        }
        details #holidays-coming {
            summary { "今後1年の祝日（" (coming.len()) "日）" }
            ul {
                @for (date, holiday) in &coming {
                    li { (date.year()) "年" (date_ja(*date)) " " (holiday.name) @if holiday.provisional { "（見込み）" } }
                }
            }
        }
    }
}

fn describe(errors: &[ImportError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

pub async fn import(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let uploads = uploads(&headers, body).await;
    let mut problems = uploads.problems;
    let area_days = uploads.files.get("area_days");
    if area_days.is_none() && problems.is_empty() {
        problems.push("area_days.csv を選んでください（必須です）。".into());
    }
    if !problems.is_empty() {
        return screen(&state, &page, &problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let file = |name: &str| uploads.files.get(name).map(Vec::as_slice);
    let imported = import5374(Files5374 {
        area_days: area_days.map(Vec::as_slice).unwrap_or_default(),
        center: file("center"),
        description: file("description"),
        target: file("target"),
    });
    let mut imported = match imported {
        Ok(i) => i,
        Err(failed) => {
            return screen(
                &state,
                &page,
                &describe(&failed.errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let previous = records(&state).calendar().await?;
    // The sample's pauses are not the city's: only a calendar the city keeps hands them on.
    let carried = if previous.sample {
        CarriedOver::default()
    } else {
        imported
            .calendar
            .carry_over(&previous.calendar, today(&state))
    };
    if let Err(errors) = imported.calendar.validate() {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return screen(&state, &page, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut counts = format!(
        "地区{}件、ごみの種類{}件、分別辞典{}品目",
        imported.calendar.districts.len(),
        imported.calendar.kinds.len(),
        imported.dictionary.entries.len()
    );
    let mut kept = Vec::new();
    if carried.suspensions > 0 {
        kept.push(format!("収集中止{}件", carried.suspensions));
    }
    if carried.year_end {
        kept.push("年末年始の休止".to_string());
    }
    if !kept.is_empty() {
        counts += &format!("。{}を引き継ぎました", kept.join("と"));
    }
    if !carried.dropped.is_empty() {
        counts += &format!("。引き継げなかった設定：{}", carried.dropped.join("／"));
    }
    let names: Vec<&str> = FILES_5374
        .into_iter()
        .filter(|n| uploads.files.contains_key(*n))
        .collect();
    let what = format!("5374取込（{}）", names.join("・"));
    records(&state)
        .replace(
            imported.calendar,
            &imported.dictionary,
            change(&state, &actor, &what),
        )
        .await?;
    audit::record(
        &state,
        &actor,
        "ごみカレンダーを取込",
        "garbage:calendar",
        format!("{what}：{counts}"),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("取り込みました：{counts}"),
        state.config.secure_cookies,
    ))
}

pub async fn upload_holidays(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let uploads = uploads(&headers, body).await;
    let mut problems = uploads.problems;
    let Some(bytes) = uploads.files.get(HOLIDAYS_FIELD) else {
        if problems.is_empty() {
            problems.push("祝日CSVファイルを選んでください。".into());
        }
        return screen(&state, &page, &problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let holidays = match Holidays::parse_cabinet_office_csv(bytes) {
        Ok(h) => h,
        Err(failed) => {
            return screen(
                &state,
                &page,
                &describe(&failed.errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let last = holidays.last_date();
    let summary = format!(
        "{}日（最後は{}）",
        holidays.len(),
        last.map(|d| format!("{}年{}", d.year(), date_ja(d)))
            .unwrap_or_default()
    );
    records(&state)
        .save_holidays(holidays, change(&state, &actor, "祝日CSV取込"))
        .await?;
    audit::record(
        &state,
        &actor,
        "祝日を更新",
        "garbage:holidays",
        summary.clone(),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("祝日を更新しました：{summary}"),
        state.config.secure_cookies,
    ))
}

/// One file of the 5374 export, as Excel opens it (the shared writer's BOM).
pub async fn export(State(state): State<Arc<AdminState>>, Path(name): Path<String>) -> PageResult {
    let Some(file) = name.strip_suffix(".csv").filter(|n| FILES_5374.contains(n)) else {
        return Err(ConsoleError::NotFound);
    };
    let records = records(&state);
    let (stored, dictionary): (StoredCalendar, _) =
        tokio::try_join!(records.calendar(), records.dictionary())?;
    let exported = export5374(&stored.calendar, &dictionary);
    let text = match file {
        "area_days" => exported.area_days,
        "center" => exported.center,
        "description" => exported.description,
        _ => exported.target,
    };
    let writer = CsvWriter::new(CsvEncoding::Utf8Bom);
    let mut bytes = writer.start();
    bytes.extend(text.into_bytes());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                CsvEncoding::Utf8Bom.content_type().to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
