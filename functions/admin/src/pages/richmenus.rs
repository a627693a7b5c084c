//! リッチメニュー: make a menu the way LINE Official Account Manager does — pick a layout, upload
//! the image, set each area's action and label, preview, publish — and designate the 通常 and
//! 緊急 menus.

use crate::audit::{self, Actor};
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::richmenu::{
    check_image, AreaAction, ImageFormat, Layout, MenuArea, MenuMode, RichMenuDraft, LAYOUTS,
};
use tayori_domain::time::format_jst;
use tayori_menus::{describe_line_error, PublishError};
use tayori_ports::ObjectKey;
use tayori_records::{MenuDesignation, MenuImage, RichMenus, StoredMenu};

fn menus(state: &AdminState) -> RichMenus {
    RichMenus::new(state.platform.table.clone())
}

fn back(state: &AdminState, id: &str, kind: FlashKind, text: impl Into<String>) -> Response {
    redirect_with(
        &format!("/admin/richmenus/{id}"),
        kind,
        text,
        state.config.secure_cookies,
    )
}

/// A refusal the clerk can act on goes back to the menu with its reason; storage trouble is the
/// console's error page.
fn publish_error(state: &AdminState, id: &str, e: PublishError) -> PageResult {
    let text = match e {
        PublishError::Line(l) => describe_line_error(&l),
        PublishError::Storage(s) => return Err(s.into()),
        other => other.to_string(),
    };
    Ok(back(state, id, FlashKind::Error, text))
}

fn designation_label(d: &MenuDesignation, id: &str) -> &'static str {
    match (
        d.normal.as_deref() == Some(id),
        d.emergency.as_deref() == Some(id),
    ) {
        (true, _) => "通常用",
        (_, true) => "緊急用",
        _ => "—",
    }
}

