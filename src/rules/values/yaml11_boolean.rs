//! ## What it does
//! Flags an unquoted `yes`, `no`, `on`, `off`, `y` or `n` (in any case) where a string is
//! expected, such as a hostname, a label value or a user name.
//!
//! ## Why is this bad?
//! Helm reads values as YAML 1.1, where these words are booleans; pgx reads YAML 1.2, where
//! they are strings. The two tools disagree about the value until it is quoted, and the
//! Kubernetes API server, which reads YAML 1.1 too, may turn a rendered `no` into `false`.
//! Where a boolean is expected, pgx accepts these spellings as Helm does, without a finding.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     labels:
//!       backup: no
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     labels:
//!       backup: "no"
//! ```
//!
//! Found while decoding the values (`src/decode.rs`).

pub const ID: &str = "PGX107";
