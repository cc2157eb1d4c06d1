# syntax=docker/dockerfile:1
# Build a static binary, then copy it into an empty, non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pleo-emulator/pleo-emulator/internal/cli.Version=${VERSION}" \
      -o /out/pleo-emulator ./cmd/pleo-emulator \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pleo-emulator /usr/local/bin/pleo-emulator
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# The image's defaults (PLEO_EMULATOR_DEFAULT_*) rank below a config file,
# so a file named by PLEO_EMULATOR_CONFIG may still set addr and db; flags
# and PLEO_EMULATOR_ADDR / PLEO_EMULATOR_DB outrank both. serve records the
# address it really listens on in PLEO_EMULATOR_ADDR_FILE, where the
# HEALTHCHECK reads it, so `serve --addr :9090` stays healthy.
# Inside a container every caller of the control API (the host through a
# port mapping, a test runner in the same Compose network) is a non-loopback
# peer, so the image opens the control API to whoever reaches the port
# (--control-open); the README publishes the port on 127.0.0.1, and
# PLEO_EMULATOR_CONTROL_TOKEN closes it to callers without the token.
ENV PLEO_EMULATOR_DEFAULT_ADDR=:8080 \
    PLEO_EMULATOR_DEFAULT_DB=/data/pleo-emulator.db \
    PLEO_EMULATOR_DEFAULT_CONTROL_OPEN=true \
    PLEO_EMULATOR_ADDR_FILE=/data/.pleo-emulator.addr
VOLUME ["/data"]
EXPOSE 8080
# A short interval lets Compose's service_healthy dependents start soon after
# the emulator is ready. (--start-interval would do it only during the start
# period, but Docker before 25 and Buildah/Podman 4 refuse the flag; Compose
# users on Docker 25+ get it from docker-compose.yml.)
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/pleo-emulator", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/pleo-emulator"]
CMD ["serve"]
