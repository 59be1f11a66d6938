//! The client's address, for per-client throttling: the TCP peer, or — only when the
//! operator says a trusted reverse proxy sits in front — the last entry of the header
//! that proxy sets. Without that setting a forged `X-Forwarded-For` changes nothing.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;
use crate::error::ApiError;

#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn from_header(parts: &Parts, name: &str) -> Option<String> {
    let v = parts.headers.get(name)?.to_str().ok()?;
    // A proxy appends the address it saw: the last entry is the one it vouches for.
    let last = v.rsplit(',').next()?.trim();
    let ip: std::net::IpAddr = last.parse().ok()?;
    Some(ip.to_string())
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(h) = state.config.trusted_proxy_header.as_deref()
            && let Some(ip) = from_header(parts, h)
        {
            return Ok(ClientAddr(ip));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(ClientAddr(peer))
    }
}
