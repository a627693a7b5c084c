//! 開設状況の入力: the page staff in the field use on a phone. Each 指定避難所 with its status
//! in the emergency open now and when it was last set, and one big button per status (a plain
//! form each, so it works without JavaScript on a weak signal). Refused, with a link to open
//! one, while no emergency is open; every change is timestamped and audited.

use super::MANUAL;
use crate::audit::{self, Actor};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, Crumb, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Query, State};
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::facility::{Facility, KindId, ShelterStatus};
use tayori_domain::staff::Permission;
use tayori_domain::time::{format_jst, to_jst};
use tayori_facilities::{Change, FacilityError};

pub const PATH: &str = "/admin/shelters/status";

const CRUMBS: [Crumb<'static>; 3] = [
    ("ホーム", "/admin"),
    ("避難所・施設", super::PATH),
    ("開設状況の入力", PATH),
];

#[derive(Debug, Default, serde::Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    q: String,
}

/// The anchor of a site's card, to come back to it after pressing a button.
fn anchor(f: &Facility) -> String {
    format!("site-{}", f.id())
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(query): Query<StatusQuery>,
) -> PageResult {
    // The banner's read says whether one is open; this page needs the record itself.
    let emergency = page.emergency.clone();
    let Some(emergency) = emergency else {
        return Ok(page.render(
            "開設状況の入力",
            &CRUMBS,
            MANUAL,
            html! {
                div.flash.err role="alert" {
                    "災害対応が始まっていないため、開設状況は入力できません。"
                }
                @if page.may(Permission::EmergencySwitch) {
                    p { a.button.primary href=(crate::pages::disaster::PATH) { "災害対応を開始する" } }
                } @else {
                    p { "災害対応の開始は、緊急メニュー切替の権限を持つ職員（防災担当）に依頼してください。" }
                }
            },
        ));
    };
    let needle = query.q.trim();
    let shelters: Vec<Facility> = state
        .facilities
        .list(&KindId::shelter())
        .await?
        .into_iter()
        .filter(Facility::is_designated_shelter)
        .filter(|f| needle.is_empty() || f.name().contains(needle) || f.address().contains(needle))
        .collect();
    Ok(page.render(
        "開設状況の入力",
        &CRUMBS,
        MANUAL,
        html! {
            p { "災害対応「" (emergency.title()) "」の指定避難所です。押した時刻が市民に表示されます。" }
            form.inline method="get" action=(PATH) role="search" {
                label for="f-q" { "避難所を探す" }
                input #f-q type="search" name="q" value=(needle);
                button type="submit" { "探す" }
            }
            @if shelters.is_empty() {
                p { "該当する指定避難所がありません。" }
            }
            ul.shelter-cards {
                @for f in &shelters {
                    @let mark = f.status_in(&emergency);
                    li.shelter-card id=(anchor(f)) {
                        h2 { (f.name()) }
                        p.now {
                            "現在："
                            strong { (mark.map_or("未入力", |m| m.status().label())) }
                            @if let Some(m) = mark {
                                "（" (to_jst(m.at()).format("%-m/%-d %H:%M")) " " (m.by()) "）"
                            }
                        }
                        div.status-buttons {
                            @for status in ShelterStatus::ALL {
                                form method="post" action=(PATH) {
                                    (page.csrf_field())
                                    input type="hidden" name="id" value=(f.id());
                                    input type="hidden" name="status" value=(status.code());
                                    @let current = mark.is_some_and(|m| m.status() == status);
                                    button type="submit" class=(format!("status-{}", status.code()))
                                        aria-pressed=(if current { "true" } else { "false" })
                                        aria-label=(format!("{}を{}にする", f.name(), status.label())) {
                                        (status.label())
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn set(State(state): State<Arc<AdminState>>, actor: Actor, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let secure = state.config.secure_cookies;
    let Some(status) = ShelterStatus::from_code(&form.get("status")) else {
        return Ok(redirect_with(
            PATH,
            FlashKind::Error,
            "開設状況を選び直してください。",
            secure,
        ));
    };
    let id = form.get("id");
    match state
        .facilities
        .set_status(&id, status, &actor.login_id())
        .await
    {
        Err(refused @ (FacilityError::NotFound | FacilityError::Refused(_))) => Ok(redirect_with(
            PATH,
            FlashKind::Error,
            refused.to_string(),
            secure,
        )),
        Err(e) => Err(e.into()),
        Ok(Change { before, after }) => {
            let was = before
                .last_status()
                .filter(|m| Some(m.emergency()) == after.last_status().map(|a| a.emergency()))
                .map_or("未入力", |m| m.status().label());
            let at = after
                .last_status()
                .map(|m| format_jst(m.at()))
                .unwrap_or_default();
            audit::record(
                &state,
                &actor,
                "避難所の開設状況を変更",
                &format!("facility:{id}"),
                format!("「{}」 {was}→{}（{at}）", after.name(), status.label()),
            )
            .await;
            Ok(redirect_with(
                &format!("{PATH}#{}", anchor(&after)),
                FlashKind::Success,
                format!(
                    "「{}」を「{}」にしました（{at}）。",
                    after.name(),
                    status.label()
                ),
                secure,
            ))
        }
    }
}
