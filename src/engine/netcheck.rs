//! Why a network source failed, when GStreamer does not say: `souphttpsrc`
//! on 1.22 reports a refused connection, an unknown host and a refused TLS
//! certificate alike as "Internal data stream error". [`refine`] looks for
//! itself (the host's name looked up, then a TCP connection tried, then
//! for HTTPS a TLS handshake, each bounded in time) and puts the cause into
//! the error's sentence. It blocks for up to a few seconds, so the player
//! runs it off the main thread.

use crate::engine::error::{display_name, ErrorKind, PlayerError};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

/// How long the host name lookup may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long the test connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// How long the TLS handshake of an HTTPS check may take.
const TLS_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether `error`, met on `uri`, is a network failure whose sentence does
/// not say what went wrong, and the URI is one a TCP check can explain.
/// `rtmp2src` does say why it could not connect, but in its own words,
/// twice ("Connection refused: Could not connect to 127.0.0.1: Connection
/// refused"): the check says it as for HTTP.
pub(crate) fn needs_diagnosis(error: &PlayerError, uri: &str) -> bool {
    const UNEXPLAINED: &str = "Internal data stream error";
    const RTMP_CONNECT: &[&str] = &["Could not connect", "Failed to connect"];
    let unexplained = error.detail.starts_with(UNEXPLAINED) || error.message.contains(UNEXPLAINED);
    let rtmp_connect = crate::engine::is_rtmp(uri)
        && RTMP_CONNECT
            .iter()
            .any(|w| error.message.contains(w) || error.detail.contains(w));
    error.kind == ErrorKind::Network
        && (unexplained || rtmp_connect)
        && host_and_port(uri).is_some()
}

/// The host and port of a TCP-based URI (http, https, rtsp, rtmp, rtmps).
fn host_and_port(uri: &str) -> Option<(String, u16)> {
    let parsed = glib::Uri::parse(uri, glib::UriFlags::NONE).ok()?;
    let default = match parsed.scheme().as_str() {
        "http" => 80,
        "https" => 443,
        "rtsp" | "rtspt" => 554,
        "rtmp" => 1935,
        "rtmps" => 443,
        _ => return None,
    };
    let host = parsed.host()?.to_string();
    let port = u16::try_from(parsed.port()).ok().filter(|&p| p > 0);
    Some((host, port.unwrap_or(default)))
}

