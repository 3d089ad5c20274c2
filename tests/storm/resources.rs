//! Resource sampling in the storm's child: threads, open descriptors (by
//! kind, sockets by protocol and far end) and memory of this process.

/// Threads, open file descriptors and resident memory of this process.
#[derive(Clone, Debug)]
pub struct Resources {
    pub threads: usize,
    pub fds: usize,
    pub rss_mb: f64,
    /// Bytes the C allocator has handed out and not got back (every
    /// arena, mmapped blocks included): what the process really holds,
    /// as against resident pages kept by the allocator's fragmentation.
    pub heap_mb: f64,
    /// Open descriptors by kind (socket, pipe, eventfd, a path, …).
    pub fd_kinds: String,
}

pub fn resources() -> Resources {
    log_live_gst_objects();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let value = |key: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0)
    };
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let heap = unsafe { libc::mallinfo2() };
    Resources {
        threads: value("Threads:") as usize,
        fds: std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count()),
        rss_mb: value("VmRSS:") / 1024.0,
        heap_mb: (heap.uordblks + heap.hblkhd) as f64 / (1024.0 * 1024.0),
        fd_kinds: fd_kinds(),
    }
}

/// Has GStreamer's leaks tracer, if the run has it, log the objects alive
/// now (`object-alive` lines on `GST_TRACER:7`, e.g. with
/// `GST_DEBUG=GST_TRACER:7 GST_DEBUG_FILE=…`; one block per sample). Only
/// logged, never handed back: taking references to objects that may be
/// finalising on other threads crashes GStreamer 1.22's tracer.
fn log_live_gst_objects() {
    use glib::prelude::*;
    use glib::translate::FromGlibPtrContainer;
    // SAFETY: returns a new list of new references to the active tracers.
    let tracers: Vec<gst::Tracer> =
        unsafe { FromGlibPtrContainer::from_glib_full(gst::ffi::gst_tracing_get_active_tracers()) };
    if let Some(leaks) = tracers
        .into_iter()
        .find(|t| t.type_().name() == "GstLeaksTracer")
    {
        leaks.emit_by_name::<()>("log-live-objects", &[]);
    }
}

/// Every socket of this network namespace by inode: its protocol and, for
/// TCP and UDP, the far end's address (hex, as /proc/net gives it). Read
/// once per sample: a backlog of pipelines can hold hundreds of sockets.
fn socket_table() -> std::collections::HashMap<String, String> {
    let mut table = std::collections::HashMap::new();
    for proto in ["tcp", "tcp6", "udp", "udp6", "unix", "netlink"] {
        let text = std::fs::read_to_string(format!("/proc/self/net/{proto}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // The inode is column 10 for tcp, udp and netlink, 7 for unix.
            let inode = match proto {
                "unix" => fields.get(6),
                _ => fields.get(9),
            };
            let kind = match proto {
                "unix" | "netlink" => format!("socket {proto}"),
                _ => format!("socket {proto} to {}", fields.get(2).unwrap_or(&"?")),
            };
            if let Some(inode) = inode {
                table.insert(inode.to_string(), kind);
            }
        }
    }
    table
}

/// This process's open descriptors counted by kind, the most common first.
fn fd_kinds() -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut sockets = None;
    for fd in std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
    {
        let target = std::fs::read_link(fd.path()).unwrap_or_default();
        let target = target.to_string_lossy();
        // socket:[123], pipe:[456]: count by kind, not by inode; a socket
        // by its protocol and far end.
        let mut kind = target.split(":[").next().unwrap_or_default().to_string();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
        {
            kind = sockets
                .get_or_insert_with(socket_table)
                .get(inode)
                .cloned()
                .unwrap_or_else(|| "socket".to_string());
        }
        *counts.entry(kind).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// This process's threads counted by name, the most common first.
pub fn thread_names() -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        // Numbered names (multiqueue12:src) count together.
        let name: String = name
            .trim()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        *counts.entry(name).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .take(8)
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
