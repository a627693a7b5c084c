//! セグメント設定: the items citizens register (年代, 性別, 居住地区, 関心 …) and their choices,
//! in the order the chat questionnaire and the LIFF form ask them. Staff add, rename, reorder
//! and retire; nothing is ever deleted, so old deliveries and logs keep their meaning.
//!
//! The page also shows, and lets staff set, how long the data of a friend who blocked the
//! account is kept (保存期間, 仕様書 6.1.1); the daily job removes it after that.

use crate::audit::{self, Actor};
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::segment::{
    Answer, SegmentEditError, SegmentItem, SegmentItems, MAX_CHOICE_CHARS, MAX_LABEL_CHARS,
};
use tayori_domain::Retention;
use tayori_records::retention::RetentionRecord;
use tayori_records::{RecordError, SegmentItemsRecord};

const LIST: &str = "/admin/segments";
/// Where the retention form posts.
pub const RETENTION: &str = "/admin/retention";
const MANUAL: &str = "segments";

fn record(state: &AdminState) -> SegmentItemsRecord {
    SegmentItemsRecord::new(state.platform.table.clone())
}

/// A refused change, shown again on the list beside the form it came from, with what the clerk
/// typed kept.
struct Refusal {
    /// `new` for the add-item form, else the item id.
    scope: String,
    problems: Problems,
    form: FormData,
}

/// The items and the retention policy, what the page shows.
async fn load(state: &AdminState) -> Result<(SegmentItems, Retention), RecordError> {
    let items = record(state).get().await?;
    let retention = RetentionRecord::new(state.platform.table.clone())
        .get()
        .await?;
    Ok((items, retention))
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let (items, retention) = load(&state).await?;
    Ok(render(&page, &items, retention, None))
}

fn answer_label(answer: Answer) -> &'static str {
    match answer {
        Answer::One => "1つ選ぶ",
        Answer::Many => "複数選べる",
    }
}

fn badge(text: &str) -> Markup {
    html! {
        span.badge.retired { (text) }
    }
}

/// A labelled input whose id is unique on the page (every item has its own forms).
fn input(
    scope: &str,
    name: &str,
    label: &str,
    value: &str,
    refusal: Option<&Refusal>,
    hint: &str,
) -> Markup {
    let id = format!("f-{scope}-{name}");
    let problem = refusal
        .filter(|r| r.scope == scope)
        .and_then(|r| r.problems.get(name));
    html! {
        div.field {
            label for=(id) { (label) }
            input type="text" id=(id) name=(name) value=(value)
                aria-invalid=[problem.map(|_| "true")]
                aria-describedby=(format!("h-{scope}-{name}"));
            div.hint id=(format!("h-{scope}-{name}")) {
                @if let Some(p) = problem { span.problem { (p) } " " }
                (hint)
            }
        }
    }
}

/// What the clerk typed, when this form was the refused one; else `fallback`.
fn typed(refusal: Option<&Refusal>, scope: &str, name: &str, fallback: &str) -> String {
    match refusal.filter(|r| r.scope == scope) {
        Some(r) => r.form.get(name),
        None => fallback.to_string(),
    }
}

fn item_section(
    page: &Page,
    item: &SegmentItem,
    n: usize,
    last: usize,
    refusal: Option<&Refusal>,
) -> Markup {
    let base = format!("{LIST}/{}", item.id);
    let open = item.open_choices().count();
    html! {
        section.segment-item id=(format!("item-{}", item.id)) {
            h2 {
                (n + 1) ". " (item.label)
                @if item.retired { (badge("廃止")) }
            }
            p { "質問文：" (item.question) }
            p { "答え方：" (answer_label(item.answer)) "　登録キー：" code { (item.id) } }
            table {
                caption { "選択肢（使用中 " (open) " / 上限 " (item.max_open_choices()) "）" }
                thead { tr { th { "選択肢" } th { "状態" } th { "操作" } } }
                tbody {
                    @for (index, choice) in item.choices.iter().enumerate() {
                        tr {
                            td { (choice.value) }
                            td { @if choice.retired { (badge("廃止")) } @else { "使用中" } }
                            td {
                                form.inline method="post" action=(format!("{base}/choices/{index}/retire")) {
                                    (page.csrf_field())
                                    @if choice.retired {
                                        input type="hidden" name="retired" value="0";
                                        button type="submit" { "使用を再開" }
                                    } @else {
                                        input type="hidden" name="retired" value="1";
                                        button type="submit" { "廃止する" }
                                    }
                                }
                            }
                        }
                    }
                    @if item.choices.is_empty() { tr { td colspan="3" { "選択肢がまだありません。選択肢がない項目は質問されません。" } } }
                }
            }
            form method="post" action=(format!("{base}/choices")) {
                (page.csrf_field())
                (input(&item.id, "value", "選択肢を追加", &typed(refusal, &item.id, "value", ""), refusal,
                    &format!("{MAX_CHOICE_CHARS}文字以内（LINEのボタンに表示されます）。")))
                button type="submit" { "選択肢を追加" }
            }
            details open[refusal.is_some_and(|r| r.scope == item.id && (r.problems.get("label").is_some() || r.problems.get("question").is_some()))] {
                summary { "項目名・質問文を変更" }
                form method="post" action=(base) {
                    (page.csrf_field())
                    (input(&item.id, "label", "項目名", &typed(refusal, &item.id, "label", &item.label), refusal,
                        &format!("{MAX_LABEL_CHARS}文字以内。職員の画面と配信先の説明に使います。")))
                    (input(&item.id, "question", "質問文", &typed(refusal, &item.id, "question", &item.question), refusal,
                        "市民に表示される質問です。"))
                    button type="submit" { "変更を保存" }
                }
            }
            div.toolbar {
                form.inline method="post" action=(format!("{base}/move")) {
                    (page.csrf_field())
                    input type="hidden" name="direction" value="up";
                    button type="submit" disabled[n == 0] aria-label=(format!("{}を上へ", item.label)) { "↑ 上へ" }
                }
                form.inline method="post" action=(format!("{base}/move")) {
                    (page.csrf_field())
                    input type="hidden" name="direction" value="down";
                    button type="submit" disabled[n == last] aria-label=(format!("{}を下へ", item.label)) { "↓ 下へ" }
                }
                form.inline method="post" action=(format!("{base}/retire")) {
                    (page.csrf_field())
                    @if item.retired {
                        input type="hidden" name="retired" value="0";
                        button type="submit" { "この項目の使用を再開" }
                    } @else {
                        input type="hidden" name="retired" value="1";
                        button.danger type="submit" { "この項目を廃止" }
                    }
                }
            }
        }
    }
}

