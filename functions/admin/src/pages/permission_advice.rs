//! Warnings for permission combinations that leave a clerk stuck, shown on the staff and role
//! forms. A warning, never a refusal: the administrator may have a reason (a colleague about to
//! be given the rest, a temporary account).

use maud::{html, Markup};
use tayori_domain::staff::Permission::{self, *};

/// What is odd about holding `held`; empty when nothing is. `approver_elsewhere` says whether
/// some other active account may approve deliveries (unknown for a role preset: `None`).
pub fn advice(held: &[Permission], approver_elsewhere: Option<bool>) -> Vec<&'static str> {
    let has = |p: Permission| held.contains(&p);
    let mut said = Vec::new();
    if !held.iter().any(|p| p.is_live()) {
        said.push(
            "使える機能が1つもありません。ログインしても、ホームと自分の設定しか使えません。",
        );
    }
    if has(DeliverySend) && !has(DeliveryDraft) {
        said.push("「配信の送信」は、自分が作った配信を承認なしで送る権限です。「配信の作成（下書き）」がないと配信を作れず、配信の一覧も開けません。");
    }
    if has(DeliveryDraft)
        && !has(DeliverySend)
        && !has(DeliveryApprove)
        && approver_elsewhere == Some(false)
    {
        said.push("「配信の承認」を持つ有効なアカウントが他にないため、この職員が承認を依頼した配信は、いつまでも配信されません。");
    }
    if has(DeliveryDraft)
        && !has(DeliverySend)
        && has(DeliveryApprove)
        && approver_elsewhere == Some(false)
    {
        said.push("自分が依頼した配信は自分では承認できません。「配信の承認」を持つ有効なアカウントが他にないため、この職員の配信は承認されません。");
    }
    said
}

/// The warnings above a form, or nothing.
pub fn warnings(said: &[&str]) -> Markup {
    html! {
        @if !said.is_empty() {
            div.flash.warn role="status" #permission-warnings {
                p { strong { "権限の組み合わせを確認してください（保存はできます）。" } }
                ul { @for s in said { li { (s) } } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approver_alone_is_fine_and_a_sender_without_drafting_is_warned() {
        assert!(advice(&[DeliveryApprove], Some(true)).is_empty());
        assert_eq!(advice(&[DeliverySend], Some(true)).len(), 1);
        assert!(advice(&[DeliveryDraft, DeliverySend], Some(false)).is_empty());
    }

    #[test]
    fn a_drafter_with_nobody_to_approve_is_warned_only_when_that_is_known() {
        assert_eq!(advice(&[DeliveryDraft], Some(false)).len(), 1);
        assert!(advice(&[DeliveryDraft], Some(true)).is_empty());
        assert!(advice(&[DeliveryDraft], None).is_empty());
        assert_eq!(
            advice(&[DeliveryDraft, DeliveryApprove], Some(false)).len(),
            1
        );
    }

    #[test]
    fn no_usable_permission_is_warned() {
        assert_eq!(advice(&[], None).len(), 1);
        assert!(advice(&[Faq], None).is_empty(), "the FAQ has its pages");
    }
}
