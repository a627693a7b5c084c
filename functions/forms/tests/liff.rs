//! The forms' LIFF API end to end: the real router on embedded storage, forms built through the
//! form desk as staff would, ID tokens verified by the fake LINE server's LINE Login endpoint,
//! and the receipt and status handlers on the in-process bus pushing through the fake LINE
//! (which checks every request against LINE's OpenAPI spec).

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use tayori_adapters::embedded::{self, InProcessBus, MemoryMailer};
use tayori_domain::form::{
    AnswerStatus, Condition, Field, FieldId, FieldKind, FormKind, FormSettings, PerCitizen, Slot,
    SlotId,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_fake_line::FakeLine;
use tayori_formdesk::{Clerk, FormDesk};
use tayori_forms::{
    router, FormsConfig, FormsState, ReceiptHandler, StatusNoticeHandler, FORM_ANSWERED,
    FORM_ANSWER_STATUS_CHANGED,
};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Event, EventHandler, ManualClock, Platform};
use tayori_records::Friends;
use tower::ServiceExt;

const CITIZEN: &str = "U11112222333344445555666677778888";
const NEIGHBOUR: &str = "U99998888777766665555444433332222";
const LIFF_CHANNEL: &str = "1657000000";

/// 2026-12-01 10:00 JST.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

struct Harness {
    app: axum::Router,
    platform: Platform,
    bus: Arc<InProcessBus>,
    clock: Arc<ManualClock>,
    desk: FormDesk,
    fake: FakeLine,
    line: Arc<LineClient>,
    staff: StaffAccount,
    /// Every mail the handlers sent.
    mailer: Arc<MemoryMailer>,
    _dir: tempfile::TempDir,
}

