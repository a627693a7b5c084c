//! The local run: every function's router on one port with embedded storage, the in-process
//! event bus, scheduler ticks, the fake LINE server and the LINE simulator.
//!
//! LINE's API is the fake server mounted on the same port, so the LINE client is pointed at
//! `http://127.0.0.1:<port>`: the requests the bot makes are real HTTP requests, checked against
//! LINE's OpenAPI spec and visible at `/_line/requests`.

pub mod settings;
pub mod simulator;

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tayori_adapters::embedded::{self, InProcessBus};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, EventBus, Platform, SystemClock};
use tokio::task::JoinHandle;

/// Used when `LINE_CHANNEL_SECRET` is not set; printed at start so the simulator and the
/// samples in `events/` can sign with it. Never used outside the local run.
pub const DEV_CHANNEL_SECRET: &str = "tayori-local-dev-secret";
/// The LIFF app's LINE Login channel id in the local run (the fake LINE takes any).
pub const LOCAL_LOGIN_CHANNEL_ID: &str = "1000000000";
/// The local run demonstrates the shipped sample calendar (marked サンプル in every answer and
/// notice) so that the garbage features can be tried before any import; Lambdas withhold it.
pub const SAMPLE_CALENDAR: tayori_garbage::SampleCalendar =
    tayori_garbage::SampleCalendar::Demonstrate;
/// The fake LINE server accepts any non-empty bearer token.
const DEV_ACCESS_TOKEN: &str = "tayori-local-dev-token";
/// The folder in the data folder that stands in for JMA's feeds.
pub const JMA_FEED_DIR: &str = "jma-feed";

pub struct LocalConfig {
    /// 0 picks a free port (tests).
    pub port: u16,
    pub data_dir: PathBuf,
    pub city: String,
    pub channel_secret: String,
    pub tick_every: Duration,
    /// The system clock, or a manual one in tests that set the time (e.g. a collection morning).
    pub clock: Arc<dyn Clock>,
}

pub struct Running {
    pub base_url: String,
    /// The one-time token for `/admin/setup`, while no staff account exists.
    pub setup_token: Option<String>,
    pub data_dir: PathBuf,
    pub platform: Platform,
    pub bus: Arc<InProcessBus>,
    pub fake_line: FakeLine,
    server: JoinHandle<()>,
    ticker: JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        self.ticker.abort();
        self.server.abort();
        self.bus.settle().await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on 127.0.0.1:{0}: {1}")]
    Listen(u16, std::io::Error),
    #[error("cannot open the data folder {0}: {1}")]
    Storage(PathBuf, String),
}

