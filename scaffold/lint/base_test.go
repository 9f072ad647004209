package lint

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// What the base image is known to set (BaseImageFile, Options.Base) turns
// the "the base image may set it" infos into the verdict on the inherited
// value.
func TestKnownBaseImage(t *testing.T) {
	const builder = "FROM quay.io/me/base:1.0\nLABEL io.k8s.description=\"d\" io.k8s.display-name=\"n\" io.openshift.tags=\"builder\"\nCOPY s2i/bin/ /usr/libexec/s2i/\nEXPOSE 8080\n"
	const elsewhere = "FROM quay.io/me/base:1.0\nLABEL io.k8s.description=\"d\" io.k8s.display-name=\"n\" io.openshift.tags=\"builder\"\nCOPY s2i/bin/ /opt/s2i/\nUSER 1001\n"
	const bare = "FROM quay.io/me/base:1.0\nCOPY s2i/bin/ /usr/libexec/s2i/\nUSER 1001\n"
	base := func(user string, labels ...string) *BaseImage {
		b := &BaseImage{Ref: "quay.io/me/base:1.0", User: user, Labels: map[string]string{}}
		for _, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			b.Labels[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name       string
		dockerfile string
		file       *BaseImage // recorded in BaseImageFile
		given      *BaseImage // Options.Base's answer
		rules      []string
		want       []string // "RULE severity", sorted
	}{
		{"unknown base: the USER may be inherited", builder, nil, nil, []string{"KL070", "KL071", "KL072"}, []string{"KL070 info"}},
		{"base sets a numeric USER", builder, base("1001"), nil, []string{"KL070", "KL071", "KL072"}, nil},
		{"base sets no USER", builder, base(""), nil, []string{"KL070", "KL071", "KL072"}, []string{"KL070 warning"}},
		{"base sets USER root", builder, base("root"), nil, []string{"KL070", "KL071", "KL072"}, []string{"KL071 error"}},
		{"base sets USER 0:0", builder, base("0:0"), nil, []string{"KL070", "KL071", "KL072"}, []string{"KL071 error"}},
		{"base sets a named USER", builder, base("default"), nil, []string{"KL070", "KL071", "KL072"}, []string{"KL072 error"}},
		{"given by the caller", builder, nil, base("default"), []string{"KL070", "KL071", "KL072"}, []string{"KL072 error"}},
		{"the caller's record wins", builder, base("1001"), base("root"), []string{"KL070", "KL071", "KL072"}, []string{"KL071 error"}},
		{"a record of another image is unused", builder, &BaseImage{Ref: "quay.io/me/base:0.9", User: "root"}, nil, []string{"KL070", "KL071", "KL072"}, []string{"KL070 info"}},
		{"unknown base: labels may be inherited", bare, nil, nil, []string{"KL080", "KL081", "KL082"}, []string{"KL080 info", "KL081 info", "KL082 info"}},
		{"base sets two labels", bare, base("1001", "io.k8s.description=d", "io.openshift.tags=builder"), nil, []string{"KL080", "KL081", "KL082"}, []string{"KL081 warning"}},
		{"scripts elsewhere, unknown base", elsewhere, nil, nil, []string{"KL085"}, []string{"KL085 warning"}},
		{"scripts where the base's scripts-url points", elsewhere, base("1001", "io.openshift.s2i.scripts-url=image:///opt/s2i"), nil, []string{"KL085"}, nil},
		{"scripts elsewhere than the base's scripts-url", builder, base("1001", "io.openshift.s2i.scripts-url=image:///opt/app-root/s2i"), nil, []string{"KL085"}, []string{"KL085 warning"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"Dockerfile":       {Data: []byte(tc.dockerfile)},
				"s2i/bin/assemble": {Data: []byte("#!/bin/sh\nset -e\ncp -Rf /tmp/src/. ./\n"), Mode: 0o755},
				"s2i/bin/run":      {Data: []byte("#!/bin/sh\nexec ./server\n"), Mode: 0o755},
			}
			if tc.file != nil {
				data, err := json.Marshal(tc.file)
				if err != nil {
					t.Fatal(err)
				}
				fsys[BaseImageFile] = &fstest.MapFile{Data: data}
			}
			var opts Options
			if tc.given != nil {
				given := *tc.given
				opts.Base = func(ref string) (BaseImage, bool) { return given, ref == given.Ref }
			}
			found, err := FS(fsys, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range found {
				if slices.Contains(tc.rules, f.Rule) {
					got = append(got, fmt.Sprintf("%s %s", f.Rule, f.Severity))
					if f.Severity != Info && tc.file == nil && tc.given == nil {
						continue
					}
					if (tc.file != nil || tc.given != nil) && f.Rule != "KL085" && !strings.Contains(f.Message, "base image quay.io/me/base:1.0") {
						t.Errorf("%s does not name the base image: %s", f.Rule, f.Message)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A record that is not JSON, or names no image, is no record.
func TestBaseImageFileUnreadable(t *testing.T) {
	for _, data := range []string{"{", `{"user":"1001"}`, "null"} {
		fsys := fstest.MapFS{
			"Dockerfile":  {Data: []byte("FROM quay.io/me/base:1.0\nCOPY s2i/bin/ /usr/libexec/s2i/\n")},
			"s2i/bin/run": {Data: []byte("#!/bin/sh\nexec ./server\n"), Mode: 0o755},
			BaseImageFile: {Data: []byte(data)},
		}
		found, err := FS(fsys, Options{})
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		i := slices.IndexFunc(found, func(f Finding) bool { return f.Rule == "KL070" })
		if i < 0 || found[i].Severity != Info {
			t.Errorf("%q: want the unknown base's KL070 info, got %v", data, found)
		}
	}
}
