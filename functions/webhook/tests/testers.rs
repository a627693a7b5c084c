//! 「テスター登録 <code>」 from LINE, end to end: a code issued as the console does, a signed
//! webhook into the real router, embedded storage, and the reply as the fake LINE received it.

use crate::support;

use chrono::{Duration, Utc};
use tayori_ports::Clock;
use tayori_records::testers::{CODE_MINUTES, MAX_WRONG_CODES};
use tayori_records::Testers;
use tayori_webhook::testers::{
    ALREADY_REGISTERED, HOW_TO, REGISTERED, TOO_MANY_WRONG_CODES, WRONG_OR_EXPIRED,
};

use support::Harness;

const CLERK: &str = "U0123456789abcdef0123456789abcdef";
const COLLEAGUE: &str = "Ufedcba9876543210fedcba9876543210";

async fn harness() -> Harness {
    Harness::at(Utc::now()).await
}

// Helpers only these tests need, on the shared harness.
impl Harness {
    fn testers(&self) -> Testers {
        Testers::new(self.platform.table.clone())
    }

    /// The code the console would show `staff`.
    async fn issue(&self, staff: &str) -> String {
        self.testers()
            .issue_code(staff, self.clock.now())
            .await
            .unwrap()
    }

    /// `user` sends `text`; answers the text of the bot's one reply, a single message.
    async fn says(&self, user: &str, text: &str) -> String {
        let messages = self.text(user, text).await;
        assert_eq!(messages.len(), 1);
        messages[0]["text"].as_str().unwrap().to_string()
    }
}

/// The code as a phone's Japanese keyboard may type it: full-width digits after a full-width space.
fn full_width(code: &str) -> String {
    let digits: String = code
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    format!("テスター登録　{digits}")
}

#[tokio::test]
async fn a_clerk_sends_the_code_in_full_width_and_their_line_becomes_a_tester_of_theirs() {
    let h = harness().await;
    let code = h.issue("tanaka").await;
    assert_eq!(h.says(CLERK, &full_width(&code)).await, REGISTERED);
    let testers = h.testers().get().await.unwrap();
    assert_eq!(testers.len(), 1);
    assert_eq!(testers[0].user_id, CLERK);
    assert_eq!(testers[0].staff, "tanaka");
    assert_eq!(testers[0].added_at, h.clock.now());
}

#[tokio::test]
async fn a_used_a_wrong_or_an_expired_code_registers_nobody() {
    let h = harness().await;
    let code = h.issue("tanaka").await;
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {code}")).await,
        REGISTERED
    );
    // A code works once.
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {code}")).await,
        WRONG_OR_EXPIRED
    );
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {wrong}")).await,
        WRONG_OR_EXPIRED
    );
    let late = h.issue("suzuki").await;
    h.clock.advance(Duration::minutes(CODE_MINUTES));
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {late}")).await,
        WRONG_OR_EXPIRED
    );
    let testers = h.testers().get().await.unwrap();
    assert_eq!(testers.len(), 1, "{testers:?}");
    assert_eq!(testers[0].user_id, CLERK);
}

#[tokio::test]
async fn someone_guessing_codes_is_stopped_and_told_to_wait_while_the_clerk_still_registers() {
    let h = harness().await;
    let code = h.issue("tanaka").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..MAX_WRONG_CODES {
        assert_eq!(
            h.says(COLLEAGUE, &format!("テスター登録 {wrong}")).await,
            WRONG_OR_EXPIRED
        );
    }
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {code}")).await,
        TOO_MANY_WRONG_CODES
    );
    assert!(h.testers().get().await.unwrap().is_empty());
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {code}")).await,
        REGISTERED
    );
}

#[tokio::test]
async fn an_account_already_registered_is_told_so_and_leaves_the_code_for_a_colleague() {
    let h = harness().await;
    let first = h.issue("tanaka").await;
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {first}")).await,
        REGISTERED
    );
    let second = h.issue("tanaka").await;
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {second}")).await,
        ALREADY_REGISTERED
    );
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {second}")).await,
        REGISTERED
    );
    assert_eq!(h.testers().get().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_keyword_alone_explains_what_to_send_and_registers_nobody() {
    let h = harness().await;
    assert_eq!(h.says(CLERK, "テスター登録").await, HOW_TO);
    assert!(h.testers().get().await.unwrap().is_empty());
}
