//! The HTTP test server on 127.0.0.1, with a fault plan. It serves either
//! a folder (generated HLS/DASH trees, clips, the corpus's adaptive trees)
//! or the same bytes at every path, and misbehaves as the test says:
//!
//! ```ignore
//! // A folder over HTTP/1.1 with ranges, one path stalling after 2000 bytes:
//! let server = HttpServer::files(&dir).on_path("segment00001.ts", Fault::StallAfter(2000)).start();
//! // One body over HTTP/1.0, paced, answering 404 then 500, then serving:
//! let server = HttpServer::bytes(data, "video/mp2t").rate(100_000)
//!     .plan([Fault::Status(404), Fault::Status(500)]).start();
//! ```
//!
//! A third kind serves an endless body made per request
//! ([`HttpServer::stream`]: a reader, such as a live FLV muxer's output),
//! chunked over HTTP/1.1 or until the connection closes over HTTP/1.0,
//! the way HTTP-FLV and HTTP-TS live streams are served.
//!
//! Faults ([`Fault`]): an error status, stall or close after N body bytes,
//! never answer; per request in turn ([`Builder::plan`], then
//! [`Builder::otherwise`]) or for every request of a path
//! ([`Builder::on_path`]). Rules: redirects (also in a loop, and while
//! running: [`HttpServer::redirect`]), refused path prefixes (404), Basic
//! credentials (401). Transport: pacing ([`Builder::rate`]), ranges on or
//! off, keep-alive, HTTP/1.0, what `Content-Length` says. The server can be
//! killed (listener and open connections cut; also on drop) and started
//! again on the same port. Every request's arrival and every answer (path,
//! `Range`, status, bytes sent) is logged for the tests to check.

mod wire;

pub use wire::{basic_authorization, http_date};

use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wire::{normalise, Request};

/// How one request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answered as asked.
    Serve,
    /// This status with a one-line text body.
    Status(u16),
    /// This many body bytes, then nothing more: the connection stays open
    /// until the client closes it or the server is killed.
    StallAfter(usize),
    /// This many body bytes, then the connection is closed.
    CloseAfter(usize),
    /// The request is read and never answered (the connection stays open).
    Silent,
}

/// What the `Content-Length` header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// The body's (or range's) true length.
    Exact,
    /// No header: the body ends when the connection closes.
    Omitted,
    /// This many bytes, whatever is sent: after the body the connection
    /// stays open, as if the rest were late.
    Claimed(u64),
}

/// One answered request.
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

/// Makes the body of one streamed answer.
pub type BodyMaker = Arc<dyn Fn() -> Box<dyn Read + Send> + Send + Sync>;

enum Content {
    Files(PathBuf),
    Bytes {
        body: Vec<u8>,
        content_type: String,
    },
    Stream {
        make: BodyMaker,
        content_type: String,
    },
}

struct Rules {
    plan: VecDeque<Fault>,
    otherwise: Fault,
    on_path: HashMap<String, Fault>,
    redirects: HashMap<String, String>,
    refused: Vec<String>,
    credentials: Option<(String, String)>,
}

/// What a server is to do; [`Builder::start`] starts it.
pub struct Builder {
    content: Content,
    http10: bool,
    keep_alive: bool,
    ranges: bool,
    length: Length,
    rate: Option<usize>,
    rules: Rules,
}

struct Shared {
    content: Content,
    http10: bool,
    keep_alive: bool,
    ranges: bool,
    length: Length,
    rate: Option<usize>,
    port: u16,
    rules: Mutex<Rules>,
    arrivals: Mutex<Vec<Instant>>,
    log: Mutex<Vec<Logged>>,
    /// The current listener's flag (a new one on each restart).
    alive: Mutex<Arc<AtomicBool>>,
    /// Open connections by id, so a kill can cut them.
    open: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

/// A running (or killed) server; dropped, it is killed.
pub struct HttpServer {
    shared: Arc<Shared>,
}

impl HttpServer {
    /// Serves the files under `root` over HTTP/1.1 with keep-alive and
    /// `Range` requests, unpaced; paths outside it or missing answer 404.
    pub fn files(root: &Path) -> Builder {
        Builder::new(Content::Files(root.to_path_buf()), false, true, true)
    }

    /// Serves `body` at every path over HTTP/1.0, one request per
    /// connection, without ranges (a `Range` header is ignored), unpaced.
    pub fn bytes(body: Vec<u8>, content_type: &str) -> Builder {
        let content = Content::Bytes {
            body,
            content_type: content_type.to_string(),
        };
        Builder::new(content, true, false, false)
    }

