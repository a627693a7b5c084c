//! Rich menus through the fake: LINE's order of operations and its refusals.

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use tayori_fake_line::FakeLine;

const USER: &str = "U4af4980629d2a1b2c3d4e5f60718293a";
const RICH_MENU_PNG: &[u8] = include_bytes!("../assets/richmenu-2500x1686.png");
const SQUARE_PNG: &[u8] = include_bytes!("../assets/richmenu-800x800.png");

struct Line {
    fake: FakeLine,
    base: String,
    http: Client,
}

async fn start() -> Line {
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    Line {
        fake,
        base,
        http: Client::new(),
    }
}

impl Line {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post(&self, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth("t")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn post_empty(&self, path: &str) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth("t")
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth("t")
            .send()
            .await
            .unwrap()
    }

    async fn delete(&self, path: &str) -> Response {
        self.http
            .delete(self.url(path))
            .bearer_auth("t")
            .send()
            .await
            .unwrap()
    }

    async fn upload(&self, id: &str, content_type: &str, bytes: &[u8]) -> Response {
        self.http
            .post(self.url(&format!("/v2/bot/richmenu/{id}/content")))
            .bearer_auth("t")
            .header("content-type", content_type)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }

    async fn create(&self, name: &str) -> String {
        let response = self.post("/v2/bot/richmenu", menu(name)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["richMenuId"].as_str().unwrap().to_string()
    }
}

fn menu(name: &str) -> Value {
    json!({
        "size": {"width": 2500, "height": 1686},
        "selected": true,
        "name": name,
        "chatBarText": "メニュー",
        "areas": [
            {"bounds": {"x": 0, "y": 0, "width": 1250, "height": 1686},
             "action": {"type": "postback", "data": "menu=shelters", "displayText": "避難所"}},
            {"bounds": {"x": 1250, "y": 0, "width": 1250, "height": 1686},
             "action": {"type": "richmenuswitch", "richMenuAliasId": "page-2", "data": "page=2"}}
        ]
    })
}

#[tokio::test]
async fn create_upload_set_default_alias_and_link_work_in_lines_order() {
    let line = start().await;
    let id = line.create("小浜市 メイン").await;
    assert!(id.starts_with("richmenu-"));

    // Before its image is uploaded, a menu cannot be shown to anyone.
    let early = line
        .post_empty(&format!("/v2/bot/user/all/richmenu/{id}"))
        .await;
    assert_eq!(early.status(), StatusCode::BAD_REQUEST);

    assert_eq!(
        line.upload(&id, "image/png", RICH_MENU_PNG).await.status(),
        StatusCode::OK
    );
    let recorded = line.fake.requests().pop().unwrap();
    assert_eq!(
        recorded.body,
        json!({"contentType": "image/png", "bytes": RICH_MENU_PNG.len()})
    );

    let image = line.get(&format!("/v2/bot/richmenu/{id}/content")).await;
    assert_eq!(image.bytes().await.unwrap().as_ref(), RICH_MENU_PNG);

    assert_eq!(
        line.post_empty(&format!("/v2/bot/user/all/richmenu/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    let default: Value = line
        .get("/v2/bot/user/all/richmenu")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(default["richMenuId"], id);
    assert_eq!(line.fake.rich_menu_of(USER), Some(id.clone()));

    let alias = line
        .post(
            "/v2/bot/richmenu/alias",
            json!({"richMenuAliasId": "page-1", "richMenuId": id}),
        )
        .await;
    assert_eq!(alias.status(), StatusCode::OK);
    let read: Value = line
        .get("/v2/bot/richmenu/alias/page-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, json!({"richMenuAliasId": "page-1", "richMenuId": id}));
    let taken = line
        .post(
            "/v2/bot/richmenu/alias",
            json!({"richMenuAliasId": "page-1", "richMenuId": id}),
        )
        .await;
    assert_eq!(taken.status(), StatusCode::BAD_REQUEST);
    let aliases: Value = line
        .get("/v2/bot/richmenu/alias/list")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(aliases["aliases"].as_array().unwrap().len(), 1);

    let second = line.create("小浜市 防災").await;
    line.upload(&second, "image/png", RICH_MENU_PNG).await;
    assert_eq!(
        line.post_empty(&format!("/v2/bot/user/{USER}/richmenu/{second}"))
            .await
            .status(),
        StatusCode::OK
    );
    let linked: Value = line
        .get(&format!("/v2/bot/user/{USER}/richmenu"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(linked["richMenuId"], second);
    assert_eq!(line.fake.rich_menu_of(USER), Some(second.clone()));

    assert_eq!(
        line.delete(&format!("/v2/bot/user/{USER}/richmenu"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        line.get(&format!("/v2/bot/user/{USER}/richmenu"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.fake.rich_menu_of(USER),
        Some(id.clone()),
        "back to the default"
    );

    let list: Value = line
        .get("/v2/bot/richmenu/list")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["richmenus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["小浜市 メイン", "小浜市 防災"]);
}

#[tokio::test]
async fn an_uploaded_image_cannot_be_replaced() {
    let line = start().await;
    let id = line.create("m").await;
    assert_eq!(
        line.upload(&id, "image/png", RICH_MENU_PNG).await.status(),
        StatusCode::OK
    );
    let again = line.upload(&id, "image/png", RICH_MENU_PNG).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn images_of_the_wrong_type_or_size_are_refused() {
    let line = start().await;
    let id = line.create("m").await;
    assert_eq!(
        line.upload(&id, "image/gif", RICH_MENU_PNG).await.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let wrong_size = line.upload(&id, "image/png", SQUARE_PNG).await;
    assert_eq!(wrong_size.status(), StatusCode::BAD_REQUEST);
    let errors = &line.fake.requests().pop().unwrap().schema_errors;
    assert!(errors[0].contains("800x800"), "{errors:?}");
    let huge = vec![0u8; 1024 * 1024 + 1];
    assert_eq!(
        line.upload(&id, "image/png", &huge).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // None of those counted as the one upload.
    assert_eq!(
        line.upload(&id, "image/png", RICH_MENU_PNG).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        line.upload("richmenu-unknown", "image/png", RICH_MENU_PNG)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_menu_taller_than_line_allows_or_with_areas_outside_it_is_refused() {
    let line = start().await;
    let mut square = menu("m");
    square["size"] = json!({"width": 1200, "height": 1200});
    let response = line.post("/v2/bot/richmenu", square).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["details"][0]["property"], "size");
    let mut outside = menu("m");
    outside["areas"][1]["bounds"]["x"] = json!(2000);
    assert_eq!(
        line.post("/v2/bot/richmenu/validate", outside)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        line.post("/v2/bot/richmenu/validate", menu("m"))
            .await
            .status(),
        StatusCode::OK
    );
    assert!(line
        .fake
        .requests()
        .iter()
        .take(2)
        .all(|r| !r.schema_errors.is_empty()));
}

#[tokio::test]
async fn unknown_menus_and_aliases_answer_404() {
    let line = start().await;
    assert_eq!(
        line.get("/v2/bot/richmenu/richmenu-none").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.delete("/v2/bot/richmenu/richmenu-none").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.get("/v2/bot/richmenu/alias/none").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.delete("/v2/bot/richmenu/alias/none").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.get("/v2/bot/user/all/richmenu").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.post_empty(&format!("/v2/bot/user/{USER}/richmenu/richmenu-none"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let alias = line
        .post(
            "/v2/bot/richmenu/alias",
            json!({"richMenuAliasId": "a", "richMenuId": "richmenu-none"}),
        )
        .await;
    assert_eq!(alias.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn deleting_a_menu_removes_it_as_default_and_from_users() {
    let line = start().await;
    let id = line.create("m").await;
    line.upload(&id, "image/png", RICH_MENU_PNG).await;
    line.post_empty(&format!("/v2/bot/user/all/richmenu/{id}"))
        .await;
    line.post_empty(&format!("/v2/bot/user/{USER}/richmenu/{id}"))
        .await;
    assert_eq!(
        line.delete(&format!("/v2/bot/richmenu/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        line.get(&format!("/v2/bot/richmenu/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(line.fake.rich_menu_of(USER), None);
}

#[tokio::test]
async fn bulk_link_and_batch_operations_move_users_between_menus() {
    let line = start().await;
    let a = line.create("a").await;
    let b = line.create("b").await;
    line.upload(&a, "image/png", RICH_MENU_PNG).await;
    line.upload(&b, "image/png", RICH_MENU_PNG).await;
    let other = "U00000000000000000000000000000001";

    let bulk = line
        .post(
            "/v2/bot/richmenu/bulk/link",
            json!({"richMenuId": a, "userIds": [USER, other]}),
        )
        .await;
    assert_eq!(bulk.status(), StatusCode::ACCEPTED);
    assert_eq!(line.fake.rich_menu_of(other), Some(a.clone()));

    let batch = json!({"operations": [{"type": "link", "from": a, "to": b}]});
    assert_eq!(
        line.post("/v2/bot/richmenu/validate/batch", batch.clone())
            .await
            .status(),
        StatusCode::OK
    );
    let accepted = line.post("/v2/bot/richmenu/batch", batch).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let request_id = accepted.headers()["x-line-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(line.fake.rich_menu_of(USER), Some(b.clone()));
    let progress: Value = line
        .get(&format!(
            "/v2/bot/richmenu/progress/batch?requestId={request_id}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(progress["phase"], "succeeded");

    let unknown = json!({"operations": [{"type": "unlink", "from": "richmenu-none"}]});
    assert_eq!(
        line.post("/v2/bot/richmenu/validate/batch", unknown)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let bad_type = json!({"operations": [{"type": "swap", "from": a}]});
    assert_eq!(
        line.post("/v2/bot/richmenu/batch", bad_type).await.status(),
        StatusCode::BAD_REQUEST
    );

    let unlink = line
        .post("/v2/bot/richmenu/bulk/unlink", json!({"userIds": [other]}))
        .await;
    assert_eq!(unlink.status(), StatusCode::ACCEPTED);
    assert_eq!(line.fake.rich_menu_of(other), None);
    line.post(
        "/v2/bot/richmenu/batch",
        json!({"operations": [{"type": "unlinkAll"}]}),
    )
    .await;
    assert_eq!(line.fake.rich_menu_of(USER), None);
}
