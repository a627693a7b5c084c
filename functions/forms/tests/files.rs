//! Photo/file fields end to end: the real router on embedded storage, ID tokens verified by the
//! fake LINE server. The browser's PUT to the presigned URL is stood in for by writing the
//! object at the key the API gave (what S3 does with a PUT); everything else is the API's.

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::form::{
    AnswerValue, Field, FieldId, FieldKind, FileType, FormKind, FormSettings, PerCitizen,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_fake_line::FakeLine;
use tayori_formdesk::{
    AnswerFilter, Clerk, FormDesk, PersonalValues, FORM_FILE_PREFIX, FORM_UPLOAD_PREFIX,
};
use tayori_forms::{router, FormsConfig, FormsState};
use tayori_images::fixtures::{jpeg_segments, photo_with_gps};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{ManualClock, ObjectKey, Platform};
use tower::ServiceExt;

const CITIZEN: &str = "U11112222333344445555666677778888";
const NEIGHBOUR: &str = "U99998888777766665555444433332222";
const LIFF_CHANNEL: &str = "1657000000";
const MB: u64 = 1024 * 1024;
const GIF: &[u8] = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn staff() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("kankyo").unwrap(),
        StaffProfile {
            display_name: "環境 一郎".into(),
            department: "環境課".into(),
            permissions: [Permission::FormsEdit, Permission::FormsViewAnswers]
                .into_iter()
                .collect(),
            scope: DepartmentScope::Only(["環境課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        start(),
    )
}

fn field(id: &str, label: &str, required: bool, kind: FieldKind) -> Field {
    Field {
        id: FieldId::parse(id).unwrap(),
        label: label.into(),
        help: String::new(),
        required,
        kind,
        show_when: None,
        staff_only: false,
        personal: false,
    }
}

/// 生垣設置補助金の申請: a name, a photo of the hedge (JPEG/PNG, 1 MB, one) and an optional
/// estimate (PDF, two at most).
fn subsidy() -> FormSettings {
    FormSettings {
        notice_address: None,
        title: "生垣設置補助金の申請".into(),
        description: String::new(),
        department: "環境課".into(),
        kind: FormKind::Application,
        per_citizen: PerCitizen::Many,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: vec![],
        receipt_message: "申請を受け付けました。".into(),
        fields: vec![
            field(
                "name",
                "お名前",
                true,
                FieldKind::ShortText { max_chars: 50 },
            ),
            field(
                "hedge",
                "生垣の写真",
                true,
                FieldKind::File {
                    types: vec![FileType::Jpeg, FileType::Png],
                    max_bytes: MB,
                    max_files: 1,
                },
            ),
            field(
                "estimate",
                "見積書",
                false,
                FieldKind::File {
                    types: vec![FileType::Pdf],
                    max_bytes: MB,
                    max_files: 2,
                },
            ),
        ],
    }
}

struct Harness {
    app: axum::Router,
    platform: Platform,
    desk: FormDesk,
    fake: FakeLine,
    staff: StaffAccount,
    form: String,
    _line: Arc<LineClient>,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let (platform, _bus, _objects) =
        embedded::platform_at(dir.path(), clock, "http://127.0.0.1:9").unwrap();
    let fake = FakeLine::new();
    fake.add_user(CITIZEN, "小浜 太郎");
    fake.add_user(NEIGHBOUR, "西津 次郎");
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
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
    let desk = FormDesk::new(&platform);
    let staff = staff();
    let clerk = Clerk {
        account: &staff,
        ip: "192.0.2.1",
    };
    let form = desk.create(clerk, subsidy()).await.unwrap();
    desk.publish(clerk, form.id()).await.unwrap();
    Harness {
        app: router(Arc::new(state)),
        form: form.id().to_string(),
        platform,
        desk,
        fake,
        staff,
        _line: line,
        _dir: dir,
    }
}

impl Harness {
    fn clerk(&self) -> Clerk<'_> {
        Clerk {
            account: &self.staff,
            ip: "192.0.2.1",
        }
    }

    async fn call(
        &self,
        user: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let token = self.fake.issue_id_token(user, Some(LIFF_CHANNEL));
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn ask_upload(
        &self,
        user: &str,
        field: &str,
        content_type: &str,
        bytes: u64,
    ) -> (StatusCode, Value) {
        let path = format!("/api/forms/{}/uploads", self.form);
        let body = json!({"field": field, "contentType": content_type, "bytes": bytes});
        self.call(user, Method::POST, &path, body).await
    }

    /// Asks for an upload and stores `content` at its key as the browser's PUT would: the key.
    async fn upload(&self, user: &str, field: &str, content_type: &str, content: &[u8]) -> String {
        let (status, given) = self
            .ask_upload(user, field, content_type, content.len() as u64)
            .await;
        assert_eq!(status, StatusCode::OK, "{given}");
        assert_eq!(given["method"], "PUT");
        let key = given["key"].as_str().unwrap().to_string();
        self.platform
            .objects
            .put(
                &ObjectKey::new(key.clone()).unwrap(),
                content.to_vec(),
                content_type,
            )
            .await
            .unwrap();
        key
    }

    async fn submit(&self, user: &str, files: Value) -> (StatusCode, Value) {
        let path = format!("/api/forms/{}/answers", self.form);
        let body = json!({"values": {"name": ["小浜 太郎"]}, "files": files});
        self.call(user, Method::POST, &path, body).await
    }

    async fn stored_files(&self) -> Vec<ObjectKey> {
        self.platform.objects.list(FORM_FILE_PREFIX).await.unwrap()
    }

    async fn answer_count(&self) -> u32 {
        let id = tayori_domain::form::FormId::parse(&self.form).unwrap();
        self.desk
            .get(self.clerk(), &id)
            .await
            .unwrap()
            .counts
            .places
            .total
    }
}

fn message_for<'a>(body: &'a Value, field: &str) -> &'a str {
    body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors: {body}"))
        .iter()
        .find(|f| f["field"] == field)
        .unwrap_or_else(|| panic!("no error for {field}: {body}"))["message"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn an_upload_the_field_cannot_take_is_refused_before_anything_is_signed() {
    let h = harness().await;
    let cases = [
        ("hedge", "image/jpeg", MB + 1, "ファイルは1つ1MBまでです。"),
        (
            "hedge",
            "image/gif",
            1000,
            "JPEG・PNGのファイルを選んでください。",
        ),
        (
            "hedge",
            "application/pdf",
            1000,
            "JPEG・PNGのファイルを選んでください。",
        ),
        (
            "estimate",
            "image/png",
            1000,
            "PDFのファイルを選んでください。",
        ),
        ("name", "image/jpeg", 1000, "この項目には入力できません。"),
        (
            "nothing",
            "image/jpeg",
            1000,
            "この項目はこのフォームにありません。",
        ),
    ];
    for (field, content_type, bytes, message) in cases {
        let (status, body) = h.ask_upload(CITIZEN, field, content_type, bytes).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{field} {content_type}: {body}"
        );
        assert_eq!(body["error"]["code"], "invalid_values");
        assert_eq!(message_for(&body, field), message, "{field} {content_type}");
        assert!(body.get("url").is_none());
    }
    assert!(h
        .platform
        .objects
        .list(FORM_UPLOAD_PREFIX)
        .await
        .unwrap()
        .is_empty());
    let (status, given) = h.ask_upload(CITIZEN, "hedge", "image/jpg", MB).await;
    assert_eq!(status, StatusCode::OK, "{given}");
    let key = given["key"].as_str().unwrap();
    assert!(key.starts_with(FORM_UPLOAD_PREFIX), "{key}");
    assert!(
        !key.contains(CITIZEN),
        "the user id is not readable in the key"
    );
    assert_eq!(given["headers"]["content-type"], "image/jpeg", "{given}");
}

#[tokio::test]
async fn a_good_photo_is_stored_without_exif_and_attached_to_the_answer() {
    let h = harness().await;
    let photo = photo_with_gps(600, 400, 6);
    assert!(
        jpeg_segments(&photo).contains(&0xE1),
        "the fixture carries Exif with GPS"
    );
    let key = h.upload(CITIZEN, "hedge", "image/jpeg", &photo).await;
    let estimate = h
        .upload(
            CITIZEN,
            "estimate",
            "application/pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        )
        .await;
    let (status, receipt) = h
        .submit(
            CITIZEN,
            json!({
                "hedge": [{"key": key, "name": "IMG_0001.jpg"}],
                "estimate": [{"key": estimate, "name": "見積書.pdf"}],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let lines = receipt["lines"].to_string();
    assert!(lines.contains("写真 1件"), "{lines}");

    let answer_id = receipt["answerId"].as_str().unwrap();
    let detail = h.desk.answer(h.clerk(), answer_id).await.unwrap();
    let Some(AnswerValue::Files(files)) = detail.answer.value(&FieldId::parse("hedge").unwrap())
    else {
        panic!("no photo attached");
    };
    let [file] = files.as_slice() else {
        panic!("{files:?}")
    };
    assert_eq!(file.name, "IMG_0001.jpg");
    assert_eq!(file.content_type, "image/jpeg");
    let prefix = format!("{FORM_FILE_PREFIX}{}/{answer_id}/", h.form);
    assert!(file.key.starts_with(&prefix), "{} under {prefix}", file.key);
    let stored = h
        .platform
        .objects
        .get(&ObjectKey::new(file.key.clone()).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(file.bytes, stored.bytes.len() as u64);
    assert!(
        !jpeg_segments(&stored.bytes).contains(&0xE1),
        "no Exif segment"
    );
    assert!(!stored.bytes.windows(4).any(|w| w == b"Exif"));
    let Some(AnswerValue::Files(pdfs)) = detail.answer.value(&FieldId::parse("estimate").unwrap())
    else {
        panic!("no estimate attached");
    };
    assert_eq!(pdfs[0].content_type, "application/pdf");
    assert_eq!(pdfs[0].name, "見積書.pdf");
    // Staff open them through short-lived links; the uploads are gone.
    // Staff see the photo on the page and download the document under its name.
    assert!(!detail.file_links[&file.key].contains("name="));
    assert!(detail.file_links[&pdfs[0].key].contains("name="));
    assert_eq!(h.stored_files().await.len(), 2);
    assert!(h
        .platform
        .objects
        .list(FORM_UPLOAD_PREFIX)
        .await
        .unwrap()
        .is_empty());
    // The export's rows name the files.
    let id = tayori_domain::form::FormId::parse(&h.form).unwrap();
    let mut rows = h
        .desk
        .answer_rows(&id, AnswerFilter::default(), PersonalValues::default())
        .await
        .unwrap();
    let header = rows.header().to_vec();
    let row = rows.next_rows().await.unwrap().unwrap().remove(0);
    let cell = |label: &str| row[header.iter().position(|h| h == label).unwrap()].clone();
    assert_eq!(cell("生垣の写真"), "IMG_0001.jpg");
    assert_eq!(cell("見積書"), "見積書.pdf");
}

#[tokio::test]
async fn forged_missing_or_mislabelled_files_are_refused_under_their_field_and_nothing_is_stored() {
    let h = harness().await;
    let photo = photo_with_gps(60, 40, 1);
    let theirs = h.upload(NEIGHBOUR, "hedge", "image/jpeg", &photo).await;
    let gif = h.upload(CITIZEN, "hedge", "image/jpeg", GIF).await;
    let (status, never_put) = h.ask_upload(CITIZEN, "hedge", "image/jpeg", 5000).await;
    assert_eq!(status, StatusCode::OK);
    let never_put = never_put["key"].as_str().unwrap().to_string();
    let pdf_as_photo = h
        .upload(CITIZEN, "hedge", "image/jpeg", b"%PDF-1.4\n1 0 obj\n")
        .await;
    let mut big = photo.clone();
    big.resize(MB as usize + 1, 0);
    let too_big = h
        .upload(CITIZEN, "estimate", "application/pdf", b"%PDF-1.4\n")
        .await;
    h.platform
        .objects
        .put(
            &ObjectKey::new(too_big.clone()).unwrap(),
            big,
            "application/pdf",
        )
        .await
        .unwrap();
    let good = h.upload(CITIZEN, "hedge", "image/jpeg", &photo).await;

    let received = "ファイルを受け取れていません。もう一度選んでください。";
    let cases = [
        (
            json!({"hedge": [{"key": theirs, "name": "a.jpg"}]}),
            "hedge",
            received.to_string(),
        ),
        (
            json!({"hedge": [{"key": never_put, "name": "a.jpg"}]}),
            "hedge",
            received.to_string(),
        ),
        (
            json!({"hedge": [{"key": "forms/x/y/0123456789abcdef", "name": "a.jpg"}]}),
            "hedge",
            received.to_string(),
        ),
        (
            json!({"hedge": [{"key": gif, "name": "a.jpg"}]}),
            "hedge",
            "ファイルを読み取れませんでした。JPEG・PNGの画像かPDFのファイルではありません。"
                .to_string(),
        ),
        (
            json!({"hedge": [{"key": pdf_as_photo, "name": "a.jpg"}]}),
            "hedge",
            "JPEG・PNGのファイルを選んでください。".to_string(),
        ),
        (
            json!({"hedge": [{"key": good, "name": "a.jpg"}], "estimate": [{"key": too_big, "name": "b.pdf"}]}),
            "estimate",
            "ファイルは1つ1MBまでです。".to_string(),
        ),
        (
            json!({"hedge": [{"key": good, "name": "a.jpg"}, {"key": good, "name": "a.jpg"}]}),
            "hedge",
            "ファイルは1つまでです。".to_string(),
        ),
        (json!({}), "hedge", "入力してください。".to_string()),
    ];
    for (files, field, message) in cases {
        let (status, body) = h.submit(CITIZEN, files.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{files}: {body}");
        assert_eq!(message_for(&body, field), message, "{files}");
        assert!(h.stored_files().await.is_empty(), "{files}: nothing stored");
    }
    assert_eq!(h.answer_count().await, 0);
    // The citizen's own good upload still works afterwards (uploads stay until then).
    let (status, body) = h
        .submit(
            CITIZEN,
            json!({"hedge": [{"key": good, "name": "生垣.jpg"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(h.answer_count().await, 1);
}

#[tokio::test]
async fn a_file_sent_for_a_field_its_condition_hides_is_not_kept() {
    let h = harness().await;
    let mut settings = subsidy();
    settings.title = "写真の任意提出".into();
    let mut photo_field = field(
        "photo",
        "写真",
        false,
        FieldKind::File {
            types: vec![FileType::Jpeg],
            max_bytes: MB,
            max_files: 1,
        },
    );
    photo_field.show_when = Some(tayori_domain::form::Condition {
        field: FieldId::parse("send").unwrap(),
        equals: "送る".into(),
    });
    settings.fields = vec![
        field(
            "send",
            "写真を送りますか",
            true,
            FieldKind::SingleChoice {
                choices: vec!["送る".into(), "送らない".into()],
            },
        ),
        photo_field,
    ];
    let form = h.desk.create(h.clerk(), settings).await.unwrap();
    h.desk.publish(h.clerk(), form.id()).await.unwrap();
    let given = h
        .desk
        .presign_file(form.id(), "photo", CITIZEN, "image/jpeg", 5000)
        .await
        .unwrap();
    h.platform
        .objects
        .put(
            &ObjectKey::new(given.key.clone()).unwrap(),
            photo_with_gps(60, 40, 1),
            "image/jpeg",
        )
        .await
        .unwrap();
    let (status, body) = h
        .call(
            CITIZEN,
            Method::POST,
            &format!("/api/forms/{}/answers", form.id()),
            json!({"values": {"send": ["送らない"]}, "files": {"photo": [{"key": given.key, "name": "a.jpg"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        h.stored_files().await.is_empty(),
        "the hidden field's file is not kept"
    );
}
