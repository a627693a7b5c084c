//! The console under load (issue 17, part 5): staff browsing and composing at once against the
//! local run, over HTTP on 127.0.0.1, as many browsers on the clerks' machines would.
//!
//! `cargo bench --workspace --bench console [-- <browsing> <composing> <seconds>]`
//! (defaults 50, 10, 60)
//!
//! Every session signs in once before the clock starts (password hashing is deliberately slow:
//! it is what sign-in costs, not what browsing costs). Then, with no pause between requests,
//! each browsing session walks the pages a clerk opens (home, the delivery list, a delivery's
//! page, usage, reports, forms, shelters, FAQ, garbage, audit log), starting at a different page
//! each; each composing session opens the composer, saves a draft with the form's CSRF token
//! (multipart, as the browser posts it) and opens the draft's page with its LINE preview. The
//! run fails if any answer is not the one a browser expects (200 for a page, 303 to the draft
//! for a save) or is the sign-in page. It prints p50/p99 per page kind and requests/s.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tayori_domain::staff::{DepartmentScope, LoginId, PermissionSet, StaffAccount, StaffProfile};
use tayori_local::{start, LocalConfig};
use tayori_ports::SystemClock;

const SECRET: &str = "console-bench-secret";
const PASSWORD: &str = "obama-kaigan-2026";
/// Friends who followed before the run, so that usage and counts have something to add up.
const FOLLOWERS: usize = 300;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The pages a browsing clerk opens, in the order of the console's menu.
const PAGES: [(&str, &str); 10] = [
    ("ホーム", "/admin"),
    ("配信一覧", "/admin/deliveries"),
    ("配信の詳細・ログ", "DELIVERY"),
    ("利用状況", "/admin/usage"),
    ("通報一覧", "/admin/reports"),
    ("フォーム一覧", "/admin/forms"),
    ("避難所", "/admin/shelters"),
    ("FAQ", "/admin/faq"),
    ("ごみ収集", "/admin/garbage"),
    ("操作ログ", "/admin/audit"),
];