fn retention_section(page: &Page, retention: Retention, refusal: Option<&Refusal>) -> Markup {
    let days = typed(refusal, "retention", "days", &retention.days().to_string());
    html! {
        section.segment-item #retention {
            h2 { "ブロックした友だちのデータの保存期間" }
            p { "友だちがアカウントをブロックしてから "
                strong { (retention.days()) "日" }
                " を過ぎると、毎日午前3時の処理で、その友だちの記録（LINEのユーザーID、登録内容、回答途中の質問、テスター登録）を削除します。"
                "期間内にブロックを解除した友だちは、登録内容ごとそのまま残ります。"
                "配信の送信記録に残る送信先のIDは、これとは別に、送信から30日で消えます。" }
            p { "「登録削除」を選んだ市民の登録内容は、この期間とは関係なく、その場で削除されます。"
                "初期値は" (Retention::DEFAULT_DAYS) "日です。" }
            form method="post" action=(RETENTION) {
                (page.csrf_field())
                (input("retention", "days", "保存期間（日）", &days, refusal,
                    &format!("{}〜{}日。変更は操作ログに残ります。", Retention::MIN_DAYS, Retention::MAX_DAYS)))
                button type="submit" { "保存期間を変更" }
            }
        }
    }
}

fn render(
    page: &Page,
    items: &SegmentItems,
    retention: Retention,
    refusal: Option<Refusal>,
) -> Response {
    let refusal = refusal.as_ref();
    let last = items.items.len().saturating_sub(1);
    let answer = typed(refusal, "new", "answer", "one");
    let mut response = page.render(
        "セグメント設定",
        &[("ホーム", "/admin"), ("セグメント設定", LIST)],
        MANUAL,
        html! {
            @if let Some(r) = refusal { (r.problems.summary_in(&r.scope)) }
            p { "市民が登録する項目です。トークの質問とLIFFの登録フォームは、この順番で質問します。"
                "項目や選択肢は削除せず「廃止」します。廃止しても、登録済みの内容と過去の配信記録はそのまま残ります。" }
            @for (n, item) in items.items.iter().enumerate() {
                (item_section(page, item, n, last, refusal))
            }
            section #add-item {
                h2 { "項目を追加" }
                form method="post" action=(LIST) {
                    (page.csrf_field())
                    (input("new", "label", "項目名", &typed(refusal, "new", "label", ""), refusal,
                        &format!("{MAX_LABEL_CHARS}文字以内。例：職業")))
                    (input("new", "question", "質問文", &typed(refusal, "new", "question", ""), refusal,
                        "例：ご職業を教えてください。"))
                    fieldset {
                        legend { "答え方" }
                        label.check { input type="radio" name="answer" value="one" checked[answer != "many"]; "1つ選ぶ" }
                        label.check { input type="radio" name="answer" value="many" checked[answer == "many"]; "複数選べる" }
                    }
                    button.primary type="submit" { "項目を追加" }
                }
            }
            (retention_section(page, retention, refusal))
        },
    );
    if refusal.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// Applies one change, then either audits it and goes back to the list, or shows the list
