//! The site's stylesheet and script: plain files, no build step.

/// Every asset, by its name under `assets/`.
pub const ALL: &[(&str, &str)] = &[
    ("site.js", include_str!("assets/site.js")),
    ("style.css", include_str!("assets/style.css")),
];

/// The media type of an asset.
pub fn content_type(name: &str) -> &'static str {
    if name.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    }
}
