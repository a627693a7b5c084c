//! What every HTTP function shares at its edge, so that no function does it its own way:
//!
//! - [`security_headers`]: the Content-Security-Policy and the other headers on every response,
//!   tailored per [`Surface`] (staff console, LIFF pages, the local run's simulator, JSON APIs);
//! - [`public_prefix`]: the part of the public URL in front of the paths the routers know (the
//!   API Gateway stage, `/prod`, on the default endpoint; nothing behind a custom domain), and the
//!   response rewriting that makes links, redirects and cookies carry it;
//! - [`liff`]: the caller of a LIFF API, verified from the LINE ID token it bears;
//! - [`chart`]: bar and pie charts drawn on the server as accessible inline SVG;
//! - [`lambda`]: running a router under Lambda (source address, prefix, and for the webhook the
//!   EventBridge events of the same function), which every `main.rs` calls in a few lines.

pub mod chart;
pub mod lambda;
pub mod liff;
pub mod public_prefix;
pub mod security_headers;

pub use lambda::LambdaApp;
pub use liff::{LiffCitizen, LiffLogin, LoginRefused, UploadView};
pub use public_prefix::PublicPrefix;
pub use security_headers::{secure, secure_with_images, BucketOrigin, NotAnOrigin, Surface};

use std::net::IpAddr;

/// The address a request came from, put into the request's extensions by the entry point:
/// API Gateway's `requestContext.identity.sourceIp` in Lambda, the socket's peer locally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceIp(pub IpAddr);
