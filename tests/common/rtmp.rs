//! nginx with its RTMP module (Debian's `nginx` + `libnginx-mod-rtmp`) as
//! the RTMP server of the tests and of `bench/network.sh`: started in the
//! foreground on a free port of 127.0.0.1 with a configuration, pid file and
//! error log of its own in a temporary folder, one `live` application
//! (publish and play `rtmp://127.0.0.1:PORT/live/NAME`), killed when
//! dropped. Self-contained (the benchmark includes this file by path).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian 12's libnginx-mod-rtmp installs the module.
pub const RTMP_MODULE: &str = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

/// A running nginx serving RTMP; killed when dropped.
pub struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Nginx {
    /// The nginx binary, when nginx and its RTMP module are installed;
    /// else a sentence saying what is missing and how to install it.
    pub fn installed() -> Result<PathBuf, String> {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or("nginx is not installed; run `scripts/setup.sh deps` (Debian packages nginx-light and libnginx-mod-rtmp)")?;
        if !Path::new(RTMP_MODULE).exists() {
            return Err(format!(
                "nginx's RTMP module ({RTMP_MODULE}) is not installed; run `scripts/setup.sh deps` (Debian package libnginx-mod-rtmp)"
            ));
        }
        Ok(binary)
    }

    /// Starts nginx and waits until it listens (10 s at most). `Err` is a
    /// sentence saying what is missing or what went wrong.
    pub fn start() -> Result<Nginx, String> {
        let binary = Self::installed()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free local port: {e}"))?
            .port();
        let dir = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
        let conf = dir.path().join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "load_module {RTMP_MODULE};\n\
                 daemon off;\nmaster_process off;\nworker_processes 1;\n\
                 pid {dir}/nginx.pid;\nerror_log {dir}/error.log;\n\
                 events {{ worker_connections 64; }}\n\
                 rtmp {{ server {{ listen 127.0.0.1:{port}; chunk_size 4096;\n\
                   application live {{ live on; record off; wait_key on; }} }} }}\n",
                dir = dir.path().display()
            ),
        )
        .map_err(|e| format!("could not write {}: {e}", conf.display()))?;
        let child = Command::new(&binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let mut nginx = Nginx { child, dir, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10)
                || matches!(nginx.child.try_wait(), Ok(Some(_)))
            {
                return Err(format!(
                    "nginx did not listen on 127.0.0.1:{port}: {}",
                    nginx.error_log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(nginx)
    }

    /// `rtmp://127.0.0.1:PORT/live/STREAM`.
    pub fn url(&self, stream: &str) -> String {
        format!("rtmp://127.0.0.1:{}/live/{stream}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// nginx's error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `url` (on 127.0.0.1) has a publisher whose stream a player
/// can join: a short probe with `rtmp2src` must get FLV bytes (10 s at most).
pub fn wait_until_published(url: &str) -> bool {
    use gst::prelude::*;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let Ok(probe) =
            gst::parse::launch(&format!("rtmp2src location={url} num-buffers=3 ! fakesink"))
        else {
            return false;
        };
        let _ = probe.set_state(gst::State::Playing);
        let done = probe.bus().and_then(|bus| {
            bus.timed_pop_filtered(
                gst::ClockTime::from_seconds(3),
                &[gst::MessageType::Eos, gst::MessageType::Error],
            )
        });
        let _ = probe.set_state(gst::State::Null);
        if matches!(done.map(|m| m.type_()), Some(gst::MessageType::Eos)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}
