//! Rich menus: create, image upload, default menu, per-user links, aliases and batch control,
//! with LINE's rules on the order of things (no image, no linking; one image per menu).

use crate::errors::{self, Refusals, NO_IMAGE};
use crate::gate::Accepted;
use crate::image::dimensions;
use crate::world::{Image, MenuProblem, RichMenu, World};
use crate::FakeLine;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

/// LINE: "Max file size: 1 MB".
const MAX_IMAGE_BYTES: usize = 1024 * 1024;
/// LINE: the image's width / height must be 1.45 or more.
const MIN_ASPECT_RATIO: f64 = 1.45;

fn ok() -> Response {
    Json(json!({})).into_response()
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
}

fn menu_problem(problem: MenuProblem) -> Response {
    match problem {
        MenuProblem::NotFound => errors::not_found("richmenu not found"),
        MenuProblem::NoImage => errors::bad_request(NO_IMAGE),
    }
}

/// A 400 for rules the spec cannot state (the aspect ratio, areas inside the menu), recorded
/// with the request like schema errors.
fn refuse(problems: Vec<(String, String)>) -> Response {
    let details: Vec<Value> = problems
        .iter()
        .map(|(property, message)| json!({"message": message, "property": property}))
        .collect();
    let mut response = (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "message": format!("The request body has {} error(s)", problems.len()),
            "details": details,
        })),
    )
        .into_response();
    let recorded = problems
        .iter()
        .map(|(property, message)| format!("/{}: {message}", property.replace('.', "/")))
        .collect();
    response.extensions_mut().insert(Refusals(recorded));
    response
}

fn menu_rules(menu: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let width = menu["size"]["width"].as_f64().unwrap_or_default();
    let height = menu["size"]["height"].as_f64().unwrap_or_default();
    if height > 0.0 && width / height < MIN_ASPECT_RATIO {
        problems.push((
            "size".to_string(),
            format!(
                "width / height must be {MIN_ASPECT_RATIO} or more, not {:.2}",
                width / height
            ),
        ));
    }
    for (i, area) in menu["areas"].as_array().into_iter().flatten().enumerate() {
        let b = &area["bounds"];
        let right = b["x"].as_f64().unwrap_or_default() + b["width"].as_f64().unwrap_or_default();
        let bottom = b["y"].as_f64().unwrap_or_default() + b["height"].as_f64().unwrap_or_default();
        if right > width || bottom > height {
            problems.push((
                format!("areas[{i}].bounds"),
                "the area must lie inside the rich menu".to_string(),
            ));
        }
    }
    problems
}

pub(crate) async fn create(
    State(fake): State<FakeLine>,
    Extension(request): Extension<Accepted>,
) -> Response {
    let problems = menu_rules(&request.json);
    if !problems.is_empty() {
        return refuse(problems);
    }
    let id = format!("richmenu-{}", uuid::Uuid::new_v4().simple());
    let mut world = fake.world();
    world.menu_seq += 1;
    let mut body = request.json.clone();
    body["richMenuId"] = json!(id);
    let seq = world.menu_seq;
    world.menus.insert(
        id.clone(),
        RichMenu {
            seq,
            body,
            image: None,
        },
    );
    Json(json!({ "richMenuId": id })).into_response()
}

pub(crate) async fn validate(Extension(request): Extension<Accepted>) -> Response {
    let problems = menu_rules(&request.json);
    if problems.is_empty() {
        ok()
    } else {
        refuse(problems)
    }
}

pub(crate) async fn list(State(fake): State<FakeLine>) -> Response {
    let world = fake.world();
    let mut menus: Vec<&RichMenu> = world.menus.values().collect();
    menus.sort_by_key(|m| m.seq);
    let bodies: Vec<&Value> = menus.iter().map(|m| &m.body).collect();
    Json(json!({ "richmenus": bodies })).into_response()
}

pub(crate) async fn get(State(fake): State<FakeLine>, Path(id): Path<String>) -> Response {
    match fake.world().menus.get(&id) {
        Some(menu) => Json(menu.body.clone()).into_response(),
        None => errors::not_found("richmenu not found"),
    }
}

pub(crate) async fn delete(State(fake): State<FakeLine>, Path(id): Path<String>) -> Response {
    let mut world = fake.world();
    if world.menus.remove(&id).is_none() {
        return errors::not_found("richmenu not found");
    }
    if world.default_menu.as_deref() == Some(id.as_str()) {
        world.default_menu = None;
    }
    world.links.retain(|_, menu| *menu != id);
    ok()
}

