//! Compiles `resources/` (UI templates, CSS, the demo clip) into a GResource
//! bundle that the library embeds, and, for the `app` feature, the app's
//! own templates (`src/app/`) into a second bundle the executable embeds.
//! Compiles the translations (`po/*.po`, listed in `po/LINGUAS`) with
//! `msgfmt` into `OUT_DIR/locale`, where the library finds them when no
//! installed catalogs are there (`src/i18n.rs`); without `msgfmt` the build
//! goes on in English.
use std::path::Path;
use std::process::Command;

fn main() {
    glib_build_tools::compile_resources(
        &["resources", "ui"],
        "resources/resources.gresource.xml",
        "framescope.gresource",
    );
    if std::env::var_os("CARGO_FEATURE_APP").is_some() {
        glib_build_tools::compile_resources(
            &["src/app/window", "data/icons/hicolor"],
            "resources/app.gresource.xml",
            "framescope-app.gresource",
        );
    }
    compile_translations();
}

fn compile_translations() {
    println!("cargo:rerun-if-changed=po");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let locale = Path::new(&out).join("locale");
    let linguas = std::fs::read_to_string("po/LINGUAS").unwrap_or_default();
    let mut compiled = 0;
    for lang in linguas
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let dir = locale.join(lang).join("LC_MESSAGES");
        let po = format!("po/{lang}.po");
        println!("cargo:rerun-if-changed={po}");
        if std::fs::create_dir_all(&dir).is_err() {
            continue;
        }
        let status = Command::new("msgfmt")
            .arg("-o")
            .arg(dir.join("framescope.mo"))
            .arg(&po)
            .status();
        match status {
            Ok(s) if s.success() => compiled += 1,
            Ok(s) => {
                println!("cargo:warning=msgfmt failed on {po} ({s}); that language stays English")
            }
            Err(e) => println!(
                "cargo:warning=msgfmt could not run ({e}); install gettext for translations"
            ),
        }
    }
    if compiled > 0 {
        println!(
            "cargo:rustc-env=FRAMESCOPE_BUILD_LOCALEDIR={}",
            locale.display()
        );
    }
}
