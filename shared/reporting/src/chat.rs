//! What the chat says about reports (通報): the question of each step of the draft with its
//! quick replies, the confirmation, the receipt, the refusals, 「通報履歴」 and the status notice
//! pushed to the citizen. Pure rendering: the webhook and the reports function decide when.
//!
//! Every step carries 「戻る」 and 「やめる」 as quick replies, so a citizen is never stuck in
//! the flow; what they gave so far is kept by the draft, never by the message.

mod notice;

pub use notice::{history, status_notice};

use tayori_domain::report::{Category, CategoryId, ReportDraft, Step, MAX_PHOTOS};
use tayori_domain::report::{Report, ReportStatus};
use tayori_images::ImageProblem;
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};

/// 「通報する」 (rich menu and buttons): the category list.
pub const START: &str = "reports:start";
/// 「通報履歴」.
pub const HISTORY: &str = "reports:history";
/// `reports:category=<id>`: a category chosen.
pub const CATEGORY_PREFIX: &str = "reports:category=";
/// 「次へ」 after the photos.
pub const NEXT: &str = "reports:next";
/// 「戻る」.
pub const BACK: &str = "reports:back";
/// 「やめる」.
pub const CANCEL: &str = "reports:cancel";
/// 「送信する」.
pub const SEND: &str = "reports:send";
/// 「スキップ」 on an optional extra question.
pub const SKIP: &str = "reports:skip";

/// LINE's limit of quick reply buttons.
const MAX_QUICK_REPLIES: usize = 13;
/// LINE's limit of a quick reply label, in characters.
const MAX_LABEL_CHARS: usize = 20;

/// A report postback from a button, quick reply or rich menu area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportPostback {
    Start,
    History,
    Category(CategoryId),
    Next,
    Back,
    Cancel,
    Send,
    Skip,
}

impl ReportPostback {
    /// `None` for any other postback (or a category id that is not one).
    pub fn parse(data: &str) -> Option<Self> {
        if let Some(id) = data.strip_prefix(CATEGORY_PREFIX) {
            return CategoryId::parse(id).ok().map(Self::Category);
        }
        Some(match data {
            START => Self::Start,
            HISTORY => Self::History,
            NEXT => Self::Next,
            BACK => Self::Back,
            CANCEL => Self::Cancel,
            SEND => Self::Send,
            SKIP => Self::Skip,
            _ => return None,
        })
    }

    pub fn data(&self) -> String {
        match self {
            Self::Start => START.into(),
            Self::History => HISTORY.into(),
            Self::Category(id) => format!("{CATEGORY_PREFIX}{}", id.as_str()),
            Self::Next => NEXT.into(),
            Self::Back => BACK.into(),
            Self::Cancel => CANCEL.into(),
            Self::Send => SEND.into(),
            Self::Skip => SKIP.into(),
        }
    }
}

/// Said when storage or the bus failed: what was given is kept, and the citizen may try again.
pub const NOT_NOW: &str =
    "ただいま通報を受け付けられません。入力した内容は残っています。少し時間をおいて、もう一度送ってください。";
/// Said after 「やめる」.
pub const CANCELLED: &str =
    "通報をやめました。入力した内容は消しました。また必要なときはメニューの「通報する」から始めてください。";
/// Said when the content API still failed after the client's retries.
pub const PHOTO_NOT_RECEIVED: &str = "写真を受け取れませんでした。もう一度送ってください";

fn postback(label: &str, data: String) -> QuickReplyItem {
    let label: String = label.chars().take(MAX_LABEL_CHARS).collect();
    QuickReplyItem::new(Action::Postback {
        label: Some(label.clone()),
        data,
        display_text: Some(label),
        input_option: None,
        fill_in_text: None,
    })
}

fn back() -> QuickReplyItem {
    postback("戻る", ReportPostback::Back.data())
}

fn cancel() -> QuickReplyItem {
    postback("やめる", ReportPostback::Cancel.data())
}

fn with_buttons(text: impl Into<String>, mut items: Vec<QuickReplyItem>) -> Message {
    items.truncate(MAX_QUICK_REPLIES);
    Message::text(text).with_quick_reply(QuickReply::new(items))
}

/// A category's button: its name, marked 「⚠」 when urgent.
fn category_label(category: &Category) -> String {
    if category.is_urgent() {
        format!("⚠{}", category.name())
    } else {
        category.name().to_string()
    }
}

