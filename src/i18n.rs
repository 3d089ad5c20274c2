//! Translations: the gettext text domain `framescope`, shared by the library
//! and the app, through glibc's own gettext.
//!
//! [`gettext`] translates a fixed sentence; [`tr`] translates a template
//! with named placeholders (`{name}`), so a translation may put the values
//! in any order. A translation that drops or misspells a placeholder is not
//! used for that string (the English one is), and a missing catalog means
//! English: nothing here fails. [`gettext_noop`] marks strings kept in tables
//! and translated where they are shown.
//!
//! The domain is bound on first use, to the first of: `FRAMESCOPE_LOCALEDIR`,
//! the installed catalogs beside the executable (`../share/locale`, what
//! `make install` writes), the catalogs compiled into this build's output
//! by `build.rs` (running from the build tree), and the system's
//! `/usr/share/locale`. GtkBuilder templates (`<interface
//! domain="framescope">`) use the same binding. The language comes from the
//! environment (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`) once the
//! program has called `setlocale` (GTK does; the app does at start).
//! `po/` holds the template and the translations (docs/translations.md).

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::path::{Path, PathBuf};

/// The text domain of the library and the app.
pub const DOMAIN: &str = "framescope";

mod ffi {
    use std::os::raw::c_char;
    extern "C" {
        pub fn dgettext(domain: *const c_char, msgid: *const c_char) -> *mut c_char;
        pub fn bindtextdomain(domain: *const c_char, dir: *const c_char) -> *mut c_char;
        pub fn bind_textdomain_codeset(
            domain: *const c_char,
            codeset: *const c_char,
        ) -> *mut c_char;
    }
}

/// The catalogs `build.rs` compiled from `po/` (empty when `msgfmt` was
/// missing at build time).
const BUILD_LOCALEDIR: &str = match option_env!("FRAMESCOPE_BUILD_LOCALEDIR") {
    Some(dir) => dir,
    None => "",
};

/// Whether `dir` holds a `framescope.mo` for some language.
fn has_catalogs(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry
            .path()
            .join("LC_MESSAGES")
            .join(format!("{DOMAIN}.mo"))
            .is_file()
    })
}

/// Where the catalogs are read from (see the module's documentation).
pub fn locale_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("FRAMESCOPE_LOCALEDIR") {
        candidates.push(PathBuf::from(dir));
    }
    if let Some(prefix) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
    {
        candidates.push(prefix.join("share/locale"));
    }
    if !BUILD_LOCALEDIR.is_empty() {
        candidates.push(PathBuf::from(BUILD_LOCALEDIR));
    }
    candidates.push(PathBuf::from("/usr/share/locale"));
    candidates.into_iter().find(|dir| has_catalogs(dir))
}

/// Binds the text domain (once per process; later calls do nothing).
/// [`crate::engine::init`] calls it, and so does the first translation.
pub fn init() {
    static BOUND: std::sync::Once = std::sync::Once::new();
    BOUND.call_once(|| {
        let Ok(domain) = CString::new(DOMAIN) else {
            return;
        };
        if let Some(dir) = locale_dir() {
            if let Ok(dir) = CString::new(dir.as_os_str().as_encoded_bytes()) {
                // SAFETY: both arguments are valid NUL-terminated strings;
                // glibc copies them.
                unsafe { ffi::bindtextdomain(domain.as_ptr(), dir.as_ptr()) };
            }
        }
        // SAFETY: as above.
        unsafe { ffi::bind_textdomain_codeset(domain.as_ptr(), c"UTF-8".as_ptr()) };
    });
}

/// The translation of `msgid` in the current language, or `msgid` itself.
pub fn gettext(msgid: &str) -> String {
    if msgid.is_empty() {
        // gettext("") is the catalog's header.
        return String::new();
    }
    init();
    let (Ok(domain), Ok(id)) = (CString::new(DOMAIN), CString::new(msgid)) else {
        return msgid.to_string();
    };
    // SAFETY: valid strings; glibc returns either `id` itself or a string
    // inside the loaded catalog, which stays mapped for the process.
    let translated: *const c_char = unsafe { ffi::dgettext(domain.as_ptr(), id.as_ptr()) };
    if translated.is_null() || std::ptr::eq(translated, id.as_ptr()) {
        return msgid.to_string();
    }
    // SAFETY: a NUL-terminated string from glibc (see above).
    let text = unsafe { CStr::from_ptr(translated) };
    match text.to_str() {
        Ok(t) if !t.is_empty() => t.to_string(),
        _ => msgid.to_string(),
    }
}

