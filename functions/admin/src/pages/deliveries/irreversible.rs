//! The delivery actions that cannot be undone, and what their confirmation says: who receives
//! it (how many now), when it goes out, and what stays done.

use crate::pages::confirm::Confirmation;
use tayori_deliveries::Step;
use tayori_domain::delivery::Delivery;
use tayori_domain::time::format_jst;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Irreversible {
    /// 配信する: a clerk who may send releases the draft.
    Send,
    /// 承認して配信する.
    Approve,
    /// 配信を取り消す.
    Cancel,
    /// 配信を停止する.
    Stop,
}

impl Irreversible {
    /// The desk's step it takes (on the confirmation route, only one who may send submits).
    pub fn step(self) -> Step {
        match self {
            Self::Send => Step::Submit { may_send: true },
            Self::Approve => Step::Approve,
            Self::Cancel => Step::Cancel,
            Self::Stop => Step::Stop,
        }
    }

    /// The path under the delivery's own that does it.
    pub fn path(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Approve => "approve",
            Self::Cancel => "cancel",
            Self::Stop => "stop",
        }
    }

    pub fn button(self) -> &'static str {
        match self {
            Self::Send => "配信する",
            Self::Approve => "承認して配信する",
            Self::Cancel => "配信を取り消す",
            Self::Stop => "配信を停止する",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Send => "配信の確認",
            Self::Approve => "承認と配信の確認",
            Self::Cancel => "配信の取り消しの確認",
            Self::Stop => "配信の停止の確認",
        }
    }

    /// The confirmation for `d`, which reaches `reach` friends now, described as `target`.
    pub fn confirmation(self, d: &Delivery, target: String, reach: u64) -> Confirmation<'static> {
        let when = d
            .send_at()
            .map(|at| format!("{}（予約）", format_jst(at)))
            .unwrap_or_else(|| "すぐに配信します".into());
        let mut facts = vec![("タイトル", d.title().to_string()), ("配信先", target)];
        let warning = match self {
            Self::Send | Self::Approve => {
                facts.push((
                    "対象人数",
                    format!("現在 {reach} 人（ブロック中の友だちを除く）"),
                ));
                facts.push(("配信日時", when));
                facts.push(("吹き出し", format!("{} つ", d.bubbles().len())));
                if d.send_at().is_some() {
                    "予約した配信は、配信日時までなら取り消せます。配信が始まると、届いたメッセージは取り消せません。"
                } else {
                    "配信はすぐに始まり、届いたメッセージは取り消せません。"
                }
            }
            Self::Cancel => {
                facts.push(("配信日時", when));
                facts.push((
                    "対象人数",
                    format!("現在 {reach} 人（ブロック中の友だちを除く）"),
                ));
                "取り消した配信は元に戻せません（同じ内容で配信するには、複製して新しい下書きにします）。"
            }
            Self::Stop => {
                let sent = d.totals().succeeded + d.totals().failed;
                facts.push((
                    "送信済み",
                    format!("{sent} 通（対象 {} 人のうち）", d.totals().recipients),
                ));
                "停止すると、まだ送っていない友だちには届きません。送信済みのメッセージは取り消せず、停止した配信は再開できません。"
            }
        };
        Confirmation {
            title: self.title(),
            facts,
            warning: warning.into(),
            action: format!("/admin/deliveries/{}/{}", d.id(), self.path()),
            fields: Vec::new(),
            button: self.button(),
            back: format!("/admin/deliveries/{}", d.id()),
        }
    }
}
