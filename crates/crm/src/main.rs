//! `crm`: the one binary. `crm serve` runs the CRM on an embedded SQLite file (or
//! PostgreSQL with `--database-url postgres://…`).

mod cli;
mod config;
mod serve;

use clap::Parser;
use std::process::ExitCode;

// The server allocates and frees many small strings per request (rows, JSON) on several
// threads; glibc's allocator spent a fifth of the list page's CPU time in its own
// bookkeeping (`bench/`, perf). mimalloc keeps per-thread free lists; its `override`
// feature serves SQLite's allocations too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let config = match config::Config::load(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    config::init_tracing(&config);
    match cli::run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