/// 「通報する」: the categories as buttons (urgent ones marked), each with its description in
/// the text so the citizen can tell them apart. `draft`: the citizen is back at the list with a
/// draft in progress, so 「やめる」 forgets it.
pub fn choose_category(categories: &[Category]) -> Message {
    if categories.is_empty() {
        return Message::text(
            "ただいま通報を受け付けている種類がありません。お急ぎの場合は市役所へお電話ください。",
        );
    }
    let mut text = String::from("通報の種類を選んでください。\n");
    for category in categories {
        text.push_str(&format!(
            "\n■{}\n{}",
            category_label(category),
            category.description()
        ));
    }
    if categories.iter().any(Category::is_urgent) {
        text.push_str(
            "\n\n⚠の種類は急ぎで対応します。危険なときは、まず安全な場所へ移動してください。",
        );
    }
    let mut items: Vec<QuickReplyItem> = categories
        .iter()
        .take(MAX_QUICK_REPLIES - 1)
        .map(|c| {
            postback(
                &category_label(c),
                ReportPostback::Category(c.id().clone()).data(),
            )
        })
        .collect();
    items.push(cancel());
    with_buttons(text, items)
}

/// Whether 「次へ」 may be pressed: a photo is given, or the category does not need one.
fn enough_photos(draft: &ReportDraft) -> bool {
    !draft.photos().is_empty() || !draft.category().photo_required()
}

/// The question for the draft's current step, with its quick replies; at the confirmation
/// step, the summary.
pub fn prompt(draft: &ReportDraft) -> Message {
    let text = draft.prompt();
    match draft.step() {
        Step::Category => with_buttons(text, vec![cancel()]),
        Step::Location => with_buttons(
            format!("【{}】\n{text}", draft.category().name()),
            vec![
                QuickReplyItem::new(Action::Location {
                    label: Some("位置情報を送る".into()),
                }),
                back(),
                cancel(),
            ],
        ),
        Step::Photos => {
            let mut items = Vec::new();
            if draft.photos().len() < MAX_PHOTOS {
                items.push(QuickReplyItem::new(Action::Camera {
                    label: Some("カメラで撮る".into()),
                }));
                items.push(QuickReplyItem::new(Action::CameraRoll {
                    label: Some("写真を選ぶ".into()),
                }));
            }
            if enough_photos(draft) {
                items.push(postback("次へ", ReportPostback::Next.data()));
            }
            items.extend([back(), cancel()]);
            with_buttons(text, items)
        }
        Step::Question(i) if !draft.category().questions()[i].required => with_buttons(
            text,
            vec![
                postback("スキップ", ReportPostback::Skip.data()),
                back(),
                cancel(),
            ],
        ),
        Step::Details | Step::Question(_) | Step::ContactName | Step::ContactPhone => {
            with_buttons(text, vec![back(), cancel()])
        }
        Step::Confirm => confirmation(draft),
    }
}

/// Everything given, to check before 「送信する」.
pub fn confirmation(draft: &ReportDraft) -> Message {
    let mut lines = vec![
        "通報の内容を確認してください。".to_string(),
        String::new(),
        format!("■種類：{}", draft.category().name()),
    ];
    let place = match (draft.place_note(), draft.position()) {
        (Some(note), _) => note.to_string(),
        (None, Some(p)) => format!("緯度{:.5} 経度{:.5}", p.lat(), p.lng()),
        (None, None) => "（未入力）".into(),
    };
    lines.push(format!("■場所：{place}"));
    lines.push(format!("■写真：{}枚", draft.photos().len()));
    lines.push(format!(
        "■内容：{}",
        draft.details_text().unwrap_or("（未入力）")
    ));
    for (question, answer) in draft.category().questions().iter().zip(draft.answers()) {
        lines.push(format!(
            "■{}：{}",
            question.label,
            answer.as_deref().unwrap_or("（回答なし）")
        ));
    }
    if let Some(name) = draft.contact_name_given() {
        lines.push(format!("■お名前：{name}"));
    }
    if let Some(phone) = draft.contact_phone_given() {
        lines.push(format!("■電話番号：{phone}"));
    }
    lines.push(String::new());
    lines.push(
        "よろしければ「送信する」を押してください。直すときは「戻る」を押してください。".into(),
    );
    // A text message holds 5000 characters; the summary's parts are each limited far below.
    with_buttons(
        lines.join("\n"),
        vec![
            postback("送信する", ReportPostback::Send.data()),
            back(),
            cancel(),
        ],
    )
}

