//! The console's look: the page shell (header, left menu, breadcrumbs, messages, help link),
//! shared form pieces, and the plain pages for refusals and errors. Every value is escaped by
//! maud; nothing is inserted as raw HTML except the manual, which the project writes.

pub mod form;
pub mod form_data;

use crate::pages::exports::{EXPORTERS, PATH as EXPORTS_PATH};
use crate::session::{cookie_value, CsrfToken, Signed, FLASH_COOKIE};
use crate::AdminState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::convert::Infallible;
use std::sync::Arc;
use tayori_disaster::{latest_cancellations, LiftingNotice};
use tayori_domain::emergency::Emergency;
use tayori_domain::staff::Permission;
use tayori_domain::time::format_jst;
use tayori_records::Emergencies;

/// One function of the console: its left-menu entry and its card on the home page, shown only
/// to staff holding its permission. One table for both, so the two never disagree.
pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub permission: Option<Permission>,
    /// A second permission that also opens it (the forms serve who builds them and who
    /// handles their answers).
    pub or_permission: Option<Permission>,
    /// What it is for, in one line (the home page's card).
    pub purpose: &'static str,
}

const fn item(
    label: &'static str,
    href: &'static str,
    permission: Option<Permission>,
    purpose: &'static str,
) -> MenuItem {
    MenuItem {
        label,
        href,
        permission,
        or_permission: None,
        purpose,
    }
}

pub const HOME: &str = "/admin";

pub const MENU: &[MenuItem] = &[
    item("ホーム", HOME, None, "使える機能の一覧です。"),
    item(
        "セグメント設定",
        "/admin/segments",
        Some(Permission::Segments),
        "市民が登録する項目（地区・年代・関心など）と選択肢を設定します。",
    ),
    item(
        "配信",
        "/admin/deliveries",
        Some(Permission::DeliveryDraft),
        "お知らせを作成し、全員または条件に合う市民に配信します。",
    ),
    item(
        "承認待ちの配信",
        crate::pages::approvals::PATH,
        Some(Permission::DeliveryApprove),
        "承認を依頼された配信を確認し、承認または差し戻しをします。",
    ),
    item(
        "子育て情報",
        crate::pages::childcare::PATH,
        Some(tayori_childcare::SCHEDULE_PERMISSION),
        "お子さんの月齢・年齢に合わせて保護者に送る案内（予防接種・健診など）と、送る時刻を設定します。",
    ),
    item(
        "リッチメニュー",
        "/admin/richmenus",
        Some(Permission::RichMenus),
        "LINEのトーク画面下のメニューを作成・公開します。",
    ),
    item(
        "緊急メニュー切替",
        "/admin/emergency",
        Some(Permission::EmergencySwitch),
        "災害時に、全員のメニューを緊急用に切り替えます。",
    ),
    item(
        "災害対応",
        crate::pages::disaster::PATH,
        Some(Permission::EmergencySwitch),
        "災害対応の開始・終了をします。開始中は全ページに表示されます。",
    ),
    item(
        "避難所・施設",
        crate::pages::shelters::PATH,
        Some(Permission::Shelters),
        "避難所などの施設情報を管理し、災害時は開設状況を入力します。",
    ),
    item(
        "通報",
        crate::pages::reports::PATH,
        Some(Permission::ReportsHandle),
        "市民からの通報（道路の損傷・クマの出没など）を確認し、対応状況を市民に伝えます。",
    ),
    item(
        "相談",
        crate::pages::consultations::PATH,
        Some(Permission::Consultations),
        "市民からLINEで届いた相談（子育て・福祉・ごみなど）を読み、返信します。",
    ),
    MenuItem {
        label: "フォーム",
        href: crate::pages::forms::PATH,
        permission: Some(Permission::FormsEdit),
        or_permission: Some(Permission::FormsViewAnswers),
        purpose: "申請・アンケート・予約のフォームを作成し、市民の回答を確認・集計します。",
    },
    item(
        "ごみカレンダー",
        "/admin/garbage",
        Some(Permission::GarbageCalendars),
        "地区ごとの収集日、休止日、前日・当日のお知らせを設定します。",
    ),
    item(
        "FAQ（自動応答）",
        crate::pages::faq::PATH,
        Some(Permission::Faq),
        "トークで市民の質問に自動で答えるFAQと、答えられなかった質問を管理します。",
    ),
    item(
        "あいさつ・自動応答",
        "/admin/greetings",
        Some(Permission::Greetings),
        "友だち追加時のあいさつと、メッセージへの自動応答を編集します。",
    ),
    item(
        "利用状況レポート",
        "/admin/usage",
        Some(Permission::UsageReports),
        "期間ごとの利用件数を、地区・年代などの別に集計します。",
    ),
    item(
        "友だち集め",
        crate::pages::friend_kit::PATH,
        Some(Permission::UsageReports),
        "ポスター・チラシのQRコードを配る場所ごとに作り、友だちの増減を確かめます。",
    ),
    item(
        "職員アカウント",
        "/admin/staff",
        Some(Permission::StaffManagement),
        "職員の追加、権限の設定、ロック解除を行います。",
    ),
    item(
        "役割のひな形",
        "/admin/roles",
        Some(Permission::StaffManagement),
        "職員を追加するときに使う、権限の組み合わせを用意します。",
    ),
    item(
        "操作ログ",
        "/admin/audit",
        Some(Permission::AuditLog),
        "誰がいつ何を操作したかを確認します。",
    ),
    item(
        "自分の設定",
        "/admin/account",
        None,
        "自分のパスワードの変更と、二段階認証の設定をします。",
    ),
];