/// A small drawing of a layout's areas, numbered, for the layout picker and the editor.
fn layout_diagram(layout: &Layout, width: u32) -> Markup {
    let (bw, bh) = layout.size.base();
    let height = width * bh / bw;
    html! {
        svg.layout width=(width) height=(height) viewBox=(format!("0 0 {bw} {bh}")) role="img" aria-label=(layout.label) {
            @for (i, b) in layout.bounds(bw, bh).iter().enumerate() {
                rect x=(b.x) y=(b.y) width=(b.width) height=(b.height) fill="#f2f4f7" stroke="#1a1a1a" stroke-width="12" {}
                text x=(b.x + b.width / 2) y=(b.y + b.height / 2 + 60) font-size="180" text-anchor="middle" fill="#1a1a1a" { (i + 1) }
            }
        }
    }
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let (all, designation) = match (menus(&state).all().await, menus(&state).designation().await) {
        (Ok(a), Ok(d)) => (a, d),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    Ok(page.render(
        "リッチメニュー",
        &[("ホーム", "/admin"), ("リッチメニュー", "/admin/richmenus")],
        "richmenus",
        html! {
            p { "いま表示中：" strong { (designation.mode().label()) "のメニュー" } }
            div.toolbar { a.button.primary href="/admin/richmenus/new" { "メニューを作成" } }
            table {
                thead { tr { th { "名前" } th { "型" } th { "状態" } th { "指定" } th { "更新" } } }
                tbody {
                    @for m in &all {
                        tr {
                            td { a href=(format!("/admin/richmenus/{}", m.id)) { (m.draft.name) } }
                            td { (Layout::find(&m.draft.layout).map(|l| l.label).unwrap_or("—")) }
                            td { @if m.line_id.is_some() { "公開中" } @else { "下書き" } }
                            td { (designation_label(&designation, &m.id)) }
                            td { (format_jst(m.updated_at)) "（" (m.updated_by) "）" }
                        }
                    }
                    @if all.is_empty() { tr { td colspan="5" { "まだメニューがありません。「メニューを作成」から始めてください。" } } }
                }
            }
        },
    ))
}

pub async fn new_form(page: Page) -> Response {
    new_page(&page, &Problems::default(), "", "メニュー")
}

fn new_page(page: &Page, problems: &Problems, name: &str, bar: &str) -> Response {
    page.render(
        "メニューを作成",
        &[("ホーム", "/admin"), ("リッチメニュー", "/admin/richmenus"), ("メニューを作成", "")],
        "richmenus",
        html! {
            (problems.summary())
            form method="post" action="/admin/richmenus" {
                (page.csrf_field())
                (text_field("name", "管理用の名前", name, problems, Some("市民には表示されません。例：通常メニュー（2026年度）")))
                (text_field("chat_bar_text", "メニューバーのテキスト", bar, problems, Some("14文字以内。トーク画面下のバーに表示されます。")))
                fieldset {
                    legend { "型（テンプレート）" }
                    div.layouts {
                        @for (i, l) in LAYOUTS.iter().enumerate() {
                            label.layout-choice {
                                input type="radio" name="layout" value=(l.id) checked[i == 0];
                                (layout_diagram(l, 150))
                                span { (l.label) }
                            }
                        }
                    }
                }
                button.primary type="submit" { "作成して編集へ" }
            }
        },
    )
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let layout = Layout::find(&form.get("layout"));
    let draft = RichMenuDraft {
        name: form.get("name"),
        chat_bar_text: form.get("chat_bar_text"),
        layout: form.get("layout"),
        areas: Vec::new(),
        open_by_default: true,
        alias_id: None,
    };
    let mut problems = Problems::default();
    for (field, message) in draft.problems() {
        if field == "name" || field == "chat_bar_text" || (field == "layout" && layout.is_none()) {
            problems.add(&field, message);
        }
    }
    let Some(layout) = layout.filter(|_| problems.is_empty()) else {
        return Ok(new_page(
            &page,
            &problems,
            &draft.name,
            &draft.chat_bar_text,
        ));
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let areas = (1..=layout.area_count())
        .map(|n| MenuArea {
            action: AreaAction::Message {
                text: String::new(),
            },
            label: format!("ボタン{n}"),
        })
        .collect();
    let menu = StoredMenu {
        id: id.clone(),
        draft: RichMenuDraft { areas, ..draft },
        image: None,
        line_id: None,
        published_at: None,
        updated_at: state.platform.clock.now(),
        updated_by: actor.login_id(),
    };
    menus(&state).save(&menu).await?;
    audit::record(
        &state,
        &actor,
        "リッチメニューを作成",
        &format!("richmenu:{id}"),
        menu.draft.name.clone(),
    )
    .await;
    Ok(back(
        &state,
        &id,
        FlashKind::Success,
        "作成しました。画像をアップロードし、各エリアの動作を設定してください。",
    ))
}

async fn load(state: &AdminState, id: &str) -> Result<StoredMenu, ConsoleError> {
    menus(state).get(id).await?.ok_or(ConsoleError::NotFound)
}

fn action_fields(i: usize, area: &MenuArea, locked: bool) -> Markup {
    let n = i + 1;
    let (kind, value, display) = match &area.action {
        AreaAction::Uri { uri } => ("uri", uri.clone(), String::new()),
        AreaAction::Message { text } => ("message", text.clone(), String::new()),
        AreaAction::Postback { data, display_text } => {
            ("postback", data.clone(), display_text.clone())
        }
        AreaAction::SwitchTab { alias_id } => ("switch", alias_id.clone(), String::new()),
    };
    html! {
        fieldset id=(format!("f-area-{n}")) disabled[locked] {
            legend { "エリア" (n) }
            label for=(format!("kind-{n}")) { "動作" }
            select id=(format!("kind-{n}")) name=(format!("kind-{n}")) {
                option value="message" selected[kind == "message"] { "テキストを送信" }
                option value="uri" selected[kind == "uri"] { "リンク（Webページ・LIFF）を開く" }
                option value="postback" selected[kind == "postback"] { "ポストバック（利用数に数える）" }
                option value="switch" selected[kind == "switch"] { "タブを切り替える" }
            }
            label for=(format!("value-{n}")) { "内容（送信テキスト／URL／データ／切替先タブID）" }
            input type="text" id=(format!("value-{n}")) name=(format!("value-{n}")) value=(value);
            label for=(format!("display-{n}")) { "表示テキスト（ポストバックのみ・任意）" }
            input type="text" id=(format!("display-{n}")) name=(format!("display-{n}")) value=(display);
            label for=(format!("label-{n}")) { "読み上げ用ラベル（20文字以内）" }
            input type="text" id=(format!("label-{n}")) name=(format!("label-{n}")) value=(area.label);
        }
    }
}

fn edit_page(
    page: &Page,
    menu: &StoredMenu,
    designation: &MenuDesignation,
    problems: &Problems,
) -> Response {
    let layout = Layout::find(&menu.draft.layout);
    let locked = menu.line_id.is_some();
    let id = &menu.id;
    page.render(
        &menu.draft.name.clone(),
        &[("ホーム", "/admin"), ("リッチメニュー", "/admin/richmenus"), (&menu.draft.name, "")],
        "richmenus",
        html! {
            (problems.summary())
            dl.facts {
                dt { "状態" } dd { @if let Some(t) = menu.published_at { "公開中（" (format_jst(t)) "）" } @else { "下書き" } }
                dt { "指定" } dd { (designation_label(designation, id)) }
                dt { "型" } dd { (layout.map(|l| l.label).unwrap_or("—")) }
            }
            div.preview {
                h2 { "プレビュー" }
                @if let (Some(img), Some(l)) = (&menu.image, layout) {
                    // The image's own size gives the preview its proportions (no inline style).
                    div.menu-preview {
                        img src=(format!("/admin/richmenus/{id}/image")) width=(img.width) height=(img.height) alt="メニュー画像";
                        svg viewBox=(format!("0 0 {} {}", img.width, img.height)) aria-hidden="true" {
                            @for (i, b) in l.bounds(img.width, img.height).iter().enumerate() {
                                rect x=(b.x) y=(b.y) width=(b.width) height=(b.height) fill="none" stroke="#ffbf00" stroke-width="10" {}
                                text x=(b.x + 40) y=(b.y + 140) font-size="120" fill="#ffbf00" stroke="#1a1a1a" stroke-width="4" { (i + 1) }
                            }
                        }
                    }
                    p.note { (img.width) "×" (img.height) "ピクセル" }
                } @else if let Some(l) = layout {
                    (layout_diagram(l, 320))
                    p.note { "画像はまだありません。" }
                }
            }
            @if locked {
                p.flash.ok { "公開中のメニューは編集できません（LINEの仕様で画像を差し替えられないため）。変更するときは「非公開にする」を押してから編集し、もう一度公開してください。" }
            }
            // One form for the image and the settings: uploading the image sends what was typed
            // in the areas too, so nothing typed is lost whichever button is pressed.
            form method="post" action=(format!("/admin/richmenus/{id}/image")) enctype="multipart/form-data" {
                (page.csrf_field())
                @if !locked {
                    h2 { "画像" }
                    div.field {
                        label for="f-image" { "画像ファイル（JPEG・PNG、1MB以下）" }
                        input #f-image type="file" name="image" accept="image/png,image/jpeg" aria-describedby="h-image";
                        div.hint #h-image {
                            @if let Some(p) = problems.get("image") { span.problem { (p) } " " }
                            @match layout.map(|l| l.size) {
                                Some(tayori_domain::richmenu::MenuSize::Compact) => "推奨サイズ：2500×843 または 1200×405",
                                _ => "推奨サイズ：2500×1686 または 1200×810",
                            }
                            "。下の設定も一緒に保存されます。"
                        }
                    }
                    button type="submit" name="action" value="image" { "画像をアップロード" }
                }
                h2 { "設定" }
                fieldset disabled[locked] {
                    (text_field("name", "管理用の名前", &menu.draft.name, problems, None))
                    (text_field("chat_bar_text", "メニューバーのテキスト", &menu.draft.chat_bar_text, problems, Some("14文字以内")))
                    (text_field("alias_id", "タブID（タブ切替で使う場合のみ）", menu.draft.alias_id.as_deref().unwrap_or(""), problems, Some("半角英数字と「-」「_」。例：tab-kurashi")))
                    label.check { input type="checkbox" name="open_by_default" value="1" checked[menu.draft.open_by_default]; "トークを開いたときにメニューを開いておく" }
                }
                @for (i, area) in menu.draft.areas.iter().enumerate() { (action_fields(i, area, locked)) }
                @if !locked { button.primary type="submit" name="action" value="settings" { "設定を保存" } }
            }
            h2 { "公開と指定" }
            div.actions {
                @if locked {
                    form method="post" action=(format!("/admin/richmenus/{id}/unpublish")) { (page.csrf_field()) button type="submit" { "非公開にする" } }
                } @else {
                    form method="post" action=(format!("/admin/richmenus/{id}/publish")) { (page.csrf_field()) button.primary type="submit" { "LINEに公開する" } }
                }
                form method="post" action=(format!("/admin/richmenus/{id}/designate")) {
                    (page.csrf_field())
                    input type="hidden" name="mode" value="normal";
                    button type="submit" disabled[designation.normal.as_deref() == Some(id.as_str())] { "通常用に指定" }
                }
                form method="post" action=(format!("/admin/richmenus/{id}/designate")) {
                    (page.csrf_field())
                    input type="hidden" name="mode" value="emergency";
                    button type="submit" disabled[designation.emergency.as_deref() == Some(id.as_str())] { "緊急用（災害時）に指定" }
                }
                form method="post" action=(format!("/admin/richmenus/{id}/delete")) {
                    (page.csrf_field())
                    button.danger type="submit" { "削除" }
                }
            }
        },
    )
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let menu = load(&state, &id).await?;
    let d = menus(&state).designation().await?;
    Ok(edit_page(&page, &menu, &d, &Problems::default()))
}

fn parse_areas(form: &FormData, count: usize) -> Vec<MenuArea> {
    (1..=count)
        .map(|n| {
            let value = form.get(&format!("value-{n}"));
            let action = match form.get(&format!("kind-{n}")).as_str() {
                "uri" => AreaAction::Uri { uri: value },
                "postback" => AreaAction::Postback {
                    data: value,
                    display_text: form.get(&format!("display-{n}")),
                },
                "switch" => AreaAction::SwitchTab { alias_id: value },
                _ => AreaAction::Message { text: value },
            };
            MenuArea {
                action,
                label: form.get(&format!("label-{n}")),
            }
        })
        .collect()
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let mut menu = load(&state, &id).await?;
    if menu.line_id.is_some() {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            "公開中のメニューは編集できません。先に非公開にしてください。",
        ));
    }
    let form = FormData::parse(&body);
    let problems = save_settings(&state, &actor, &mut menu, &form).await?;
    if problems.is_empty() {
        return Ok(back(
            &state,
            &id,
            FlashKind::Success,
            "設定を保存しました。",
        ));
    }
    refused(&state, &page, &menu, &problems).await
}

