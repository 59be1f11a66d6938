//! HTTP: the JSON API under /api/v1, the HTML pages, OpenAPI, static assets.
//! Handlers are thin: extract, call one service, render.

mod api;
mod assets;
mod client_addr;
mod ctx;
mod error;
mod headers;
mod idempotency;
mod metrics;
mod pages;
mod public_id;
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
    /// The site's public origin, e.g. `https://wzm.gaoqing.gov.cn`, without a trailing
    /// slash. Every absolute link (feeds, OpenAPI servers, printed letters) is built from
    /// it, never from the request's `Host` header, which the client controls.
    pub public_base_url: String,
    /// Bearer token a Prometheus scraper must present at `/metrics` on the public
    /// address. `None`: `/metrics` answers 404 there (metrics are then only served on
    /// the internal listen address, if one is configured).
    pub metrics_token: Option<String>,
}

impl WebConfig {
    /// A local, plain-HTTP deployment on `127.0.0.1:port` (the demo and the tests).
    pub fn local(port: u16) -> WebConfig {
        WebConfig {
            cookie_secure: false,
            trusted_proxy_header: None,
            public_base_url: format!("http://127.0.0.1:{port}"),
            metrics_token: None,
        }
    }

    /// Served over TLS (the public base URL is https): HSTS is sent.
    pub fn tls(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig::local(8080)
    }
}

/// What every handler and layer shares. Cloned for every request and every layer, so it
/// is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<State>);

/// The shared state behind [`AppState`].
#[derive(Clone)]
pub struct State {
    pub app: App,
    pub config: WebConfig,
    pub metrics: Arc<metrics::Metrics>,
    pub identity: Arc<dyn IdentityProvider>,
    /// The province's unified identity platform, when configured.
    pub oidc: Option<Arc<Oidc>>,
    /// Sends one-time codes to phones on record.
    pub sms: Arc<dyn SmsSender>,
}

impl std::ops::Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        AppState(Arc::new(State {
            app,
            config,
            metrics: Arc::new(metrics::Metrics::default()),
            identity: Arc::new(LocalIdentity),
            oidc: None,
            // The binary points this at its configured outbox (`with_sms`).
            sms: Arc::new(FileSmsSender::new(
                std::env::temp_dir().join("proofless-sms-outbox.log"),
            )),
        }))
    }

    pub fn with_oidc(mut self, oidc: Oidc) -> AppState {
        Arc::make_mut(&mut self.0).oidc = Some(Arc::new(oidc));
        self
    }

    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> AppState {
        Arc::make_mut(&mut self.0).sms = sms;
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
        // Innermost: shows a pending success message on the next page (issue #22).
        .layer(axum::middleware::from_fn(pages::flash_layer))
        .layer(axum::middleware::from_fn(error::problem_layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ctx::auth_layer,
        ))
        // After the session and token layers: the scrape token is not an API token.
        .route("/metrics", axum::routing::get(metrics::public))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::layer,
        ))
        .layer(axum::middleware::from_fn(ctx::operation_id_layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::layer,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(compression())
        .layer(axum::middleware::from_fn(no_compression_cross_site))
        .with_state(state)
}

/// Responses are compressed (br or gzip, as the client asks) above 32 bytes, except
/// what is compressed already (images other than SVG, zip archives and xlsx workbooks).
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::Predicate;
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType};
    tower_http::compression::CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(
            DefaultPredicate::new()
                .and(NotForContentType::new("application/zip"))
                .and(NotForContentType::new("application/vnd.openxmlformats")),
        )
}

/// BREACH: a page that reflects what the request carries (a search query) next to a
/// secret (the CSRF token) leaks the secret through compressed sizes if another site can
/// make the browser send such requests. Requests another site started
/// (`Sec-Fetch-Site: cross-site`) are therefore answered uncompressed.
async fn no_compression_cross_site(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let cross_site = req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        req.headers_mut()
            .remove(axum::http::header::ACCEPT_ENCODING);
    }
    next.run(req).await
}

/// The internal listener (monitoring network only): `/metrics` without a token.
pub fn internal_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(metrics::internal))
        .fallback(error::not_found)
        .with_state(state)
}

/// Serve the internal router until `shutdown` resolves.
pub async fn serve_internal(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, internal_router(state))
        .with_graceful_shutdown(shutdown)
        .await
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
