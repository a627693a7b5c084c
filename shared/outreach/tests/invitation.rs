use tayori_outreach::{BasicId, Contact, Invitation, InvitationError};

use crate::support::obama;

#[test]
fn the_qr_opens_the_add_friend_link_unless_a_landing_url_is_given() {
    assert_eq!(obama().link(), "https://line.me/R/ti/p/%40obama-city");
    let landing = obama()
        .with_link("https://liff.line.me/2000000000-abcdEFGH/join?ch=kouhou")
        .unwrap();
    assert_eq!(
        landing.link(),
        "https://liff.line.me/2000000000-abcdEFGH/join?ch=kouhou"
    );
}

#[test]
fn a_link_that_is_not_https_is_refused() {
    for link in [
        "http://example.jp/",
        "https://",
        "line.me/R/ti/p/%40obama",
        "https://a b/",
    ] {
        assert!(
            matches!(
                obama().with_link(link),
                Err(InvitationError::LinkNotHttps { .. })
            ),
            "{link}"
        );
    }
    assert_eq!(
        obama()
            .with_link("http://example.jp/")
            .unwrap_err()
            .to_string(),
        "QRコードのリンクは https:// で始まるURLにしてください: http://example.jp/"
    );
}

#[test]
fn a_link_too_long_for_a_flyer_qr_is_refused() {
    let link = format!("https://example.jp/{}", "a".repeat(300));
    assert_eq!(
        obama().with_link(&link).unwrap_err(),
        InvitationError::LinkTooLong { length: link.len() }
    );
}

#[test]
fn blank_offers_are_left_out_and_pasted_newlines_become_spaces() {
    let invitation = Invitation::new(
        " 小浜市\n",
        BasicId::parse("@obama-city").unwrap(),
        ["ごみの収集日\nをお知らせ", "  ", "近くの避難所を案内"],
        Contact::new("企画部　総合政策課", "0770-53-1111"),
    )
    .unwrap();
    assert_eq!(invitation.city(), "小浜市");
    assert_eq!(
        invitation.offers(),
        ["ごみの収集日 をお知らせ", "近くの避難所を案内"]
    );
    assert_eq!(invitation.contact().department(), "企画部 総合政策課");
}

#[test]
fn an_invitation_needs_a_city() {
    let error = Invitation::new(
        " ",
        BasicId::parse("@obama-city").unwrap(),
        Vec::<String>::new(),
        Contact::new("総合政策課", "0770-53-1111"),
    )
    .unwrap_err();
    assert_eq!(error.to_string(), "市町村名を入れてください。");
}