/// The functions `signed` may use, in menu order.
pub fn menu_for(signed: &Signed) -> impl Iterator<Item = &'static MenuItem> + '_ {
    MENU.iter().filter(|i| {
        i.permission.is_none_or(|p| signed.account.may(p))
            || i.or_permission.is_some_and(|p| signed.account.may(p))
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Error,
}

/// A one-time message shown on the next page (after a redirect), kept in a short cookie.
#[derive(Clone, Debug)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    fn encode(&self) -> String {
        let kind = match self.kind {
            FlashKind::Success => "s",
            FlashKind::Error => "e",
        };
        form_urlencoded::byte_serialize(format!("{kind}{}", self.text).as_bytes()).collect()
    }

    fn decode(raw: &str) -> Option<Self> {
        let text: String = form_urlencoded::parse(format!("x={raw}").as_bytes())
            .next()?
            .1
            .into_owned();
        let kind = match text.chars().next()? {
            's' => FlashKind::Success,
            'e' => FlashKind::Error,
            _ => return None,
        };
        Some(Self {
            kind,
            text: text[1..].chars().take(200).collect(),
        })
    }
}

/// Redirects after a successful form post, with a message for the next page.
pub fn redirect_with(to: &str, kind: FlashKind, text: impl Into<String>, secure: bool) -> Response {
    let flash = Flash {
        kind,
        text: text.into(),
    };
    let mut cookie = format!(
        "{FLASH_COOKIE}={}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=60",
        flash.encode()
    );
    if secure {
        cookie.push_str("; Secure");
    }
    let mut response =
        (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("encoded cookie"),
    );
    response
}

/// What every page needs to draw its shell.
#[derive(Clone, Debug)]
pub struct Page {
    pub signed: Option<Signed>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub path: String,
    /// The 災害対応 open now, for the banner every signed-in page shows.
    pub emergency: Option<Emergency>,
    /// The latest JMA 解除 notice recorded after the open emergency began: the banner tells
    /// staff to switch back by hand, since nothing switches back by itself.
    pub lifting: Option<LiftingNotice>,
    /// New form answers not yet seen, for the menu's フォーム badge (0 without
    /// フォーム回答の閲覧).
    pub forms_new: u32,
    /// The clerk's files ready to download (出力ファイル's badge), for staff who may export.
    pub exports_ready: Option<usize>,
}