/// A browser: its session cookie and the last CSRF token a page carried.
struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    csrf: String,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(base: &str) -> Result<Self, Failure> {
        Ok(Self {
            base: base.to_string(),
            // Each session its own connection pool, as each clerk's browser has.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()?,
            cookies: HashMap::new(),
            csrf: String::new(),
        })
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Result<Answer, Failure> {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie.join("; "))
        };
        let response = request.send().await?;
        let status = response.status().as_u16();
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str()?.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.into(), v.into());
                }
            }
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await?;
        if let Some(i) = body.find("name=\"_csrf\" value=\"") {
            let rest = &body[i + 20..];
            if let Some(end) = rest.find('"') {
                self.csrf = rest[..end].to_string();
            }
        }
        Ok(Answer {
            status,
            location,
            body,
        })
    }

    async fn get(&mut self, path: &str) -> Result<Answer, Failure> {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn sign_in(&mut self, login: &str) -> Result<(), Failure> {
        self.get("/admin/login").await?;
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("_csrf", &self.csrf.clone())
            .append_pair("login_id", login)
            .append_pair("password", PASSWORD)
            .append_pair("next", "/admin");
        let request = self
            .http
            .post(format!("{}/admin/login", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.finish());
        let signed = self.send(request).await?;
        if signed.status != 303 || signed.location.as_deref() != Some("/admin") {
            return Err(format!("{login} could not sign in: {}", signed.status).into());
        }
        Ok(())
    }

    /// The composer's form, posted as multipart with the page's CSRF token.
    async fn save_draft(&mut self, n: usize) -> Result<Answer, Failure> {
        let boundary = "----tayori-console-bench";
        let title = format!("避難所開設のお知らせ（下書き{n}）");
        let text = "小浜市災害対策本部より：市内の指定避難所を開設しました。お近くの避難所へ避難してください。";
        let fields = [
            ("_csrf", self.csrf.as_str()),
            ("title", title.as_str()),
            ("category", "防災"),
            ("kind0", "text"),
            ("text0", text),
            ("target", "all"),
            ("send_at", ""),
            ("action", "save"),
        ];
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let request = self
            .http
            .post(format!("{}/admin/deliveries", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request).await
    }
}

/// Timings and failures per page kind.
#[derive(Default)]
struct Tally {
    ms: BTreeMap<&'static str, Vec<f64>>,
    errors: BTreeMap<&'static str, Vec<String>>,
}

impl Tally {
    fn took(&mut self, kind: &'static str, since: Instant) {
        self.ms
            .entry(kind)
            .or_default()
            .push(since.elapsed().as_secs_f64() * 1000.0);
    }

    fn error(&mut self, kind: &'static str, what: String) {
        self.errors.entry(kind).or_default().push(what);
    }

    fn merge(&mut self, other: Tally) {
        for (k, v) in other.ms {
            self.ms.entry(k).or_default().extend(v);
        }
        for (k, v) in other.errors {
            self.errors.entry(k).or_default().extend(v);
        }
    }
}

/// Why a page is not what a browser expects.
#[derive(Debug, thiserror::Error)]
enum PageProblem {
    #[error("status {0}")]
    Status(u16),
    #[error("the sign-in page (the session was lost)")]
    SignIn,
}

/// A page as a browser expects it: 200, and not the sign-in form (a lost session).
fn page_ok(answer: &Answer) -> Result<(), PageProblem> {
    if answer.status != 200 {
        return Err(PageProblem::Status(answer.status));
    }
    if answer.body.contains("name=\"password\"") {
        return Err(PageProblem::SignIn);
    }
    Ok(())
}

async fn browse(
    mut browser: Browser,
    first: usize,
    delivery: Arc<String>,
    until: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut at = first;
    while Instant::now() < until {
        let (kind, path) = PAGES[at % PAGES.len()];
        at += 1;
        let path = if path == "DELIVERY" {
            delivery.as_str()
        } else {
            path
        };
        let started = Instant::now();
        match browser.get(path).await {
            Ok(answer) => {
                tally.took(kind, started);
                if let Err(e) = page_ok(&answer) {
                    tally.error(kind, format!("{path}: {e}"));
                }
            }
            Err(e) => tally.error(kind, format!("{path}: {e}")),
        }
    }
    tally
}

async fn compose(mut browser: Browser, who: usize, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let started = Instant::now();
        match browser.get("/admin/deliveries/new").await {
            Ok(answer) => {
                tally.took("配信作成画面", started);
                if let Err(e) = page_ok(&answer) {
                    tally.error("配信作成画面", e.to_string());
                    continue;
                }
            }
            Err(e) => {
                tally.error("配信作成画面", e.to_string());
                continue;
            }
        }
        let started = Instant::now();
        let draft = match browser.save_draft(who * 100_000 + n).await {
            Ok(answer) => {
                tally.took("下書き保存 (POST)", started);
                match answer.location {
                    Some(location) if answer.status == 303 => location,
                    _ => {
                        let problem = answer
                            .body
                            .find("class=\"problems\"")
                            .map(|i| answer.body[i..].chars().take(300).collect::<String>())
                            .unwrap_or_default();
                        tally.error(
                            "下書き保存 (POST)",
                            format!("status {} {problem}", answer.status),
                        );
                        continue;
                    }
                }
            }
            Err(e) => {
                tally.error("下書き保存 (POST)", e.to_string());
                continue;
            }
        };
        let started = Instant::now();
        match browser.get(&draft).await {
            Ok(answer) => {
                tally.took("下書きのプレビュー", started);
                if let Err(e) = page_ok(&answer) {
                    tally.error("下書きのプレビュー", format!("{draft}: {e}"));
                }
            }
            Err(e) => tally.error("下書きのプレビュー", e.to_string()),
        }
    }
    tally
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Followers, by signed webhook bodies of ten follows each, as LINE sends them.
async fn followers(base: &str, count: usize) -> Result<(), Failure> {
    let http = reqwest::Client::new();
    let now = chrono::Utc::now().timestamp_millis();
    for chunk in (0..count).collect::<Vec<_>>().chunks(10) {
        let events: Vec<serde_json::Value> = chunk
            .iter()
            .map(|i| {
                serde_json::json!({
                    "type": "follow", "mode": "active", "timestamp": now,
                    "source": {"type": "user", "userId": format!("U{i:032x}")},
                    "webhookEventId": format!("01CONSOLEBENCH{i:012}"),
                    "deliveryContext": {"isRedelivery": false},
                    "replyToken": format!("{i:032x}"),
                    "follow": {"isUnblocked": false},
                })
            })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({
            "destination": "Ubench0000000000000000000000000000", "events": events,
        }))?;
        let response = http
            .post(format!("{base}/line/webhook"))
            .header("content-type", "application/json")
            .header(
                "x-line-signature",
                tayori_line::signature::sign(SECRET, &body),
            )
            .body(body)
            .send()
            .await?;
        if response.status() != 200 {
            return Err(format!("follows answered {}", response.status()).into());
        }
    }
    Ok(())
}

fn main() -> Result<(), Failure> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut numbers = std::env::args().skip(1).filter(|a| a != "--bench");
    let browsing: usize = numbers.next().map(|a| a.parse()).transpose()?.unwrap_or(50);
    let composing: usize = numbers.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    let seconds: f64 = numbers
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(60.0);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(browsing, composing, seconds))
}