    /// Serves at every path a body `make` gives anew for each request,
    /// read until it ends: over HTTP/1.1 in chunks (no `Content-Length`),
    /// one request per connection, no ranges; with [`Builder::http10`],
    /// unframed until the connection closes. Faults other than statuses
    /// and silence do not apply.
    pub fn stream(
        make: impl Fn() -> Box<dyn Read + Send> + Send + Sync + 'static,
        content_type: &str,
    ) -> Builder {
        let content = Content::Stream {
            make: Arc::new(make),
            content_type: content_type.to_string(),
        };
        Builder::new(content, false, false, false)
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.shared.port, normalise(path))
    }

    /// The same with `user:password@` in it.
    pub fn url_with_credentials(&self, user: &str, password: &str, path: &str) -> String {
        format!(
            "http://{user}:{password}@127.0.0.1:{}{}",
            self.shared.port,
            normalise(path)
        )
    }

    /// From now on `from` answers 302 to `to` (a path here or a full URL).
    pub fn redirect(&self, from: &str, to: &str) {
        let mut rules = self.shared.rules.lock().unwrap();
        rules.redirects.insert(normalise(from), to.to_string());
    }

    /// When each request arrived (answered or not).
    pub fn requests(&self) -> Vec<Instant> {
        self.shared.arrivals.lock().unwrap().clone()
    }

    /// Every answer so far.
    pub fn log(&self) -> Vec<Logged> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Stops listening and cuts every open connection.
    pub fn kill(&self) {
        self.shared
            .alive
            .lock()
            .unwrap()
            .store(false, Ordering::SeqCst);
        for (_, stream) in self.shared.open.lock().unwrap().drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        // Wake the accept loop so it sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.shared.port));
        std::thread::sleep(Duration::from_millis(50));
    }

    /// Listens again on the same port.
    pub fn restart(&self) {
        *self.shared.alive.lock().unwrap() = Arc::new(AtomicBool::new(true));
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.shared.port)) {
                Ok(l) => break l,
                Err(_) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("could not listen on port {} again: {e}", self.shared.port),
            }
        };
        accept_on(&self.shared, listener);
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Builder {
    fn new(content: Content, http10: bool, keep_alive: bool, ranges: bool) -> Self {
        Self {
            content,
            http10,
            keep_alive,
            ranges,
            length: Length::Exact,
            rate: None,
            rules: Rules {
                plan: VecDeque::new(),
                otherwise: Fault::Serve,
                on_path: HashMap::new(),
                redirects: HashMap::new(),
                refused: Vec::new(),
                credentials: None,
            },
        }
    }

    /// Bodies go out at most this fast (in 50 ms slices, like a live
    /// download).
    pub fn rate(mut self, bytes_per_second: usize) -> Self {
        self.rate = Some(bytes_per_second.max(1));
        self
    }

    /// Honour `Range` requests (206, 416) and say `Accept-Ranges: bytes`.
    pub fn ranges(mut self, on: bool) -> Self {
        self.ranges = on;
        self
    }

    /// Answer further requests on the same connection.
    pub fn keep_alive(mut self, on: bool) -> Self {
        self.keep_alive = on;
        self
    }

    /// Speak HTTP/1.0 (else HTTP/1.1).
    pub fn http10(mut self, on: bool) -> Self {
        self.http10 = on;
        self
    }

    /// What `Content-Length` says.
    pub fn content_length(mut self, length: Length) -> Self {
        self.length = length;
        self
    }

    /// The faults of the next requests, one each in turn.
    pub fn plan(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.rules.plan.extend(faults);
        self
    }

    /// The fault of every request after the plan (`Fault::Serve` unless set).
    pub fn otherwise(mut self, fault: Fault) -> Self {
        self.rules.otherwise = fault;
        self
    }

    /// The fault of every request for `path` (before the plan).
    pub fn on_path(mut self, path: &str, fault: Fault) -> Self {
        self.rules.on_path.insert(normalise(path), fault);
        self
    }

    /// `from` answers 302 to `to` (a path here or a full URL).
    pub fn redirect(mut self, from: &str, to: &str) -> Self {
        self.rules.redirects.insert(normalise(from), to.to_string());
        self
    }

    /// Paths starting with `prefix` answer 404.
    pub fn refuse(mut self, prefix: &str) -> Self {
        self.rules.refused.push(normalise(prefix));
        self
    }

    /// Every request needs these Basic credentials (else 401).
    pub fn credentials(mut self, user: &str, password: &str) -> Self {
        self.rules.credentials = Some((user.into(), password.into()));
        self
    }

    /// Listens on a free port and answers from now on.
    pub fn start(self) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port is free");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            content: self.content,
            http10: self.http10,
            keep_alive: self.keep_alive,
            ranges: self.ranges,
            length: self.length,
            rate: self.rate,
            port,
            rules: Mutex::new(self.rules),
            arrivals: Mutex::default(),
            log: Mutex::default(),
            alive: Mutex::new(Arc::new(AtomicBool::new(true))),
            open: Mutex::default(),
            next_id: AtomicU64::new(0),
        });
        accept_on(&shared, listener);
        HttpServer { shared }
    }
}

