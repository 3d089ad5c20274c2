//! The harness of the test binaries that run without libtest
//! (`harness = false` in Cargo.toml): GTK must run on the main thread, so
//! `widget`, `inspector`, `lifecycle`, `embedding`, `queue_panel`,
//! `robustness` and `storm` run their tests one after another themselves.
//!
//! A test is a function returning [`TestResult`]; [`check!`] fails it with
//! a sentence. [`Harness`] runs the tests the command line selects (words
//! not starting with `-` are name filters, as with libtest; `--exact`
//! matches whole names, `--skip WORD` leaves tests out, `--list` only
//! prints the names), prints `test NAME ... ok` or `... FAILED: why` for
//! each, a panic counting as a failure, then a summary, and exits non-zero
//! when any failed. [`gui_main`] is the whole `main` of a GTK test binary.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

/// What a harness-less test returns: `Err` says why it failed.
pub type TestResult = Result<(), String>;

/// A test of a harness-less binary: its name and its body.
pub type NamedTest = (&'static str, fn() -> TestResult);

/// Fails the enclosing test (returns `Err` with the formatted sentence)
/// unless the condition holds.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {{
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($msg)+));
        }
    }};
}
pub(crate) use check;

/// Which tests the command line asks for.
#[derive(Debug, Default)]
struct Selection {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
}

impl Selection {
    /// Reads libtest's options from the arguments (`cargo test --test X --
    /// ARGS`); options this harness has no use for (`--nocapture`,
    /// `--test-threads=1`, …) are accepted and ignored.
    fn from_args(args: impl IntoIterator<Item = String>) -> Self {
        let mut selection = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--exact" => selection.exact = true,
                "--list" => selection.list = true,
                "--skip" => selection.skip.extend(args.next()),
                a if a.starts_with('-') => {}
                a => selection.filters.push(a.to_string()),
            }
        }
        selection
    }

    fn wants(&self, name: &str) -> bool {
        let matches = |f: &String| {
            if self.exact {
                name == f
            } else {
                name.contains(f.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skip.iter().any(|s| name.contains(s.as_str()))
    }
}

/// How a run went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub filtered_out: usize,
}

impl Summary {
    /// Ends the process: 0 when nothing failed, else 1.
    pub fn exit(self) -> ! {
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        std::process::exit(if self.failed == 0 { 0 } else { 1 });
    }
}

type Body = Box<dyn FnOnce() -> TestResult>;

/// The tests of one binary, run in the order they were added.
pub struct Harness {
    label: String,
    tests: Vec<(String, Body)>,
}

impl Harness {
    /// An empty harness; `label` names the binary in the summary.
    pub fn new(label: &str) -> Self {
        Self {
            label: label.to_string(),
            tests: Vec::new(),
        }
    }

    /// Adds a test.
    pub fn test(
        mut self,
        name: impl Into<String>,
        body: impl FnOnce() -> TestResult + 'static,
    ) -> Self {
        self.tests.push((name.into(), Box::new(body)));
        self
    }

    /// Adds named test functions.
    pub fn tests(self, tests: &[NamedTest]) -> Self {
        tests
            .iter()
            .fold(self, |harness, &(name, body)| harness.test(name, body))
    }

    /// Runs the tests the command line selects, printing each outcome and
    /// a summary.
    pub fn run(self) -> Summary {
        self.run_with(Selection::from_args(std::env::args().skip(1)))
    }

    fn run_with(self, selection: Selection) -> Summary {
        let mut summary = Summary::default();
        if selection.list {
            for (name, _) in &self.tests {
                println!("{name}: test");
            }
            return summary;
        }
        let started = Instant::now();
        let mut failures = Vec::new();
        for (name, body) in self.tests {
            if !selection.wants(&name) {
                summary.filtered_out += 1;
                continue;
            }
            let start = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "a panic".to_string());
                Err(format!("panicked: {what}"))
            });
            match result {
                Ok(()) => {
                    summary.passed += 1;
                    println!("test {name} ... ok ({:.1}s)", start.elapsed().as_secs_f64());
                }
                Err(e) => {
                    summary.failed += 1;
                    println!("test {name} ... FAILED: {e}");
                    failures.push(name);
                }
            }
        }
        if !failures.is_empty() {
            println!("failures:");
            for name in &failures {
                println!("    {name}");
            }
        }
        println!(
            "{} test result: {}. {} passed; {} failed; {} filtered out; finished in {:.1}s",
            self.label,
            if summary.failed == 0 { "ok" } else { "FAILED" },
            summary.passed,
            summary.failed,
            summary.filtered_out,
            started.elapsed().as_secs_f64()
        );
        summary
    }
}

/// Runs named tests (see [`Harness`]) and exits with the result.
pub fn run_tests(label: &str, tests: &[NamedTest]) -> ! {
    Harness::new(label).tests(tests).run().exit()
}

/// The `main` of a GTK test binary: logs as `RUST_LOG` says, opens the test
/// display (a private Xvfb when `DISPLAY` is unset), initialises GTK and
/// Framescope on this (the main) thread, runs the tests and exits.
pub fn gui_main(label: &str, tests: &[NamedTest]) -> ! {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
    let display = super::display::ensure_display();
    // SAFETY: set before GTK or any other thread reads the environment.
    unsafe { std::env::set_var("DISPLAY", &display) };
    if let Err(e) = gtk::init() {
        eprintln!("cannot open display {display}: {e}");
        std::process::exit(1);
    }
    framescope::widget::init().expect("framescope initialises");
    run_tests(label, tests)
}