pub async fn start(config: LocalConfig) -> Result<Running, StartError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|e| StartError::Listen(config.port, e))?;
    let port = listener
        .local_addr()
        .map_err(|e| StartError::Listen(config.port, e))?
        .port();
    let base_url = format!("http://127.0.0.1:{port}");

    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| StartError::Storage(config.data_dir.clone(), e.to_string()))?;
    let clock = config.clock.clone();
    // Presigned object URLs (report photos for staff, the LIFF form's uploads) name this port.
    let (platform, bus, objects) =
        embedded::platform_at(&config.data_dir, clock.clone(), &base_url)
            .map_err(|e| StartError::Storage(config.data_dir.clone(), e.to_string()))?;

    let fake_line = FakeLine::new();
    let line = Arc::new(LineClient::new(LineConfig::at(&base_url, DEV_ACCESS_TOKEN)));

    let webhook = Arc::new(
        tayori_webhook::WebhookState::new(
            platform.clone(),
            line.clone(),
            config.channel_secret.clone(),
            &config.city,
        )
        .with_privacy_policy_url(format!("{base_url}{}", tayori_forms::PRIVACY_PAGE))
        .with_media_base_url(format!("https://127.0.0.1:{port}"))
        .with_sample_calendar(SAMPLE_CALENDAR),
    );
    // The LIFF form verifies ID tokens with the fake LINE's LINE Login endpoint; the simulator
    // issues tokens for its citizens (`/simulator/liff/registration?userId=`).
    let forms = Arc::new(tayori_forms::FormsState {
        platform: platform.clone(),
        line: line.clone(),
        config: tayori_forms::FormsConfig {
            login_channel_id: LOCAL_LOGIN_CHANNEL_ID.into(),
            liff_id: None,
            forms_liff_id: None,
            city: config.city.clone(),
            upload_origin: None,
        },
    });
    // The report form: the same LINE Login check; photos go to this port's `/_objects`, so the
    // page's policy needs no other upload origin.
    let reports = Arc::new(tayori_reports::ReportsState::new(
        &platform,
        line.clone(),
        tayori_reports::ReportsConfig {
            login_channel_id: LOCAL_LOGIN_CHANNEL_ID.into(),
            liff_id: None,
            city: config.city.clone(),
            upload_origin: None,
        },
    ));
    // Events the webhook had no time to start go on the bus, as in AWS.
    bus.subscribe(
        tayori_webhook::deferred::DETAIL_TYPE,
        Arc::new(tayori_webhook::deferred::DeferredEvents::new(
            webhook.clone(),
        )),
    );
    // Nearest shelters: the webhook publishes a citizen's location, the shelters function
    // answers it (as the EventBridge rule routes it in AWS); the map page is on this port.
    let shelters = Arc::new(tayori_shelters::SheltersState::new(
        platform.clone(),
        format!("{base_url}{}", tayori_shelters::MAP_PAGE),
    ));
    bus.subscribe(
        tayori_shelters::LOCATION_RECEIVED,
        Arc::new(tayori_shelters::LocationHandler {
            state: shelters.clone(),
            line: line.clone(),
        }),
    );
    // Reports: a photo sent during a report in the chat and a status change staff make go to
    // the reports function (as the EventBridge rules route them in AWS). LINE wants https
    // image URLs: the thumbnails are named on the local host with https, as delivery images are.
    let media_base_url = format!("https://127.0.0.1:{port}");
    bus.subscribe(
        tayori_reports::REPORT_PHOTO_RECEIVED,
        Arc::new(tayori_reports::PhotoHandler::new(
            platform.clone(),
            line.clone(),
        )),
    );
    bus.subscribe(
        tayori_reports::REPORT_STATUS_CHANGED,
        Arc::new(tayori_reports::StatusNoticeHandler::new(
            platform.clone(),
            line.clone(),
            media_base_url.clone(),
        )),
    );
    // Forms: the receipt of an answer and the status changes its citizen must hear of go to
    // the forms function (as the EventBridge rules route them in AWS).
    bus.subscribe(
        tayori_forms::FORM_ANSWERED,
        Arc::new(tayori_forms::ReceiptHandler::new(
            platform.clone(),
            line.clone(),
        )),
    );
    bus.subscribe(
        tayori_forms::FORM_ANSWER_STATUS_CHANGED,
        Arc::new(tayori_forms::StatusNoticeHandler::new(
            platform.clone(),
            line.clone(),
        )),
    );
    let admin = Arc::new(admin_state(platform.clone(), line.clone(), &config.city).await?);
    let setup_token = admin.config.setup_token.clone();
    bus.subscribe(
        tayori_menus::SWITCH_REQUESTED,
        Arc::new(tayori_menus::SwitchHandler {
            platform: platform.clone(),
            line: line.clone(),
        }),
    );
    // LINE wants https image URLs; the local run has none, so media URLs name the local host
    // with https and the simulator shows them through /media on this port.
    let sender =
        tayori_deliveries::sender::Sender::new(platform.clone(), line.clone(), media_base_url);
    let scheduler = Arc::new(tayori_broadcast::Scheduler {
        sender: Arc::new(sender),
        sample_calendar: SAMPLE_CALENDAR,
    });
    bus.subscribe(tayori_broadcast::TICK, scheduler.clone());
    bus.subscribe(tayori_broadcast::DAILY, scheduler.clone());
    bus.subscribe(tayori_broadcast::DELIVERY_REQUESTED, scheduler);
    // JMA's feeds are replaced by a folder: put `extra.xml` / `eqvol.xml` and the messages
    // they link to in it, and the next tick's poll acts on them (see tayori_disaster).
    let jma_feed = config.data_dir.join(JMA_FEED_DIR);
    std::fs::create_dir_all(&jma_feed)
        .map_err(|e| StartError::Storage(jma_feed.clone(), e.to_string()))?;
    bus.subscribe(
        tayori_broadcast::jma_poll::JMA_POLL,
        Arc::new(tayori_broadcast::jma_poll::JmaPoll::new(
            platform.clone(),
            Arc::new(tayori_disaster::FolderFeedSource::new(jma_feed)),
        )),
    );
    // CSV exports asked for in the console are made by the export function's handler, and
    // swept at the top of each hour as the hourly schedule does in AWS.
    let exports = Arc::new(tayori_export::ExportHandler {
        desk: tayori_exports::ExportDesk::new(
            &platform,
            Arc::new(tayori_exports::sources::CitySources::new(&platform)),
        ),
    });
    bus.subscribe(tayori_exports::EXPORT_REQUESTED, exports.clone());
    bus.subscribe(tayori_export::EXPORT_SWEEP, exports);

    let simulator = simulator::Simulator::new(
        base_url.clone(),
        config.channel_secret.clone(),
        platform.table.clone(),
        fake_line.clone(),
    );

    let app = Router::new()
        .merge(tayori_webhook::router(webhook))
        .merge(tayori_webhook::media::router(platform.objects.clone()))
        .merge(objects)
        .merge(tayori_shelters::router(shelters.clone()))
        .merge(tayori_reports::router(reports))
        .merge(tayori_forms::router(forms))
        .merge(tayori_broadcast::router())
        .merge(tayori_export::router())
        .merge(tayori_admin::router(admin))
        .merge(simulator::router(Arc::new(simulator)))
        .merge(fake_line.router())
        .route("/healthz", get(|| async { "ok" }))
        .route("/", get(|| async { Redirect::to("/simulator") }))
        .layer(axum::middleware::from_fn(source_ip));

    // 小浜市's shelters from GSI's lists shipped in the repository, on a fresh data folder,
    // before the server answers anyone.
    match shelters.desk.seed_if_empty().await {
        Ok(outcome) => tracing::info!(?outcome, "shelter registry"),
        Err(e) => tracing::error!(error = %e, "shelter registry not seeded"),
    }
    let server = tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "local server stopped");
        }
    });
    // A fresh install shows citizens a menu at once (LINE is the fake on this same port, so
    // the server must be listening first); later starts find the defaults' record and do nothing.
    match tayori_menus::install_defaults(&platform, &line).await {
        Ok(outcome) => tracing::info!(?outcome, "default rich menus"),
        Err(e) => tracing::error!(error = %e, "default rich menus not installed"),
    }
    // A sample form (【サンプル】) on a data folder without forms, for the simulator's citizens.
    match tayori_forms::sample::seed_sample_form(&platform).await {
        Ok(made) => tracing::info!(made = made.is_some(), "sample form"),
        Err(e) => tracing::error!(error = %e, "sample form not made"),
    }
    let ticker = tokio::spawn(tick(bus.clone(), clock, config.tick_every));

    Ok(Running {
        base_url,
        setup_token,
        data_dir: config.data_dir,
        platform,
        bus,
        fake_line,
        server,
        ticker,
    })
}

