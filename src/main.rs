//! Framescope's executable: a thin entry point into the application module.

mod app;

fn main() -> std::process::ExitCode {
    app::run()
}
