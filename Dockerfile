# syntax=docker/dockerfile:1
#
# The pgx image: the sidecar of ArgoCD's repo-server (deploy/argocd/, docs/argocd.md) and a
# plain `pgx` for CI. It holds the pgx binary and nothing else: in the sidecar,
# argocd-cmp-server comes from the repo-server's shared var-files volume, and the plugin runs
# `pgx render` without a shell.
#
#   docker build -t registry.example.com/platform/pgx:0.1.0 .

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && install -D -m 0755 target/release/pgx /out/pgx

# glibc and libgcc from Debian 12, the same as the build stage; no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=build /out/pgx /usr/local/bin/pgx
# ArgoCD runs sidecar plugins as user 999.
USER 999:999
# Fails the build if the binary cannot start on this base.
RUN ["/usr/local/bin/pgx", "--version"]
ENTRYPOINT ["/usr/local/bin/pgx"]