fn accept_on(shared: &Arc<Shared>, listener: TcpListener) {
    let shared = shared.clone();
    let alive = shared.alive.lock().unwrap().clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if !alive.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
            if let Ok(clone) = stream.try_clone() {
                shared.open.lock().unwrap().insert(id, clone);
            }
            let shared = shared.clone();
            let alive = alive.clone();
            std::thread::spawn(move || {
                serve_connection(&stream, &shared, &alive);
                let _ = stream.shutdown(Shutdown::Both);
                shared.open.lock().unwrap().remove(&id);
            });
        }
    });
}

/// Answers requests on one connection until it is to close.
fn serve_connection(stream: &TcpStream, shared: &Shared, alive: &AtomicBool) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    while let Some(request) = Request::read(&mut reader) {
        if !alive.load(Ordering::SeqCst) {
            return;
        }
        shared.arrivals.lock().unwrap().push(Instant::now());
        let open = answer(&mut stream, shared, alive, &request);
        if !open || !shared.keep_alive || request.wants_close() {
            return;
        }
    }
}

/// What the rules make of a request before any body is sent.
enum Decision {
    Simple(u16, String),
    Silent,
    Serve(Fault),
}

fn decide(shared: &Shared, request: &Request) -> Decision {
    let mut rules = shared.rules.lock().unwrap();
    let path = request.path.as_str();
    if let Some((user, password)) = &rules.credentials {
        if request.headers.get("authorization") != Some(&basic_authorization(user, password)) {
            let challenge = "WWW-Authenticate: Basic realm=\"framescope tests\"\r\n";
            return Decision::Simple(401, challenge.into());
        }
    }
    if let Some(to) = rules.redirects.get(path) {
        let to = if to.contains("://") {
            to.clone()
        } else {
            format!("http://127.0.0.1:{}{}", shared.port, normalise(to))
        };
        return Decision::Simple(302, format!("Location: {to}\r\n"));
    }
    if rules.refused.iter().any(|p| path.starts_with(p.as_str())) {
        return Decision::Simple(404, String::new());
    }
    let fault = match rules.on_path.get(path) {
        Some(fault) => *fault,
        None => {
            let otherwise = rules.otherwise;
            rules.plan.pop_front().unwrap_or(otherwise)
        }
    };
    match fault {
        Fault::Status(code) => Decision::Simple(code, String::new()),
        Fault::Silent => Decision::Silent,
        fault => Decision::Serve(fault),
    }
}

