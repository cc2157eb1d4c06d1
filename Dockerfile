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
ENV PLEO_EMULATOR_ADDR=:8080 \
    PLEO_EMULATOR_DB=/data/pleo-emulator.db
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
  CMD ["/usr/local/bin/pleo-emulator", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/pleo-emulator"]
CMD ["serve"]
