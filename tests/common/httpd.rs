//! A scriptable HTTP/1.0 server on 127.0.0.1 for fault tests: each request
//! gets the next planned behaviour (serve, an error status, stall or close
//! after some bytes), the body is paced like a live download, and the whole
//! server can be killed (listener and open connections) and started again on
//! the same port.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server does with one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reply {
    /// Sends the whole body.
    Serve,
    /// Answers with this status and no body.
    Status(u16),
    /// Sends this many body bytes, then nothing more (the connection stays open).
    StallAfter(usize),
    /// Sends this many body bytes, then closes the connection.
    CloseAfter(usize),
}

struct Shared {
    body: Vec<u8>,
    content_type: &'static str,
    bytes_per_second: usize,
    plan: Mutex<Vec<Reply>>,
    requests: Mutex<Vec<Instant>>,
    alive: Mutex<Arc<AtomicBool>>,
}

/// A running (or killed) server.
pub struct Httpd {
    port: u16,
    shared: Arc<Shared>,
}

impl Httpd {
    /// Starts serving `body` at any path, `bytes_per_second` at most, with
    /// `plan` for the first requests (later ones are served in full).
    pub fn start(
        body: Vec<u8>,
        content_type: &'static str,
        bytes_per_second: usize,
        plan: Vec<Reply>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            body,
            content_type,
            bytes_per_second: bytes_per_second.max(1),
            plan: Mutex::new(plan.into_iter().rev().collect()),
            requests: Mutex::new(Vec::new()),
            alive: Mutex::new(Arc::new(AtomicBool::new(true))),
        });
        let server = Self { port, shared };
        server.accept_on(listener);
        server
    }

    /// The URL of the body (the path is only for the file name).
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// When each request arrived.
    pub fn requests(&self) -> Vec<Instant> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Stops listening and cuts every open connection.
    pub fn kill(&self) {
        self.shared
            .alive
            .lock()
            .unwrap()
            .store(false, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        std::thread::sleep(Duration::from_millis(50));
    }

    /// Listens again on the same port.
    pub fn restart(&self) {
        *self.shared.alive.lock().unwrap() = Arc::new(AtomicBool::new(true));
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("could not listen on port {} again: {e}", self.port),
            }
        };
        self.accept_on(listener);
    }

    fn accept_on(&self, listener: TcpListener) {
        let shared = self.shared.clone();
        let alive = shared.alive.lock().unwrap().clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if !alive.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                let alive = alive.clone();
                std::thread::spawn(move || answer(stream, &shared, &alive));
            }
        });
    }
}

impl Drop for Httpd {
    fn drop(&mut self) {
        self.kill();
    }
}

fn answer(mut stream: TcpStream, shared: &Shared, alive: &AtomicBool) {
    let mut request = Vec::new();
    let mut buf = [0u8; 2048];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    if !alive.load(Ordering::SeqCst) {
        return;
    }
    shared.requests.lock().unwrap().push(Instant::now());
    let reply = shared.plan.lock().unwrap().pop().unwrap_or(Reply::Serve);
    if let Reply::Status(code) = reply {
        let _ = write!(
            stream,
            "HTTP/1.0 {code} Planned Failure\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let body = &shared.body;
    let _ = write!(
        stream,
        "HTTP/1.0 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        shared.content_type,
        body.len()
    );
    let limit = match reply {
        Reply::StallAfter(n) | Reply::CloseAfter(n) => n.min(body.len()),
        _ => body.len(),
    };
    // Paced in 50 ms slices, so the client never holds much more than it plays.
    let slice = (shared.bytes_per_second / 20).max(1);
    let mut sent = 0;
    while sent < limit {
        if !alive.load(Ordering::SeqCst) {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        let end = (sent + slice).min(limit);
        if stream.write_all(&body[sent..end]).is_err() {
            return;
        }
        sent = end;
        std::thread::sleep(Duration::from_millis(50));
    }
    if let Reply::StallAfter(_) = reply {
        // Hold the connection open without sending, until killed or dropped.
        while alive.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = stream.shutdown(Shutdown::Both);
    }
}