/// What the citizen is told once the report is filed.
pub fn receipt(report: &Report) -> Message {
    let mut text = format!(
        "通報を受け付けました。ありがとうございます。\n\n受付番号：{}\n種類：{}\n担当：{}\n\n",
        report.receipt(),
        report.category().name,
        report.category().department
    );
    text.push_str(
        "担当課が内容を確認し、対応の状況が変わったらこのトークでお知らせします。\n\
         これまでの通報と対応状況は、メニューの「通報履歴」で見られます。",
    );
    if report.category().urgent {
        text.push_str("\n\n危険が迫っているときは、ためらわず110番・119番に通報してください。");
    }
    Message::text(text)
}

/// A refusal (what the draft could not take, from the domain), then the current step's question
/// with its buttons, so that the citizen sees at once what to send instead.
pub fn refusal(reason: &str, draft: &ReportDraft) -> Vec<Message> {
    // The draft refuses input at the wrong step with the step's own question: said once.
    if reason == draft.prompt() {
        vec![prompt(draft)]
    } else {
        vec![Message::text(reason), prompt(draft)]
    }
}

/// The draft had expired: said once, then it is gone.
pub fn expired(reason: &str) -> Message {
    with_buttons(
        reason,
        vec![postback("通報する", ReportPostback::Start.data())],
    )
}

/// A sticker, a video or anything the current step does not take: nothing is lost, here is
/// what we need.
pub fn not_for_this_step(draft: &ReportDraft) -> Vec<Message> {
    let what = match draft.step() {
        Step::Category => "通報の種類をボタンから選んでください。",
        Step::Location => "いまは通報する場所の位置情報をお待ちしています。",
        Step::Photos => "いまは写真をお待ちしています。",
        Step::Details | Step::Question(_) | Step::ContactName | Step::ContactPhone => {
            "いまは文字での入力をお待ちしています。"
        }
        Step::Confirm => "いまは内容の確認をお待ちしています。",
    };
    vec![
        Message::text(format!("{what}これまでに入力した内容は残っています。")),
        prompt(draft),
    ]
}

/// A photo sent while the draft is not at the photo step.
pub fn photo_not_now(draft: &ReportDraft) -> Vec<Message> {
    let note = match draft.step() {
        Step::Category | Step::Location => {
            "写真は場所を送ったあとで受け付けます。先に、いまの質問に答えてください。"
        }
        _ => "写真を受け付ける段階は過ぎています。写真を足すときは「戻る」で写真の段階まで戻ってください。",
    };
    vec![Message::text(note), prompt(draft)]
}

/// A photo was attached: how many there are now, then the current step's question.
pub fn photo_received(draft: &ReportDraft) -> Vec<Message> {
    vec![
        Message::text(format!(
            "写真を受け取りました（{}/{MAX_PHOTOS}枚）",
            draft.photos().len()
        )),
        prompt(draft),
    ]
}

/// A photo Tayori cannot use: which problem, and please send another; the others are kept.
pub fn photo_refused(problem: &ImageProblem, draft: &ReportDraft) -> Vec<Message> {
    vec![
        Message::text(format!(
            "この写真は使えませんでした。{problem}\n別の写真を送ってください（受け取った写真は{}枚のままです）。",
            draft.photos().len()
        )),
        prompt(draft),
    ]
}

/// The content API failed after every retry: send it again, nothing else is lost.
pub fn photo_not_received(draft: &ReportDraft) -> Vec<Message> {
    vec![Message::text(PHOTO_NOT_RECEIVED), prompt(draft)]
}

/// The label citizens read for a status in a notice.
pub fn status_words(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => "受け付けました",
        ReportStatus::Checking => "担当課が確認しています",
        ReportStatus::InProgress => "対応しています",
        ReportStatus::Done => "対応が完了しました",
        ReportStatus::Declined => "市では対応できませんでした",
        ReportStatus::Duplicate => "同じ内容の通報がすでにありました",
    }
}

#[cfg(test)]
mod tests;
