//! Flex messages about filed reports: 「通報履歴」 (a carousel of the citizen's latest reports)
//! and the notice pushed when staff change a report's status.
//!
//! A thumbnail is shown as the bubble's hero by its public address under `/media/` (LINE
//! fetches it itself, so it must be https); `media_base_url` is where `/media/` is served.

use super::{status_words, START};
use serde_json::{json, Value};
use tayori_domain::report::{HistoryEntry, Report, ReportStatus};
use tayori_domain::time::to_jst;
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};

/// Bubbles in a carousel (LINE's limit is 12; 「通報履歴」 shows the desk's last 10).
const MAX_BUBBLES: usize = 10;
/// LINE's limit of a Flex alt text.
const MAX_ALT_CHARS: usize = 400;

/// The public https address of a report's first thumbnail, if it has a photo and the media
/// address is https (LINE refuses anything else; the hero is then left out).
fn thumbnail_url(report: &Report, media_base_url: &str) -> Option<String> {
    let photo = report.photos().first()?;
    let base = media_base_url.trim_end_matches('/');
    base.starts_with("https://")
        .then(|| format!("{base}/{}", photo.thumbnail_key))
}

fn hero(url: String) -> Value {
    json!({"type": "image", "url": url, "size": "full", "aspectRatio": "4:3", "aspectMode": "cover"})
}

fn row(label: &str, value: &str) -> Value {
    json!({"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
        {"type": "text", "text": label, "size": "sm", "color": "#777777", "flex": 2},
        {"type": "text", "text": value, "size": "sm", "color": "#333333", "flex": 5, "wrap": true},
    ]})
}

fn status_color(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Done => "#1B5E20",
        ReportStatus::Declined | ReportStatus::Duplicate => "#555555",
        _ => "#0D47A1",
    }
}

fn jst_date(report: &Report) -> String {
    to_jst(report.filed_at())
        .format("%Y年%-m月%-d日")
        .to_string()
}

fn cut(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        text
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

fn history_bubble(report: &Report, media_base_url: &str) -> Value {
    let status = report.status();
    let mut bubble = json!({
        "type": "bubble",
        "size": "kilo",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
            {"type": "text", "text": report.category().name, "weight": "bold", "size": "md", "wrap": true},
            {"type": "text", "text": status.label(), "weight": "bold", "size": "sm", "color": status_color(status)},
            row("受付番号", report.receipt()),
            row("通報日", &jst_date(report)),
        ]},
    });
    if let Some(url) = thumbnail_url(report, media_base_url) {
        bubble["hero"] = hero(url);
    }
    bubble
}

/// 「通報履歴」: the citizen's latest reports, newest first; none → a friendly text with the
/// way to make one.
pub fn history(reports: &[Report], media_base_url: &str) -> Message {
    if reports.is_empty() {
        return Message::text(
            "これまでの通報はありません。道路の損傷や動物の出没などに気づいたら、メニューの「通報する」から知らせてください。",
        )
        .with_quick_reply(QuickReply::new(vec![QuickReplyItem::new(
            Action::Postback {
                label: Some("通報する".into()),
                data: START.into(),
                display_text: Some("通報する".into()),
                input_option: None,
                fill_in_text: None,
            },
        )]));
    }
    let shown = &reports[..reports.len().min(MAX_BUBBLES)];
    let bubbles: Vec<Value> = shown
        .iter()
        .map(|r| history_bubble(r, media_base_url))
        .collect();
    let alt = shown
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.receipt(),
                r.category().name,
                r.status().label()
            )
        })
        .collect::<Vec<_>>()
        .join("／");
    Message::flex(
        cut(
            format!("通報履歴（{}件）：{alt}", shown.len()),
            MAX_ALT_CHARS,
        ),
        json!({"type": "carousel", "contents": bubbles}),
    )
}

/// The notice of history entry `index` of `report`, to push to the citizen; `None` when there
/// is no such entry or it is not one to tell.
pub fn status_notice(report: &Report, index: usize, media_base_url: &str) -> Option<Message> {
    let entry: &HistoryEntry = report.history().get(index).filter(|e| e.tell_citizen)?;
    let mut body = vec![
        json!({"type": "text", "text": "通報の対応状況のお知らせ", "size": "xs", "color": "#777777"}),
        json!({"type": "text", "text": status_words(entry.to), "weight": "bold", "size": "lg",
               "color": status_color(entry.to), "wrap": true}),
        row("受付番号", report.receipt()),
        row("種類", &report.category().name),
        row("状況", entry.to.label()),
        row("通報日", &jst_date(report)),
    ];
    if let Some(comment) = &entry.public_comment {
        body.push(json!({"type": "separator", "margin": "md"}));
        body.push(json!({"type": "text", "text": "担当課から", "size": "xs", "color": "#777777", "margin": "md"}));
        body.push(json!({"type": "text", "text": comment, "size": "sm", "wrap": true}));
    }
    let mut bubble = json!({
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "secondary", "height": "sm",
             "action": {"type": "postback", "label": "通報履歴を見る", "data": super::HISTORY,
                        "displayText": "通報履歴"}},
        ]},
    });
    if let Some(url) = thumbnail_url(report, media_base_url) {
        bubble["hero"] = hero(url);
    }
    let mut alt = format!(
        "通報（受付番号{}・{}）は「{}」になりました。",
        report.receipt(),
        report.category().name,
        entry.to.label()
    );
    if let Some(comment) = &entry.public_comment {
        alt.push_str(comment);
    }
    Some(Message::flex(cut(alt, MAX_ALT_CHARS), bubble))
}
