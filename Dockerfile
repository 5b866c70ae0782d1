# secgate's container image: static binaries (secgate, and secgate-opa,
# OPA's server that secgate opa run runs) on a distroless base, run as a
# user without privileges.
#
#   docker build -t secgate .
#   docker run --rm -v "$PWD:/src" -w /src secgate check examples/reports
#
# GO_VERSION is go.mod's go version (cmd/secgate/docker_test.go checks it).
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /build
# Modules first: a change to the code alone does not download them again.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/secgate ./cmd/secgate && \
    CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w" \
      -o /out/secgate-opa ./cmd/secgate-opa

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=devel
LABEL org.opencontainers.image.title="secgate" \
      org.opencontainers.image.description="A policy-as-code security gate over scanner reports and SBOMs: pass, warn or fail, with the evidence" \
      org.opencontainers.image.source="https://github.com/secgate/secgate" \
      org.opencontainers.image.documentation="https://github.com/secgate/secgate#readme" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/secgate /out/secgate-opa /usr/local/bin/
# distroless's nonroot user; the reports are mounted at /src.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["secgate"]