/// The editor again with what was refused, beside what was typed.
async fn refused(
    state: &AdminState,
    page: &Page,
    menu: &StoredMenu,
    problems: &Problems,
) -> PageResult {
    let d = menus(state).designation().await?;
    Ok(edit_page(page, menu, &d, problems))
}

/// Applies the settings typed in `form` and saves them, even with problems, so that nothing
/// typed is lost; publishing checks again. Answers the problems to show.
async fn save_settings(
    state: &AdminState,
    actor: &Actor,
    menu: &mut StoredMenu,
    form: &FormData,
) -> Result<Problems, ConsoleError> {
    let count = Layout::find(&menu.draft.layout)
        .map(|l| l.area_count())
        .unwrap_or(0);
    let alias = form.get("alias_id");
    menu.draft = RichMenuDraft {
        name: form.get("name"),
        chat_bar_text: form.get("chat_bar_text"),
        layout: menu.draft.layout.clone(),
        areas: parse_areas(form, count),
        open_by_default: form.has("open_by_default"),
        alias_id: (!alias.is_empty()).then_some(alias),
    };
    let mut problems = Problems::default();
    for (field, message) in menu.draft.problems() {
        problems.add(&field, message);
    }
    menu.updated_at = state.platform.clock.now();
    menu.updated_by = actor.login_id();
    menus(state).save(menu).await?;
    audit::record(
        state,
        actor,
        "リッチメニューを変更",
        &format!("richmenu:{}", menu.id),
        menu.draft.name.clone(),
    )
    .await;
    Ok(problems)
}

