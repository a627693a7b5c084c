//! あいさつ・自動応答: the welcome every new friend reads and the reply to a message nothing else
//! answers. Checked by `Greetings::validate` before saving; a refusal keeps what was typed. The
//! webhook reads both on every follow and message, so a save applies to the next one.

use crate::audit::{self, Actor};
use crate::ui::form::{field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::greeting::{GreetingField, Greetings, MAX_GREETING_UTF16};
use tayori_records::Settings;

pub const PATH: &str = "/admin/greetings";
const TITLE: &str = "あいさつ・自動応答";

fn settings(state: &AdminState) -> Settings {
    Settings::new(state.platform.table.clone(), state.config.city.clone())
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let greetings = settings(&state).greetings().await?;
    Ok(form_page(
        &page,
        &greetings,
        &Problems::default(),
        StatusCode::OK,
    ))
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    // Browsers submit a textarea's line breaks as CRLF; LINE wants LF.
    let text = |name: &str| form.get(name).replace("\r\n", "\n");
    let typed = Greetings {
        welcome: text(GreetingField::Welcome.code()),
        default_reply: text(GreetingField::DefaultReply.code()),
    };
    if let Err(errors) = typed.validate() {
        let mut problems = Problems::default();
        for error in errors {
            problems.add(error.field().code(), error.to_string());
        }
        return Ok(form_page(
            &page,
            &typed,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let settings = settings(&state);
    let before = settings.greetings().await?;
    if before == typed {
        return Ok(redirect_with(
            PATH,
            FlashKind::Success,
            "変更はありませんでした。",
            state.config.secure_cookies,
        ));
    }
    settings.save_greetings(&typed).await?;
    audit::record(
        &state,
        &actor,
        "あいさつ・自動応答を変更",
        "settings:greetings",
        changes(&before, &typed),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        "保存しました。次に友だち追加・メッセージを送った方から、新しい文章が届きます。",
        state.config.secure_cookies,
    ))
}

/// Before and after of each text that changed, for the audit log.
fn changes(before: &Greetings, after: &Greetings) -> String {
    [
        (GreetingField::Welcome, &before.welcome, &after.welcome),
        (
            GreetingField::DefaultReply,
            &before.default_reply,
            &after.default_reply,
        ),
    ]
    .into_iter()
    .filter(|(_, b, a)| b != a)
    .map(|(field, b, a)| format!("{}：「{b}」→「{a}」", field.label()))
    .collect::<Vec<_>>()
    .join("／")
}

fn text_area(
    name: GreetingField,
    value: &str,
    problems: &Problems,
    hint: &str,
    rows: u32,
) -> Markup {
    let code = name.code();
    field(
        code,
        name.label(),
        problems,
        Some(hint),
        html! {
            textarea id=(format!("f-{code}")) name=(code) rows=(rows)
                aria-invalid=[problems.get(code).map(|_| "true")]
                aria-describedby=(format!("h-{code}")) { (value) }
        },
    )
}

fn form_page(
    page: &Page,
    greetings: &Greetings,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let mut response = page.render(
        TITLE,
        &[("ホーム", "/admin"), (TITLE, PATH)],
        "greetings",
        html! {
            (problems.summary())
            p { "LINE公式アカウントが自動で送る2つの文章です。保存すると、次の友だち追加・メッセージからすぐに使われます（承認の手順はありません）。" }
            form method="post" action=(PATH) {
                (page.csrf_field())
                (text_area(
                    GreetingField::Welcome,
                    &greetings.welcome,
                    problems,
                    "友だち追加（ブロック解除を含む）のときに送ります。続けて属性登録の案内が届きます。このアカウントでできること（ごみの収集日・分別の案内、登録した地区や関心に合わせたお知らせ）だけを書いてください。",
                    6,
                ))
                (text_area(
                    GreetingField::DefaultReply,
                    &greetings.default_reply,
                    problems,
                    "ごみの質問や登録の操作に当たらないメッセージへの返事です。送られた文章は繰り返しません。",
                    6,
                ))
                p.hint { "それぞれ" (MAX_GREETING_UTF16) "文字まで。" }
                button.primary type="submit" { "保存" }
            }
        },
    );
    *response.status_mut() = status;
    response
}
