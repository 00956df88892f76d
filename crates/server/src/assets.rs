//! The workbench page: `web/dist` (built by `npm run build --prefix web`), compiled into the
//! binary in release builds and read from disk in debug builds (rust-embed). When the page was
//! not built, `/` says how to build it instead of failing.

use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Page;

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>ironclad</title>\
<body><h1>ironclad serve</h1><p>The workbench page was not built into this binary. Build it, then the binary:</p>\
<pre>npm ci --prefix web &amp;&amp; npm run build --prefix web\ncargo build --release</pre>\
<p>The JSON API works without it: <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p></body></html>";

/// Serves a file of the page; unknown paths outside `/assets/` get the page itself (so a
/// reload on a client-side route works), unknown assets 404. Anything under `/api/` that the
/// API's router did not take (`/api/` itself) is the API's 404, and the page takes GET and HEAD
/// only (405 otherwise).
pub async fn serve(method: Method, uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::api::not_found().await.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return ([(header::ALLOW, "GET, HEAD")], StatusCode::METHOD_NOT_ALLOWED).into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(file) = Page::get(path) {
        return file_response(path, file);
    }
    if path.starts_with("assets/") {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    }
    match Page::get("index.html") {
        Some(file) => file_response("index.html", file),
        None => Html(NOT_BUILT).into_response(),
    }
}

fn file_response(path: &str, file: rust_embed::EmbeddedFile) -> Response {
    let mime = file.metadata.mimetype().to_string();
    // Vite names assets by content hash: they may be cached for good; the page itself may not.
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache.to_string())], file.data).into_response()
}

/// Whether the page was built into this binary.
pub fn built() -> bool {
    Page::get("index.html").is_some()
}