pub async fn upload_image(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    let mut menu = load(&state, &id).await?;
    if menu.line_id.is_some() {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            "公開中のメニューの画像は差し替えられません。先に非公開にしてください。",
        ));
    }
    let mut bytes = None;
    let mut fields = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name().map(str::to_string) {
            Some(name) if name == "image" => bytes = field.bytes().await.ok(),
            Some(name) => fields.push((name, field.text().await.unwrap_or_default())),
            None => {}
        }
    }
    let form = FormData::from_pairs(fields);
    // The editor sends its settings with the image; a bare upload (a script) has none.
    let saving_settings = form.get("action") == "settings";
    let settings_problems = if form.has("name") {
        save_settings(&state, &actor, &mut menu, &form).await?
    } else {
        Problems::default()
    };
    // An upload keeps what was typed but does not stop at unfinished areas: the usual order is
    // the image first, then the areas, which 設定を保存 and publishing check.
    let mut problems = if saving_settings {
        settings_problems
    } else {
        Problems::default()
    };
    let bytes = bytes.filter(|b| !b.is_empty());
    if bytes.is_none() && saving_settings {
        if problems.is_empty() {
            return Ok(back(
                &state,
                &id,
                FlashKind::Success,
                "設定を保存しました。",
            ));
        }
        return refused(&state, &page, &menu, &problems).await;
    }
    let Some(bytes) = bytes else {
        {
            problems.add("image", "画像ファイルを選んでください。");
            return refused(&state, &page, &menu, &problems).await;
        };
    };
    let format = match imagesize::image_type(&bytes) {
        Ok(imagesize::ImageType::Png) => ImageFormat::Png,
        Ok(imagesize::ImageType::Jpeg) => ImageFormat::Jpeg,
        _ => ImageFormat::Other,
    };
    let (width, height) = match imagesize::blob_size(&bytes) {
        Ok(size) => (size.width as u32, size.height as u32),
        Err(_) if format == ImageFormat::Other => (0, 0),
        Err(_) => {
            problems.add("image", "画像ファイルが壊れているか、読み取れません。");
            return refused(&state, &page, &menu, &problems).await;
        }
    };
    let Some(layout) = Layout::find(&menu.draft.layout) else {
        return Err(ConsoleError::NotFound);
    };
    if let Err(p) = check_image(format, bytes.len(), width, height, layout) {
        {
            problems.add("image", p.to_string());
            return refused(&state, &page, &menu, &problems).await;
        };
    }
    let (ext, content_type) = if format == ImageFormat::Png {
        ("png", "image/png")
    } else {
        ("jpg", "image/jpeg")
    };
    let key = format!("richmenus/{id}/{}.{ext}", uuid::Uuid::new_v4().simple());
    let object_key = ObjectKey::new(key.clone()).expect("generated keys are valid");
    state
        .platform
        .objects
        .put(&object_key, bytes.to_vec(), content_type)
        .await?;
    let old = menu.image.replace(MenuImage {
        key,
        content_type: content_type.into(),
        width,
        height,
    });
    menu.updated_at = state.platform.clock.now();
    menu.updated_by = actor.login_id();
    menus(&state).save(&menu).await?;
    if let Some(old) = old.and_then(|o| ObjectKey::new(o.key).ok()) {
        let _ = state.platform.objects.delete(&old).await;
    }
    audit::record(
        &state,
        &actor,
        "リッチメニュー画像をアップロード",
        &format!("richmenu:{id}"),
        format!("{width}×{height}、{}KB", bytes.len().div_ceil(1024)),
    )
    .await;
    if !problems.is_empty() {
        return refused(&state, &page, &menu, &problems).await;
    }
    Ok(back(
        &state,
        &id,
        FlashKind::Success,
        "画像をアップロードしました。",
    ))
}