/// Answers one request; returns whether the connection may carry another.
fn answer(stream: &mut &TcpStream, shared: &Shared, alive: &AtomicBool, request: &Request) -> bool {
    let range = request.headers.get("range").cloned();
    let log = |status: u16, sent: u64| {
        shared.log.lock().unwrap().push(Logged {
            path: request.path.clone(),
            range: range.clone(),
            status,
            sent,
        })
    };
    let version = if shared.http10 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    };
    let connection = if shared.keep_alive {
        ""
    } else {
        "Connection: close\r\n"
    };
    let date = http_date(std::time::SystemTime::now());
    let simple = |stream: &mut &TcpStream, status: u16, extra: &str| {
        let reason = wire::reason(status);
        let body = format!("{status} {reason}\n");
        let _ = write!(
            stream,
            "{version} {status} {reason}\r\nDate: {date}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{extra}{connection}\r\n{body}",
            body.len()
        );
        log(status, 0);
        true
    };
    let fault = match decide(shared, request) {
        Decision::Simple(status, extra) => return simple(stream, status, &extra),
        Decision::Silent => {
            hold(stream);
            return false;
        }
        Decision::Serve(fault) => fault,
    };
    let (body, content_type): (std::borrow::Cow<[u8]>, String) = match &shared.content {
        Content::Stream { make, content_type } => {
            return stream_body(stream, shared, alive, request, make(), content_type);
        }
        Content::Bytes { body, content_type } => (body.as_slice().into(), content_type.clone()),
        Content::Files(root) => {
            let file = root.join(request.path.trim_start_matches('/'));
            let inside = file
                .canonicalize()
                .ok()
                .zip(root.canonicalize().ok())
                .is_some_and(|(f, r)| f.starts_with(r));
            if !inside || !file.is_file() {
                return simple(stream, 404, "");
            }
            match std::fs::read(&file) {
                Ok(body) => (body.into(), wire::content_type(&file).to_string()),
                Err(_) => return simple(stream, 500, ""),
            }
        }
    };
    let len = body.len() as u64;
    let (status, start, end) = match range.as_deref().filter(|_| shared.ranges) {
        Some(r) => match wire::parse_range(r, len) {
            Some((a, b)) => (206, a, b),
            None => {
                return simple(stream, 416, &format!("Content-Range: bytes */{len}\r\n"));
            }
        },
        None => (200, 0, len.saturating_sub(1)),
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    let mut head = format!(
        "{version} {status} {}\r\nDate: {date}\r\nContent-Type: {content_type}\r\n",
        wire::reason(status)
    );
    let declared = match shared.length {
        Length::Exact => Some(count),
        Length::Omitted => None,
        Length::Claimed(n) => Some(n),
    };
    if let Some(n) = declared {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    }
    if shared.ranges {
        head.push_str("Accept-Ranges: bytes\r\n");
    }
    if status == 206 {
        head.push_str(&format!("Content-Range: bytes {start}-{end}/{len}\r\n"));
    }
    head.push_str(connection);
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return false;
    }
    if request.method == "HEAD" || count == 0 {
        log(status, 0);
        return declared.is_some();
    }
    let part = &body[start as usize..=end as usize];
    let limit = match fault {
        Fault::StallAfter(n) | Fault::CloseAfter(n) => n.min(part.len()),
        _ => part.len(),
    };
    let chunk = shared.rate.map_or(64 * 1024, |bps| (bps / 20).max(1));
    let mut sent = 0usize;
    while sent < limit {
        if !alive.load(Ordering::SeqCst) {
            log(status, sent as u64);
            return false;
        }
        let n = chunk.min(limit - sent);
        if stream.write_all(&part[sent..sent + n]).is_err() {
            log(status, sent as u64);
            return false;
        }
        sent += n;
        if shared.rate.is_some() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    log(status, sent as u64);
    let short = declared.is_some_and(|n| (sent as u64) < n);
    if matches!(fault, Fault::StallAfter(_)) || (short && !matches!(fault, Fault::CloseAfter(_))) {
        hold(stream);
        return false;
    }
    // A body without a length ends with the connection.
    !short && declared.is_some()
}

/// Sends a streamed body as it is read, until it ends, the client goes or
/// the server is killed; logs it. The connection then closes.
fn stream_body(
    stream: &mut &TcpStream,
    shared: &Shared,
    alive: &AtomicBool,
    request: &Request,
    mut body: Box<dyn Read + Send>,
    content_type: &str,
) -> bool {
    let version = if shared.http10 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    };
    let chunked = !shared.http10;
    let framing = if chunked {
        "Transfer-Encoding: chunked\r\n"
    } else {
        ""
    };
    let head = format!(
        "{version} 200 OK\r\nDate: {}\r\nContent-Type: {content_type}\r\nCache-Control: no-cache\r\n{framing}Connection: close\r\n\r\n",
        http_date(std::time::SystemTime::now())
    );
    let mut sent = 0u64;
    let log = |sent: u64| {
        shared.log.lock().unwrap().push(Logged {
            path: request.path.clone(),
            range: request.headers.get("range").cloned(),
            status: 200,
            sent,
        })
    };
    if stream.write_all(head.as_bytes()).is_err() || request.method == "HEAD" {
        log(0);
        return false;
    }
    let mut buffer = vec![0u8; 64 * 1024];
    while alive.load(Ordering::SeqCst) {
        let n = match body.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let written = if chunked {
            write!(stream, "{n:x}\r\n")
                .and_then(|()| stream.write_all(&buffer[..n]))
                .and_then(|()| stream.write_all(b"\r\n"))
        } else {
            stream.write_all(&buffer[..n])
        };
        if written.is_err() {
            log(sent);
            return false;
        }
        sent += n as u64;
    }
    if chunked {
        let _ = stream.write_all(b"0\r\n\r\n");
    }
    log(sent);
    false
}

/// Keeps a connection open without sending, until the client closes it or
/// the server is killed (which shuts the socket down).
fn hold(stream: &mut &TcpStream) {
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

/// A TCP port on 127.0.0.1 where nothing listens (bound, then let go): the
/// address of a server that is not there, or one for a child server to
/// listen on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port is free");
    listener.local_addr().unwrap().port()
}