/// Marks `msgid` for translation without translating it: for tables of
/// strings that are translated with [`gettext`] where they are shown.
pub const fn gettext_noop(msgid: &'static str) -> &'static str {
    msgid
}

/// The named placeholders (`{name}`) in a template, in order.
fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('}') else { break };
        let name = &rest[..close];
        if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            names.push(name);
        }
        rest = &rest[close + 1..];
    }
    names
}

/// Fills `{name}` placeholders of `template` from `values` (others stay).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Translates `template` and fills its `{name}` placeholders from `values`.
/// A translation whose placeholders are not those of the English template
/// (a value dropped, a name misspelt) is not used: the English one is.
pub fn tr(template: &str, values: &[(&str, &str)]) -> String {
    let translated = gettext(template);
    fill(usable(template, &translated), values)
}

/// `translated` when it has the same placeholders as `template`, else
/// `template`.
fn usable<'a>(template: &'a str, translated: &'a str) -> &'a str {
    let mut want = placeholders(template);
    let mut got = placeholders(translated);
    want.sort_unstable();
    want.dedup();
    got.sort_unstable();
    got.dedup();
    if want == got {
        translated
    } else {
        template
    }
}

/// How many columns `text` takes in a terminal: East Asian wide and
/// full-width characters (Chinese, Japanese, Korean, full-width
/// punctuation) take two, others one. Enough to line up translated table
/// headers and labels.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let c = c as u32;
            let wide = (0x1100..=0x115F).contains(&c)
                || (0x2E80..=0xA4CF).contains(&c)
                || (0xAC00..=0xD7A3).contains(&c)
                || (0xF900..=0xFAFF).contains(&c)
                || (0xFE30..=0xFE4F).contains(&c)
                || (0xFF00..=0xFF60).contains(&c)
                || (0xFFE0..=0xFFE6).contains(&c);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// `text` followed by spaces up to `width` columns (see [`display_width`]).
pub fn pad_end(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(fill))
}

/// `text` after spaces up to `width` columns (see [`display_width`]).
pub fn pad_start(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
    format!("{}{text}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_named_placeholders_in_any_order() {
        assert_eq!(
            fill("{b} then {a}, {a}", &[("a", "1"), ("b", "2")]),
            "2 then 1, 1"
        );
        assert_eq!(fill("{unknown} {", &[("a", "1")]), "{unknown} {");
        assert_eq!(fill("“{name}”", &[("name", "{name}")]), "“{name}”");
    }

    #[test]
    fn placeholders_are_named_ones_only() {
        assert_eq!(placeholders("{a} {} {b c} {c_1}"), ["a", "c_1"]);
    }

    #[test]
    fn a_translation_with_other_placeholders_is_not_used() {
        let english = "Cannot play “{name}”: {what} is missing.";
        assert_eq!(
            usable(english, "无法播放：缺少{what}（{name}）。"),
            "无法播放：缺少{what}（{name}）。"
        );
        assert_eq!(usable(english, "无法播放“{name}”。"), english);
        assert_eq!(usable(english, "无法播放“{nmae}”：缺少{what}。"), english);
        assert_eq!(usable("Loop off", "循环已关闭"), "循环已关闭");
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("URI:"), 4);
        assert_eq!(display_width("时长："), 6);
        assert_eq!(pad_end("时长：", 11), "时长：     ");
        assert_eq!(pad_start("size", 6), "  size");
        assert_eq!(pad_end("too long", 3), "too long");
    }

    #[test]
    fn untranslated_text_is_the_english() {
        assert_eq!(
            tr("No catalog has “{x}”.", &[("x", "y")]),
            "No catalog has “y”."
        );
        assert_eq!(gettext(""), "");
        assert_eq!(gettext("a\0b"), "a\0b");
    }
}