impl FromRequestParts<Arc<AdminState>> for Page {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AdminState>,
    ) -> Result<Self, Self::Rejection> {
        let signed = parts.extensions.get::<Signed>().cloned();
        // One read per page, and only for staff: the sign-in page says nothing of it. A failed
        // read loses the banner, never the page the clerk asked for.
        let emergency = match &signed {
            Some(_) => Emergencies::new(state.platform.table.clone())
                .current()
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "the open emergency could not be read for the banner");
                    None
                }),
            None => None,
        };
        // Only while an emergency is open, and one read of the newest notice: an older 解除
        // belongs to a past emergency, not this one.
        let lifting = match &emergency {
            Some(open) => latest_cancellations(&state.platform, 1)
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "the JMA 解除 notices could not be read for the banner");
                    Vec::new()
                })
                .into_iter()
                .next()
                .filter(|notice| notice.at > open.opened_at()),
            None => None,
        };
        let forms_new = match &signed {
            Some(s) => crate::pages::forms::new_answers(state, &s.account).await,
            None => 0,
        };
        // Only for staff who may export; a failed read loses the badge, never the page.
        let exports_ready = match &signed {
            Some(s) if EXPORTERS.iter().any(|p| s.account.may(*p)) => {
                state.exports.ready_count(&s.account).await.map_or_else(
                    |e| {
                        tracing::error!(error = %e, "the ready exports could not be counted");
                        None
                    },
                    Some,
                )
            }
            _ => None,
        };
        Ok(Self {
            signed,
            emergency,
            lifting,
            forms_new,
            exports_ready,
            csrf: parts
                .extensions
                .get::<CsrfToken>()
                .map(|c| c.0.clone())
                .unwrap_or_default(),
            flash: cookie_value(&parts.headers, FLASH_COOKIE).and_then(|raw| Flash::decode(&raw)),
            path: parts.uri.path().to_string(),
        })
    }
}

/// 「小浜市の大雨警報」 from a notice whose match reads 「大雨警報（解除）」: the kind's name
/// without its status, which the sentence says.
fn lifted_words(notice: &LiftingNotice) -> String {
    let what = &notice.matched.what;
    let kind = what
        .split_once('（')
        .map_or(what.as_str(), |(kind, _)| kind);
    format!("{}の{}", notice.matched.area_name, kind)
}

/// One link in the breadcrumbs; the last one is the current page.
pub type Crumb<'a> = (&'a str, &'a str);

