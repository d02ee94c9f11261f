# Multi-stage build: compile with the full toolchain, run on a slim image as a non-root user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --workspace --locked && strip target/release/hokensha

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/hokensha hokensha
COPY --from=build /src/target/release/hokensha /usr/local/bin/hokensha
USER hokensha
WORKDIR /var/lib/hokensha
ENV HOKENSHA_LISTEN=0.0.0.0:8080 \
    HOKENSHA_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["/usr/local/bin/hokensha"]
CMD ["serve"]