pub(crate) async fn upload_image(
    State(fake): State<FakeLine>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let mut world = fake.world();
    let Some(menu) = world.menus.get_mut(&id) else {
        return errors::not_found("richmenu not found");
    };
    // LINE: an uploaded rich menu image cannot be replaced; make a new menu instead.
    if menu.image.is_some() {
        return errors::bad_request("An image has already been uploaded to the richmenu");
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return errors::error(StatusCode::PAYLOAD_TOO_LARGE, "The image exceeds 1 MB");
    }
    let Some(size) = dimensions(&bytes) else {
        return errors::bad_request("The image is not a readable JPEG or PNG");
    };
    let expected = (
        menu.body["size"]["width"].as_u64().unwrap_or_default(),
        menu.body["size"]["height"].as_u64().unwrap_or_default(),
    );
    if (u64::from(size.width), u64::from(size.height)) != expected {
        return refuse(vec![(
            "image".to_string(),
            format!(
                "the image is {}x{} but the rich menu size is {}x{}",
                size.width, size.height, expected.0, expected.1
            ),
        )]);
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("image/png")
        .to_string();
    menu.image = Some(Image {
        content_type,
        bytes,
    });
    ok()
}

pub(crate) async fn download_image(
    State(fake): State<FakeLine>,
    Path(id): Path<String>,
) -> Response {
    let world = fake.world();
    match world.menus.get(&id).map(|m| m.image.clone()) {
        None => errors::not_found("richmenu not found"),
        Some(None) => errors::not_found("richmenu image not found"),
        Some(Some(image)) => ([(CONTENT_TYPE, image.content_type)], image.bytes).into_response(),
    }
}

pub(crate) async fn set_default(State(fake): State<FakeLine>, Path(id): Path<String>) -> Response {
    let mut world = fake.world();
    if let Err(problem) = world.menu_with_image(&id) {
        return menu_problem(problem);
    }
    world.default_menu = Some(id);
    ok()
}

pub(crate) async fn get_default(State(fake): State<FakeLine>) -> Response {
    match fake.world().default_menu.clone() {
        Some(id) => Json(json!({ "richMenuId": id })).into_response(),
        None => errors::not_found("no default richmenu"),
    }
}

pub(crate) async fn cancel_default(State(fake): State<FakeLine>) -> Response {
    fake.world().default_menu = None;
    ok()
}

pub(crate) async fn link(
    State(fake): State<FakeLine>,
    Path((user_id, id)): Path<(String, String)>,
) -> Response {
    let mut world = fake.world();
    if let Err(problem) = world.menu_with_image(&id) {
        return menu_problem(problem);
    }
    world.links.insert(user_id, id);
    ok()
}

pub(crate) async fn get_user_menu(
    State(fake): State<FakeLine>,
    Path(user_id): Path<String>,
) -> Response {
    match fake.world().links.get(&user_id).cloned() {
        Some(id) => Json(json!({ "richMenuId": id })).into_response(),
        None => errors::not_found("the user has no richmenu"),
    }
}

pub(crate) async fn unlink(State(fake): State<FakeLine>, Path(user_id): Path<String>) -> Response {
    fake.world().links.remove(&user_id);
    ok()
}

fn user_ids(body: &Value) -> Vec<String> {
    body["userIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

pub(crate) async fn bulk_link(
    State(fake): State<FakeLine>,
    Extension(request): Extension<Accepted>,
) -> Response {
    let id = request.json["richMenuId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut world = fake.world();
    if let Err(problem) = world.menu_with_image(&id) {
        return menu_problem(problem);
    }
    for user in user_ids(&request.json) {
        world.links.insert(user, id.clone());
    }
    accepted()
}

pub(crate) async fn bulk_unlink(
    State(fake): State<FakeLine>,
    Extension(request): Extension<Accepted>,
) -> Response {
    let mut world = fake.world();
    for user in user_ids(&request.json) {
        world.links.remove(&user);
    }
    accepted()
}

pub(crate) async fn create_alias(
    State(fake): State<FakeLine>,
    Extension(request): Extension<Accepted>,
) -> Response {
    let alias = request.json["richMenuAliasId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let id = request.json["richMenuId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut world = fake.world();
    if world.aliases.contains_key(&alias) {
        return errors::bad_request("conflict richmenu alias id");
    }
    match world.menu_with_image(&id) {
        Err(MenuProblem::NotFound) => return errors::bad_request("richmenu not found"),
        Err(problem) => return menu_problem(problem),
        Ok(_) => {}
    }
    world.aliases.insert(alias, id);
    ok()
}

pub(crate) async fn get_alias(State(fake): State<FakeLine>, Path(alias): Path<String>) -> Response {
    match fake.world().aliases.get(&alias).cloned() {
        Some(id) => Json(json!({ "richMenuAliasId": alias, "richMenuId": id })).into_response(),
        None => errors::not_found("richmenu alias not found"),
    }
}

pub(crate) async fn update_alias(
    State(fake): State<FakeLine>,
    Path(alias): Path<String>,
    Extension(request): Extension<Accepted>,
) -> Response {
    let id = request.json["richMenuId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut world = fake.world();
    if !world.aliases.contains_key(&alias) {
        return errors::not_found("richmenu alias not found");
    }
    match world.menu_with_image(&id) {
        Err(MenuProblem::NotFound) => return errors::bad_request("richmenu not found"),
        Err(problem) => return menu_problem(problem),
        Ok(_) => {}
    }
    world.aliases.insert(alias, id);
    ok()
}

pub(crate) async fn delete_alias(
    State(fake): State<FakeLine>,
    Path(alias): Path<String>,
) -> Response {
    match fake.world().aliases.remove(&alias) {
        Some(_) => ok(),
        None => errors::not_found("richmenu alias not found"),
    }
}

pub(crate) async fn list_aliases(State(fake): State<FakeLine>) -> Response {
    let aliases: Vec<Value> = fake
        .world()
        .aliases
        .iter()
        .map(|(alias, id)| json!({ "richMenuAliasId": alias, "richMenuId": id }))
        .collect();
    Json(json!({ "aliases": aliases })).into_response()
}

/// Rich menus a batch names must exist (and `to` must have an image, as for any link).
fn batch_problems(world: &World, body: &Value) -> Option<Response> {
    for operation in body["operations"].as_array().into_iter().flatten() {
        for end in ["from", "to"] {
            let Some(id) = operation[end].as_str() else {
                continue;
            };
            if !world.menus.contains_key(id) {
                return Some(errors::bad_request(&format!("richmenu not found: {id}")));
            }
        }
        if let Some(to) = operation["to"].as_str() {
            if world.menu_with_image(to).is_err() {
                return Some(errors::bad_request(NO_IMAGE));
            }
        }
    }
    None
}

pub(crate) async fn batch(
    State(fake): State<FakeLine>,
    Extension(request): Extension<Accepted>,
) -> Response {
    let mut world = fake.world();
    if let Some(problem) = batch_problems(&world, &request.json) {
        return problem;
    }
    for operation in request.json["operations"].as_array().into_iter().flatten() {
        let from = operation["from"].as_str().unwrap_or_default();
        match operation["type"].as_str() {
            Some("link") => {
                let to = operation["to"].as_str().unwrap_or_default().to_string();
                for menu in world.links.values_mut().filter(|m| *m == from) {
                    *menu = to.clone();
                }
            }
            Some("unlink") => world.links.retain(|_, menu| menu != from),
            Some("unlinkAll") => world.links.clear(),
            _ => {}
        }
    }
    world
        .batches
        .insert(request.request_id.clone(), chrono::Utc::now());
    accepted()
}

pub(crate) async fn validate_batch(
    State(fake): State<FakeLine>,
    Extension(request): Extension<Accepted>,
) -> Response {
    match batch_problems(&fake.world(), &request.json) {
        Some(problem) => problem,
        None => ok(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestIdQuery {
    request_id: Option<String>,
}

pub(crate) async fn batch_progress(
    State(fake): State<FakeLine>,
    Query(query): Query<RequestIdQuery>,
) -> Response {
    let Some(request_id) = query.request_id.filter(|r| !r.is_empty()) else {
        return errors::bad_request("The requestId query parameter is required");
    };
    let world = fake.world();
    match world.batches.get(&request_id) {
        Some(at) => Json(json!({
            "phase": "succeeded",
            "acceptedTime": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "completedTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }))
        .into_response(),
        None => errors::not_found("Not found"),
    }
}