/// again with the refusal beside the form.
#[allow(clippy::too_many_arguments)]
async fn change(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    scope: &str,
    form: FormData,
    action: &str,
    summary: String,
    apply: impl Fn(&mut SegmentItems) -> Result<(), SegmentEditError>,
) -> PageResult {
    Ok(match record(state).update(apply).await? {
        Err(SegmentEditError::UnknownItem(_)) => return Err(ConsoleError::NotFound),
        Err(refused) => {
            let (items, retention) = load(state).await?;
            let mut problems = Problems::default();
            // A choice is typed into the add-choice field, named `value`.
            let field = match refused.field() {
                "choice" => "value",
                other => other,
            };
            problems.add(field, refused.to_string());
            render(
                page,
                &items,
                retention,
                Some(Refusal {
                    scope: scope.to_string(),
                    problems,
                    form,
                }),
            )
        }
        Ok(items) => {
            let target = if scope == "new" {
                items.items.last().map(|i| i.id.clone()).unwrap_or_default()
            } else {
                scope.to_string()
            };
            audit::record(
                state,
                actor,
                action,
                &format!("segment:{target}"),
                summary.clone(),
            )
            .await;
            redirect_with(
                &format!("{LIST}#item-{target}"),
                FlashKind::Success,
                format!("{action}：{summary}"),
                state.config.secure_cookies,
            )
        }
    })
}

fn label_of(state_items: &SegmentItems, id: &str) -> String {
    state_items
        .get(id)
        .map(|i| i.label.clone())
        .unwrap_or_else(|| id.to_string())
}

async fn current_label(state: &AdminState, id: &str) -> Result<String, ConsoleError> {
    let items = record(state).get().await?;
    match items.get(id) {
        Some(_) => Ok(label_of(&items, id)),
        None => Err(ConsoleError::NotFound),
    }
}

pub async fn add_item(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (label, question) = (form.get("label"), form.get("question"));
    let answer = if form.get("answer") == "many" {
        Answer::Many
    } else {
        Answer::One
    };
    let summary = format!("{label}（{}）", answer_label(answer));
    change(
        &state,
        &page,
        &actor,
        "new",
        form.clone(),
        "セグメント項目を追加",
        summary,
        |items| items.add_item(&label, &question, answer).map(|_| ()),
    )
    .await
}

pub async fn rename(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (label, question) = (form.get("label"), form.get("question"));
    let before = current_label(&state, &id).await?;
    let summary = format!("{before} → {label}／{question}");
    change(
        &state,
        &page,
        &actor,
        &id,
        form.clone(),
        "セグメント項目を変更",
        summary,
        |items| items.rename(&id, &label, &question),
    )
    .await
}

pub async fn add_choice(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let value = form.get("value");
    let label = current_label(&state, &id).await?;
    change(
        &state,
        &page,
        &actor,
        &id,
        form.clone(),
        "選択肢を追加",
        format!("{label}：{value}"),
        |items| items.add_choice(&id, &value),
    )
    .await
}

pub async fn move_item(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let up = form.get("direction") != "down";
    let label = current_label(&state, &id).await?;
    change(
        &state,
        &page,
        &actor,
        &id,
        form,
        "セグメント項目の順番を変更",
        format!("{label}を{}", if up { "上へ" } else { "下へ" }),
        |items| items.move_item(&id, up),
    )
    .await
}

pub async fn retire_item(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let retired = form.get("retired") != "0";
    let label = current_label(&state, &id).await?;
    let action = if retired {
        "セグメント項目を廃止"
    } else {
        "セグメント項目の使用を再開"
    };
    change(&state, &page, &actor, &id, form, action, label, |items| {
        items.set_item_retired(&id, retired)
    })
    .await
}

pub async fn retire_choice(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path((id, index)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let retired = form.get("retired") != "0";
    let Ok(index) = index.parse::<usize>() else {
        return Err(ConsoleError::NotFound);
    };
    let items = record(&state).get().await?;
    let Some(choice) = items
        .get(&id)
        .and_then(|i| i.choices.get(index))
        .map(|c| c.value.clone())
    else {
        return Err(ConsoleError::NotFound);
    };
    let action = if retired {
        "選択肢を廃止"
    } else {
        "選択肢の使用を再開"
    };
    change(
        &state,
        &page,
        &actor,
        &id,
        form,
        action,
        format!("{}：{choice}", label_of(&items, &id)),
        |items| items.set_choice_retired(&id, index, retired),
    )
    .await
}

/// Sets the retention period; refused with the typed value kept beside the field.
pub async fn set_retention(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (items, before) = load(&state).await?;
    let retention = match Retention::parse(&form.get("days")) {
        Ok(r) => r,
        Err(refused) => {
            let mut problems = Problems::default();
            problems.add("days", refused.to_string());
            return Ok(render(
                &page,
                &items,
                before,
                Some(Refusal {
                    scope: "retention".into(),
                    problems,
                    form,
                }),
            ));
        }
    };
    RetentionRecord::new(state.platform.table.clone())
        .set(retention)
        .await?;
    audit::record(
        &state,
        &actor,
        "友だちデータの保存期間を変更",
        "settings:friend-retention",
        format!("ブロックから{}日 → {}日", before.days(), retention.days()),
    )
    .await;
    Ok(redirect_with(
        &format!("{LIST}#retention"),
        FlashKind::Success,
        format!("保存期間を変更しました：ブロックから{}日", retention.days()),
        state.config.secure_cookies,
    ))
}
