//! pgx renders and lints the manifests that expose Zalando-operated PostgreSQL clusters
//! through MetalLB, external-dns and cert-manager, from the values files of the Helm chart
//! it replaces.
//!
//! The pipeline runs one way: [`load`] reads and merges values files into a [`yaml::Node`]
//! tree that keeps every value's source position, [`decode`] turns it into typed [`values`],
//! [`rules`] validate the whole fleet at once, [`render`] writes manifests through minijinja
//! templates and checks that its own output parses back into exactly the intended objects.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![deny(unsafe_code)]

pub mod allocator;
pub mod cli;
pub mod decode;
pub mod endpoints;
pub mod finding;
pub mod fleet;
pub mod guide;
pub mod lint;
pub mod load;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod secret;
pub mod set_argument;
pub mod source;
pub mod values;
pub mod yaml;
