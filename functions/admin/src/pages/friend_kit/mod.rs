//! 友だち集め: the add-friend kit (the account's basic ID and whom to ask, the places papers are
//! handed out, each with its own QR, an A4 poster and an A6 flyer as PDF drawn on the server,
//! [`tayori_outreach`]), how often each place's QR was read, and how friends came and went day
//! by day. The poster lists only what the account does now ([`offers`]).

mod poster;
mod trend;

pub use poster::poster;
use poster::{join_link, offers};
pub(crate) use trend::trend;
pub use trend::TrendQuery;
use trend::{line_count, net, period, registered};

use crate::audit::{self, Actor};
use crate::ui::form::{field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use maud::{html, Markup, PreEscaped};
use std::sync::Arc;
use tayori_outreach::{Kit, KitError};
use tayori_records::FriendKit;
use tayori_web::chart::bar_chart;

pub const PATH: &str = "/admin/friend-kit";
pub const ACCOUNT_PATH: &str = "/admin/friend-kit/account";
pub const PLACES_PATH: &str = "/admin/friend-kit/places";
pub const REMOVE_PATH: &str = "/admin/friend-kit/places/{code}/remove";
pub const POSTER_PATH: &str = "/admin/friend-kit/places/{code}/poster";
pub(super) const TITLE: &str = "友だち集め";

pub(super) fn kit(state: &AdminState) -> FriendKit {
    FriendKit::new(state.platform.table.clone())
}

/// The account form's values: as saved, or as typed when refused.
struct AccountForm {
    basic_id: String,
    department: String,
    phone: String,
}

impl AccountForm {
    fn saved(kit: &Kit) -> Self {
        Self {
            basic_id: kit.basic_id().map(|i| i.as_printed()).unwrap_or_default(),
            department: kit.department().to_string(),
            phone: kit.phone().to_string(),
        }
    }

    fn typed(form: &FormData) -> Self {
        Self {
            basic_id: form.get("basic_id"),
            department: form.get("department"),
            phone: form.get("phone"),
        }
    }
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    headers: HeaderMap,
    Query(q): Query<TrendQuery>,
) -> PageResult {
    let saved = kit(&state).get().await?;
    let account = AccountForm::saved(&saved);
    render(
        &state,
        &page,
        &headers,
        &q,
        &saved,
        account,
        &Problems::default(),
    )
    .await
}

async fn render(
    state: &AdminState,
    page: &Page,
    headers: &HeaderMap,
    q: &TrendQuery,
    saved: &Kit,
    account: AccountForm,
    problems: &Problems,
) -> Result<Response, ConsoleError> {
    let (from, to, by) = period(state, q);
    let reads = kit(state).reads_between(from, to).await?;
    let trend = trend(state, from, to, by).await?;
    let offers = offers(state).await?;
    let line_count = line_count(state).await;
    let ready = saved.basic_id().is_some();
    let counts_follows = state.config.forms_link.counts_follows_by_place();
    let by_label = by
        .and_then(|b| registered().find(|(id, _)| *id == b))
        .map(|(_, l)| *l);
    let bars: Vec<(String, u64)> = trend
        .days()
        .iter()
        .map(|(d, added, _)| (d.format("%-m/%-d").to_string(), *added))
        .collect();
    let mut response = page.render(
        TITLE,
        &[("ホーム", "/admin"), (TITLE, PATH)],
        "friend-kit",
        html! {
            (problems.summary())
            p { "ポスターやチラシで友だちを増やします。配る場所ごとにQRコードを分けると、どこで配った紙から何回読み取られたかが分かります。" }
            h2 { "アカウントとお問い合わせ先" }
            form.narrow method="post" action=(ACCOUNT_PATH) {
                (page.csrf_field())
                (text("basic_id", "ベーシックID", account.basic_id, problems,
                    "LINE Official Account Manager の「設定」に表示される「@」で始まるIDです。ポスターのQRコードの下にも印刷します。"))
                (text("department", "担当課", account.department, problems, "ポスターの「お問い合わせ」に印刷します。"))
                (text("phone", "電話番号", account.phone, problems, "例: 0770-53-1111"))
                button.primary type="submit" { "保存" }
            }
            h2 { "配る場所とQRコード" }
            @if !ready {
                p.note { "ベーシックIDを保存すると、QRコードとポスターを作れます。" }
            }
            @if saved.places().is_empty() {
                p { "まだ登録がありません。広報誌、窓口、公民館、イベントなど、配る場所を追加してください。" }
            } @else {
                table {
                    caption { "配る場所（" (from.format("%-m月%-d日")) "〜" (to.format("%-m月%-d日")) "の回数）" }
                    thead { tr { th { "場所" } th { "QRコード" } th.num { "読み取り回数" } @if counts_follows { th.num { "友だち追加" } } th { "印刷用" } th { "" } } }
                    tbody {
                        @for place in saved.places() {
                            @let link = join_link(state, headers, place);
                            tr {
                                th { (place.name()) }
                                td {
                                    @match (&link, ready) {
                                        (Some(link), true) => {
                                            @if let Ok(code) = qrcode::QrCode::new(link.as_bytes()) {
                                                div.qr { (PreEscaped(code.render::<qrcode::render::svg::Color>().min_dimensions(120, 120).build())) }
                                            }
                                            code { (link) }
                                        }
                                        (None, _) => { "公開URL（PUBLIC_BASE_URL）が未設定のため作れません。" }
                                        (_, false) => { "–" }
                                    }
                                }
                                td.num { (reads.get(place.code()).copied().unwrap_or(0)) }
                                @if counts_follows { td.num { (trend.follows_from(place.name())) } }
                                td {
                                    @if ready && link.is_some() {
                                        @let poster = POSTER_PATH.replace("{code}", place.code());
                                        a href=(format!("{poster}?paper=a4")) download { "ポスター（A4・PDF）" }
                                        br;
                                        a href=(format!("{poster}?paper=a6")) download { "チラシ（A6・PDF）" }
                                        br;
                                        a href=(format!("{poster}?paper=a4&view=preview")) { "見本を表示" }
                                    }
                                }
                                td {
                                    form method="post" action=(REMOVE_PATH.replace("{code}", place.code())) {
                                        (page.csrf_field())
                                        button type="submit" aria-label=(format!("{}を削除", place.name())) { "削除" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if counts_follows {
                p.note { "「友だち追加」は、LINEアプリでQRコードを読み取って開いたページから、1時間以内に友だち追加した人の数です（LINEのログインを確認できた人だけを数えます）。" }
            } @else {
                p.note { "登録用のLIFFアプリ（LIFF_ID）が設定されていないため、どの場所から友だち追加したかは数えられません。読み取り回数だけを表示します。" }
            }
            form.toolbar method="post" action=(PLACES_PATH) {
                (page.csrf_field())
                label for="f-place" { "配る場所を追加" }
                input #f-place type="text" name="place" maxlength="20" placeholder="例: 広報おばま 1月号"
                    aria-invalid=[problems.get("place").map(|_| "true")];
                button type="submit" { "追加" }
            }
            p.hint { "ポスターに載せる内容: " (offers.join("、")) "（いま使える機能だけを載せます）。" }
            h2 { "友だちの増減" }
            p #line-count { (line_count) }
            form.toolbar method="get" action=(PATH) {
                label for="from" { "期間" }
                input #from type="date" name="from" value=(from.to_string());
                span { "〜" }
                input #to type="date" name="to" value=(to.to_string()) aria-label="終了日";
                label for="by" { "内訳" }
                select #by name="by" {
                    option value="" selected[by.is_none()] { "なし" }
                    @for (id, label) in registered() { option value=(id) selected[by == Some(*id)] { (label) "別" } }
                }
                button.primary type="submit" { "表示" }
            }
            (bar_chart("友だち追加（日別）", &bars))
            table {
                caption { "日別の友だち追加・ブロック" }
                thead { tr { th { "日付" } th.num { "友だち追加" } th.num { "ブロック" } th.num { "差し引き" } } }
                tbody {
                    @for (day, added, blocked) in trend.days() {
                        tr { th { (day.format("%-m月%-d日")) } td.num { (added) } td.num { (blocked) } td.num { (net(*added, *blocked)) } }
                    }
                }
                @let added: u64 = trend.days().iter().map(|d| d.1).sum();
                @let blocked: u64 = trend.days().iter().map(|d| d.2).sum();
                tfoot { tr { th { "合計" } td.num { (added) } td.num { (blocked) } td.num { (net(added, blocked)) } } }
            }
            @if let Some(label) = by_label {
                table {
                    caption { (label) "別（友だち追加・ブロックの時点で登録されていた" (label) "）" }
                    thead { tr { th { (label) } th.num { "友だち追加" } th.num { "ブロック" } th.num { "差し引き" } } }
                    tbody {
                        @for (value, (added, blocked)) in trend.by_value() {
                            tr { th { (value) } td.num { (added) } td.num { (blocked) } td.num { (net(*added, *blocked)) } }
                        }
                    }
                }
                p.note { "友だち追加の時点では、ほとんどの方がまだ属性を登録していないため「未登録」に数えます。" }
            }
        },
    );
    if !problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

fn text(name: &str, label: &str, value: String, problems: &Problems, hint: &str) -> Markup {
    field(
        name,
        label,
        problems,
        Some(hint),
        html! {
            input id=(format!("f-{name}")) type="text" name=(name) value=(value)
                aria-invalid=[problems.get(name).map(|_| "true")]
                aria-describedby=(format!("h-{name}"));
        },
    )
}

fn problems_of(errors: &[KitError]) -> Problems {
    let mut problems = Problems::default();
    for e in errors {
        problems.add(e.field().code(), e.to_string());
    }
    problems
}

pub async fn save_account(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = AccountForm::typed(&form);
    let changed = kit(&state)
        .update(|k| {
            k.set_account(&typed.basic_id, &typed.department, &typed.phone)?;
            Ok::<Kit, Vec<KitError>>(k.clone())
        })
        .await?;
    let saved = match changed {
        Ok(saved) => saved,
        Err(errors) => {
            // What was typed stays in the form, next to why it was refused.
            let saved = kit(&state).get().await?;
            let q = TrendQuery::default();
            let problems = problems_of(&errors);
            return render(&state, &page, &headers, &q, &saved, typed, &problems).await;
        }
    };
    audit::record(
        &state,
        &actor,
        "友だち集めのアカウント情報を変更",
        "settings:friend-kit",
        format!(
            "ベーシックID {}／担当課 {}／電話 {}",
            saved.basic_id().map(|i| i.as_printed()).unwrap_or_default(),
            saved.department(),
            saved.phone()
        ),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        "保存しました。",
        state.config.secure_cookies,
    ))
}

pub async fn add_place(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = form.get("place");
    let added = kit(&state)
        .update(|k| k.add_place(&typed).map(|p| p.name().to_string()))
        .await?;
    let name = match added {
        Ok(name) => name,
        Err(e) => {
            let saved = kit(&state).get().await?;
            let q = TrendQuery::default();
            let account = AccountForm::saved(&saved);
            let problems = problems_of(&[e]);
            return render(&state, &page, &headers, &q, &saved, account, &problems).await;
        }
    };
    audit::record(
        &state,
        &actor,
        "友だち集めの配る場所を追加",
        "settings:friend-kit",
        name.clone(),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("「{name}」を追加しました。"),
        state.config.secure_cookies,
    ))
}

pub async fn remove_place(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(code): Path<String>,
) -> PageResult {
    let place = kit(&state)
        .update(|k| k.remove_place(&code).ok_or(ConsoleError::NotFound))
        .await??;
    audit::record(
        &state,
        &actor,
        "友だち集めの配る場所を削除",
        "settings:friend-kit",
        place.name().to_string(),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!(
            "「{}」を削除しました。すでに配った紙のQRコードを読み取ると、受付終了の案内が表示されます。",
            place.name()
        ),
        state.config.secure_cookies,
    ))
}
