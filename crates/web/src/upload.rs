//! The one reader of `multipart/form-data` uploads (the import API and the import page),
//! over axum's `Multipart`. The body arrives as bytes: the route's size limit answers 413
//! before parsing, and the CSRF middleware (`ctx.rs`) has already read its `csrf` part.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart};
use axum::http::{HeaderMap, Request, header};

/// Why an upload could not be read; each caller words it for its audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadError {
    /// The request is not `multipart/form-data`.
    NotMultipart,
    /// The content type carries no boundary.
    NoBoundary,
    /// The parts do not parse.
    Malformed,
}

/// The parts of an upload: text fields and files, by name.
#[derive(Debug, Default)]
pub struct Upload {
    fields: Vec<(String, String)>,
    /// Parts that came with a file name: (field name, bytes).
    files: Vec<(String, Vec<u8>)>,
}

impl Upload {
    /// A text field, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The file sent under `name`.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The first file, whatever its field name.
    pub fn first_file(&self) -> Option<&[u8]> {
        self.files.first().map(|(_, v)| v.as_slice())
    }
}

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Most parts read from one upload.
const MAX_PARTS: usize = 20;

/// Read every part of a `multipart/form-data` body.
pub async fn read(headers: &HeaderMap, body: Bytes) -> Result<Upload, UploadError> {
    if !is_multipart(headers) {
        return Err(UploadError::NotMultipart);
    }
    let mut req = Request::new(Body::from(body));
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
    }
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| UploadError::NoBoundary)?;
    let mut up = Upload::default();
    for _ in 0..MAX_PARTS {
        let Some(field) = mp.next_field().await.map_err(|_| UploadError::Malformed)? else {
            break;
        };
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.file_name().is_some();
        let data = field.bytes().await.map_err(|_| UploadError::Malformed)?;
        if is_file {
            up.files.push((name, data.to_vec()));
        } else {
            up.fields
                .push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    Ok(up)
}
