# holdspace as a container: a static binary on a distroless base, run as a
# non-root user, with its data (SQLite database, master key) on a volume.
#
#   docker build -t holdspace .
#   docker run -d --name holdspace -p 8080:8080 -v holdspace-data:/data holdspace
#
# Health: the base image has no shell and no curl, so there is no
# HEALTHCHECK instruction here. Probe GET /healthz from outside instead
# (200 once migrations are applied, 503 while starting or stopping): a
# Kubernetes httpGet readiness probe, a load balancer's health check, or
# `curl -f http://127.0.0.1:8080/healthz` on the host.

# The Go version follows the go directive of go.mod.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (the SQLite driver included): a static binary that needs no libc.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/holdspace ./cmd/holdspace \
 && mkdir -p /out/data

# distroless/static: CA certificates (for PostgreSQL over TLS), tzdata (the
# practice's IANA time zone) and /etc/passwd with the nonroot user (65532);
# no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/holdspace /usr/local/bin/holdspace
# The volume's mount point, owned by the user holdspace runs as, so that a
# fresh named volume is writable.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV HOLDSPACE_ADDR=0.0.0.0:8080 \
    HOLDSPACE_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
# serve stops gracefully on SIGTERM (docker stop).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/holdspace"]
CMD ["serve"]
