//! Rebuild when the page is rebuilt: rust-embed reads `web/dist` at compile time in release
//! builds, and vite names its assets by content hash, so new files appear that cargo would not
//! otherwise notice. Before the page is first built, watch `web/` (where `dist/` will appear).
fn main() {
    let dist = std::path::Path::new("../../web/dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed=../../web/dist");
    } else {
        println!("cargo:rerun-if-changed=../../web");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
