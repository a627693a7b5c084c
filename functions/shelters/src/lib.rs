//! The shelters function: the nearest shelters (and other facilities) for a citizen's
//! position, in the chat and on a map page (issue 13, 仕様書 3.3.b, 3.2.4).
//!
//! # How a location in the chat is answered
//!
//! ```text
//!  citizen sends a location (or taps a hazard under an earlier answer)
//!    │  POST /line/webhook
//!    ▼
//!  webhook (functions/webhook/src/shelters.rs): claims the LINE event (de-dup on
//!    │  webhookEventId), publishes `location.received` {userId, replyToken, latitude,
//!    │  longitude, webhookEventId, hazard?}, counts one 避難所検索, answers LINE 200
//!    ▼  EventBridge rule location.received → this function (well under a second)
//!  LocationHandler (handler.rs): FacilityDesk::nearest (the open emergency's hazard unless
//!    │  one was picked), the carousel of the 5 nearest (tayori_facilities::chat)
//!    ▼
//!  LINE reply with the event's token; a push only if LINE refuses the token
//! ```
//!
//! Why the reply token, not a push: a reply is free (not counted against the monthly message
//! quota, which a disaster day would spend on lookups), and the token lives about a minute
//! while the bus delivers in well under a second. LINE refuses a token used or too old; then,
//! and only then, the answer is pushed, under a retry key named by the LINE event so that a
//! retried bus event pushes once. The webhook itself only publishes, so it answers LINE within
//! its 2 seconds however slow the lookup, and the lookup's index lives in this function's
//! container, built once.
//!
//! 「避難所」「近くの避難所」 and the rich menu's `shelters:ask` are answered by the webhook at
//! once with the ask-location message, whose quick reply opens LINE's location picker.
//!
//! # HTTP
//!
//! - `GET /api/shelters/nearby?lat=&lng=&hazard=&kind=`: the nearest sites as JSON for the map
//!   page (`api.rs`); a missing or wrong number or an unknown hazard is a 400 with
//!   `{"error": {"code", "message"}}` in Japanese (`error.rs`);
//! - `GET /liff/shelters/map`: the map page (`page.rs`), public information, no LINE login;
//! - `GET /liff/shelters/static/*`: its script and stylesheet, and Leaflet.

pub mod api;
pub mod error;
pub mod handler;
pub mod page;
pub mod settings;
pub mod view;

use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tayori_domain::facility::{KindId, Position};
use tayori_domain::location::LocationReceived;
use tayori_facilities::chat::nearest_reply;
use tayori_facilities::nearby::DEFAULT_LIMIT;
use tayori_facilities::{FacilityDesk, FacilityError, NearbyQuery};
use tayori_line::message::Message;
use tayori_ports::Platform;

pub use error::ApiError;
pub use handler::LocationHandler;
pub use tayori_domain::location::LOCATION_RECEIVED;

pub const HEALTH_PATH: &str = "/api/shelters/healthz";
pub const NEARBY_API: &str = "/api/shelters/nearby";
pub const MAP_PAGE: &str = "/liff/shelters/map";
pub const STATIC_FILES: &str = "/liff/shelters/static/{*path}";

pub struct SheltersState {
    pub platform: Platform,
    pub desk: FacilityDesk,
    /// The map page's absolute address, for the carousel's 「地図で見る」.
    pub map_page_url: String,
}

/// Why a location from the chat got no answer.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("not a position: {0}")]
    Position(#[from] tayori_domain::facility::PositionError),
    #[error("no such facility kind: {0}")]
    Kind(#[from] tayori_domain::facility::KindError),
    #[error(transparent)]
    Desk(#[from] FacilityError),
}

impl SheltersState {
    pub fn new(platform: Platform, map_page_url: String) -> Self {
        Self {
            desk: FacilityDesk::new(&platform),
            platform,
            map_page_url,
        }
    }

    /// The nearest sites for the map page. A kind staff have not defined is refused, rather
    /// than answered with nothing.
    pub async fn look_up(&self, request: &api::Nearby) -> Result<view::NearbyView, ApiError> {
        let position = Position::new(request.latitude, request.longitude)
            .map_err(|_| ApiError::NotACoordinate("緯度・経度"))?;
        let kind = match &request.kind {
            None => None,
            Some(code) => {
                let unknown = || ApiError::UnknownKind(code.clone());
                let kind = KindId::new(code).map_err(|_| unknown())?;
                if !kind.is_shelter() {
                    let kinds = self.desk.kinds().await.map_err(unavailable)?;
                    if !kinds.iter().any(|k| k.id() == &kind) {
                        return Err(unknown());
                    }
                }
                Some(kind)
            }
        };
        let query = NearbyQuery {
            position,
            kind,
            hazard: request.hazard,
            limit: DEFAULT_LIMIT,
        };
        let answer = self.desk.nearest(&query).await.map_err(unavailable)?;
        Ok(view::NearbyView::of(&answer))
    }

    /// The chat's answer to a location: the carousel of the nearest sites.
    pub async fn chat_answer(
        &self,
        location: &LocationReceived,
    ) -> Result<Vec<Message>, LookupError> {
        let query = NearbyQuery {
            position: Position::new(location.latitude, location.longitude)?,
            kind: location.kind.as_deref().map(KindId::new).transpose()?,
            hazard: location.hazard,
            limit: DEFAULT_LIMIT,
        };
        let answer = self.desk.nearest(&query).await?;
        Ok(nearest_reply(&answer, &self.map_page_url))
    }

    /// The kinds the page may filter by, (code, name): shelters first (the empty code), then
    /// those staff defined.
    pub async fn kinds(&self) -> Vec<(String, String)> {
        let mut kinds = vec![(String::new(), "避難所".to_string())];
        match self.desk.kinds().await {
            Ok(defined) => kinds.extend(
                defined
                    .iter()
                    .filter(|k| !k.is_shelter())
                    .map(|k| (k.id().as_str().to_string(), k.name().to_string())),
            ),
            Err(e) => tracing::warn!(error = %e, "facility kinds not read for the map page"),
        }
        kinds
    }
}

fn unavailable(e: FacilityError) -> ApiError {
    ApiError::Unavailable(e.into())
}

pub fn router(state: Arc<SheltersState>) -> Router {
    let api = Router::new()
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(NEARBY_API, get(api::nearby));
    let pages = Router::new()
        .route(MAP_PAGE, get(page::map))
        .route(STATIC_FILES, get(page::static_file));
    tayori_web::secure(api, tayori_web::Surface::Api)
        .merge(tayori_web::secure(pages, tayori_web::Surface::PublicMap))
        .with_state(state)
}
