//! HTTP: the JSON API under /api/v1, the HTML pages, OpenAPI, static assets.
//! Handlers are thin: extract, call one service, render.

mod api;
mod assets;
mod client_addr;
mod ctx;
mod error;
mod idempotency;
mod metrics;
mod pages;
mod upload;

use std::sync::Arc;

use axum::Router;
use proofless_app::App;
use proofless_app::identity::{FileSmsSender, IdentityProvider, LocalIdentity, Oidc, SmsSender};

pub use api::openapi;
pub use ctx::Ctx;
pub use error::ApiError;

/// Largest request body accepted (JSON and forms); spreadsheet uploads get their own limit.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct WebConfig {
    /// Send cookies with `Secure` (set when the deployment is served over HTTPS).
    pub cookie_secure: bool,
    /// The header a trusted reverse proxy puts the client's address in (e.g.
    /// `X-Forwarded-For`, whose last entry is used); `None` (the default): the peer
    /// address, and any such header is ignored.
    pub trusted_proxy_header: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
    pub metrics: Arc<metrics::Metrics>,
    pub identity: Arc<dyn IdentityProvider>,
    /// The province's unified identity platform, when configured.
    pub oidc: Option<Arc<Oidc>>,
    /// Sends one-time codes to phones on record.
    pub sms: Arc<dyn SmsSender>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        AppState {
            app,
            config,
            metrics: Arc::new(metrics::Metrics::default()),
            identity: Arc::new(LocalIdentity),
            oidc: None,
            // The binary points this at its configured outbox (`with_sms`).
            sms: Arc::new(FileSmsSender::new(
                std::env::temp_dir().join("proofless-sms-outbox.log"),
            )),
        }
    }

    pub fn with_oidc(mut self, oidc: Oidc) -> AppState {
        self.oidc = Some(Arc::new(oidc));
        self
    }

    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> AppState {
        self.sms = sms;
        self
    }
}

/// The whole site.
pub fn router(state: AppState) -> Router {
    let (api_router, _) = api::router().split_for_parts();
    Router::new()
        .merge(api_router)
        .merge(pages::router())
        .merge(assets::router())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ctx::auth_layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::layer,
        ))
        .layer(axum::middleware::from_fn(ctx::operation_id_layer))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serve until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
