//! セグメント配信: compose (up to five bubbles, phone preview), choose who receives it with a
//! live count, send now or reserve a minute in JST, approve, cancel, stop, duplicate, test-send,
//! and the log with its CSV (6.2.1.4–6.2.1.9).

use crate::audit::{self, Actor};
use crate::session::MAX_FORM_BYTES;
use crate::ui::form::Problems;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_csv::{CsvEncoding, CsvWriter};
use tayori_domain::delivery::{
    text_units, Bubble, Delivery, DeliveryError, DeliveryStatus, StoredImage, CATEGORIES,
    DELIVERY_REQUESTED, MAX_BUBBLES,
};
use tayori_domain::segment::{Match, SegmentCondition, SegmentItems, Target};
use tayori_domain::staff::Permission;
use tayori_domain::time::{format_jst, jst, to_jst};
use tayori_ports::{Event, ObjectKey};
use tayori_records::{Deliveries, Friends, RecordError, SegmentItemsRecord};

fn deliveries(state: &AdminState) -> Deliveries {
    Deliveries::new(state.platform.table.clone())
}

async fn segment_items(state: &AdminState) -> Result<SegmentItems, RecordError> {
    SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await
}

#[derive(Debug)]
enum Failure {
    Rule(DeliveryError),
    Record(RecordError),
}

impl From<RecordError> for Failure {
    fn from(e: RecordError) -> Self {
        Failure::Record(e)
    }
}

fn rule(e: DeliveryError) -> Failure {
    Failure::Rule(e)
}

fn back(state: &AdminState, id: &str, kind: FlashKind, text: impl Into<String>) -> Response {
    redirect_with(
        &format!("/admin/deliveries/{id}"),
        kind,
        text,
        state.config.secure_cookies,
    )
}

fn outcome(
    state: &AdminState,
    id: &str,
    result: Result<Delivery, Failure>,
    done: &str,
) -> Response {
    match result {
        Ok(_) => back(state, id, FlashKind::Success, done),
        Err(Failure::Rule(e)) => back(state, id, FlashKind::Error, e.to_string()),
        Err(Failure::Record(e)) => ui::unavailable(&e),
    }
}

// ------------------------------------------------------------------------------- list and log

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    encoding: Option<String>,
}

/// Every delivery, newest first (the city sends a few a day: the whole list is small).
async fn all(state: &AdminState) -> Result<Vec<Delivery>, RecordError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = deliveries(state).list(200, cursor).await?;
        out.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

fn matches_search(d: &Delivery, q: &str) -> bool {
    q.is_empty()
        || d.title.contains(q)
        || d.category.contains(q)
        || d.bubbles
            .iter()
            .any(|b| matches!(b, Bubble::Text { text } if text.contains(q)))
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(query): Query<ListQuery>,
) -> Response {
    let q = query.q.unwrap_or_default();
    let shown: Vec<Delivery> = match all(&state).await {
        Ok(all) => all.into_iter().filter(|d| matches_search(d, &q)).collect(),
        Err(e) => return ui::unavailable(&e),
    };
    let sum = |f: fn(&Delivery) -> u64| shown.iter().filter(|d| !d.test).map(f).sum::<u64>();
    page.render(
        "配信",
        &[("ホーム", "/admin"), ("配信", "/admin/deliveries")],
        "deliveries",
        html! {
            form.toolbar method="get" action="/admin/deliveries" {
                label for="q" { "検索" }
                input #q type="search" name="q" value=(q) placeholder="タイトル・本文・分類";
                button type="submit" { "検索" }
                a.button.primary href="/admin/deliveries/new" { "新しい配信を作成" }
                a.button href="/admin/deliveries.csv" { "配信ログCSV（UTF-8）" }
                a.button href="/admin/deliveries.csv?encoding=sjis" { "配信ログCSV（Shift_JIS）" }
                a.button href="/admin/deliveries/testers" { "テスト配信の受信者" }
            }
            p { "表示中の合計（テスト配信を除く）：対象 " (sum(|d| d.totals.recipients)) " 人、成功 " (sum(|d| d.totals.succeeded)) " 通、失敗 " (sum(|d| d.totals.failed)) " 通" }
            table {
                thead { tr { th { "作成日時" } th { "タイトル" } th { "分類" } th { "対象" } th { "状態" } th { "配信日時" } th.num { "対象数" } th.num { "成功" } th.num { "失敗" } } }
                tbody {
                    @for d in &shown {
                        tr {
                            td { (format_jst(d.created.at)) }
                            td { a href=(format!("/admin/deliveries/{}", d.id)) { (d.title) } @if d.test { " " span.badge { "テスト" } } }
                            td { (d.category) }
                            td { (d.target_description) }
                            td { (d.status.label()) }
                            td { (d.started_at.or(d.send_at).map(format_jst).unwrap_or_default()) }
                            td.num { (d.totals.recipients) }
                            td.num { (d.totals.succeeded) }
                            td.num { (d.totals.failed) }
                        }
                    }
                    @if shown.is_empty() { tr { td colspan="9" { "配信はまだありません。" } } }
                }
            }
        },
    )
}

