//! Gives libframescope-0.so its soname. rustc's own export list makes the
//! library export exactly the `#[no_mangle]` functions of `src/`, which are
//! the ones `include/framescope.h` declares (tests/capi.rs checks both).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libframescope-0.so.0");
    println!("cargo:rustc-cdylib-link-arg=-Wl,--exclude-libs,ALL");
}
