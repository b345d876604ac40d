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
# Statically linked (static-pie): the sidecar starts pgx on every refresh of every
# Application, and loading libc, libm and libgcc_s took about a third of a production render
# (issue #7, README "Performance"). --target keeps the flag off build scripts and proc macros.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    host="$(rustc -vV | sed -n 's/^host: //p')" \
    && RUSTFLAGS="-C target-feature=+crt-static" \
       cargo build --release --locked --bin pgx --target "$host" \
    && install -D -m 0755 "target/$host/release/pgx" /out/pgx

# The binary needs no shared library; this base keeps the same Debian 12 userland as the
# build stage, with no shell and no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=build /out/pgx /usr/local/bin/pgx
# ArgoCD runs sidecar plugins as user 999.
USER 999:999
# Fails the build if the binary cannot start on this base.
RUN ["/usr/local/bin/pgx", "--version"]
ENTRYPOINT ["/usr/local/bin/pgx"]