async fn run(browsing: usize, composing: usize, seconds: f64) -> Result<(), Failure> {
    let dir = tempfile::tempdir()?;
    // The first administrator as the README makes it; the others as an administrator would
    // add them, all with every permission so that every page of the walk is theirs to see.
    tayori_local::create_admin(dir.path(), "小浜市", "staff000", "若狭 一郎", PASSWORD)
        .await
        .map_err(|e| e.to_string())?;
    let running = start(LocalConfig {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        city: "小浜市".into(),
        channel_secret: SECRET.into(),
        tick_every: Duration::from_secs(60),
        clock: Arc::new(SystemClock),
    })
    .await?;
    let base = running.base_url.clone();
    let sessions = browsing + composing;
    let hash = tayori_admin::auth::password::hash(PASSWORD);
    let now = running.platform.clock.now();
    let line = Arc::new(tayori_line::LineClient::new(tayori_line::LineConfig::at(
        &base, "bench",
    )));
    let admin = tayori_local::admin_state(running.platform.clone(), line, "小浜市").await?;
    for i in 1..sessions {
        let account = StaffAccount::new(
            LoginId::parse(&format!("staff{i:03}"))?,
            StaffProfile {
                display_name: format!("職員 {i}"),
                department: "総務課".into(),
                permissions: PermissionSet::all(),
                scope: DepartmentScope::All,
            },
            hash.clone(),
            now,
        );
        if !admin.staff.create(&account).await? {
            return Err(format!("staff{i:03} exists already").into());
        }
    }
    followers(&base, FOLLOWERS).await?;

    let signing = Instant::now();
    let mut browsers = Vec::with_capacity(sessions);
    for i in 0..sessions {
        let mut browser = Browser::new(&base)?;
        browser.sign_in(&format!("staff{i:03}")).await?;
        browsers.push(browser);
    }
    eprintln!(
        "{sessions} sessions signed in, one after another, in {:.1} s",
        signing.elapsed().as_secs_f64()
    );
    // A delivery for the delivery page of the walk: a draft the first composer saves.
    let mut first = browsers.pop().ok_or("no sessions")?;
    first.get("/admin/deliveries/new").await?;
    let saved = first.save_draft(0).await?;
    let delivery = Arc::new(
        saved
            .location
            .filter(|_| saved.status == 303)
            .ok_or(format!("the first draft was not saved: {}", saved.status))?,
    );
    browsers.push(first);

    let began = Instant::now();
    let until = began + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for (i, browser) in browsers.into_iter().enumerate() {
        if i < browsing {
            tasks.push(tokio::spawn(browse(browser, i, delivery.clone(), until)));
        } else {
            tasks.push(tokio::spawn(compose(browser, i, until)));
        }
    }
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(task.await?);
    }
    let elapsed = began.elapsed().as_secs_f64();
    running.stop().await;

    let requests: usize = tally.ms.values().map(Vec::len).sum();
    let errors: usize = tally.errors.values().map(Vec::len).sum();
    println!(
        "{browsing} browsing + {composing} composing sessions, {elapsed:.1} s: {requests} requests, {:.0} requests/s, {errors} errors",
        requests as f64 / elapsed
    );
    println!();
    println!("| page | requests | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---|---|---|---|---|");
    for (kind, ms) in &mut tally.ms {
        ms.sort_by(f64::total_cmp);
        println!(
            "| {kind} | {} | {:.1} | {:.1} | {:.1} | {} |",
            ms.len(),
            percentile(ms, 50.0),
            percentile(ms, 99.0),
            ms.last().copied().unwrap_or(f64::NAN),
            tally.errors.get(kind).map_or(0, Vec::len)
        );
    }
    for (kind, found) in &tally.errors {
        eprintln!(
            "{kind}: {} errors, e.g. {:?}",
            found.len(),
            &found[..found.len().min(3)]
        );
    }
    if errors > 0 {
        return Err(format!("{errors} requests were not answered as a browser expects").into());
    }
    Ok(())
}
