# syntax=docker/dockerfile:1
# The verification service (docs/deploy.md). `make image-check` runs these
# steps without a container engine and checks the result.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: the final image has no C library.
ENV CGO_ENABLED=0
RUN make build && install -D -m 0555 bin/apostille /out/apostille

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/apostille /usr/local/bin/apostille
# nonroot is uid 65532; nothing in the image is writable by it, nor needs to be.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/apostille", "serve"]
CMD ["--addr", "0.0.0.0:8080", "--site", "", "--trust", "/etc/apostille/trust.jws", "--trust-key", "/etc/apostille/operator.pub.jwk", "--trust-state", "none", "--offline"]
