package image

import (
	"strings"
	"testing"
)

func TestParseReference(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // transports.ImageName of each candidate, without the store spec
		kind ErrorKind
	}{
		{in: "mybuilder:1.0", want: []string{"containers-storage:localhost/mybuilder:1.0", "containers-storage:docker.io/library/mybuilder:1.0"}},
		{in: "me/mybuilder:1.0", want: []string{"containers-storage:localhost/me/mybuilder:1.0", "containers-storage:docker.io/me/mybuilder:1.0"}},
		{in: "localhost/mybuilder:1.0", want: []string{"containers-storage:localhost/mybuilder:1.0"}},
		{in: "quay.io/me/b:2", want: []string{"containers-storage:quay.io/me/b:2"}},
		{in: "127.0.0.1:5000/b:2", want: []string{"containers-storage:127.0.0.1:5000/b:2"}},
		{in: "oci-archive:/tmp/x.tar", want: []string{"oci-archive:/tmp/x.tar"}},
		{in: "docker://quay.io/me/b:2", want: []string{"docker://quay.io/me/b:2"}},
		{in: "", kind: BadInput},
		{in: "Bad!", kind: BadInput},
		{in: "docker://", kind: BadInput},
	} {
		refs, err := ParseReference(tc.in, Containers)
		if tc.kind != Other {
			if !IsKind(err, tc.kind) {
				t.Errorf("ParseReference(%q) error %v, want kind %d", tc.in, err, tc.kind)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseReference(%q): %v", tc.in, err)
			continue
		}
		got := refs
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ParseReference(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCredentialsNeverEchoed(t *testing.T) {
	for _, creds := range []string{"no-colon-secret", ":only-password-secret"} {
		_, err := Options{Creds: creds}.SystemContext()
		if !IsKind(err, BadInput) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Creds %q: error %v", creds, err)
		}
	}
	sys, err := Options{Creds: "me:pa:ss"}.SystemContext()
	if err != nil || sys.DockerAuthConfig.Username != "me" || sys.DockerAuthConfig.Password != "pa:ss" {
		t.Errorf("me:pa:ss read as %+v, %v", sys.DockerAuthConfig, err)
	}
	if got := redact("refused me:hunter2 at hunter2", Options{Creds: "me:hunter2"}); strings.Contains(got, "hunter2") {
		t.Errorf("redact left the password: %q", got)
	}
}
