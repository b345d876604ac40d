//! The `pgx` binary: everything testable lives in the library; this file only turns the
//! outcome into an exit code.

// Rendering allocates many short-lived strings and template values; with the system
// allocator, malloc and free were about a fifth of `pgx render`'s instructions (issue #7).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(pgx::cli::main());
}
