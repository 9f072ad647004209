package lint

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// benchRepo is a builder repository with a 100-line Dockerfile and the s2i
// scripts, the size the speed goal (2,000 repos/second/core) is set for.
func benchRepo(tb testing.TB) fstest.MapFS {
	var b strings.Builder
	b.WriteString(`# syntax=docker/dockerfile:1
ARG BASE=registry.access.redhat.com/ubi9/ubi-minimal:9.5
FROM ${BASE} AS build
RUN microdnf -y install --nodocs gcc make && microdnf clean all
COPY src/ /tmp/src/
RUN make -C /tmp/src
FROM ${BASE}
LABEL io.k8s.description="Benchmark builder image" \
      io.k8s.display-name="Bench" \
      io.openshift.tags="builder,bench" \
      io.openshift.expose-services="8080/tcp:http" \
      io.openshift.s2i.scripts-url="image:///usr/libexec/s2i" \
      io.openshift.min-memory="512Mi" \
      io.openshift.min-cpu="500m"
ENV BENCH_VERSION=1.0 \
    APP_ROOT=/opt/app-root \
    HOME=/opt/app-root/src
RUN microdnf -y install --setopt=install_weak_deps=0 --nodocs tar gzip findutils && \
    microdnf clean all
COPY s2i/bin/ /usr/libexec/s2i/
COPY --from=build /tmp/src/out /usr/local/bin/
`)
	lines := strings.Count(b.String(), "\n")
	for i := 0; lines < 92; i++ {
		// comments and continuation lines, like real Dockerfiles carry
		fmt.Fprintf(&b, "# step %d: prepare the application directory\nENV STEP_DIR=/opt/app-root/src/d%d\nRUN mkdir -p /opt/app-root/src/d%d && \\\n    touch /opt/app-root/src/d%d/.keep && \\\n    ln -sf /dev/stdout /opt/app-root/src/d%d/app.log\n", i, i, i, i, i)
		lines += 5
	}
	b.WriteString(`WORKDIR ${HOME}
RUN chown -R 1001:0 /opt/app-root && \
    chgrp -R 0 /opt/app-root && \
    chmod -R g=u /opt/app-root
VOLUME /opt/app-root/data
EXPOSE 8080/tcp
WORKDIR ${HOME}
USER 1001
CMD ["/usr/libexec/s2i/usage"]
`)
	if n := strings.Count(b.String(), "\n"); n < 95 || n > 110 {
		tb.Fatalf("benchmark Dockerfile has %d lines, want about 100", n)
	}
	return fstest.MapFS{
		"Dockerfile": {Data: []byte(b.String()), Mode: 0o644},
		"s2i/bin/assemble": {Data: []byte(`#!/bin/sh
set -e
if [ -d /tmp/artifacts ]; then
  echo "---> Restoring build artifacts" >&2
  cp -Rf /tmp/artifacts/. ./
fi
echo "---> Installing application source"
cp -Rf /tmp/src/. ./
make build
`), Mode: 0o755},
		"s2i/bin/run": {Data: []byte(`#!/bin/sh
set -e
cd "$HOME"
if [ -n "$DEBUG" ]; then
  exec ./app --debug --port "${PORT:-8080}"
fi
exec ./app --port "${PORT:-8080}"
`), Mode: 0o755},
		"s2i/bin/save-artifacts": {Data: []byte("#!/bin/sh\ncd \"$HOME\"\n[ -d deps ] && tar cf - deps\n"), Mode: 0o755},
		"s2i/bin/usage":          {Data: []byte("#!/bin/sh\ncat <<EOF\nuse s2i build\nEOF\n"), Mode: 0o755},
		"test/run":               {Data: []byte("#!/bin/bash\nset -e\ns2i build test/test-app \"$IMAGE_NAME\" app\n"), Mode: 0o755},
		"README.md":              {Data: []byte("# bench\n\nPORT, DEBUG\n"), Mode: 0o644},
		"openshift/template.yaml": {Data: []byte(`apiVersion: template.openshift.io/v1
kind: Template
metadata: {name: bench}
objects:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: app}
  spec:
    template:
      spec:
        containers:
        - name: app
          image: app
          readinessProbe: {httpGet: {path: /, port: 8080}}
          livenessProbe: {httpGet: {path: /, port: 8080}}
`), Mode: 0o644},
	}
}

// BenchmarkLintRepo lints the benchmark repository on one goroutine and
// reports repos/s, which is repos per second per core.
func BenchmarkLintRepo(b *testing.B) {
	fsys := benchRepo(b)
	if fs, err := FS(fsys, Options{}); err != nil || Count(fs, Warning) > 0 {
		b.Fatalf("benchmark repo should lint clean: %v %v", err, fs)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := FS(fsys, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "repos/s")
	// CPU seconds the process used (GC included) give the per-core rate even
	// when other work shares the machine.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "repos/cpu-s")
	}
}

// BenchmarkBuildkitParse is the floor under BenchmarkLintRepo: buildkit's
// parser alone on the same Dockerfile.
func BenchmarkBuildkitParse(b *testing.B) {
	src := benchRepo(b)["Dockerfile"].Data
	for b.Loop() {
		if _, err := parser.Parse(bytes.NewReader(src)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "parses/s")
}

// BenchmarkLintLarge lints large, repetitive inputs of ~100 KB: each must
// stay linear (these shapes were quadratic once).
func BenchmarkLintLarge(b *testing.B) {
	cases := []struct{ name, dockerfile, script string }{
		{"long-continuation", "FROM a:1\nRUN echo " + strings.Repeat("\\ \t", 20000) + "x\n", "#!/bin/sh\nexec x\n"},
		{"save-artifacts-10k-statements", "FROM a:1\n", "#!/bin/sh\n" + strings.Repeat("echo a > /dev/null\necho b | cat\n", 5000)},
		{"3k-ignore-comments", strings.Repeat("# kiln:ignore=KL001\nFROM a\n", 3000), strings.Repeat("# kiln:ignore=KL120\necho\n", 3000)},
		{"3k-install-runs", "FROM a:1\n" + strings.Repeat("COPY x /x\nRUN yum install -y a\n", 3000), "#!/bin/sh\nexec x\n"},
		{"2k-recursive-functions", "FROM a:1\n", "#!/bin/sh\n" + strings.Repeat("f() { if a; then f; elif b; then f; else f; fi; }\n", 2000) + "f\n"},
		{"4k-stages", strings.Repeat("FROM a:1 AS s\nFROM s\n", 2000), "#!/bin/sh\nexec x\n"},
		{"3k-volumes", "FROM a:1\n" + strings.Repeat("VOLUME /a/b/c\nRUN chown 1:0 /x/y && chmod g=u /z\n", 3000), "#!/bin/sh\nexec x\n"},
	}
	for _, c := range cases {
		fsys := fstest.MapFS{
			"Dockerfile":             {Data: []byte(c.dockerfile)},
			"s2i/bin/run":            {Data: []byte(c.script), Mode: 0o755},
			"s2i/bin/save-artifacts": {Data: []byte(c.script), Mode: 0o755},
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				_, _ = FS(fsys, Options{})
			}
		})
	}
}
