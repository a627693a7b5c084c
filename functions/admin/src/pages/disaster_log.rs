//! 自動実行の記録: every action a JMA rule took, with the XML that caused it (escaped, folded),
//! and the 解除 notices staff were given.

use crate::ui::Crumb;
use crate::ui::Page;
use crate::{AdminState, PageResult};
use axum::extract::State;
use maud::html;
use std::sync::Arc;
use tayori_disaster::DisasterRecords;
use tayori_domain::time::format_jst;
use tayori_ports::ObjectKey;

const CRUMBS: [Crumb<'static>; 3] = [
    ("ホーム", "/admin"),
    ("JMA自動切替ルール", "/admin/disaster/rules"),
    ("自動実行の記録", "/admin/disaster/log"),
];

/// Shown at most; older ones stay in the table.
const LIMIT: usize = 50;

async fn xml(state: &AdminState, key: &str) -> String {
    let Ok(key) = ObjectKey::new(key) else {
        return String::new();
    };
    match state.platform.objects.get(&key).await {
        Ok(Some(object)) => String::from_utf8_lossy(&object.bytes).into_owned(),
        Ok(None) => "（電文が見つかりません）".into(),
        Err(e) => format!("（電文を読めません：{e}）"),
    }
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let records = DisasterRecords::new(state.platform.table.clone());
    let actions = records.recent_actions(LIMIT).await?;
    let notices = records.recent_notices(LIMIT).await?;
    let mut action_xml = Vec::with_capacity(actions.len());
    for action in &actions {
        action_xml.push(xml(&state, &action.xml_key).await);
    }
    Ok(page.render(
        "自動実行の記録",
        &CRUMBS,
        "emergency",
        html! {
            p.note { "電文は気象庁の防災情報XMLです（出典：気象庁ホームページ）。" }
            h2 { "自動で行った操作" }
            @if actions.is_empty() { p { "まだありません。" } }
            @for (action, xml) in actions.iter().zip(&action_xml) {
                section.card {
                    h3 { (format_jst(action.at)) "　" (action.rule_name) }
                    p { "電文：" (action.message_title) "（" (action.matched.area_name) "：" (action.matched.what) "）" }
                    @if !action.done { p.warning { "実行途中です。次の取得時に続きを行います。" } }
                    ul { @for step in &action.steps { li { (step) } } }
                    details {
                        summary { "電文（XML）" }
                        pre { code { (xml) } }
                    }
                    small { "電文ID：" (action.entry_id) }
                }
            }
            h2 { "解除のお知らせ" }
            p.note { "解除の電文ではメニューは戻りません。必要なら「緊急メニュー切替」で通常に戻してください。" }
            @if notices.is_empty() { p { "まだありません。" } }
            ul {
                @for notice in &notices {
                    li { (format_jst(notice.at)) "　" (notice.rule_name) "：" (notice.matched.area_name) " " (notice.matched.what) }
                }
            }
        },
    ))
}
