//! The `pgx` binary: everything testable lives in the library; this file only turns the
//! outcome into an exit code.

// The system's allocator for a few clusters, mimalloc for many (see the module).
#[global_allocator]
static ALLOCATOR: pgx::allocator::Allocator = pgx::allocator::Allocator;

fn main() {
    std::process::exit(pgx::cli::main());
}
