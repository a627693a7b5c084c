//! Staff mail on SES (moto): a verified sender's mail is sent, an unverified one is refused. What moto's SES counted is read
//! through SES v1 GetSendStatistics, which answers from the same counters SESv2 writes.

use tayori_adapters::aws::{self, AwsConfig, SesMailer};
use tayori_ports::{Mail, MailAddress, MailError, Mailer};
use tayori_tests::{moto, unique_name};

fn address(text: &str) -> MailAddress {
    MailAddress::parse(text).unwrap()
}

fn config(mail_from: Option<MailAddress>) -> AwsConfig {
    AwsConfig {
        table_name: unique_name("tayori"),
        bucket_name: unique_name("tayori"),
        kms_key_id: unique_name("key"),
        event_bus_name: unique_name("tayori"),
        mail_from,
    }
}

fn notice() -> Mail {
    Mail::new(
        vec![
            address("kikaku@city.obama.lg.jp"),
            address("kosodate@city.obama.lg.jp"),
        ],
        "【小浜市】子育て支援アンケートに新しい回答が届きました",
        "回答を管理画面で確認してください。",
    )
    .unwrap()
}

/// Delivery attempts and rejects so far, from SES v1's GetSendStatistics. The Query API is
/// called by hand (no SES v1 SDK in the build): moto takes the region from the credential
/// scope of the Authorization header and does not check the signature.
async fn send_statistics() -> (u64, u64) {
    let endpoint = std::env::var("TAYORI_TEST_AWS_ENDPOINT").unwrap();
    let body = reqwest::Client::new()
        .post(endpoint.trim_end_matches('/').to_string() + "/")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20261202/ap-northeast-1/ses/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .body("Action=GetSendStatistics&Version=2010-12-01")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let number = |tag: &str| -> u64 {
        let start = body
            .find(&format!("<{tag}>"))
            .unwrap_or_else(|| panic!("{body}"))
            + tag.len()
            + 2;
        let end = body[start..].find('<').unwrap() + start;
        body[start..end].trim().parse::<f64>().unwrap() as u64
    };
    (number("DeliveryAttempts"), number("Rejects"))
}

#[tokio::test]
async fn a_verified_sender_sends_and_an_unverified_one_is_refused() {
    let Some(sdk) = moto().await else { return };
    let client = aws_sdk_sesv2::Client::new(&sdk);
    let sender = format!("{}@city.obama.lg.jp", unique_name("tayori"));
    client
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();

    let (attempts, rejects) = send_statistics().await;
    // Through the mailer the forms function builds from MAIL_FROM.
    aws::mailer(&sdk, &config(Some(address(&sender))))
        .send(&notice())
        .await
        .unwrap();
    assert_eq!(
        send_statistics().await,
        (attempts + 2, rejects),
        "one mail to two recipients"
    );

    let stranger = format!("{}@unverified.example.jp", unique_name("tayori"));
    let refused = SesMailer::new(client, address(&stranger))
        .send(&notice())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, MailError::Refused(reason) if reason.contains("not verified")),
        "{refused}"
    );
    assert_eq!(send_statistics().await, (attempts + 2, rejects + 1));
}
