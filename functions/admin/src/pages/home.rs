//! The home page: what the signed-in clerk can do, as large links.

use crate::ui::Page;
use axum::response::Response;
use maud::html;
use tayori_domain::staff::Permission;

pub async fn home(page: Page) -> Response {
    let cards: [(&str, &str, &str, Permission); 6] = [
        (
            "リッチメニュー",
            "/admin/richmenus",
            "LINEのトーク画面下のメニューを作成・公開します。",
            Permission::RichMenus,
        ),
        (
            "緊急メニュー切替",
            "/admin/emergency",
            "災害時に、全員のメニューを緊急用に切り替えます。",
            Permission::EmergencySwitch,
        ),
        (
            "あいさつ・自動応答",
            "/admin/greetings",
            "友だち追加時のあいさつと、メッセージへの自動応答を編集します。",
            Permission::Greetings,
        ),
        (
            "利用状況レポート",
            "/admin/usage",
            "期間ごとの利用件数を、地区・年代などの別に集計します。",
            Permission::UsageReports,
        ),
        (
            "職員アカウント",
            "/admin/staff",
            "職員の追加、権限の設定、ロック解除を行います。",
            Permission::StaffManagement,
        ),
        (
            "操作ログ",
            "/admin/audit",
            "誰がいつ何を操作したかを確認します。",
            Permission::AuditLog,
        ),
    ];
    let name = page
        .signed
        .as_ref()
        .map(|s| s.account.profile().display_name.clone())
        .unwrap_or_default();
    page.render(
        "ホーム",
        &[("ホーム", "/admin")],
        "home",
        html! {
            p { (name) "さん、お疲れさまです。使える機能は次のとおりです。" }
            ul.cards {
                @for (title, href, text, permission) in cards {
                    @if page.may(permission) {
                        li { a href=(href) { strong { (title) } span { (text) } } }
                    }
                }
            }
        },
    )
}
