//! 事業の設定: the city's programmes (事業) as groups of the usage report's services, which the
//! report and its CSV then count 事業別 ([`tayori_domain::usage::Programmes`]).

use crate::audit::{self, Actor};
use crate::ui::form::{field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::usage::{Programmes, UsageKind};
use tayori_records::Settings;

pub const PATH: &str = "/admin/usage/programmes";
pub const REMOVE_PATH: &str = "/admin/usage/programmes/remove";
const TITLE: &str = "事業の設定";

fn settings(state: &AdminState) -> Settings {
    Settings::new(state.platform.table.clone(), state.config.city.clone())
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let programmes = settings(&state).programmes().await?;
    Ok(render(&page, &programmes, "", &[], &Problems::default()))
}

fn render(
    page: &Page,
    programmes: &Programmes,
    name: &str,
    chosen: &[UsageKind],
    problems: &Problems,
) -> Response {
    let mut response = page.render(
        TITLE,
        &[
            ("ホーム", "/admin"),
            ("利用状況レポート", "/admin/usage"),
            (TITLE, PATH),
        ],
        "usage",
        html! {
            (problems.summary())
            p { "市の事業ごとに、関係するサービスをまとめます。利用状況レポートとそのCSVに、事業別の件数が加わります。" }
            @if programmes.list().is_empty() {
                p { "まだ事業がありません。" }
            } @else {
                table {
                    caption { "登録済みの事業" }
                    thead { tr { th { "事業" } th { "含めるサービス" } th { "" } } }
                    tbody {
                        @for p in programmes.list() {
                            tr {
                                th { (p.name()) }
                                td { (p.services().iter().map(|k| k.label()).collect::<Vec<_>>().join("、")) }
                                td {
                                    form method="post" action=(REMOVE_PATH) {
                                        (page.csrf_field())
                                        input type="hidden" name="name" value=(p.name());
                                        button type="submit" aria-label=(format!("{}を削除", p.name())) { "削除" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "事業を追加" }
            form.narrow method="post" action=(PATH) {
                (page.csrf_field())
                (field("name", "事業名", problems, Some("例: 防災事業、子育て支援事業"), html! {
                    input #f-name type="text" name="name" value=(name) maxlength="30" aria-describedby="h-name"
                        aria-invalid=[problems.get("name").map(|_| "true")];
                }))
                fieldset #f-services {
                    legend { "含めるサービス" }
                    @if let Some(e) = problems.get("services") { p { span.problem { (e) } } }
                    @for kind in UsageKind::recorded() {
                        label.check {
                            input type="checkbox" name="service" value=(kind.code()) checked[chosen.contains(&kind)];
                            " " (kind.label())
                        }
                    }
                }
                p.hint { "単位の違うサービス（配信（回）と配信成功（通）など）をまとめると、合計の意味が分かりにくくなります。" }
                button.primary type="submit" { "追加" }
            }
        },
    );
    if !problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn add(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let name = form.get("name");
    let chosen: Vec<UsageKind> = form
        .all("service")
        .iter()
        .filter_map(|code| UsageKind::ALL.into_iter().find(|k| k.code() == code))
        .collect();
    let added = settings(&state)
        .update_programmes(|programmes| {
            programmes.add(&name, &chosen).map(|p| {
                let services: Vec<&str> = p.services().iter().map(|k| k.label()).collect();
                format!("{}（{}）", p.name(), services.join("、"))
            })
        })
        .await?;
    let added = match added {
        Ok(added) => added,
        Err(e) => {
            let programmes = settings(&state).programmes().await?;
            let mut problems = Problems::default();
            problems.add(e.field(), e.to_string());
            return Ok(render(&page, &programmes, &name, &chosen, &problems));
        }
    };
    audit::record(&state, &actor, "事業を追加", "settings:programmes", added).await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("「{}」を追加しました。", name.trim()),
        state.config.secure_cookies,
    ))
}

pub async fn remove(State(state): State<Arc<AdminState>>, actor: Actor, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let name = form.get("name");
    let removed = settings(&state)
        .update_programmes(|programmes| programmes.remove(&name).ok_or(ConsoleError::NotFound))
        .await??;
    audit::record(
        &state,
        &actor,
        "事業を削除",
        "settings:programmes",
        removed.name().to_string(),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("「{}」を削除しました。", removed.name()),
        state.config.secure_cookies,
    ))
}