pub async fn image(State(state): State<Arc<AdminState>>, Path(id): Path<String>) -> PageResult {
    let menu = load(&state, &id).await?;
    let Some(key) = menu.image.and_then(|i| ObjectKey::new(i.key).ok()) else {
        return Err(ConsoleError::NotFound);
    };
    Ok(match state.platform.objects.get(&key).await? {
        Some(object) => {
            ([(header::CONTENT_TYPE, object.content_type)], object.bytes).into_response()
        }
        None => return Err(ConsoleError::NotFound),
    })
}

pub async fn publish(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    Ok(
        match tayori_menus::publish(&state.platform, &state.line, &id, &actor.login_id()).await {
            Ok(menu) => {
                audit::record(
                    &state,
                    &actor,
                    "リッチメニューを公開",
                    &format!("richmenu:{id}"),
                    format!(
                        "{}（LINE ID {}）",
                        menu.draft.name,
                        menu.line_id.unwrap_or_default()
                    ),
                )
                .await;
                back(&state, &id, FlashKind::Success, "LINEに公開しました。")
            }
            Err(e) => return publish_error(&state, &id, e),
        },
    )
}

pub async fn unpublish(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    Ok(
        match tayori_menus::unpublish(&state.platform, &state.line, &id, &actor.login_id()).await {
            Ok(menu) => {
                audit::record(
                    &state,
                    &actor,
                    "リッチメニューを非公開",
                    &format!("richmenu:{id}"),
                    menu.draft.name,
                )
                .await;
                back(
                    &state,
                    &id,
                    FlashKind::Success,
                    "非公開にしました。編集できます。",
                )
            }
            Err(e) => return publish_error(&state, &id, e),
        },
    )
}

pub async fn delete(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    Ok(
        match tayori_menus::delete(&state.platform, &state.line, &id, &actor.login_id()).await {
            Ok(()) => {
                audit::record(
                    &state,
                    &actor,
                    "リッチメニューを削除",
                    &format!("richmenu:{id}"),
                    "",
                )
                .await;
                redirect_with(
                    "/admin/richmenus",
                    FlashKind::Success,
                    "削除しました。",
                    state.config.secure_cookies,
                )
            }
            Err(e) => return publish_error(&state, &id, e),
        },
    )
}

pub async fn designate(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let mode = match FormData::parse(&body).get("mode").as_str() {
        "emergency" => MenuMode::Emergency,
        _ => MenuMode::Normal,
    };
    Ok(
        match tayori_menus::designate(&state.platform, &state.line, &id, mode).await {
            Ok(_) => {
                audit::record(
                    &state,
                    &actor,
                    &format!("{}メニューに指定", mode.label()),
                    &format!("richmenu:{id}"),
                    "",
                )
                .await;
                back(
                    &state,
                    &id,
                    FlashKind::Success,
                    format!("{}のメニューに指定しました。", mode.label()),
                )
            }
            Err(e) => return publish_error(&state, &id, e),
        },
    )
}
