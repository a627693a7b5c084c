//! Every console route with the access it needs, in one table. The router is built from this
//! table, so no route can be added without saying who may use it, and the route × permission
//! test walks the same table.

use crate::session::Signed;
use crate::{ui, AdminState};
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use std::sync::Arc;
use tayori_domain::staff::Permission;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Sign-in, setup, static files and the manual (still behind the IP allow-list).
    Public,
    /// Any signed-in staff member (home, own password and second factor).
    SignedIn,
    Permission(Permission),
    /// Any one of these: a delivery's page serves who writes it, who approves it and who may
    /// cancel or stop it, each seeing the actions their own permission allows.
    AnyOf(&'static [Permission]),
}

#[derive(Clone, Debug)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

pub struct Routes {
    router: Router<Arc<AdminState>>,
    table: Vec<RouteInfo>,
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, Arc<AdminState>>,
        T: 'static,
    {
        self.add(Method::GET, path, access, handler)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, Arc<AdminState>>,
        T: 'static,
    {
        self.add(Method::POST, path, access, handler)
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, Arc<AdminState>>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("GET or POST");
        let route = on(filter, handler).route_layer(middleware::from_fn_with_state(access, guard));
        self.router = self.router.route(path, route);
        self.table.push(RouteInfo {
            method,
            path,
            access,
        });
        self
    }

    pub fn into_parts(self) -> (Router<Arc<AdminState>>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a clerk with a temporary password is sent, and the only pages they may use until they
/// have replaced it.
const OWN_ACCOUNT: &str = "/admin/account";

async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let signed = request.extensions().get::<Signed>().cloned();
    match (access, signed) {
        (Access::Public, _) => next.run(request).await,
        (_, Some(signed))
            if signed.account.must_change_password()
                && !request.uri().path().starts_with(OWN_ACCOUNT) =>
        {
            Redirect::to(OWN_ACCOUNT).into_response()
        }
        (_, None) => {
            let next_path = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/admin");
            let target = if request.method() == Method::GET {
                format!(
                    "/admin/login?next={}",
                    form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
                )
            } else {
                "/admin/login".to_string()
            };
            Redirect::to(&target).into_response()
        }
        (Access::SignedIn, Some(_)) => next.run(request).await,
        (Access::Permission(p), Some(signed)) => {
            if signed.account.may(p) {
                next.run(request).await
            } else {
                tracing::warn!(login_id = %signed.account.login_id, permission = p.code(), path = %request.uri().path(), "console route refused: permission missing");
                ui::forbidden(&[p]).into_response()
            }
        }
        (Access::AnyOf(permissions), Some(signed)) => {
            if permissions.iter().any(|p| signed.account.may(*p)) {
                next.run(request).await
            } else {
                tracing::warn!(login_id = %signed.account.login_id, path = %request.uri().path(), "console route refused: none of its permissions held");
                ui::forbidden(permissions).into_response()
            }
        }
    }
}
