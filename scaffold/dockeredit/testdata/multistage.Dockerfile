ARG GO=1.22
FROM registry.example.com/golang:${GO} AS build
LABEL stage=build
ENV CGO_ENABLED=0
EXPOSE 9000
RUN go build -o /out/app ./...

# The runtime stage has no metadata yet.
FROM registry.example.com/base:1
COPY --from=build /out/app /usr/bin/app
CMD ["/usr/bin/app"]
