//! The one redaction every output goes through: window titles, MPRIS
//! metadata, logs, the resume store's display form, statistics JSON,
//! `--print-pipeline`, `inspect`/`check` reports, inspector exports and
//! error details. A secret a user put in an address never leaves the
//! process through our own output.
//!
//! What is removed:
//! - a URI's user information (`user:password@`), found by parsing the
//!   authority: it ends at the last `@` before the path, and a password that
//!   holds `/`, `?`, `#`, `@`, `:` or percent-escapes is still recognised;
//! - the values of parameters that carry secrets (`passphrase`, `token`,
//!   `password`, `key`, `signature`, `X-Amz-*`, `X-Goog-*`, … see
//!   [`is_secret_name`]), in a query, a fragment, a launch line
//!   (`passphrase="…"`), a GStreamer structure (`user-pw=(string)…`) or a
//!   Graphviz label (`\"…\"`), replaced by [`MASK`];
//! - the same inside a percent-encoded URI carried in a parameter
//!   (`?next=https%3A%2F%2F…%3Ftoken%3D…`);
//! - header values (`Authorization: …`, `Cookie: …`).
//!
//! Where a string is ambiguous (`http://a:1/b@c.d/` may be a port and a
//! path, or a password holding `/`) the redaction errs on the side of hiding.
//! Every function is pure and never panics (a proptest checks both).
//!
//! One cohesive file over 600 lines on purpose: the scanner and its cases
//! (about 520 lines) and their tests read best side by side.

/// What a secret value is replaced with.
pub(crate) const MASK: &str = "***";

/// How deep percent-encoded URIs inside parameters are followed.
const MAX_NESTING: u8 = 3;

/// A URI for display: its user information removed and the values of its
/// secret-bearing parameters masked.
///
/// ```
/// use framescope::engine::redact_uri;
/// assert_eq!(redact_uri("rtsp://bob:s/cr@t@cam:554/s"), "rtsp://cam:554/s");
/// assert_eq!(
///     redact_uri("srt://h:9000?mode=caller&passphrase=hunter2hunter2"),
///     "srt://h:9000?mode=caller&passphrase=***"
/// );
/// ```
pub fn redact_uri(uri: &str) -> String {
    redact(uri, true, 0)
}

/// Free text (a log line, a GStreamer debug string, a pipeline description,
/// a Graphviz dump, JSON) with every URI and every secret parameter in it
/// redacted as [`redact_uri`] does.
pub fn redact_text(text: &str) -> String {
    redact(text, false, 0)
}

/// True when `text` holds something [`redact_text`] would hide.
#[cfg(test)]
pub(crate) fn has_secret(text: &str) -> bool {
    redact(text, false, 0) != text
}

/// True for parameter names whose values are secrets (case-insensitive;
/// `-` and `_` alike): passwords, pass phrases, tokens, keys, signatures,
/// credentials, cookies, sessions, and every `X-Amz-*` / `X-Goog-*`
/// parameter of a signed cloud-storage URL.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    let n = n.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    if n.is_empty() {
        return false;
    }
    const EXACT: &[&str] = &[
        "pass",
        "passwd",
        "pwd",
        "pw",
        "key",
        "sig",
        "sign",
        "auth",
        "authorization",
        "proxy_authorization",
        "jwt",
        "bearer",
        "session",
        "sessionid",
        "session_id",
        "sid",
        "hdnts",
        "hdnea",
        "cookie",
        "cookies",
        "extra_headers",
        "policy",
    ];
    const CONTAINS: &[&str] = &[
        "password",
        "passphrase",
        "passwd",
        "secret",
        "token",
        "signature",
        "credential",
        "apikey",
        "api_key",
    ];
    const SUFFIX: &[&str] = &["key", "_pw", "_pass", "_pwd", "_sig", "_auth"];
    const PREFIX: &[&str] = &["x_amz_", "x_goog_", "auth_"];
    EXACT.contains(&n)
        || CONTAINS.iter().any(|w| n.contains(w))
        || SUFFIX.iter().any(|s| n.ends_with(s))
        || PREFIX.iter().any(|p| n.starts_with(p))
}

/// One change to the text: `bytes[start..end]` becomes `with` (`None`:
/// removed; `nested`: a redaction of that stretch on its own).
struct Edit {
    start: usize,
    end: usize,
    with: Option<String>,
    nested: bool,
}