/// What a check of `uri`'s server finds, as the middle of a sentence
/// ("nothing is listening at 127.0.0.1:8080"), or `None` when it answers.
pub(crate) fn diagnose(uri: &str) -> Option<String> {
    let (host, port) = host_and_port(uri)?;
    let (tx, rx) = mpsc::channel();
    let lookup = (host.clone(), port);
    std::thread::spawn(move || {
        let found: std::io::Result<Vec<SocketAddr>> =
            lookup.to_socket_addrs().map(|addrs| addrs.collect());
        let _ = tx.send(found);
    });
    let addresses = match rx.recv_timeout(LOOKUP_TIMEOUT) {
        Ok(Ok(addresses)) if !addresses.is_empty() => addresses,
        Ok(_) => return Some(format!("the host name “{host}” could not be found")),
        Err(_) => {
            return Some(format!(
                "looking up the host name “{host}” took too long (is the network or DNS down?)"
            ))
        }
    };
    match TcpStream::connect_timeout(&addresses[0], CONNECT_TIMEOUT) {
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Some(format!(
            "nothing is listening at {host}:{port} (connection refused)"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            Some(format!("{host}:{port} does not answer"))
        }
        Err(e) => Some(format!("{host}:{port} cannot be reached ({e})")),
    }
}

/// For an `https` URI whose server answers: what its TLS handshake finds
/// wrong with the certificate, as a whole sentence, trusting the system's
/// authorities or those in `ca_file`; `None` when it is accepted.
pub(crate) fn certificate_problem(uri: &str, ca_file: Option<&str>) -> Option<String> {
    use gio::prelude::*;
    let parsed = glib::Uri::parse(uri, glib::UriFlags::NONE).ok()?;
    if parsed.scheme() != "https" {
        return None;
    }
    let (host, port) = host_and_port(uri)?;
    let database = match ca_file {
        Some(file) => Some(
            gio::TlsFileDatabase::new(file)
                .ok()?
                .upcast::<gio::TlsDatabase>(),
        ),
        None => None,
    };
    let client = gio::SocketClient::new();
    client.set_tls(true);
    client.set_timeout(TLS_TIMEOUT.as_secs() as u32);
    let found = std::rc::Rc::new(std::cell::Cell::new(gio::TlsCertificateFlags::empty()));
    let seen = found.clone();
    client.connect_event(move |_, event, _, connection| {
        if event != gio::SocketClientEvent::TlsHandshaking {
            return;
        }
        let Some(tls) =
            connection.and_then(|c| c.downcast_ref::<gio::TlsClientConnection>().cloned())
        else {
            return;
        };
        if let Some(database) = &database {
            tls.set_database(Some(database));
        }
        let seen = seen.clone();
        tls.connect_accept_certificate(move |_, _, errors| {
            seen.set(errors);
            false
        });
    });
    let connected = client.connect_to_host(&format!("{host}:{port}"), port, gio::Cancellable::NONE);
    if connected.is_ok() {
        return None;
    }
    let flags = found.get();
    if flags.is_empty() {
        return None;
    }
    let why = if flags.contains(gio::TlsCertificateFlags::UNKNOWN_CA) {
        "it is signed by an authority this system does not trust"
    } else if flags.contains(gio::TlsCertificateFlags::BAD_IDENTITY) {
        "it is not made out to that host name"
    } else if flags.contains(gio::TlsCertificateFlags::EXPIRED) {
        "it has expired"
    } else if flags.contains(gio::TlsCertificateFlags::NOT_ACTIVATED) {
        "it is not valid yet (is the clock right?)"
    } else if flags.contains(gio::TlsCertificateFlags::REVOKED) {
        "it has been revoked"
    } else {
        "it is not acceptable"
    };
    Some(format!(
        "The certificate of “{host}” was refused: {why}; if the server uses a private authority, trust its certificate with --tls-ca-file (tls-ca-file)."
    ))
}

/// `error` with the cause found by [`diagnose`] (or, for HTTPS,
/// [`certificate_problem`]) in its sentence, when it needs one and a cause
/// is found; `ca_file` is the authorities the player trusts, if set.
pub(crate) fn refine(mut error: PlayerError, uri: &str, ca_file: Option<&str>) -> PlayerError {
    if !needs_diagnosis(&error, uri) {
        return error;
    }
    if let Some(cause) = diagnose(uri) {
        error.message = format!(
            "Could not reach “{}”: {cause}; check the address and that the server is running.",
            display_name(uri)
        );
    } else if let Some(sentence) = certificate_problem(uri, ca_file) {
        error.kind = ErrorKind::Network;
        error.message = sentence;
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_uris_give_their_host_and_port() {
        assert_eq!(
            host_and_port("http://127.0.0.1:8080/a.mp4"),
            Some(("127.0.0.1".into(), 8080))
        );
        assert_eq!(
            host_and_port("https://example.org/a"),
            Some(("example.org".into(), 443))
        );
        assert_eq!(
            host_and_port("rtsp://u:p@cam.local/s"),
            Some(("cam.local".into(), 554))
        );
        assert_eq!(host_and_port("rtmp://h/live/s"), Some(("h".into(), 1935)));
        assert_eq!(
            host_and_port("rtmps://h:8443/live/s"),
            Some(("h".into(), 8443))
        );
        assert_eq!(host_and_port("udp://239.0.0.1:5000"), None);
        assert_eq!(host_and_port("file:///a.mp4"), None);
    }

    #[test]
    fn a_closed_port_is_named() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let found = diagnose(&format!("http://127.0.0.1:{port}/x"));
        assert_eq!(
            found,
            Some(format!(
                "nothing is listening at 127.0.0.1:{port} (connection refused)"
            ))
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap().port();
        assert_eq!(diagnose(&format!("http://127.0.0.1:{open}/x")), None);
    }
}
