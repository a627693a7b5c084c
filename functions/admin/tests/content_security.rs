//! The console's pages work under its Content-Security-Policy, which runs no inline script and
//! applies no inline style: every page's scripts and styles are files the console serves.
//! Every page of the route table is read, so a page added later is checked too.

use crate::support;

use axum::http::{header, StatusCode};
use tayori_domain::staff::PermissionSet;

use support::Console;

const MENU_IMAGE: &[u8] = include_bytes!("../../../shared/fake-line/assets/richmenu-2500x1686.png");

/// The scripts and stylesheets `page` loads, failing on anything inline.
fn files_of(path: &str, page: &str) -> Vec<String> {
    assert!(!page.contains("<style"), "{path}: inline <style>");
    assert!(!page.contains(" style=\""), "{path}: a style attribute");
    for rest in page.split(" on").skip(1) {
        let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        assert!(
            name_len == 0 || rest.as_bytes().get(name_len) != Some(&b'='),
            "{path}: an inline event handler"
        );
    }
    let mut files = Vec::new();
    for script in page.split("<script").skip(1) {
        let end = script.find('>').unwrap();
        let src = script[..end]
            .split("src=\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{path}: an inline <script>"));
        assert!(script[end + 1..].starts_with("</script>"), "{path}");
        files.push(src[..src.find('"').unwrap()].to_string());
    }
    for link in page.split("<link").skip(1) {
        let tag = &link[..link.find('>').unwrap()];
        if tag.contains("rel=\"stylesheet\"") {
            let href = tag.split("href=\"").nth(1).unwrap();
            files.push(href[..href.find('"').unwrap()].to_string());
        }
    }
    files
}

#[tokio::test]
async fn console_pages_load_their_scripts_and_styles_from_files_only() {
    let mut c = Console::signed_in("admin", "管理者", "情報担当", PermissionSet::all()).await;

    // A rich menu with its image, so that its preview is drawn.
    c.get("/admin/richmenus/new").await;
    let created = c
        .post(
            "/admin/richmenus",
            &[
                ("name", "通常メニュー"),
                ("chat_bar_text", "メニュー"),
                ("layout", "full-6"),
            ],
        )
        .await;
    let menu = created.location.expect("the new menu opens in its editor");
    c.get(&menu).await;
    let uploaded = c
        .upload(
            &format!("{menu}/image"),
            &[("image", "menu.png", MENU_IMAGE)],
        )
        .await;
    assert!(uploaded.status.is_redirection() || uploaded.status.is_success());

    let mut loaded = std::collections::BTreeSet::new();
    // Every page without a parameter in its path (downloads aside), the menu editor, and a
    // page that does not exist.
    let mut paths: Vec<String> = tayori_admin::route_table()
        .into_iter()
        .filter(|r| r.method == axum::http::Method::GET)
        .map(|r| r.path.to_string())
        .filter(|p| !p.contains('{') && !p.ends_with(".csv") && p != "/admin/setup")
        .collect();
    assert!(paths.len() > 20, "{paths:?}");
    paths.extend([
        menu.clone(),
        "/admin/manual/README".into(),
        "/admin/nothing-here".into(),
    ]);
    for path in &paths {
        let path = path.as_str();
        let mut page = c.get(path).await;
        // The sign-in page sends a signed-in clerk home, the manual opens at its index.
        if let Some(next) = page
            .location
            .clone()
            .filter(|_| page.status.is_redirection())
        {
            page = c.get(&next).await;
        }
        assert!(
            page.status == StatusCode::OK || page.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            page.status
        );
        if path == menu {
            assert!(page.body.contains("menu-preview"), "the preview is drawn");
        }
        loaded.extend(files_of(path, &page.body));
    }
    assert!(
        loaded.iter().any(|f| f == "/admin/static/console.css"),
        "{loaded:?}"
    );
    for file in loaded {
        let served = c.get(&file).await;
        assert_eq!(served.status, StatusCode::OK, "{file}");
        let expected = if file.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else {
            "text/css; charset=utf-8"
        };
        assert_eq!(
            served.headers[header::CONTENT_TYPE].to_str().unwrap(),
            expected,
            "{file}"
        );
    }
}
