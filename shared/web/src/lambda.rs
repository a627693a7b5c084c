//! Running a router under Lambda behind API Gateway (REST): what every HTTP function's
//! `main.rs` does, here so that it is written once and tested, since `main.rs` cannot be.
//!
//! Each request gets, as extensions, the [`SourceIp`] API Gateway saw and its
//! [`PublicPrefix`]; the response then goes through [`public_prefix::rewrite`]. The webhook
//! function also receives EventBridge events (work handed to the bus before answering LINE):
//! [`LambdaApp::run_with_events`] tells the two apart.

use crate::public_prefix::{self, PublicPrefix};
use crate::SourceIp;
use axum::Router;
use http::Response;
use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyResponse;
use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::request::{LambdaRequest, RequestContext};
use lambda_http::{Body as LambdaBody, RequestExt};
use serde_json::Value;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use tayori_ports::HandlerError;
use tayori_runtime::{from_event_bridge, EventRoutes, PayloadError};
use tower::ServiceExt;

/// A function's router, ready for Lambda.
#[derive(Clone)]
pub struct LambdaApp {
    router: Router,
}

#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    #[error("neither an API Gateway request nor a Tayori bus event: {0}")]
    Unreadable(#[from] serde_json::Error),
    #[error("neither an API Gateway request nor a Tayori bus event: {0}")]
    NotAnEvent(#[from] PayloadError),
    #[error("bus event not handled: {0}")]
    Event(#[from] HandlerError),
}

impl LambdaApp {
    pub fn new(router: Router) -> Self {
        Self {
            router: router.layer(axum::middleware::from_fn(public_prefix::rewrite)),
        }
    }

    /// One API Gateway request through the router.
    pub async fn call(&self, request: lambda_http::Request) -> Response<axum::body::Body> {
        let mut request = request;
        if let Some(ip) = source_ip(&request) {
            request.extensions_mut().insert(SourceIp(ip));
        }
        let prefix = public_prefix_of(&request);
        request.extensions_mut().insert(prefix);
        match self
            .router
            .clone()
            .oneshot(request.map(axum::body::Body::new))
            .await
        {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// One Lambda invocation of a function that serves both API Gateway and EventBridge: the
    /// answer API Gateway expects (REST proxy response), or `null` for a bus event handled.
    pub async fn invoke(&self, payload: Value, events: &EventRoutes) -> Result<Value, InvokeError> {
        if payload.get("detail-type").is_some() {
            let event = from_event_bridge(&payload)?;
            events.dispatch(event).await?;
            return Ok(Value::Null);
        }
        let request: LambdaRequest = serde_json::from_value(payload)?;
        let response = self.call(request.into()).await;
        let response = lambda_http::IntoResponse::into_response(response).await;
        let (parts, body) = response.into_parts();
        let mut answer = ApiGatewayProxyResponse::default();
        answer.status_code = i64::from(parts.status.as_u16());
        // Only the multi-value form: API Gateway merges both and would repeat headers.
        answer.multi_value_headers = parts.headers;
        match body {
            LambdaBody::Text(text) => answer.body = Some(LambdaBody::Text(text)),
            LambdaBody::Binary(bytes) => {
                answer.is_base64_encoded = true;
                answer.body = Some(LambdaBody::Binary(bytes));
            }
            _ => {}
        }
        Ok(serde_json::to_value(answer)?)
    }

    /// Serves API Gateway requests until the Lambda environment ends.
    pub async fn run(self) -> Result<(), lambda_http::Error> {
        lambda_http::run(tower::service_fn(move |request: lambda_http::Request| {
            let app = self.clone();
            async move { Ok::<_, Infallible>(app.call(request).await) }
        }))
        .await
    }

    /// Serves API Gateway requests and the EventBridge events `events` routes, in one function.
    pub async fn run_with_events(self, events: EventRoutes) -> Result<(), lambda_http::Error> {
        let events = Arc::new(events);
        lambda_runtime::run(lambda_runtime::service_fn(
            move |event: LambdaEvent<Value>| {
                let app = self.clone();
                let events = events.clone();
                async move {
                    app.invoke(event.payload, &events)
                        .await
                        .map_err(lambda_runtime::Error::from)
                }
            },
        ))
        .await
    }
}

/// The caller's address as API Gateway saw it.
fn source_ip(request: &lambda_http::Request) -> Option<IpAddr> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.identity.source_ip.as_deref(),
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.as_deref(),
        _ => None,
    }
    .and_then(|ip| ip.parse().ok())
}

/// The request's public prefix: `requestContext.path` (what the client asked for) minus the
/// event's `path` (what the router sees). Only REST APIs put the stage in front.
pub fn public_prefix_of(request: &lambda_http::Request) -> PublicPrefix {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => PublicPrefix::between(
            ctx.path.as_deref().unwrap_or_default(),
            request.raw_http_path(),
            ctx.stage.as_deref(),
        ),
        _ => PublicPrefix::none(),
    }
}
