//! Empty: it exists so that the `syn` build-dependency in Cargo.toml takes part in feature
//! resolution (it aligns the host features of maturin's build with the workspace's; see there).

fn main() {}