/// The console as the clerk's own machine sees it: loopback is the only allowed address, cookies
/// are not `Secure` (plain HTTP), and a setup token exists while there is no account yet.
pub async fn admin_state(
    platform: Platform,
    line: Arc<LineClient>,
    city: &str,
) -> Result<tayori_admin::AdminState, StartError> {
    let mut state = tayori_admin::AdminState::new(
        platform,
        line,
        tayori_admin::AdminConfig {
            city: city.into(),
            allow_list: tayori_admin::AllowList::default().with_loopback(),
            secure_cookies: false,
            setup_token: None,
            session_policy: Default::default(),
            sample_calendar: SAMPLE_CALENDAR,
            // Presigned photo URLs are served on this same origin (`/_objects/`).
            photo_source: None,
            // The forms' LIFF pages are served on this same origin.
            forms_link: Default::default(),
        },
    );
    let any = state
        .staff
        .any()
        .await
        .map_err(|e| StartError::Storage(PathBuf::from("table"), e.to_string()))?;
    if !any {
        state.config.setup_token = Some(tayori_admin::auth::tokens::random_token());
    }
    Ok(state)
}

/// The `create-admin` command: the first administrator, created straight in the data folder.
pub async fn create_admin(
    data_dir: &std::path::Path,
    city: &str,
    login_id: &str,
    name: &str,
    password: &str,
) -> Result<tayori_domain::staff::StaffAccount, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(data_dir)?;
    let (platform, _bus) = embedded::platform(data_dir, Arc::new(SystemClock))?;
    let line = Arc::new(LineClient::new(LineConfig::default()));
    let state = admin_state(platform, line, city).await?;
    let account = tayori_admin::setup::create_first_admin(&state, login_id, name, password).await?;
    tayori_admin::audit::record_as(
        &state,
        account.login_id.as_str(),
        None,
        "初期管理者を作成",
        &format!("staff:{}", account.login_id),
        "create-admin コマンド",
    )
    .await;
    Ok(account)
}

/// Tells the console where a request came from, as API Gateway does in AWS.
async fn source_ip(
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request
        .extensions_mut()
        .insert(tayori_admin::SourceIp(peer.ip()));
    next.run(request).await
}

/// Publishes `scheduler.tick` like EventBridge Scheduler does in AWS: once a period, aligned to
/// the clock (the start of each minute for the default period), with the JMA poll; at 03:00 JST
/// also the daily run.
async fn tick(bus: Arc<InProcessBus>, clock: Arc<dyn Clock>, every: Duration) {
    let period = every.as_millis().max(1) as i64;
    loop {
        let now = clock.now().timestamp_millis();
        let wait = period - now.rem_euclid(period);
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        let at = clock.now();
        let mut events = vec![
            tayori_broadcast::Tick::event(at),
            tayori_ports::Event::new(
                tayori_broadcast::jma_poll::JMA_POLL,
                serde_json::json!({ "at": at }),
            ),
        ];
        // The daily schedule's 03:00 JST run, as in AWS (repeats within the minute are harmless).
        if tayori_broadcast::is_daily_minute(at) {
            events.push(tayori_broadcast::daily_event(at));
        }
        if tayori_export::is_sweep_minute(at) {
            events.push(tayori_export::sweep_event(at));
        }
        if let Err(e) = bus.publish(events).await {
            tracing::error!(error = %e, "scheduler tick not published");
        }
    }
}