fn staff() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("kenko").unwrap(),
        StaffProfile {
            display_name: "健康 花子".into(),
            department: "健康課".into(),
            permissions: [
                Permission::FormsEdit,
                Permission::FormsViewAnswers,
                Permission::FormsExport,
            ]
            .into_iter()
            .collect(),
            scope: DepartmentScope::Only(["健康課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        start(),
    )
}

fn field(id: &str, label: &str, kind: FieldKind) -> Field {
    Field {
        id: FieldId::parse(id).unwrap(),
        label: label.into(),
        help: String::new(),
        required: false,
        kind,
        show_when: None,
        staff_only: false,
        personal: false,
    }
}

fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

fn choices(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// 健康教室の申込: a name (personal), an age (integer 0–120), a course, a reason shown only for
/// その他, and a staff-only 受付メモ.
fn class_application(per_citizen: PerCitizen) -> FormSettings {
    let mut name = required(field(
        "name",
        "お名前",
        FieldKind::ShortText { max_chars: 50 },
    ));
    name.personal = true;
    let mut reason = required(field(
        "reason",
        "その他の内容",
        FieldKind::ShortText { max_chars: 100 },
    ));
    reason.show_when = Some(Condition {
        field: FieldId::parse("course").unwrap(),
        equals: "その他".into(),
    });
    let mut memo = field("memo", "受付メモ", FieldKind::ShortText { max_chars: 50 });
    memo.staff_only = true;
    FormSettings {
        notice_address: None,
        title: "健康教室の申込".into(),
        description: "1月の健康教室です。".into(),
        department: "健康課".into(),
        kind: FormKind::Application,
        per_citizen,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: vec![],
        receipt_message: "お申し込みありがとうございます。".into(),
        fields: vec![
            name,
            required(field(
                "age",
                "年齢",
                FieldKind::Number {
                    min: Some(0.0),
                    max: Some(120.0),
                    integer: true,
                },
            )),
            required(field(
                "course",
                "コース",
                FieldKind::SingleChoice {
                    choices: choices(&["運動", "食事", "その他"]),
                },
            )),
            reason,
            memo,
        ],
    }
}

fn slot(id: &str, hour: u32, capacity: u32) -> Slot {
    Slot {
        id: SlotId::parse(id).unwrap(),
        date: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
        start: NaiveTime::from_hms_opt(hour, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(hour + 1, 0, 0).unwrap(),
        capacity,
    }
}

/// 特定健診の予約: two slots on 2026-12-20 of `capacity` places each.
fn checkup(capacity: u32) -> FormSettings {
    FormSettings {
        notice_address: None,
        title: "特定健診の予約".into(),
        description: String::new(),
        department: "健康課".into(),
        kind: FormKind::Reservation,
        per_citizen: PerCitizen::Many,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: vec![slot("am", 10, capacity), slot("pm", 14, capacity)],
        receipt_message: "ご予約ありがとうございます。".into(),
        fields: vec![required(field(
            "name",
            "お名前",
            FieldKind::ShortText { max_chars: 50 },
        ))],
    }
}

async fn harness() -> Harness {
    harness_with_console(None).await
}

/// The harness, its receipt handler knowing the console's address.
async fn harness_with_console(console_base_url: Option<String>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let (mut platform, bus, _objects) =
        embedded::platform_at(dir.path(), clock.clone(), "http://127.0.0.1:9").unwrap();
    let mailer = Arc::new(MemoryMailer::new());
    platform.mailer = mailer.clone();
    let fake = FakeLine::new();
    fake.add_user(CITIZEN, "小浜 太郎");
    fake.add_user(NEIGHBOUR, "西津 次郎");
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
    bus.subscribe(
        FORM_ANSWERED,
        Arc::new(
            ReceiptHandler::new(platform.clone(), line.clone()).with_console(console_base_url),
        ),
    );
    bus.subscribe(
        FORM_ANSWER_STATUS_CHANGED,
        Arc::new(StatusNoticeHandler::new(platform.clone(), line.clone())),
    );
    let state = FormsState {
        platform: platform.clone(),
        line: line.clone(),
        config: FormsConfig {
            login_channel_id: LIFF_CHANNEL.into(),
            liff_id: None,
            forms_liff_id: None,
            city: "小浜市".into(),
            upload_origin: None,
        },
    };
    Harness {
        app: router(Arc::new(state)),
        desk: FormDesk::new(&platform),
        platform,
        bus,
        clock,
        fake,
        line,
        staff: staff(),
        mailer,
        _dir: dir,
    }
}

impl Harness {
    fn token(&self, user: &str) -> String {
        self.fake.issue_id_token(user, Some(LIFF_CHANNEL))
    }

    fn clerk(&self) -> Clerk<'_> {
        Clerk {
            account: &self.staff,
            ip: "192.0.2.1",
        }
    }

    /// A published form: its id.
    async fn published(&self, settings: FormSettings) -> String {
        let form = self.desk.create(self.clerk(), settings).await.unwrap();
        self.desk.publish(self.clerk(), form.id()).await.unwrap();
        form.id().to_string()
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(
                body.map(|b| Body::from(b.to_string()))
                    .unwrap_or_else(Body::empty),
            )
            .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// The bus delivers `form.answered` of the answer `receipt` names again.
    async fn redeliver_answered(&self, form: &str, receipt: &Value) {
        let event = Event::new(
            FORM_ANSWERED,
            json!({"formId": form, "answerId": receipt["answerId"]}),
        );
        ReceiptHandler::new(self.platform.clone(), self.line.clone())
            .handle(event)
            .await
            .unwrap();
    }

    async fn submit(&self, user: &str, form: &str, answer: Value) -> (StatusCode, Value) {
        let token = self.token(user);
        let answered = self
            .call(
                Method::POST,
                &format!("/api/forms/{form}/answers"),
                Some(&token),
                Some(answer),
            )
            .await;
        self.bus.settle().await;
        answered
    }

    async fn answer_count(&self, form: &str) -> u32 {
        let id = tayori_domain::form::FormId::parse(form).unwrap();
        self.desk
            .get(self.clerk(), &id)
            .await
            .unwrap()
            .counts
            .places
            .total
    }

    /// The texts pushed to `user`, oldest first.
    fn pushed_texts(&self, user: &str) -> Vec<String> {
        self.fake
            .sent_messages_to(user)
            .iter()
            .filter_map(|m| m["text"].as_str().map(str::to_string))
            .collect()
    }
}

fn a_good_answer() -> Value {
    json!({"values": {"name": ["小浜 太郎"], "age": ["４２"], "course": ["運動"]}})
}

#[tokio::test]
async fn a_forged_or_missing_token_is_refused_in_japanese() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    for token in [None, Some("forged.token.value")] {
        let (status, body) = h
            .call(Method::GET, &format!("/api/forms/{form}"), token, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(
            body["error"]["message"],
            "LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。"
        );
    }
    let (status, body) = h
        .call(
            Method::POST,
            &format!("/api/forms/{form}/answers"),
            Some("forged.token.value"),
            Some(a_good_answer()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(h.answer_count(&form).await, 0);
    // A token LINE issued for another channel is no login here either.
    let other = h.fake.issue_id_token(CITIZEN, Some("1999999999"));
    let (status, _) = h
        .call(Method::GET, "/api/forms/answers", Some(&other), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_form_is_shown_with_citizen_fields_only_and_its_draft() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    let token = h.token(CITIZEN);
    let (status, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{form}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["availability"]["open"], true);
    assert_eq!(view["form"]["title"], "健康教室の申込");
    let ids: Vec<&str> = view["form"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["name", "age", "course", "reason"],
        "no staff-only field"
    );
    assert_eq!(view["draft"], Value::Null);

    let (status, saved) = h
        .call(
            Method::PUT,
            &format!("/api/forms/{form}/draft"),
            Some(&token),
            Some(json!({"values": {"name": ["小浜 太"], "course": ["その他"]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{form}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(view["draft"]["values"]["name"], json!(["小浜 太"]));
    assert_eq!(view["draft"]["values"]["course"], json!(["その他"]));
    // Another citizen does not see it.
    let (_, theirs) = h
        .call(
            Method::GET,
            &format!("/api/forms/{form}"),
            Some(&h.token(NEIGHBOUR)),
            None,
        )
        .await;
    assert_eq!(theirs["draft"], Value::Null);
    // Sending the answer clears the draft.
    assert_eq!(
        h.submit(CITIZEN, &form, a_good_answer()).await.0,
        StatusCode::OK
    );
    let (_, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{form}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(view["draft"], Value::Null);
}

#[tokio::test]
async fn forged_answers_are_refused_field_by_field_and_nothing_is_saved() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    let cases = [
        (
            json!({"values": {"name": ["小浜 太郎"], "age": ["42"], "course": ["運動"], "memo": ["優先"]}}),
            "memo",
            "この項目は職員が入力する項目のため、回答できません。",
        ),
        (
            json!({"values": {"age": ["42"], "course": ["運動"]}}),
            "name",
            "入力してください。",
        ),
        (
            json!({"values": {"name": ["小浜 太郎"], "age": ["よんじゅう"], "course": ["運動"]}}),
            "age",
            "数値を入力してください。",
        ),
        (
            json!({"values": {"name": ["小浜 太郎"], "age": ["42"], "course": ["その他"]}}),
            "reason",
            "入力してください。",
        ),
        (
            json!({"values": {"name": ["小浜 太郎"], "age": ["42"], "course": ["水泳"]}}),
            "course",
            "「水泳」は選択肢にありません。",
        ),
    ];
    for (answer, field, message) in cases {
        let (status, body) = h.submit(CITIZEN, &form, answer.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}: {body}");
        assert_eq!(body["error"]["code"], "invalid_values");
        let fields = body["error"]["fields"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == field && f["message"] == message),
            "{answer}: {body}"
        );
    }
    assert_eq!(h.answer_count(&form).await, 0);
    assert!(h.pushed_texts(CITIZEN).is_empty());
    // The hidden reason is dropped, not refused, when its condition does not hold.
    let (status, body) = h
        .submit(
            CITIZEN,
            &form,
            json!({"values": {"name": ["小浜 太郎"], "age": ["42"], "course": ["運動"], "reason": ["x"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body["lines"].to_string().contains("その他の内容"));
}

#[tokio::test]
async fn the_department_is_mailed_once_of_a_new_answer_without_its_values() {
    let h = harness().await;
    let form = h
        .published(FormSettings {
            notice_address: Some("kenkou@city.example.lg.jp".into()),
            ..class_application(PerCitizen::Many)
        })
        .await;
    let (status, receipt) = h.submit(CITIZEN, &form, a_good_answer()).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let answer_id = receipt["answerId"].as_str().unwrap().to_string();
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mail = &sent[0];
    assert_eq!(mail.to()[0].as_str(), "kenkou@city.example.lg.jp");
    assert_eq!(
        mail.subject(),
        "【Tayori】新しい回答: 健康教室の申込（F2612-0001）"
    );
    let body = mail.body();
    assert!(body.contains("フォーム: 健康教室の申込"), "{body}");
    assert!(body.contains("受付番号: F2612-0001"), "{body}");
    assert!(body.contains("回答日時: 2026年12月1日"), "{body}");
    assert!(
        body.contains(&format!("/admin/forms/{form}/answers/{answer_id}")),
        "{body}"
    );
    for personal in ["小浜", "太郎", "お名前", "年齢", "運動", CITIZEN] {
        assert!(
            !mail.subject().contains(personal) && !body.contains(personal),
            "{personal} in {body}"
        );
    }
    assert_eq!(h.pushed_texts(CITIZEN).len(), 1, "the receipt went out too");

    // Redelivered, even to a handler that knows the console's address: no second mail.
    let event = Event::new(
        FORM_ANSWERED,
        json!({"formId": form, "answerId": answer_id}),
    );
    ReceiptHandler::new(h.platform.clone(), h.line.clone())
        .with_console(Some("https://admin.example.jp".into()))
        .handle(event)
        .await
        .unwrap();
    assert_eq!(h.mailer.sent().len(), 1);

    // Knowing the console's address, the mail links the answer's page.
    let h = harness_with_console(Some("https://admin.example.jp".into())).await;
    let form = h
        .published(FormSettings {
            notice_address: Some("kenkou@city.example.lg.jp".into()),
            ..class_application(PerCitizen::Many)
        })
        .await;
    let (_, receipt) = h.submit(CITIZEN, &form, a_good_answer()).await;
    let answer_id = receipt["answerId"].as_str().unwrap();
    assert!(h.mailer.sent()[0].body().contains(&format!(
        "\nhttps://admin.example.jp/admin/forms/{form}/answers/{answer_id}\n"
    )));
}

#[tokio::test]
async fn a_form_without_a_notice_address_mails_nobody() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    let (status, receipt) = h.submit(CITIZEN, &form, a_good_answer()).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(h.pushed_texts(CITIZEN).len(), 1);
    assert!(h.mailer.sent().is_empty());
}

#[tokio::test]
async fn the_answer_is_received_and_its_receipt_pushed_once() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    let (status, receipt) = h.submit(CITIZEN, &form, a_good_answer()).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let number = receipt["receiptNumber"].as_str().unwrap().to_string();
    assert_eq!(number, "F2612-0001");
    assert_eq!(
        receipt["lines"],
        json!(["お名前: 小浜 太郎", "年齢: 42", "コース: 運動"])
    );
    let pushed = h.pushed_texts(CITIZEN);
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    assert_eq!(
        pushed[0],
        "お申し込みありがとうございます。\n\n【健康教室の申込】\n受付番号: F2612-0001\nお名前: 小浜 太郎\n年齢: 42\nコース: 運動"
    );
    // The bus delivers the event again: LINE is asked under the same retry key, and the
    // citizen still has one receipt.
    h.redeliver_answered(&form, &receipt).await;
    assert_eq!(h.pushed_texts(CITIZEN).len(), 1);
    let pushes = h
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/bot/message/push")
        .count();
    assert_eq!(
        pushes, 2,
        "the redelivery reached LINE and was answered 409"
    );

    // 「これまでの回答」.
    let (_, mine) = h
        .call(
            Method::GET,
            "/api/forms/answers",
            Some(&h.token(CITIZEN)),
            None,
        )
        .await;
    assert_eq!(mine["answers"][0]["receiptNumber"], number.as_str());
    assert_eq!(mine["answers"][0]["status"], "受付");
    assert_eq!(mine["answers"][0]["cancellable"], false);
    let (_, theirs) = h
        .call(
            Method::GET,
            "/api/forms/answers",
            Some(&h.token(NEIGHBOUR)),
            None,
        )
        .await;
    assert_eq!(theirs["answers"], json!([]));
}

/// The usage report's フォーム回答 events of 2026-12-01 (JST).
async fn form_answers_counted(h: &Harness) -> Vec<tayori_domain::usage::UsageEvent> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let mut counted = Vec::new();
    tayori_records::UsageEvents::new(h.platform.table.clone())
        .each_between(day, day, |e| counted.push(e))
        .await
        .unwrap();
    counted.retain(|e| e.kind == tayori_domain::usage::UsageKind::FormAnswer);
    counted
}

#[tokio::test]
async fn each_answer_counts_once_in_the_usage_report_under_the_attributes_of_its_moment() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    let register = |district: &'static str, age: &'static str| {
        let friends = Friends::new(&h.platform);
        async move {
            friends
                .update(CITIZEN, start(), |f| {
                    f.followed(start());
                    f.attributes = [
                        ("district".to_string(), vec![district.to_string()]),
                        ("age_group".to_string(), vec![age.to_string()]),
                    ]
                    .into_iter()
                    .collect();
                })
                .await
                .unwrap();
        }
    };
    register("雲浜", "40代").await;
    let (status, receipt) = h.submit(CITIZEN, &form, a_good_answer()).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    // The bus delivers form.answered again: the answer is still counted once.
    h.redeliver_answered(&form, &receipt).await;
    let counted = form_answers_counted(&h).await;
    assert_eq!(counted.len(), 1, "{counted:?}");
    assert_eq!(counted[0].count, 1);
    assert_eq!(counted[0].attributes["district"], ["雲浜"]);
    assert_eq!(counted[0].attributes["age_group"], ["40代"]);

    // They move to 西津 and answer again: the first answer stays under 雲浜.
    register("西津", "40代").await;
    assert_eq!(
        h.submit(CITIZEN, &form, a_good_answer()).await.0,
        StatusCode::OK
    );
    let report =
        tayori_domain::usage::UsageReport::build(&form_answers_counted(&h).await, Some("district"));
    let kind = tayori_domain::usage::UsageKind::FormAnswer;
    assert_eq!(report.count(kind, "雲浜"), 1);
    assert_eq!(report.count(kind, "西津"), 1);
    assert_eq!(report.total(kind), 2);

    // A refused answer (a required field missing) is not counted.
    let (status, _) = h
        .submit(CITIZEN, &form, json!({"values": {"age": ["42"]}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(form_answers_counted(&h).await.len(), 2);
}

#[tokio::test]
async fn a_citizen_who_blocked_the_account_is_not_pushed() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    Friends::new(&h.platform)
        .update(CITIZEN, start(), |f| f.blocked(start()))
        .await
        .unwrap();
    let (status, _) = h.submit(CITIZEN, &form, a_good_answer()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.pushed_texts(CITIZEN).is_empty());
}

#[tokio::test]
async fn a_once_only_form_takes_one_answer_per_citizen() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Once)).await;
    assert_eq!(
        h.submit(CITIZEN, &form, a_good_answer()).await.0,
        StatusCode::OK
    );
    let (status, body) = h.submit(CITIZEN, &form, a_good_answer()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["error"]["message"],
        "すでに回答済みです。このフォームには1回のみ回答できます。"
    );
    let (_, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{form}"),
            Some(&h.token(CITIZEN)),
            None,
        )
        .await;
    assert_eq!(view["alreadyAnswered"], true);
    // Another citizen may still answer.
    assert_eq!(
        h.submit(NEIGHBOUR, &form, a_good_answer()).await.0,
        StatusCode::OK
    );
    assert_eq!(h.answer_count(&form).await, 2);
}

#[tokio::test]
async fn a_closed_form_and_full_slots_are_said_before_any_input() {
    let h = harness().await;
    let closed = h.published(class_application(PerCitizen::Many)).await;
    let id = tayori_domain::form::FormId::parse(&closed).unwrap();
    h.desk.close(h.clerk(), &id).await.unwrap();
    let token = h.token(CITIZEN);
    let (status, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{closed}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["availability"]["open"], false);
    assert_eq!(
        view["availability"]["message"],
        "このフォームの受付は終了しました。"
    );
    let (status, body) = h.submit(CITIZEN, &closed, a_good_answer()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "not_accepting");

    // One place in each slot: the neighbour takes both, and the citizen is told before typing.
    let full = h.published(checkup(1)).await;
    for slot in ["am", "pm"] {
        let (status, body) = h
            .submit(
                NEIGHBOUR,
                &full,
                json!({"values": {"name": ["西津 次郎"]}, "slot": slot}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{full}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(view["availability"]["open"], false);
    assert_eq!(
        view["availability"]["message"],
        "定員に達したため、受付を終了しました。"
    );
    assert_eq!(view["slots"][0]["state"], "満席");
    assert_eq!(view["slots"][0]["bookable"], false);
    // The open forms' list says so too.
    let (_, list) = h.call(Method::GET, "/api/forms", Some(&token), None).await;
    let listed = list["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == full.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["availability"]["label"], "定員に達しました");
    assert!(
        !list["forms"].to_string().contains(&closed),
        "an ended form is not listed"
    );
}

#[tokio::test]
async fn a_full_slot_is_refused_next_to_the_slot_picker() {
    let h = harness().await;
    let form = h.published(checkup(1)).await;
    let answer = |slot: &str| json!({"values": {"name": ["小浜 太郎"]}, "slot": slot});
    assert_eq!(
        h.submit(NEIGHBOUR, &form, answer("am")).await.0,
        StatusCode::OK
    );
    let (status, body) = h.submit(CITIZEN, &form, answer("am")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "slot");
    assert_eq!(
        body["error"]["fields"][0]["message"],
        "この枠は満席です。別の枠を選んでください。"
    );
    let (status, body) = h
        .submit(CITIZEN, &form, json!({"values": {"name": ["小浜 太郎"]}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["message"], "予約枠を選んでください。");
}

#[tokio::test]
async fn a_reservation_is_cancelled_before_its_slot_and_the_citizen_told() {
    let h = harness().await;
    let form = h.published(checkup(1)).await;
    let (status, receipt) = h
        .submit(
            CITIZEN,
            &form,
            json!({"values": {"name": ["小浜 太郎"]}, "slot": "am"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let answer_id = receipt["answerId"].as_str().unwrap().to_string();
    assert!(receipt["lines"][0]
        .as_str()
        .unwrap()
        .starts_with("予約枠: 2026年12月20日(日) 10:00〜11:00"));

    // Staff confirm it: the citizen hears of it.
    h.desk
        .change_status(h.clerk(), &answer_id, AnswerStatus::Confirmed)
        .await
        .unwrap();
    h.bus.settle().await;
    let pushed = h.pushed_texts(CITIZEN);
    assert_eq!(pushed.len(), 2, "{pushed:?}");
    assert!(
        pushed[1].contains("ご予約が確定しました。"),
        "{}",
        pushed[1]
    );
    assert!(pushed[1].contains("予約枠: 2026年12月20日(日) 10:00〜11:00"));

    // Someone else cannot cancel it (nor learn that it exists).
    let cancel = format!("/api/forms/answers/{answer_id}/cancel");
    let (status, _) = h
        .call(Method::POST, &cancel, Some(&h.token(NEIGHBOUR)), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, mine) = h
        .call(
            Method::GET,
            "/api/forms/answers",
            Some(&h.token(CITIZEN)),
            None,
        )
        .await;
    assert_eq!(mine["answers"][0]["cancellable"], true);
    let (status, done) = h
        .call(Method::POST, &cancel, Some(&h.token(CITIZEN)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "キャンセル");
    h.bus.settle().await;
    let pushed = h.pushed_texts(CITIZEN);
    assert_eq!(pushed.len(), 3);
    assert!(
        pushed[2].contains("ご予約をキャンセルしました。"),
        "{}",
        pushed[2]
    );
    // Its place is free again.
    let (_, view) = h
        .call(
            Method::GET,
            &format!("/api/forms/{form}"),
            Some(&h.token(NEIGHBOUR)),
            None,
        )
        .await;
    assert_eq!(view["slots"][0]["remaining"], 1);

    // Once the slot has started, a reservation is not cancelled here.
    let (_, second) = h
        .submit(
            CITIZEN,
            &form,
            json!({"values": {"name": ["小浜 太郎"]}, "slot": "pm"}),
        )
        .await;
    h.clock.set(
        DateTime::parse_from_rfc3339("2026-12-20T14:05:00+09:00")
            .unwrap()
            .with_timezone(&Utc),
    );
    let (status, body) = h
        .call(
            Method::POST,
            &format!(
                "/api/forms/answers/{}/cancel",
                second["answerId"].as_str().unwrap()
            ),
            Some(&h.token(CITIZEN)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["message"],
        "予約の時刻を過ぎたため、キャンセルできません。お手数ですが担当課へご連絡ください。"
    );
}

#[tokio::test]
async fn a_status_change_the_citizen_need_not_hear_of_is_not_pushed() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    let (_, receipt) = h.submit(CITIZEN, &form, a_good_answer()).await;
    let answer_id = receipt["answerId"].as_str().unwrap();
    h.desk
        .change_status(h.clerk(), answer_id, AnswerStatus::InProgress)
        .await
        .unwrap();
    h.bus.settle().await;
    assert_eq!(h.pushed_texts(CITIZEN).len(), 1, "the receipt only");
    h.desk
        .change_status(h.clerk(), answer_id, AnswerStatus::Done)
        .await
        .unwrap();
    h.bus.settle().await;
    let pushed = h.pushed_texts(CITIZEN);
    assert_eq!(pushed.len(), 2);
    assert!(
        pushed[1].contains("お申し込みの手続きが完了しました。"),
        "{}",
        pushed[1]
    );
    // Delivered again: the desk knows it was told, and LINE is not asked again.
    let before = h.fake.requests().len();
    let event = Event::new(
        FORM_ANSWER_STATUS_CHANGED,
        json!({"formId": form, "answerId": answer_id, "changeIndex": 1}),
    );
    StatusNoticeHandler::new(h.platform.clone(), h.line.clone())
        .handle(event)
        .await
        .unwrap();
    assert_eq!(h.pushed_texts(CITIZEN).len(), 2);
    assert_eq!(h.fake.requests().len(), before);
}

#[tokio::test]
async fn the_postal_code_gives_the_address_to_fill_in() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let (status, found) = h
        .call(
            Method::GET,
            "/api/forms/postal/917-0078",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["code"], "9170078");
    assert!(found["address"]
        .as_str()
        .unwrap()
        .starts_with("福井県小浜市"));
    let (status, body) = h
        .call(
            Method::GET,
            "/api/forms/postal/100-0001",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "unknown_postal_code");
    let (status, _) = h
        .call(Method::GET, "/api/forms/postal/917-0078", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_pages_load_their_script_and_an_unknown_form_is_not_found() {
    let h = harness().await;
    let form = h.published(class_application(PerCitizen::Many)).await;
    for path in ["/liff/forms".to_string(), format!("/liff/forms/{form}")] {
        let response = h
            .app
            .clone()
            .oneshot(Request::get(&path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let html = String::from_utf8(
            to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        assert!(
            html.contains(r#"src="/liff/forms/static/form.js""#),
            "{html}"
        );
        // Nothing of the form is in the page before its availability is known.
        assert!(!html.contains("<input"), "{html}");
    }
    for name in ["form.js", "form.css"] {
        let response = h
            .app
            .clone()
            .oneshot(
                Request::get(format!("/liff/forms/static/{name}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name}");
    }
    let (status, body) = h
        .call(
            Method::GET,
            "/api/forms/0123456789abcdef0123456789abcdef",
            Some(&h.token(CITIZEN)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["message"], "フォームが見つかりません。");
    // An unpublished form is not found either.
    let draft = h
        .desk
        .create(h.clerk(), class_application(PerCitizen::Many))
        .await
        .unwrap();
    let (status, _) = h
        .call(
            Method::GET,
            &format!("/api/forms/{}", draft.id()),
            Some(&h.token(CITIZEN)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_the_forms_liff_app_the_page_loads_lines_sdk_and_names_that_app() {
    let h = harness().await;
    let state = FormsState {
        platform: h.platform.clone(),
        line: h.line.clone(),
        config: FormsConfig {
            login_channel_id: LIFF_CHANNEL.into(),
            liff_id: Some("1657000000-Registr".into()),
            forms_liff_id: Some("1657000000-FormsApp".into()),
            city: "小浜市".into(),
            upload_origin: None,
        },
    };
    let response = router(Arc::new(state))
        .oneshot(Request::get("/liff/forms").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let html = String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(
        html.contains(r#"data-liff-id="1657000000-FormsApp""#),
        "{html}"
    );
    assert!(html.contains("https://static.line-scdn.net/liff/edge/2/sdk.js"));
}
