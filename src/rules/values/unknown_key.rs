//! ## What it does
//! Flags a key that the values reference does not have, and suggests the nearest known key
//! (`did you mean allowedSourceRanges?`). Every unknown key is listed, not just the first.
//!
//! ## Why is this bad?
//! A misspelt key is otherwise ignored, and its default applies instead: a typo such as
//! `allowedSourceRange` silently leaves a database open to the world. Helm never complained.
//! This rule cannot be ignored.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       allowedSourceRange: [192.0.2.0/24]
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       allowedSourceRanges: [192.0.2.0/24]
//! ```
//!
//! Found while decoding the values (`src/decode.rs`), where the key's place is known.

pub const ID: &str = "PGX101";
