//! LINE Login ID token verification against the fake LINE server.

use crate::common;

use common::{Line, USER};
use tayori_line::LineError;

const LIFF_CHANNEL: &str = "1657000000";

#[tokio::test]
async fn a_token_line_issued_verifies_to_its_user_and_channel() {
    let line = Line::start().await;
    let token = line.fake.issue_id_token(USER, None);
    let claims = line
        .client()
        .verify_id_token(&token, LIFF_CHANNEL)
        .await
        .unwrap();
    assert_eq!(claims.sub, USER);
    assert_eq!(claims.aud, LIFF_CHANNEL);
    assert!(claims.exp > chrono::Utc::now().timestamp());
    let recorded = line.requests_to("/oauth2/v2.1/verify");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].body["client_id"], LIFF_CHANNEL);
    assert_ne!(recorded[0].body["id_token"], token.as_str(), "token masked");
}

#[tokio::test]
async fn a_forged_token_is_rejected_with_lines_error() {
    let line = Line::start().await;
    let error = line
        .client()
        .verify_id_token("eyJhbGciOiJIUzI1NiJ9.forged.signature", LIFF_CHANNEL)
        .await
        .unwrap_err();
    match error {
        LineError::Rejected {
            status, message, ..
        } => {
            assert_eq!(status, 400);
            assert!(message.contains("Invalid IdToken."), "{message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_issued_for_another_channel_is_rejected() {
    let line = Line::start().await;
    let token = line.fake.issue_id_token(USER, Some("1999999999"));
    let error = line
        .client()
        .verify_id_token(&token, LIFF_CHANNEL)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert!(error.to_string().contains("Audience"), "{error}");
}