/// Both analyses run on the original text (user information, parameters);
/// their edits are merged so that overlapping ones hide their union.
fn redact(text: &str, whole: bool, depth: u8) -> String {
    let mut edits = userinfo_edits(text, whole);
    edits.extend(parameter_edits(text, whole, depth));
    if edits.is_empty() {
        return text.to_string();
    }
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
    for e in edits {
        let Some(cur) = merged.last_mut().filter(|cur| e.start < cur.end) else {
            merged.push(e);
            continue;
        };
        let contained = e.end <= cur.end;
        // A stretch redacted on its own already hid what lies inside it,
        // unless what `e` hides still shows in that redaction.
        let missed = cur.nested
            && cur
                .with
                .as_deref()
                .is_some_and(|w| e.end - e.start >= 3 && w.contains(&text[e.start..e.end]));
        if !contained || missed {
            cur.end = cur.end.max(e.end);
            cur.with = Some(MASK.to_string());
            cur.nested = false;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for e in merged {
        out.push_str(&text[done..e.start]);
        out.push_str(e.with.as_deref().unwrap_or_default());
        done = e.end;
    }
    out.push_str(&text[done..]);
    out
}

/// Where a URI written in free text ends: at white space, a double quote,
/// angle brackets, a back-quote, a typographic quote (`“…”`), or a
/// backslash escape (`\"`, `\n`, as in Graphviz labels and GStreamer debug
/// strings).
fn token_len(s: &str, whole: bool) -> usize {
    if whole {
        return s.len();
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() => return i,
            b'"' | b'<' | b'>' | b'`' => return i,
            b'\\' if is_escape(b.get(i + 1).copied()) => return i,
            _ if is_typographic_quote(&b[i..]) => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// `“”‘’«»`, which our own messages put around names.
fn is_typographic_quote(b: &[u8]) -> bool {
    matches!(
        b,
        [0xE2, 0x80, 0x98 | 0x99 | 0x9C | 0x9D, ..] | [0xC2, 0xAB | 0xBB, ..]
    )
}

fn is_escape(next: Option<u8>) -> bool {
    matches!(next, Some(b'"' | b'\'' | b'n' | b'l' | b'r' | b't' | b'\\'))
}

/// Removals of `user[:password]@` after every `://`.
fn userinfo_edits(text: &str, whole: bool) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        let token = &text[start..start + token_len(&text[start..], whole)];
        match userinfo_end(token) {
            Some(at) => {
                edits.push(Edit {
                    start,
                    end: start + at + 1,
                    with: None,
                    nested: false,
                });
                from = start + at + 1;
            }
            None => from = start,
        }
    }
    edits
}

/// The index of the `@` that ends the user information of `token` (a URI
/// after its `scheme://`), if it has one.
fn userinfo_end(token: &str) -> Option<usize> {
    let first_at = token.find('@')?;
    let pre_end = token.find(['/', '?', '#']).unwrap_or(token.len());
    let head = &token[..first_at.min(pre_end)];
    if head.contains(':') && !is_host_port(head) {
        // `user:password@…`: no host has such a port. The password may
        // hold `@`, `/`, `?` or `#`, so it ends at the last `@` (an `@`
        // later in the path or query hides a little too much, never too
        // little).
        return token.rfind('@');
    }
    // `user@host` (no password), `host:port/path@…`.
    if let Some(at) = token[..pre_end].rfind('@') {
        return Some(at);
    }
    // `host:port/path@…` is a path holding `@`, unless it reads as
    // `user:1234/5@a.host` (a numeric password holding `/`): hide then.
    let query = token.find(['?', '#']).unwrap_or(token.len());
    let at = token[..query].rfind('@')?;
    (token[..at].contains(':') && looks_like_host(&token[at + 1..])).then_some(at)
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn is_host_port(head: &str) -> bool {
    let after_host = if let Some(v6) = head.strip_prefix('[') {
        match v6.find(']') {
            Some(end) => &v6[end + 1..],
            None => return false,
        }
    } else {
        match head.find(':') {
            Some(colon) => &head[colon..],
            None => return true,
        }
    };
    after_host.is_empty()
        || after_host
            .strip_prefix(':')
            .is_some_and(|port| port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether what follows an `@` reads as a host name with a dot, an IP
/// address, `localhost` or `[v6]`, followed by a port, path or nothing.
fn looks_like_host(rest: &str) -> bool {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.starts_with('[') {
        return is_host_port(authority);
    }
    let host = authority.split(':').next().unwrap_or_default();
    !host.is_empty()
        && is_host_port(authority)
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'%' | b'~'))
        && (host.contains('.') || host.eq_ignore_ascii_case("localhost"))
}

/// Masks for the values of secret parameters (`name=value`, `name="value"`,
/// `name=(type)value`, `Name: value` headers) anywhere in `text`, and
/// follows percent-encoded URIs inside other parameters' values.
fn parameter_edits(text: &str, whole: bool, depth: u8) -> Vec<Edit> {
    let b = text.as_bytes();
    let mut edits = Vec::new();
    let mask = |start, end| Edit {
        start,
        end,
        with: Some(MASK.to_string()),
        nested: false,
    };
    let mut i = 0;
    while i < b.len() {
        let sep = b[i];
        if sep != b'=' && sep != b':' {
            i += 1;
            continue;
        }
        let key_start = key_start(b, i);
        let key = &text[key_start..i];
        if key.is_empty() {
            i += 1;
            continue;
        }
        if sep == b':' {
            // Only headers: `Authorization: Bearer …`, `Cookie: …`.
            if is_header_name(key) {
                let value_start = skip_spaces(b, i + 1);
                let value_end = line_end(b, value_start);
                if value_end > value_start {
                    edits.push(mask(value_start, value_end));
                }
                i = value_end.max(i + 1);
            } else {
                i += 1;
            }
            continue;
        }
        let value_start = i + 1;
        if is_secret_name(&percent_decode(key)) {
            let cast_end = skip_type_cast(b, value_start);
            // In a GStreamer structure a bare value ends at `,` or `;`.
            let structure = cast_end > value_start;
            let (inner_start, inner_end, end) = value_span(b, cast_end, whole, structure);
            if inner_end > inner_start {
                edits.push(mask(inner_start, inner_end));
            }
            i = end.max(i + 1);
            continue;
        }
        // Another parameter: its value may be a quoted URI (`uri="…"`) or
        // a percent-encoded one (`next=https%3A%2F%2F…`).
        if depth < MAX_NESTING {
            let (inner_start, inner_end, _) = value_span(b, value_start, whole, false);
            let value = &text[inner_start..inner_end];
            let redacted = if inner_start > value_start {
                let changed = redact(value, is_one_uri(value), depth + 1);
                (changed != value).then_some(changed)
            } else if value.contains('%') {
                let decoded = percent_decode(value);
                let changed = redact(&decoded, true, depth + 1);
                (changed != decoded).then(|| percent_encode(&changed))
            } else {
                None
            };
            if let Some(redacted) = redacted {
                edits.push(Edit {
                    start: inner_start,
                    end: inner_end,
                    with: Some(redacted),
                    nested: true,
                });
                i = inner_end.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    edits
}

/// A quoted value that is one URI (its end is the quote, not a space).
fn is_one_uri(value: &str) -> bool {
    value
        .find("://")
        .is_some_and(|p| p > 0 && !value[..p].contains(|c: char| c.is_whitespace()))
        && !value.contains('\\')
}

/// Where the parameter name ending before `sep_at` begins.
fn key_start(b: &[u8], sep_at: usize) -> usize {
    let mut k = sep_at;
    while k > 0
        && (b[k - 1].is_ascii_alphanumeric() || matches!(b[k - 1], b'_' | b'-' | b'.' | b'%'))
    {
        k -= 1;
    }
    k
}

fn is_header_name(key: &str) -> bool {
    const HEADERS: &[&str] = &[
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-auth-token",
    ];
    HEADERS.iter().any(|h| key.eq_ignore_ascii_case(h))
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// The end of a header value: the line's end, a double quote or an escape.
fn line_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' | b'"' => return i,
            b'\\' if is_escape(b.get(i + 1).copied()) => return i,
            _ => i += 1,
        }
    }
    i
}

/// Skips a GStreamer type cast such as `(string)` or `(gchararray)`.
fn skip_type_cast(b: &[u8], i: usize) -> usize {
    if b.get(i) != Some(&b'(') {
        return i;
    }
    let mut j = i + 1;
    while j < b.len() && j - i <= 24 && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    if j > i + 1 && b.get(j) == Some(&b')') {
        j + 1
    } else {
        i
    }
}

/// The value starting at `i`: (start of what to mask, its end, where the
/// whole value with its quotes ends). Quoted values (`"…"`, `'…'`, `\"…\"`)
/// end at their closing quote; bare ones at `&`, white space, a double
/// quote, angle brackets or a backslash escape (within one URI: at `&`;
/// after a structure's type cast also at `,` and `;`).
fn value_span(b: &[u8], i: usize, whole: bool, structure: bool) -> (usize, usize, usize) {
    let quote: Option<&[u8]> = match b.get(i) {
        Some(b'"') => Some(b"\""),
        Some(b'\'') if !whole => Some(b"'"),
        Some(b'\\') if b.get(i + 1) == Some(&b'"') => Some(b"\\\""),
        _ => None,
    };
    if let Some(q) = quote {
        let start = i + q.len();
        let mut j = start;
        while j < b.len() {
            if b[j..].starts_with(q) {
                return (start, j, j + q.len());
            }
            // An escaped character inside the quotes (not the quote itself
            // when the quote is the escape `\"`).
            if b[j] == b'\\' && q.len() == 1 && j + 1 < b.len() {
                j += 2;
            } else {
                j += 1;
            }
        }
        return (start, b.len(), b.len());
    }
    let mut j = i;
    while j < b.len() {
        let c = b[j];
        let ends = if structure && matches!(c, b',' | b';') {
            true
        } else if whole {
            c == b'&'
        } else {
            c == b'&'
                || c.is_ascii_whitespace()
                || matches!(c, b'"' | b'<' | b'>' | b'`')
                || (c == b'\\' && is_escape(b.get(j + 1).copied()))
                || is_typographic_quote(&b[j..])
        };
        if ends {
            break;
        }
        j += 1;
    }
    (i, j, j)
}

/// Decodes `%XX` escapes (invalid ones and invalid UTF-8 are kept as
/// they are / replaced), so `pass%77ord` is seen as `password`.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                bytes.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        bytes.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes all but unreserved characters (and the mask's `*`).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'*') {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_goes_whatever_the_password_holds() {
        for (uri, shown) in [
            (
                "rtsp://bob:secret@cam.local:554/s",
                "rtsp://cam.local:554/s",
            ),
            (
                "http://user:pa/ss@127.0.0.1:8080/clip",
                "http://127.0.0.1:8080/clip",
            ),
            ("http://user:pa@ss@host/clip", "http://host/clip"),
            ("http://user:p:a:s@host/clip", "http://host/clip"),
            ("http://user:p%2Fa%40s@host/clip", "http://host/clip"),
            ("http://user:pa?ss@host/clip", "http://host/clip"),
            ("http://user:pa#ss@host/clip", "http://host/clip"),
            ("http://user:a/b/c@host/clip?x=1", "http://host/clip?x=1"),
            // Ambiguous: a password holding `@` and `/`, or a path with `@`.
            ("http://user:pw@host/a@b", "http://b"),
            ("http://user:p@ss/w@host/a", "http://host/a"),
            ("http://:QA@QB?QC@abc", "http://abc"),
            ("http://user:1234/5@cam.local/s", "http://cam.local/s"),
            ("http://us/er:pw@cam.local/s", "http://cam.local/s"),
            ("srt://u:p@h:9", "srt://h:9"),
            ("http://[::1]:80/a", "http://[::1]:80/a"),
            ("http://u:p@[::1]:80/a", "http://[::1]:80/a"),
        ] {
            assert_eq!(redact_uri(uri), shown, "{uri}");
        }
        // `@` in a path or query is not user information.
        for uri in [
            "http://host/a@b",
            "https://host:443/@user/video",
            "http://host/path?email=a@b.com",
            "http://host:8080/path?email=a@b.com",
            "file:///tmp/a@b.mp4",
        ] {
            assert_eq!(redact_uri(uri), uri);
        }
    }

    #[test]
    fn secret_parameters_are_masked() {
        for (uri, shown) in [
            (
                "srt://127.0.0.1:9000?mode=caller&passphrase=SECRETPASS1234",
                "srt://127.0.0.1:9000?mode=caller&passphrase=***",
            ),
            (
                "https://h/clip.mp4?token=SECRETTOKEN&x=1",
                "https://h/clip.mp4?token=***&x=1",
            ),
            (
                "https://b.s3.amazonaws.com/k.mp4?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abcdef",
                "https://b.s3.amazonaws.com/k.mp4?X-Amz-Algorithm=***&X-Amz-Credential=***&X-Amz-Signature=***",
            ),
            (
                "https://g/o?X-Goog-Signature=ff00&alt=media",
                "https://g/o?X-Goog-Signature=***&alt=media",
            ),
            ("https://h/v?PassWord=x&Api_Key=y", "https://h/v?PassWord=***&Api_Key=***"),
            ("https://h/v?sig=a%26b", "https://h/v?sig=***"),
            ("https://h/v#access_token=abc&state=1", "https://h/v#access_token=***&state=1"),
            ("https://h/v?a=1;token=x", "https://h/v?a=1;token=***"),
            ("https://h/v?pass%77ord=x", "https://h/v?pass%77ord=***"),
            ("https://h/v?a=1&b=2", "https://h/v?a=1&b=2"),
            ("https://h/v?keyframe=1&monkey=", "https://h/v?keyframe=1&monkey="),
        ] {
            assert_eq!(redact_uri(uri), shown, "{uri}");
        }
    }

    /// RTMP addresses carry publish and play credentials: user
    /// information, CDN tokens in the query (`txSecret`, `auth_key`,
    /// `wsSecret`, `sign`, `streamKey`) and librtmp's space-separated
    /// options (`token=…`).
    #[test]
    fn rtmp_credentials_and_stream_keys_are_hidden() {
        for (uri, shown) in [
            (
                "rtmp://pub:hunter2@live.example.com:1935/live/cam?key=abc123",
                "rtmp://live.example.com:1935/live/cam?key=***",
            ),
            (
                "rtmps://h/live/s?txSecret=0f1e2d&txTime=65A1B2C3",
                "rtmps://h/live/s?txSecret=***&txTime=65A1B2C3",
            ),
            (
                "rtmp://h/app/s?auth_key=1700000000-0-0-abcdef",
                "rtmp://h/app/s?auth_key=***",
            ),
            (
                "rtmp://h/app/s?wsSecret=ab&wsTime=1&sign=cd&streamKey=ef",
                "rtmp://h/app/s?wsSecret=***&wsTime=1&sign=***&streamKey=***",
            ),
            (
                "rtmp://h/app/s live=1 token=SECRET",
                "rtmp://h/app/s live=1 token=***",
            ),
        ] {
            assert_eq!(redact_uri(uri), shown, "{uri}");
        }
        assert_eq!(
            redact_text("rtmp2src location=rtmp://u:p@h/live/s?token=t secure-token=(string)zz;"),
            "rtmp2src location=rtmp://h/live/s?token=*** secure-token=(string)***;"
        );
    }

    #[test]
    fn free_text_is_redacted_wherever_a_uri_or_secret_sits() {
        assert_eq!(
            redact_text("Could not open http://bob:pw@host:80/a and rtsp://cam/b, 'srt://u:p@h:9'"),
            "Could not open http://host:80/a and rtsp://cam/b, 'srt://h:9'"
        );
        assert_eq!(redact_text("no uri here"), "no uri here");
        // A launch line, a structure, a Graphviz label, a header.
        assert_eq!(
            redact_text(
                "srtsrc uri=\"srt://h:1?passphrase=abc def\" passphrase=\"x y\" latency=20"
            ),
            "srtsrc uri=\"srt://h:1?passphrase=***\" passphrase=\"***\" latency=20"
        );
        assert_eq!(
            redact_text("props, user-pw=(string)hunter2, user-id=(string)bob;"),
            "props, user-pw=(string)***, user-id=(string)bob;"
        );
        assert_eq!(
            redact_text(r#"label="srtsrc0\nuri=\"srt://h?passphrase=abc\"\npassphrase=\"x\"\n""#),
            r#"label="srtsrc0\nuri=\"srt://h?passphrase=***\"\npassphrase=\"***\"\n""#
        );
        assert_eq!(
            redact_text("GET /a HTTP/1.1\r\nAuthorization: Bearer abc.def\r\nHost: h\r\n"),
            "GET /a HTTP/1.1\r\nAuthorization: ***\r\nHost: h\r\n"
        );
        assert_eq!(
            redact_text(r#"{"uri":"https://h/a?token=abc","n":1}"#),
            r#"{"uri":"https://h/a?token=***","n":1}"#
        );
        // Our messages quote names typographically.
        assert_eq!(
            redact_text("“srt://h:9?mode=caller&passphrase=abc” does not answer"),
            "“srt://h:9?mode=caller&passphrase=***” does not answer"
        );
        assert_eq!(
            redact_text("«http://u:p@h/a?token=x»"),
            "«http://h/a?token=***»"
        );
        // A tracing field named like a secret.
        assert_eq!(
            redact_text("opened key=abc index=3"),
            "opened key=*** index=3"
        );
    }

    #[test]
    fn encoded_uris_inside_parameters_are_followed() {
        assert_eq!(
            redact_uri("https://p/go?next=https%3A%2F%2Fh%2Fa%3Ftoken%3Dabc%26x%3D1&y=2"),
            "https://p/go?next=https%3A%2F%2Fh%2Fa%3Ftoken%3D***%26x%3D1&y=2"
        );
        assert_eq!(
            redact_uri("https://p/go?next=http%3A%2F%2Fu%3Apw%40h%2Fa"),
            "https://p/go?next=http%3A%2F%2Fh%2Fa"
        );
    }

    #[test]
    fn secret_names() {
        for name in [
            "passphrase",
            "PASSWORD",
            "pass",
            "passwd",
            "pwd",
            "token",
            "access_token",
            "key",
            "apikey",
            "api-key",
            "secret",
            "client_secret",
            "signature",
            "sig",
            "auth",
            "Authorization",
            "credential",
            "X-Amz-Date",
            "x-amz-security-token",
            "X-Goog-Signature",
            "user-pw",
            "proxy-pw",
            "stream_key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "mode", "latency", "uri", "index", "keyframe", "user-id", "x", "",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "",
            "://",
            "a://@",
            "://@/?#",
            "x=",
            "=",
            "token=",
            "token=\"",
            "token=\\\"",
            "token=(",
            "a://u:é@h",
            "é://ü@ö",
            "%",
            "%4",
            "a=%zz%",
            "k=%F0%9F",
            "Authorization:",
            "a://[",
            "a://[::1",
            "a://h:99999999/x@y.z",
        ] {
            let _ = redact_text(text);
            let _ = redact_uri(text);
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// A secret: segments `Q` + upper-case letters and digits (which
        /// nothing else in a generated URI holds), joined by characters a
        /// password or parameter value may carry. Returns the secret and
        /// its segments (none of which may show in the output).
        fn secret(
            separators: &'static [&'static str],
        ) -> impl Strategy<Value = (String, Vec<String>)> {
            (
                proptest::collection::vec("Q[A-Z0-9]{4,10}", 1..4),
                proptest::collection::vec(proptest::sample::select(separators), 3),
            )
                .prop_map(|(segments, seps)| {
                    let mut s = String::new();
                    for (i, seg) in segments.iter().enumerate() {
                        if i > 0 {
                            s.push_str(seps[i % seps.len()]);
                        }
                        s.push_str(seg);
                    }
                    (s, segments)
                })
        }

        const IN_PASSWORD: &[&str] = &[
            "/", "@", ":", "?", "#", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "-",
            ".", "_", "~", "%2F", "%40", "%3A", "",
        ];
        const IN_VALUE: &[&str] = &[
            "/", "@", ":", "?", "#", "!", "$", "'", "(", ")", "*", "+", ",", ";", "=", "-", ".",
            "_", "~", "%26", "%20", "%2F", "",
        ];
        const NAMES: &[&str] = &[
            "passphrase",
            "password",
            "pass",
            "passwd",
            "pwd",
            "token",
            "access_token",
            "key",
            "apikey",
            "api_key",
            "secret",
            "signature",
            "sig",
            "auth",
            "authorization",
            "credential",
            "X-Amz-Signature",
            "X-Amz-Credential",
            "x-amz-security-token",
            "X-Goog-Signature",
            "PassPhrase",
            "TOKEN",
        ];

        fn host() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("127.0.0.1".to_string()),
                Just("cam.local".to_string()),
                Just("[::1]".to_string()),
                "[a-z]{1,8}(\\.[a-z]{2,5}){0,2}",
            ]
        }

        /// `scheme://[user:secret@]host[:port][/path][?params]`, the secret
        /// either in the password or in a secret parameter (or both).
        fn uri_with_secret() -> impl Strategy<Value = (String, Vec<String>)> {
            (
                proptest::sample::select(&["http", "https", "rtsp", "srt", "rtmp"][..]),
                host(),
                proptest::option::of(1u16..65535),
                "(/[a-z0-9.@]{0,8}){0,3}",
                proptest::option::of(("[a-z]{0,6}", secret(IN_PASSWORD))),
                proptest::option::of((proptest::sample::select(NAMES), secret(IN_VALUE))),
                "(&[a-z]{1,5}=[a-z0-9]{0,5}){0,2}",
                any::<bool>(),
            )
                .prop_filter("a secret somewhere", |t| t.4.is_some() || t.5.is_some())
                .prop_map(
                    |(scheme, host, port, path, user, param, other, other_first)| {
                        let mut uri = format!("{scheme}://");
                        let mut secrets = Vec::new();
                        if let Some((name, (password, segments))) = user {
                            uri.push_str(&format!("{name}:{password}@"));
                            secrets.extend(segments);
                        }
                        uri.push_str(&host);
                        if let Some(port) = port {
                            uri.push_str(&format!(":{port}"));
                        }
                        uri.push_str(&path);
                        let mut query = String::new();
                        if other_first {
                            query.push_str(&other);
                        }
                        if let Some((name, (value, segments))) = param {
                            query.push_str(&format!("&{name}={value}"));
                            secrets.extend(segments);
                        }
                        if !other_first {
                            query.push_str(&other);
                        }
                        if !query.is_empty() {
                            uri.push('?');
                            uri.push_str(&query[1..]);
                        }
                        (uri, secrets)
                    },
                )
        }

        fn assert_hidden(out: &str, secrets: &[String], input: &str) -> Result<(), TestCaseError> {
            for s in secrets {
                prop_assert!(
                    !out.contains(s.as_str()),
                    "{s} shows in {out} (from {input})"
                );
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn a_secret_in_a_uri_never_shows((uri, secrets) in uri_with_secret()) {
                assert_hidden(&redact_uri(&uri), &secrets, &uri)?;
                prop_assert!(has_secret(&uri));
            }

            #[test]
            fn a_secret_in_free_text_never_shows(
                (uri, secrets) in uri_with_secret(),
                before in "[a-z ]{0,12}",
                after in "[a-z .:]{0,12}",
            ) {
                // Free text: a URI between words, in quotes, in a launch line
                // (quoted and escaped), in a Graphviz label, percent-encoded
                // inside another URI's parameter.
                if uri.contains(char::is_whitespace) || uri.contains('"') {
                    return Ok(());
                }
                let launch_quoted = format!(
                    "\"{}\"",
                    uri.replace('\\', "\\\\").replace('"', "\\\"")
                );
                for text in [
                    format!("{before} {uri} {after}"),
                    format!("{before} '{uri}' {after}"),
                    format!("“{uri}” {after}"),
                    format!("playbin3 uri={launch_quoted} flags=0x3"),
                    format!("label=\"src\\nuri=\\\"{uri}\\\"\\nlatency=0\""),
                    format!("{before} https://p/go?next={}&x=1", percent_encode(&uri)),
                ] {
                    // Segments written percent-encoded are just as hidden.
                    let out = redact_text(&text);
                    assert_hidden(&out, &secrets, &text)?;
                }
            }

            #[test]
            fn redaction_never_panics(text in "\\PC{0,80}", odd in "[:/@?#=&%\"'\\\\ a-zA-Z0-9()\\[\\]]{0,64}") {
                let _ = redact_text(&text);
                let _ = redact_uri(&text);
                let _ = redact_text(&odd);
                let _ = redact_uri(&odd);
            }
        }
    }
}