impl Page {
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="_csrf" value=(self.csrf); }
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.signed
            .as_ref()
            .is_some_and(|s| s.account.may(permission))
    }

    /// The full page: shell, breadcrumbs, message, help link to `manual` (a page of the manual).
    pub fn render(&self, title: &str, crumbs: &[Crumb], manual: &str, body: Markup) -> Response {
        let markup = html! {
            (DOCTYPE)
            html lang="ja" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " | たより 管理画面" }
                    link rel="stylesheet" href="/admin/static/console.css";
                }
                body {
                    a.skip href="#main" { "本文へ移動" }
                    header.top {
                        a.brand href="/admin" { "たより 管理画面" }
                        @if let Some(s) = &self.signed {
                            span.who { (s.account.profile().display_name) "（" (s.account.profile().department) "）" }
                            form.logout method="post" action="/admin/logout" {
                                (self.csrf_field())
                                button type="submit" { "ログアウト" }
                            }
                        }
                    }
                    @if let Some(open) = &self.emergency {
                        section.disaster-banner aria-label="災害対応中のお知らせ" {
                            a href=(crate::pages::disaster::PATH) {
                                "災害対応中：" (open.title()) "（" (format_jst(open.opened_at())) "〜）"
                            }
                            @if let Some(notice) = &self.lifting {
                                p.lifting {
                                    "気象庁が" (lifted_words(notice)) "の解除を発表しました（" (format_jst(notice.at)) "）。通常メニューへの切替と災害対応の終了は、確認のうえ手動で行ってください。"
                                    " " a href="/admin/emergency" { "緊急メニュー切替" }
                                    " " a href=(crate::pages::disaster::PATH) { "災害対応" }
                                }
                            }
                        }
                    }
                    div.frame {
                        @if let Some(s) = &self.signed {
                            nav.menu aria-label="機能メニュー" {
                                ul {
                                    @for item in menu_for(s) {
                                        li {
                                            a href=(item.href) aria-current=[self.is_current(item.href).then_some("page")] {
                                                (item.label)
                                                @if item.href == crate::pages::forms::PATH && self.forms_new > 0 {
                                                    " " span.badge #forms-new-badge { "新着" (self.forms_new) }
                                                }
                                            }
                                        }
                                    }
                                    @if let Some(ready) = self.exports_ready {
                                        li {
                                            a href=(EXPORTS_PATH) aria-current=[self.is_current(EXPORTS_PATH).then_some("page")] {
                                                "出力ファイル"
                                                @if ready > 0 { " " span.badge title="ダウンロードできるファイル" { (ready) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        main #main {
                            div.pagehead {
                                nav.crumbs aria-label="パンくずリスト" {
                                    ol {
                                        @for (i, (label, href)) in crumbs.iter().enumerate() {
                                            li {
                                                @if i + 1 == crumbs.len() { span aria-current="page" { (label) } }
                                                @else { a href=(href) { (label) } }
                                            }
                                        }
                                    }
                                }
                                a.help href=(format!("/admin/manual/{manual}")) target="_blank" rel="noopener" { "この画面のヘルプ" }
                            }
                            h1 { (title) }
                            @if let Some(f) = &self.flash {
                                @match f.kind {
                                    FlashKind::Success => div.flash.ok role="status" { (f.text) },
                                    FlashKind::Error => div.flash.err role="alert" { (f.text) },
                                }
                            }
                            (body)
                        }
                    }
                    // Last, after any page's own script: it only moves focus once all is drawn.
                    script src="/admin/static/console.js" defer {}
                }
            }
        };
        let mut response = markup.into_response();
        if self.flash.is_some() {
            response.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static(
                    "tayori_flash=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict",
                ),
            );
        }
        response
    }

    fn is_current(&self, href: &str) -> bool {
        if href == HOME {
            self.path == HOME
        } else {
            self.path == href || self.path.starts_with(&format!("{href}/"))
        }
    }
}

/// A plain page outside the shell: refusals and errors that must render with nothing loaded.
pub(crate) fn plain(status: StatusCode, title: &str, message: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                title { (title) }
                link rel="stylesheet" href="/admin/static/console.css";
            }
            body.plain {
                main #main {
                    h1 { (title) }
                    (message)
                }
            }
        }
    };
    (status, markup).into_response()
}

pub fn refused_by_network() -> Response {
    plain(
        StatusCode::FORBIDDEN,
        "アクセスできません",
        html! {
            p { "この管理画面は、市役所の許可されたネットワークからのみ利用できます。" }
            p { "庁内の端末から接続しているのにこの画面が出る場合は、システム管理者（情報担当）に連絡してください。" }
        },
    )
}

/// `needed`: the permissions any one of which would open the page.
pub fn forbidden(needed: &[Permission]) -> Response {
    let names: Vec<String> = needed
        .iter()
        .map(|p| format!("「{}」", p.label()))
        .collect();
    plain(
        StatusCode::FORBIDDEN,
        "この機能を使う権限がありません",
        html! {
            p { (names.join("または")) "の権限が必要です。必要な場合は、職員アカウントの管理者に権限の追加を依頼してください。" }
            p { a href="/admin" { "ホームに戻る" } }
        },
    )
}

pub fn csrf_refused() -> Response {
    plain(
        StatusCode::FORBIDDEN,
        "操作を受け付けられませんでした",
        html! {
            p { "画面の有効期限が切れたか、別の画面から送信されたため、安全のため処理しませんでした。" }
            p { "お手数ですが、" a href="/admin" { "管理画面" } "を開き直してから、もう一度操作してください。" }
        },
    )
}

pub fn too_large() -> Response {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        "送信された内容が大きすぎます",
        html! {
            p { "1回に送信できるのは合計4.5MBまでです。画像は1枚ずつ保存してください。" }
            p { "ブラウザの「戻る」で入力していた画面に戻れます。" }
        },
    )
}

pub fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "ページが見つかりません",
        html! { p { a href="/admin" { "ホームに戻る" } } },
    )
}

/// Markdown the project wrote (the manual), as HTML.
pub fn trusted_html(html: String) -> Markup {
    PreEscaped(html)
}
