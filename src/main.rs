//! The `pgx` binary: everything testable lives in the library; this file only turns the
//! outcome into an exit code.

fn main() {
    std::process::exit(pgx::cli::main());
}
