use tayori_outreach::{BasicId, BasicIdError};

#[test]
fn a_basic_id_is_kept_and_printed_with_its_at_sign() {
    let id = BasicId::parse("@123abcde").unwrap();
    assert_eq!(id.as_printed(), "@123abcde");
    assert_eq!(id.to_string(), "@123abcde");
    assert_eq!(id.add_friend_url(), "https://line.me/R/ti/p/%40123abcde");
}

#[test]
fn a_premium_id_with_punctuation_is_accepted() {
    let id: BasicId = "@obama-city.line_1".parse().unwrap();
    assert_eq!(
        id.add_friend_url(),
        "https://line.me/R/ti/p/%40obama-city.line_1"
    );
}

#[test]
fn capitals_full_width_letters_and_spaces_around_are_taken_as_typed_by_a_clerk() {
    assert_eq!(
        BasicId::parse("  @Obama-City ").unwrap().as_printed(),
        "@obama-city"
    );
    assert_eq!(
        BasicId::parse("＠ＯＢＡＭＡ１２").unwrap().as_printed(),
        "@obama12"
    );
}

#[test]
fn an_id_without_its_at_sign_is_refused_with_an_example() {
    let error = BasicId::parse("123abcde").unwrap_err();
    assert_eq!(error, BasicIdError::MissingAt);
    assert_eq!(
        error.to_string(),
        "LINE公式アカウントのベーシックIDは「@」で始まる英数字です（例: @123abcde）。"
    );
}

#[test]
fn characters_line_does_not_allow_are_named() {
    let error = BasicId::parse("@おばま city!").unwrap_err();
    assert_eq!(
        error.to_string(),
        "ベーシックIDに使えない文字があります: おばま !（使えるのは英小文字・数字と「.」「_」「-」です）。"
    );
}

#[test]
fn ids_shorter_than_four_or_longer_than_twenty_characters_are_refused() {
    assert_eq!(
        BasicId::parse("@abc").unwrap_err(),
        BasicIdError::Length { length: 3 }
    );
    assert_eq!(
        BasicId::parse("@abcdefghijklmnopqrstu")
            .unwrap_err()
            .to_string(),
        "ベーシックIDの「@」の後は4〜20文字です（いまは21文字です）。"
    );
    assert!(BasicId::parse("@abcd").is_ok());
    assert!(BasicId::parse("@abcdefghijklmnopqrst").is_ok());
}