pub async fn export(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> Response {
    let all = match all(&state).await {
        Ok(all) => all,
        Err(e) => return ui::unavailable(&e),
    };
    let csv = CsvWriter::new(CsvEncoding::from_param(query.encoding.as_deref()));
    let mut body = csv.start();
    body.extend(csv.row(&[
        "配信ID",
        "作成日時",
        "タイトル",
        "分類",
        "テスト",
        "対象",
        "状態",
        "配信開始",
        "配信終了",
        "対象数",
        "成功",
        "失敗",
        "未送信",
        "LINEのエラー",
        "作成者",
        "承認者",
        "送信者",
    ]));
    let time = |t: Option<DateTime<Utc>>| t.map(format_jst).unwrap_or_default();
    for d in &all {
        body.extend(csv.row(&[
            d.id.as_str(),
            &format_jst(d.created.at),
            &d.title,
            &d.category,
            if d.test { "テスト" } else { "" },
            &d.target_description,
            d.status.label(),
            &time(d.started_at),
            &time(d.finished_at),
            &d.totals.recipients.to_string(),
            &d.totals.succeeded.to_string(),
            &d.totals.failed.to_string(),
            &d.totals.not_sent.to_string(),
            &d.errors.join(" / "),
            &d.created.by,
            d.approved.as_ref().map_or("", |s| s.by.as_str()),
            d.released.as_ref().map_or("", |s| s.by.as_str()),
        ]));
    }
    audit::record(
        &state,
        &actor,
        "配信ログをCSV出力",
        "deliveries",
        format!("{}件", all.len()),
    )
    .await;
    (
        [
            (
                header::CONTENT_TYPE,
                csv.encoding().content_type().to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"deliveries.csv\"".to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

// ------------------------------------------------------------------------------- composer

pub async fn new_form(State(state): State<Arc<AdminState>>, page: Page, actor: Actor) -> Response {
    let draft = Delivery::draft(String::new(), &actor.login_id(), state.platform.clock.now());
    match segment_items(&state).await {
        Ok(items) => composer(&page, &draft, &items, &Problems::default()),
        Err(e) => ui::unavailable(&e),
    }
}

fn composer(page: &Page, d: &Delivery, items: &SegmentItems, problems: &Problems) -> Response {
    let action = if d.id.is_empty() {
        "/admin/deliveries".to_string()
    } else {
        format!("/admin/deliveries/{}", d.id)
    };
    let chosen = |item: &str, value: &str| match &d.target {
        Target::Segment { conditions } => conditions
            .iter()
            .any(|c| c.item == item && c.values.iter().any(|v| v == value)),
        Target::All => false,
    };
    let all_of = |item: &str| match &d.target {
        Target::Segment { conditions } => conditions
            .iter()
            .any(|c| c.item == item && c.matching == Match::AllOf),
        Target::All => false,
    };
    let send_at = d
        .send_at
        .map(|t| to_jst(t).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let title = if d.id.is_empty() {
        "新しい配信"
    } else {
        "配信の編集"
    };
    page.render(
        title,
        &[("ホーム", "/admin"), ("配信", "/admin/deliveries"), (title, &action)],
        "deliveries",
        html! {
            (problems.summary())
            div.composer {
                form.compose method="post" action=(action) enctype="multipart/form-data" data-max-bytes=(MAX_FORM_BYTES) {
                    (page.csrf_field())
                    div.field {
                        label for="f-title" { "タイトル（管理用・必須）" }
                        input #f-title type="text" name="title" value=(d.title) maxlength="100" required;
                    }
                    div.field {
                        label for="f-category" { "分類" }
                        select #f-category name="category" {
                            @for c in CATEGORIES { option value=(c) selected[d.category == c] { (c) } }
                        }
                    }
                    fieldset {
                        legend { "吹き出し（最大" (MAX_BUBBLES) "つ）" }
                        @for n in 0..MAX_BUBBLES {
                            @let bubble = d.bubbles.get(n);
                            @let kind = match bubble { Some(Bubble::Text { .. }) => "text", Some(Bubble::Image { .. }) => "image", Some(Bubble::ImageLink { .. }) => "image_link", Some(Bubble::Location { .. }) => "location", None => "" };
                            div.bubble-slot {
                                label for=(format!("f-kind-{n}")) { (n + 1) "つ目" }
                                select id=(format!("f-kind-{n}")) name=(format!("kind{n}")) {
                                    option value="" selected[kind.is_empty()] { "なし" }
                                    option value="text" selected[kind == "text"] { "テキスト" }
                                    option value="image" selected[kind == "image"] { "画像" }
                                    option value="image_link" selected[kind == "image_link"] { "画像＋リンクボタン" }
                                    option value="location" selected[kind == "location"] { "位置情報" }
                                }
                                @let text = match bubble { Some(Bubble::Text { text }) => text.as_str(), _ => "" };
                                label for=(format!("f-text-{n}")) { "本文（テキスト）" }
                                textarea id=(format!("f-text-{n}")) name=(format!("text{n}")) rows="4" data-count=(format!("count-{n}")) { (text) }
                                small id=(format!("count-{n}")) { (text_units(text)) " / 5000" }
                                @if let Some(image) = bubble.and_then(Bubble::image) {
                                    input type="hidden" name=(format!("image{n}")) value=(image.original);
                                    p.note { "画像：登録済み（差し替える場合は新しいファイルを選択）" }
                                }
                                label for=(format!("f-file-{n}")) { "画像ファイル（JPEG・PNG、4MB以内。大きい写真は自動で縮小）" }
                                input id=(format!("f-file-{n}")) type="file" name=(format!("file{n}")) accept="image/jpeg,image/png";
                                @let (url, label) = match bubble { Some(Bubble::ImageLink { url, label, .. }) => (url.as_str(), label.as_str()), _ => ("", "") };
                                label for=(format!("f-url-{n}")) { "リンク先URL（画像＋リンクボタン）" }
                                input id=(format!("f-url-{n}")) type="url" name=(format!("url{n}")) value=(url) placeholder="https://www1.city.obama.fukui.jp/...";
                                label for=(format!("f-label-{n}")) { "ボタンの文言" }
                                input id=(format!("f-label-{n}")) type="text" name=(format!("label{n}")) value=(label) placeholder="詳しくはこちら";
                                @let (lt, la, lat, lng) = match bubble { Some(Bubble::Location { title, address, latitude, longitude }) => (title.clone(), address.clone(), latitude.to_string(), longitude.to_string()), _ => Default::default() };
                                label for=(format!("f-lt-{n}")) { "場所の名前（位置情報）" }
                                input id=(format!("f-lt-{n}")) type="text" name=(format!("ltitle{n}")) value=(lt);
                                label for=(format!("f-la-{n}")) { "住所" }
                                input id=(format!("f-la-{n}")) type="text" name=(format!("laddress{n}")) value=(la);
                                label for=(format!("f-lat-{n}")) { "緯度・経度" }
                                input id=(format!("f-lat-{n}")) type="text" name=(format!("lat{n}")) value=(lat) placeholder="35.4955";
                                input type="text" name=(format!("lng{n}")) value=(lng) placeholder="135.7466" aria-label="経度";
                            }
                        }
                    }
                    fieldset {
                        legend { "配信先" }
                        label { input type="radio" name="target" value="all" checked[d.target == Target::All]; " すべての友だち" }
                        label { input type="radio" name="target" value="segment" checked[d.target != Target::All]; " 条件で絞り込む（項目どうしは「かつ」）" }
                        @for item in &items.items {
                            @if !item.retired {
                                div.segment-item {
                                    strong { (item.label) }
                                    @for c in &item.choices {
                                        @if !c.retired || chosen(&item.id, &c.value) {
                                            label { input type="checkbox" name=(format!("seg.{}", item.id)) value=(c.value) checked[chosen(&item.id, &c.value)]; " " (c.value) }
                                        }
                                    }
                                    label.small { input type="checkbox" name=(format!("all.{}", item.id)) value="1" checked[all_of(&item.id)]; " 選んだものをすべて満たす" }
                                }
                            }
                        }
                        p #recipient-count role="status" aria-live="polite" { }
                    }
                    div.field {
                        label for="f-send-at" { "配信日時（空欄ならすぐに配信）" }
                        input #f-send-at type="datetime-local" name="send_at" value=(send_at);
                    }
                    div.actions {
                        button type="submit" name="action" value="save" { "下書き保存・プレビュー更新" }
                        button type="submit" name="action" value="count" { "対象人数を確認" }
                        button type="submit" name="action" value="test" { "テスト配信" }
                        @if page.may(Permission::DeliverySend) {
                            button.primary type="submit" name="action" value="submit" { "配信する（予約する）" }
                        } @else {
                            button.primary type="submit" name="action" value="submit" { "承認を依頼する" }
                        }
                    }
                }
                (preview(d))
            }
            script { (maud::PreEscaped(COUNT_SCRIPT)) (maud::PreEscaped(SIZE_SCRIPT)) }
        },
    )
}

/// Stops a submission the server would refuse as too large before the clerk's typing is sent
/// away, and says what to do.
const SIZE_SCRIPT: &str = r#"document.querySelectorAll('form[data-max-bytes]').forEach(function(f){f.addEventListener('submit',function(e){var n=0;f.querySelectorAll('input[type=file]').forEach(function(i){for(var k=0;k<i.files.length;k++){n+=i.files[k].size;}});if(n>Number(f.dataset.maxBytes)){e.preventDefault();alert('画像の合計が大きすぎます（'+(n/1048576).toFixed(1)+'MB）。1回に保存できるのは合計4.5MBまでです。画像は1枚ずつ選んで保存してください。');}});});"#;

/// Counts characters as LINE does while the clerk types.
const COUNT_SCRIPT: &str = r#"document.querySelectorAll('textarea[data-count]').forEach(function(t){t.addEventListener('input',function(){var n=0;for(var i=0;i<t.value.length;i++){n++;}document.getElementById(t.dataset.count).textContent=n+' / 5000';});});"#;

/// A phone-sized preview of the bubbles as LINE shows them.
fn preview(d: &Delivery) -> Markup {
    html! {
        aside.phone aria-label="スマートフォンでの見え方" {
            div.phone-head { "小浜市" }
            div.phone-body {
                @for bubble in &d.bubbles {
                    @match bubble {
                        Bubble::Text { text } => div.chat-bubble { @for line in text.lines() { (line) br; } },
                        Bubble::Image { image } => img.chat-image src=(format!("/admin/{}", image.preview)) alt="配信画像";,
                        Bubble::ImageLink { image, label, url } => div.chat-card { img.chat-image src=(format!("/admin/{}", image.preview)) alt="配信画像"; a.chat-button href=(url) { (label) } },
                        Bubble::Location { title, address, .. } => div.chat-bubble { "📍 " strong { (title) } br; (address) },
                    }
                }
                @if d.bubbles.is_empty() { p.note { "吹き出しを追加して保存すると、ここに表示されます。" } }
            }
        }
    }
}

/// What the composer form sent.
struct Composed {
    fields: BTreeMap<String, Vec<String>>,
    files: BTreeMap<usize, Vec<u8>>,
}

impl Composed {
    fn get(&self, name: &str) -> String {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

async fn read_form(mut multipart: Multipart) -> Result<Composed, String> {
    let mut composed = Composed {
        fields: BTreeMap::new(),
        files: BTreeMap::new(),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| "送信内容を読み取れませんでした。".to_string())?
    {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(n) = name
            .strip_prefix("file")
            .and_then(|n| n.parse::<usize>().ok())
        {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| "画像を読み取れませんでした。".to_string())?;
            if !bytes.is_empty() {
                composed.files.insert(n, bytes.to_vec());
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            composed.fields.entry(name).or_default().push(text);
        }
    }
    Ok(composed)
}

/// Applies the form to the draft; images are stored as they come. Problems are per field.
async fn apply(
    state: &AdminState,
    d: &mut Delivery,
    form: &Composed,
    items: &SegmentItems,
    problems: &mut Problems,
) -> Result<(), String> {
    d.title = form.get("title");
    d.category = form.get("category");
    // A slot keeps its picture by naming it; only the draft's own pictures can be named, so a
    // forged form cannot send any other object in the bucket to LINE.
    let stored: Vec<StoredImage> = d
        .bubbles
        .iter()
        .filter_map(Bubble::image)
        .cloned()
        .collect();
    d.bubbles.clear();
    for n in 0..MAX_BUBBLES {
        let kind = form.get(&format!("kind{n}"));
        let named = form.get(&format!("image{n}"));
        let kept = stored.iter().find(|i| i.original == named).cloned();
        let image = match form.files.get(&n) {
            Some(bytes) => match store_image(state, &d.id, bytes).await? {
                Ok(image) => Some(image),
                Err(problem) => {
                    problems.add(&format!("file{n}"), format!("{}つ目：{problem}", n + 1));
                    if kept.is_none() {
                        continue;
                    }
                    kept
                }
            },
            None => kept,
        };
        let bubble = match kind.as_str() {
            // Browsers submit a textarea's line breaks as CRLF; LINE and the preview want LF.
            "text" => Bubble::Text {
                text: form.get(&format!("text{n}")).replace("\r\n", "\n"),
            },
            "image" | "image_link" => {
                let Some(image) = image else {
                    problems.add(
                        &format!("file{n}"),
                        format!("{}つ目：画像ファイルを選んでください。", n + 1),
                    );
                    continue;
                };
                if kind == "image" {
                    Bubble::Image { image }
                } else {
                    Bubble::ImageLink {
                        image,
                        url: form.get(&format!("url{n}")),
                        label: form.get(&format!("label{n}")),
                    }
                }
            }
            "location" => Bubble::Location {
                title: form.get(&format!("ltitle{n}")),
                address: form.get(&format!("laddress{n}")),
                latitude: form.get(&format!("lat{n}")).parse().unwrap_or(f64::NAN),
                longitude: form.get(&format!("lng{n}")).parse().unwrap_or(f64::NAN),
            },
            _ => continue,
        };
        d.bubbles.push(bubble);
    }
    d.target = if form.get("target") == "segment" {
        let conditions: Vec<SegmentCondition> = items
            .items
            .iter()
            .filter_map(|item| {
                let values = form.all(&format!("seg.{}", item.id));
                (!values.is_empty()).then(|| SegmentCondition {
                    item: item.id.clone(),
                    matching: if form.get(&format!("all.{}", item.id)) == "1" {
                        Match::AllOf
                    } else {
                        Match::AnyOf
                    },
                    values,
                })
            })
            .collect();
        Target::Segment { conditions }
    } else {
        Target::All
    };
    if let Err(e) = d.target.validate(items) {
        problems.add("target", e.to_string());
    }
    d.send_at = match form.get("send_at").as_str() {
        "" => None,
        s => match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
            Ok(local) => jst()
                .from_local_datetime(&local)
                .single()
                .map(|t| t.with_timezone(&Utc)),
            Err(_) => {
                problems.add("send_at", "配信日時を正しく入力してください。");
                None
            }
        },
    };
    Ok(())
}

/// Makes the upload ready for LINE (`tayori_images::prepare`) and stores the original and its
/// preview under `media/deliveries/<id>/`; `Ok(Err)` is a problem with the file the clerk can
/// fix, `Err` a storage failure.
async fn store_image(
    state: &AdminState,
    id: &str,
    bytes: &[u8],
) -> Result<Result<StoredImage, String>, String> {
    let prepared = match tayori_images::prepare(bytes) {
        Ok(p) => p,
        Err(problem) => return Ok(Err(problem.to_string())),
    };
    let name = uuid::Uuid::new_v4().simple();
    let (original, preview) = (prepared.original, prepared.preview);
    let image = StoredImage {
        original: format!(
            "media/deliveries/{id}/{name}.{}",
            original.format.extension()
        ),
        preview: format!(
            "media/deliveries/{id}/{name}-preview.{}",
            preview.format.extension()
        ),
    };
    for (key, encoded) in [(&image.original, original), (&image.preview, preview)] {
        let object_key = ObjectKey::new(key.clone()).expect("generated keys are valid");
        state
            .platform
            .objects
            .put(&object_key, encoded.bytes, encoded.format.content_type())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(Ok(image))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    multipart: Multipart,
) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let draft = Delivery::draft(id, &actor.login_id(), state.platform.clock.now());
    save(state, page, actor, draft, multipart, true).await
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    match deliveries(&state).get(&id).await {
        Ok(Some(d)) if d.status == DeliveryStatus::Draft => {
            save(state, page, actor, d, multipart, false).await
        }
        Ok(Some(d)) => back(
            &state,
            &id,
            FlashKind::Error,
            format!(
                "「{}」の配信は編集できません。複製して新しい下書きにしてください。",
                d.status.label()
            ),
        ),
        Ok(None) => ui::not_found(),
        Err(e) => ui::unavailable(&e),
    }
}

async fn save(
    state: Arc<AdminState>,
    page: Page,
    actor: Actor,
    mut d: Delivery,
    multipart: Multipart,
    new: bool,
) -> Response {
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(e) => return back(&state, &d.id, FlashKind::Error, e),
    };
    let items = match segment_items(&state).await {
        Ok(i) => i,
        Err(e) => return ui::unavailable(&e),
    };
    let mut problems = Problems::default();
    if let Err(e) = apply(&state, &mut d, &form, &items, &mut problems).await {
        return ui::unavailable(&e);
    }
    let action = form.get("action");
    if matches!(action.as_str(), "submit" | "test") {
        if let Err(e) = d.validate() {
            problems.add("delivery", e.to_string());
        }
    }
    let now = state.platform.clock.now();
    d.updated_at = now;
    let stored = if new {
        deliveries(&state).create(&d).await
    } else {
        let content = d.clone();
        deliveries(&state)
            .update(&d.id, move |stored| {
                let keep = stored.clone();
                *stored = Delivery {
                    id: keep.id,
                    created: keep.created,
                    status: keep.status,
                    duplicated_from: keep.duplicated_from,
                    ..content.clone()
                };
                Ok::<_, RecordError>(())
            })
            .await
            .map(|_| ())
    };
    if let Err(e) = stored {
        return ui::unavailable(&e);
    }
    if !problems.is_empty() {
        return composer(&page, &d, &items, &problems);
    }
    match action.as_str() {
        "count" => {
            let text = match count(&state, &d.target).await {
                Ok(n) => format!(
                    "{}：{} 人（ブロック中の友だちを除く）",
                    d.target.describe(&items),
                    n
                ),
                Err(e) => return ui::unavailable(&e),
            };
            back(&state, &d.id, FlashKind::Success, text)
        }
        "test" => test_send(&state, &actor, &d).await,
        "submit" => submit(&state, &page, &actor, &d.id, &items).await,
        _ => {
            if new {
                audit::record(
                    &state,
                    &actor,
                    "配信の下書きを作成",
                    &format!("delivery:{}", d.id),
                    &d.title,
                )
                .await;
            }
            back(&state, &d.id, FlashKind::Success, "下書きを保存しました。")
        }
    }
}

/// How many friends the target reaches now.
async fn count(state: &AdminState, target: &Target) -> Result<u64, RecordError> {
    Friends::new(&state.platform).count(target).await
}

async fn request_send(state: &AdminState, id: &str) {
    // The next minute's tick sends it anyway; this only makes "send now" immediate.
    if let Err(e) = state
        .platform
        .bus
        .publish(vec![Event::new(
            DELIVERY_REQUESTED,
            serde_json::json!({ "id": id }),
        )])
        .await
    {
        tracing::warn!(error = %e, id, "delivery.requested not published; the next tick sends it");
    }
}

async fn submit(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    items: &SegmentItems,
) -> Response {
    let may_send = page.may(Permission::DeliverySend);
    let by = actor.login_id();
    let now = state.platform.clock.now();
    let result = deliveries(state)
        .update(id, |d| {
            let description = d.target.describe(items);
            d.submit(&by, may_send, description, now).map_err(rule)
        })
        .await;
    let Ok(d) = &result else {
        return outcome(state, id, result, "");
    };
    if may_send {
        audit::record(
            state,
            actor,
            "配信を確定",
            &format!("delivery:{id}"),
            &d.title,
        )
        .await;
        if d.send_at.is_none() {
            request_send(state, id).await;
            return back(
                state,
                id,
                FlashKind::Success,
                "配信を開始しました。結果はこの画面に表示されます。",
            );
        }
        return back(
            state,
            id,
            FlashKind::Success,
            format!(
                "{} に配信を予約しました。",
                d.send_at.map(format_jst).unwrap_or_default()
            ),
        );
    }
    audit::record(
        state,
        actor,
        "配信の承認を依頼",
        &format!("delivery:{id}"),
        &d.title,
    )
    .await;
    back(
        state,
        id,
        FlashKind::Success,
        "承認を依頼しました。承認されると配信されます。",
    )
}

/// A copy of the draft, sent only to the testers and logged as a test.
async fn test_send(state: &AdminState, actor: &Actor, d: &Delivery) -> Response {
    let testers = match tayori_records::Testers::new(state.platform.table.clone())
        .get()
        .await
    {
        Ok(t) => t,
        Err(e) => return ui::unavailable(&e),
    };
    if testers.is_empty() {
        return back(state, &d.id, FlashKind::Error, "テスト配信の受信者が登録されていません。「テスト配信の受信者」で自分のLINEを登録してください。");
    }
    let now = state.platform.clock.now();
    let mut test = d.duplicate(
        uuid::Uuid::new_v4().simple().to_string(),
        &actor.login_id(),
        now,
    );
    test.test = true;
    test.title = format!("【テスト】{}", d.title);
    let by = actor.login_id();
    let created = async {
        deliveries(state).create(&test).await?;
        deliveries(state)
            .update(&test.id, |t| {
                t.submit(&by, true, "テスト配信の受信者".into(), now)
                    .map_err(rule)
            })
            .await
    }
    .await;
    match created {
        Ok(t) => {
            audit::record(
                state,
                actor,
                "テスト配信",
                &format!("delivery:{}", t.id),
                &d.title,
            )
            .await;
            request_send(state, &t.id).await;
            back(
                state,
                &d.id,
                FlashKind::Success,
                format!("テスト配信を {} 人に送りました。", testers.len()),
            )
        }
        Err(Failure::Rule(e)) => back(state, &d.id, FlashKind::Error, e.to_string()),
        Err(Failure::Record(e)) => ui::unavailable(&e),
    }
}

// ------------------------------------------------------------------------------- one delivery

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let d = match deliveries(&state).get(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => return ui::not_found(),
        Err(e) => return ui::unavailable(&e),
    };
    let items = match segment_items(&state).await {
        Ok(i) => i,
        Err(e) => return ui::unavailable(&e),
    };
    if d.status == DeliveryStatus::Draft && page.may(Permission::DeliveryDraft) {
        return composer(&page, &d, &items, &Problems::default());
    }
    let stamp = |s: &Option<tayori_domain::delivery::Stamp>| {
        s.as_ref()
            .map(|s| format!("{}（{}）", s.by, format_jst(s.at)))
            .unwrap_or_else(|| "—".into())
    };
    let action = |path: &str, label: &str, class: &str| {
        html! {
            form.inline method="post" action=(format!("/admin/deliveries/{id}/{path}")) {
                (page.csrf_field())
                button class=(class) type="submit" { (label) }
            }
        }
    };
    page.render(
        &d.title,
        &[("ホーム", "/admin"), ("配信", "/admin/deliveries"), (&d.title, &format!("/admin/deliveries/{id}"))],
        "deliveries",
        html! {
            div.composer {
                div {
                    dl.facts {
                        dt { "状態" } dd { (d.status.label()) @if d.test { "（テスト配信）" } }
                        dt { "分類" } dd { (d.category) }
                        dt { "配信先" } dd { (if d.target_description.is_empty() { d.target.describe(&items) } else { d.target_description.clone() }) }
                        dt { "配信日時" } dd { (d.started_at.or(d.send_at).map(format_jst).unwrap_or_else(|| "確定後すぐ".into())) }
                        dt { "作成" } dd { (stamp(&Some(d.created.clone()))) }
                        dt { "承認依頼・確定" } dd { (stamp(&d.submitted)) }
                        dt { "承認" } dd { (stamp(&d.approved)) }
                        dt { "停止" } dd { (stamp(&d.stop_requested)) }
                        dt { "取消" } dd { (stamp(&d.cancelled)) }
                        dt { "対象数" } dd { (d.totals.recipients) " 人" }
                        dt { "成功" } dd { (d.totals.succeeded) " 通" }
                        dt { "失敗" } dd { (d.totals.failed) " 通" }
                        dt { "未送信（停止）" } dd { (d.totals.not_sent) " 通" }
                        dt { "LINEのエラー" } dd { @if d.errors.is_empty() { "なし" } @else { ul { @for e in &d.errors { li { (e) } } } } }
                    }
                    div.actions {
                        @if d.status == DeliveryStatus::AwaitingApproval && page.may(Permission::DeliveryApprove) {
                            (action("approve", "承認して配信する", "primary"))
                            (action("return", "差し戻す", ""))
                        }
                        @if matches!(d.status, DeliveryStatus::AwaitingApproval | DeliveryStatus::Scheduled) && page.may(Permission::DeliverySend) {
                            (action("cancel", "配信を取り消す", "danger"))
                        }
                        @if d.status == DeliveryStatus::Sending && d.stop_requested.is_none() && page.may(Permission::DeliverySend) {
                            (action("stop", "配信を停止する", "danger"))
                        }
                        @if page.may(Permission::DeliveryDraft) {
                            (action("duplicate", "複製して編集", ""))
                        }
                    }
                }
                (preview(&d))
            }
        },
    )
}

/// One staff action on a delivery's status: apply the rule and audit it.
async fn change(
    state: &AdminState,
    actor: &Actor,
    id: &str,
    action: &str,
    rule_of: impl Fn(&mut Delivery, &str, DateTime<Utc>) -> Result<(), DeliveryError>,
) -> Result<Delivery, Failure> {
    let by = actor.login_id();
    let now = state.platform.clock.now();
    let result = deliveries(state)
        .update(id, |d| rule_of(d, &by, now).map_err(rule))
        .await;
    if let Ok(d) = &result {
        audit::record(state, actor, action, &format!("delivery:{id}"), &d.title).await;
    }
    result
}

pub async fn approve(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let done = "承認しました。";
    let result = change(&state, &actor, &id, "配信を承認", |d, by, now| {
        d.approve(by, now)
    })
    .await;
    if result.as_ref().is_ok_and(|d| d.send_at.is_none()) {
        request_send(&state, &id).await;
    }
    outcome(&state, &id, result, done)
}

pub async fn return_to_draft(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let done = "下書きに戻しました。";
    let result = change(&state, &actor, &id, "配信を差し戻し", |d, _, now| {
        d.return_to_draft(now)
    })
    .await;
    outcome(&state, &id, result, done)
}

pub async fn cancel(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let done = "配信を取り消しました。";
    let result = change(&state, &actor, &id, "配信を取消", |d, by, now| {
        d.cancel(by, now)
    })
    .await;
    outcome(&state, &id, result, done)
}

pub async fn stop(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let done = "停止を指示しました。送信中の分が終わりしだい止まります。";
    let result = change(&state, &actor, &id, "配信を停止", |d, by, now| {
        d.request_stop(by, now)
    })
    .await;
    outcome(&state, &id, result, done)
}

pub async fn duplicate(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let original = match deliveries(&state).get(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => return ui::not_found(),
        Err(e) => return ui::unavailable(&e),
    };
    let copy = original.duplicate(
        uuid::Uuid::new_v4().simple().to_string(),
        &actor.login_id(),
        state.platform.clock.now(),
    );
    if let Err(e) = deliveries(&state).create(&copy).await {
        return ui::unavailable(&e);
    }
    audit::record(
        &state,
        &actor,
        "配信を複製",
        &format!("delivery:{}", copy.id),
        &original.title,
    )
    .await;
    back(
        &state,
        &copy.id,
        FlashKind::Success,
        "複製しました。内容を確認して配信してください。",
    )
}

/// Delivery images for the preview (staff only; LINE reads them from the public media route).
pub async fn media(State(state): State<Arc<AdminState>>, Path(key): Path<String>) -> Response {
    // Only delivery media: the route must not become a way to read other objects.
    let Ok(key) = ObjectKey::new(format!("media/{key}")) else {
        return ui::not_found();
    };
    match state.platform.objects.get(&key).await {
        Ok(Some(object)) => {
            ([(header::CONTENT_TYPE, object.content_type)], object.bytes).into_response()
        }
        Ok(None) => ui::not_found(),
        Err(e) => ui::unavailable(&e),
    }
}
