//! An HTTP/1.1 file server on 127.0.0.1 for the network tests: it serves a
//! folder (generated HLS/DASH trees, clips, the corpus's adaptive trees)
//! with `Range` requests honoured, and can be told to redirect a path, to
//! redirect in a loop, to ask for Basic credentials, to refuse paths with
//! 404, to pace its answers, or to stop answering at all. Every request is
//! logged (path, `Range` header, bytes sent) for the tests to check.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The path asked for (no query).
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The status answered.
    pub status: u16,
    /// Body bytes sent.
    pub sent: u64,
}

#[derive(Default)]
struct Rules {
    redirects: HashMap<String, String>,
    refused: Vec<String>,
    credentials: Option<(String, String)>,
    bytes_per_second: Option<usize>,
    /// Paths after which the server stalls (sends nothing more).
    stall_after: HashMap<String, usize>,
}

struct Shared {
    root: PathBuf,
    rules: Mutex<Rules>,
    log: Mutex<Vec<Logged>>,
    alive: AtomicBool,
}

/// A running file server; dropped, it stops.
pub struct FileServer {
    port: u16,
    shared: Arc<Shared>,
}

impl FileServer {
    /// Serves the files under `root`.
    pub fn start(root: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port is free");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            root: root.to_path_buf(),
            rules: Mutex::default(),
            log: Mutex::default(),
            alive: AtomicBool::new(true),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if !s.alive.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve_connection(stream, &s));
            }
        });
        Self { port, shared }
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// The same with `user:password@` in it.
    pub fn url_with_credentials(&self, user: &str, password: &str, path: &str) -> String {
        format!(
            "http://{user}:{password}@127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// `from` answers 302 to `to` (a path or a full URL).
    pub fn redirect(&self, from: &str, to: &str) {
        let to = if to.contains("://") {
            to.to_string()
        } else {
            self.url(to)
        };
        self.shared
            .rules
            .lock()
            .unwrap()
            .redirects
            .insert(normalise(from), to);
    }

    /// Paths starting with `prefix` answer 404.
    pub fn refuse(&self, prefix: &str) {
        self.shared
            .rules
            .lock()
            .unwrap()
            .refused
            .push(normalise(prefix));
    }

    /// Every request needs these Basic credentials (else 401).
    pub fn require_credentials(&self, user: &str, password: &str) {
        self.shared.rules.lock().unwrap().credentials = Some((user.into(), password.into()));
    }

    /// Answers go out at most this fast.
    pub fn pace(&self, bytes_per_second: usize) {
        self.shared.rules.lock().unwrap().bytes_per_second = Some(bytes_per_second.max(1));
    }

    /// Requests for `path` get `bytes` of the body, then nothing more (the
    /// connection stays open).
    pub fn stall(&self, path: &str, bytes: usize) {
        self.shared
            .rules
            .lock()
            .unwrap()
            .stall_after
            .insert(normalise(path), bytes);
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Stops answering new connections (open ones end after their answer).
    pub fn stop(&self) {
        self.shared.alive.store(false, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn normalise(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Basic credentials as the `Authorization` header carries them.
pub fn basic_authorization(user: &str, password: &str) -> String {
    const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "m3u8" => "application/vnd.apple.mpegurl",
        "mpd" => "application/dash+xml",
        "ts" => "video/mp2t",
        "mp4" | "m4v" | "m4s" | "cmfv" => "video/mp4",
        "m4a" | "cmfa" => "audio/mp4",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "aac" => "audio/aac",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}

/// Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` for a body of `len` bytes.
fn parse_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?.split(',').next()?;
    let (start, end) = spec.split_once('-')?;
    if start.is_empty() {
        let n: u64 = end.parse().ok()?;
        return (n > 0 && len > 0).then(|| (len.saturating_sub(n), len - 1));
    }
    let start: u64 = start.parse().ok()?;
    let end = if end.is_empty() {
        len.checked_sub(1)?
    } else {
        end.parse::<u64>().ok()?.min(len.checked_sub(1)?)
    };
    (start <= end).then_some((start, end))
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut stream = stream;
    // Keep-alive: answer requests until the client closes.
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let path = target.split('?').next().unwrap_or("/").to_string();
        let keep_alive = headers
            .get("connection")
            .is_none_or(|c| !c.eq_ignore_ascii_case("close"));
        if !shared.alive.load(Ordering::SeqCst) {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        let closed = answer(&mut stream, shared, &method, &path, &headers);
        if closed || !keep_alive {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Answers one request; returns true when the connection must close.
fn answer(
    stream: &mut TcpStream,
    shared: &Shared,
    method: &str,
    path: &str,
    headers: &HashMap<String, String>,
) -> bool {
    let range = headers.get("range").cloned();
    let log = |status: u16, sent: u64| {
        shared.log.lock().unwrap().push(Logged {
            path: path.to_string(),
            range: range.clone(),
            status,
            sent,
        })
    };
    let (redirect, refused, credentials, pace, stall) = {
        let rules = shared.rules.lock().unwrap();
        (
            rules.redirects.get(path).cloned(),
            rules.refused.iter().any(|p| path.starts_with(p.as_str())),
            rules.credentials.clone(),
            rules.bytes_per_second,
            rules.stall_after.get(path).copied(),
        )
    };
    let simple = |stream: &mut TcpStream, status: u16, reason: &str, extra: &str| {
        let body = format!("{status} {reason}\n");
        let _ = write!(
            stream,
            "HTTP/1.1 {status} {reason}\r\nDate: {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{extra}\r\n{body}",
            http_date(std::time::SystemTime::now()),
            body.len()
        );
        log(status, 0);
    };
    if let Some((user, password)) = credentials {
        if headers.get("authorization") != Some(&basic_authorization(&user, &password)) {
            simple(
                stream,
                401,
                "Unauthorized",
                "WWW-Authenticate: Basic realm=\"framescope tests\"\r\n",
            );
            return false;
        }
    }
    if let Some(to) = redirect {
        simple(stream, 302, "Found", &format!("Location: {to}\r\n"));
        return false;
    }
    let file = shared.root.join(path.trim_start_matches('/'));
    let inside = file
        .canonicalize()
        .ok()
        .zip(shared.root.canonicalize().ok())
        .is_some_and(|(f, r)| f.starts_with(r));
    if refused || !inside || !file.is_file() {
        simple(stream, 404, "Not Found", "");
        return false;
    }
    let Ok(body) = std::fs::read(&file) else {
        simple(stream, 500, "Internal Server Error", "");
        return false;
    };
    let len = body.len() as u64;
    let (status, start, end) = match range.as_deref() {
        Some(r) => match parse_range(r, len) {
            Some((a, b)) => (206, a, b),
            None => {
                simple(
                    stream,
                    416,
                    "Range Not Satisfiable",
                    &format!("Content-Range: bytes */{len}\r\n"),
                );
                return false;
            }
        },
        None => (200, 0, len.saturating_sub(1)),
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nDate: {}\r\nContent-Type: {}\r\nContent-Length: {count}\r\nAccept-Ranges: bytes\r\n",
        if status == 206 { "Partial Content" } else { "OK" },
        http_date(std::time::SystemTime::now()),
        content_type(&file)
    );
    if status == 206 {
        head.push_str(&format!("Content-Range: bytes {start}-{end}/{len}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return true;
    }
    if method == "HEAD" || count == 0 {
        log(status, 0);
        return false;
    }
    let part = &body[start as usize..=end as usize];
    let limit = stall.unwrap_or(usize::MAX).min(part.len());
    let chunk = pace.map_or(64 * 1024, |bps| (bps / 20).max(1));
    let mut sent = 0usize;
    while sent < limit {
        let n = chunk.min(limit - sent);
        if stream.write_all(&part[sent..sent + n]).is_err() {
            log(status, sent as u64);
            return true;
        }
        sent += n;
        if pace.is_some() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    log(status, sent as u64);
    if sent < part.len() {
        // Stalled: hold the connection open without sending more.
        let mut sink = [0u8; 1];
        let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
        let _ = stream.read(&mut sink);
        return true;
    }
    false
}

/// `time` as an HTTP date ("Wed, 02 Dec 2026 07:31:23 GMT"): every answer
/// carries one, as HTTP/1.1 asks (DASH players set their clock by it).
pub fn http_date(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {name} {year} {:02}:{:02}:{:02} GMT",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
