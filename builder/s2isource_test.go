package builder

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// linkTree is a source with every kind of link s2i's --copy meets, and a
// secret outside it that must never reach the copy.
func linkTree(t *testing.T) (src, outside string) {
	t.Helper()
	root := t.TempDir()
	src, outside = filepath.Join(root, "src"), filepath.Join(root, "outside")
	for _, d := range []string{src, outside, filepath.Join(src, "lib", "deep")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(src, "app.txt"), "app")
	write(filepath.Join(src, "lib", "deep", "x.txt"), "x")
	write(filepath.Join(outside, "secret"), "HOST-SECRET")
	for link, target := range map[string]string{
		"to-file":        "app.txt",                                   // inside: followed by default
		"to-dir":         "lib",                                       // a directory inside: copied
		"abs-inside":     filepath.Join(src, "app.txt"),               // absolute, still inside
		"to-outside":     "../outside/secret",                         // leaves the source
		"abs-outside":    filepath.Join(outside, "secret"),            // leaves the source
		"outside-dir":    "../outside",                                // a directory outside
		"broken":         "nowhere",                                   // leads nowhere
		"lib/deep/loop":  "../..",                                     // the root: a loop
		"lib/deep/up":    "..",                                        // its own parent: a loop
		"lib/via-parent": filepath.Join("..", "lib", "deep", "x.txt"), // inside, through ..
	} {
		if err := os.Symlink(target, filepath.Join(src, link)); err != nil {
			t.Fatal(err)
		}
	}
	return src, outside
}

func TestSourceCopierLinks(t *testing.T) {
	src, _ := linkTree(t)
	type want struct{ link, file, dir string } // what each path must be in the copy
	tests := []struct {
		keep  bool
		links []string // kept as links
		files []string // regular files, content copied
		dirs  []string
		warns []string
	}{
		{keep: false,
			links: []string{"to-outside", "abs-outside", "outside-dir", "broken", "lib/deep/loop", "lib/deep/up", "to-dir/deep/loop", "to-dir/deep/up"},
			files: []string{"app.txt", "to-file", "abs-inside", "lib/via-parent", "to-dir/via-parent", "to-dir/deep/x.txt"},
			dirs:  []string{"to-dir", "to-dir/deep"},
			warns: []string{"to-outside is a symbolic link that leads out of the source", "broken is a symbolic link that leads nowhere",
				"lib/deep/loop is a symbolic link into a directory it is inside of (a loop)"}},
		{keep: true,
			links: []string{"to-file", "to-dir", "abs-inside", "to-outside", "abs-outside", "outside-dir", "broken", "lib/deep/loop", "lib/via-parent"},
			files: []string{"app.txt", "lib/deep/x.txt"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("keep=%v", tt.keep), func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "copy")
			var warns []string
			c := &sourceCopier{Root: src, KeepLinks: tt.keep, Warn: func(s string) { warns = append(warns, s) }}
			if err := c.Copy(dst); err != nil {
				t.Fatal(err)
			}
			for _, l := range tt.links {
				fi, err := os.Lstat(filepath.Join(dst, l))
				if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("%s: want a link, got %v %v", l, fi, err)
					continue
				}
				got, _ := os.Readlink(filepath.Join(dst, l))
				orig, _ := os.Readlink(filepath.Join(src, strings.Replace(l, "to-dir/", "lib/", 1)))
				if got != orig {
					t.Errorf("%s: link says %q, the source's %q", l, got, orig)
				}
			}
			for _, f := range tt.files {
				if fi, err := os.Lstat(filepath.Join(dst, f)); err != nil || !fi.Mode().IsRegular() {
					t.Errorf("%s: want a regular file, got %v %v", f, fi, err)
				}
			}
			for _, d := range tt.dirs {
				if fi, err := os.Lstat(filepath.Join(dst, d)); err != nil || !fi.IsDir() {
					t.Errorf("%s: want a directory, got %v %v", d, fi, err)
				}
			}
			for _, w := range tt.warns {
				if !strings.Contains(strings.Join(warns, "\n"), w) {
					t.Errorf("no warning %q in:\n%s", w, strings.Join(warns, "\n"))
				}
			}
			if tt.keep && len(warns) > 0 {
				t.Errorf("--keep-symlinks warned: %v", warns)
			}
			assertNoHostSecret(t, dst)
		})
	}
}

// assertNoHostSecret fails when a regular file of the copy holds the secret
// kept outside the source.
func assertNoHostSecret(t testing.TB, dst string) {
	t.Helper()
	filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if data, _ := os.ReadFile(p); bytes.Contains(data, []byte("HOST-SECRET")) {
			t.Errorf("%s holds a file from outside the source", p)
		}
		return nil
	})
}

// Links that fan out (each directory linking twice to the next) would copy
// 2^n entries; the copy stops at MaxSourceEntries with a clear error.
func TestSourceCopierBoundsFanOut(t *testing.T) {
	src := t.TempDir()
	for i := 0; i < 20; i++ {
		d := filepath.Join(src, fmt.Sprintf("d%d", i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			prev := filepath.Join(src, fmt.Sprintf("d%d", i-1))
			for _, n := range []string{"a", "b"} {
				if err := os.Symlink(filepath.Join("..", fmt.Sprintf("d%d", i)), filepath.Join(prev, n)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	err := (&sourceCopier{Root: src, Max: 5000}).Copy(filepath.Join(t.TempDir(), "copy"))
	if err == nil || !strings.Contains(err.Error(), "--keep-symlinks") {
		t.Fatalf("err = %v, want the entry limit naming --keep-symlinks", err)
	}
	if err := (&sourceCopier{Root: src, KeepLinks: true, Max: 5000}).Copy(filepath.Join(t.TempDir(), "copy")); err != nil {
		t.Errorf("with links kept: %v", err)
	}
}

// FuzzSourceCopy builds a small tree from the input (lines "d PATH",
// "f PATH", "l PATH TARGET", where TARGET may be $OUT/... for the directory
// beside the source, or any relative or absolute path) and copies it both
// ways: the copy must finish, stay inside its directory, never hold the
// content of a file outside the source, and with links kept, keep every link
// as it was written.
func FuzzSourceCopy(f *testing.F) {
	for _, seed := range []string{
		"f a\nl b a\n",
		"d x\nl x/up ..\nl x/root ../\n",
		"l s $OUT/secret\nl t ../outside/secret\nl u $OUT\n",
		"d a\nd a/b\nl a/b/c ../../a\nl a/d /etc/passwd\n",
		"l self self\nl p q\nl q p\n",
		"d d0\nd d1\nl d0/a ../d1\nl d0/b ../d1\nf d1/x\n",
		"f .git/HEAD\nl .s2i $OUT\n",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, spec string, keep bool) {
		if len(spec) > 2000 {
			return
		}
		root := t.TempDir()
		src, outside := filepath.Join(root, "src"), filepath.Join(root, "outside")
		os.Mkdir(src, 0o755)
		os.Mkdir(outside, 0o755)
		os.WriteFile(filepath.Join(outside, "secret"), []byte("HOST-SECRET"), 0o644)
		links := map[string]string{}
		for _, line := range strings.Split(spec, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || !fs.ValidPath(f[1]) || f[1] == "." {
				continue
			}
			p := filepath.Join(src, filepath.FromSlash(f[1]))
			os.MkdirAll(filepath.Dir(p), 0o755)
			switch {
			case f[0] == "d":
				os.Mkdir(p, 0o755)
			case f[0] == "f":
				os.WriteFile(p, []byte("content of "+f[1]), 0o644)
			case f[0] == "l" && len(f) == 3:
				target := strings.ReplaceAll(f[2], "$OUT", outside)
				if os.Symlink(target, p) == nil {
					links[f[1]] = target
				}
			}
		}
		dst := filepath.Join(root, "copy")
		c := &sourceCopier{Root: src, KeepLinks: keep, Exclude: DefaultExclude(), Max: 2000}
		if err := c.Copy(dst); err != nil {
			if strings.Contains(err.Error(), "more than") {
				return // the entry limit: a clear error
			}
			// The tree may make a path unreadable in odd ways (a link
			// replacing a parent directory); an error is fine, a wrong copy is not.
			return
		}
		assertNoHostSecret(t, dst)
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !strings.HasPrefix(p, dst) && !strings.HasPrefix(p, src) && !strings.HasPrefix(p, outside) && p != root {
				t.Errorf("the copy wrote %s, outside its directory", p)
			}
			return nil
		})
		if keep {
			for rel, target := range links {
				if strings.Contains(rel, ".git") {
					continue
				}
				got, err := os.Readlink(filepath.Join(dst, filepath.FromSlash(rel)))
				if err == nil && got != target {
					t.Errorf("%s: kept link says %q, want %q", rel, got, target)
				}
			}
		}
	})
}

func TestParseEnvFile(t *testing.T) {
	long := strings.Repeat("x", 70<<10)
	tests := []struct {
		name, data string
		want       []EnvVar
		err        string // substring of the error
	}{
		{name: "crlf and comments", data: "# c\r\nA=1\r\n\r\n  B = two \r\n", want: []EnvVar{{"A", "1"}, {"B", " two "}}},
		{name: "later wins in place", data: "A=1\nB=2\nA=3\n", want: []EnvVar{{"A", "3"}, {"B", "2"}}},
		{name: "70 KB line", data: "BIG=" + long + "\n", want: []EnvVar{{"BIG", long}}},
		{name: "line over the limit", data: "A=1\nHUGE=" + strings.Repeat("y", 200<<10) + "\n",
			err: "environment:2: the line is 204805 bytes, over the 131071 bytes Linux allows one environment variable"},
		{name: "invalid UTF-8", data: "A=1\nB=caf\xe9\n", err: "environment:2: not valid UTF-8 (byte 6 of the line)"},
		{name: "invalid UTF-8 in a comment", data: "# \xff\n", err: "environment:1: not valid UTF-8"},
		{name: "escape echoed escaped", data: "\x1b[31mRED\n", err: `environment:1: "\x1b[31mRED" is not KEY=VALUE`},
		{name: "bad name with tab", data: "A\tB=1\n", err: `environment:1: "A\tB" is not a valid environment variable name`},
		{name: "secret not echoed", data: "PASSWORD\n", err: `"PASSWORD" is not KEY=VALUE`},
		{name: "NUL in value", data: "A=a\x00b\n", err: "environment:1: the value of A contains a newline or NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvFile("environment", []byte(tt.data))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.ContainsFunc(err.Error(), unicode.IsControl) {
					t.Errorf("the error holds a raw control character: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(env) != fmt.Sprint(tt.want) {
				t.Errorf("got %.80v, want %.80v", env, tt.want)
			}
		})
	}
}

// FuzzParseEnvFile: any input either parses into variables that the
// generated Dockerfile's ENV gives back exactly (read with BuildKit's
// parser), or fails with a message that names file:line, is valid UTF-8,
// holds no raw control character and does not echo a long value.
func FuzzParseEnvFile(f *testing.F) {
	for _, seed := range []string{
		"A=1\nB=two words\n", "# comment\n\nX=\"q\" $HOME ${Y} \\ back\n", "A=1\r\nB=\r\n",
		"BAD NAME=1\n", "=novalue\n", "A=caf\xe9\n", "\x1b[2J=1\n", "A=\x1b]0;title\x07\n", "A\n",
		"PASSWORD=hunter2\nnot a line\n", "A=1\nA=2\n", "A=\t tab\n", "A=a\x00b\n", "\xef\xbb\xbfA=1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := ParseEnvFile(".s2i/environment", data)
		if err != nil {
			msg := err.Error()
			if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
				t.Fatalf("the error is not printable text: %q", msg)
			}
			if !strings.HasPrefix(msg, ".s2i/environment:") {
				t.Fatalf("the error names no file:line: %q", msg)
			}
			if len(msg) > 400 {
				t.Fatalf("the error is %d bytes long: %q", len(msg), msg)
			}
			return
		}
		if len(env) == 0 {
			return
		}
		p := &S2IPlan{Builder: "b", User: "1001", Destination: "/tmp", Env: env,
			Scripts: map[string]string{"assemble": "/a", "run": "/r"}, Labels: map[string]string{}}
		checkParses(t, p.Dockerfile(), p)
	})
}

func TestParseVolume(t *testing.T) {
	host := t.TempDir()
	file := filepath.Join(host, "f")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		v, err string
		want   Volume
	}{
		{v: host + ":/opt/cache", want: Volume{Host: host, Dest: "/opt/cache"}},
		{v: host + ":/opt/cache:ro", want: Volume{Host: host, Dest: "/opt/cache", ReadOnly: true}},
		{v: file + ":/opt/settings.xml:rw", want: Volume{Host: file, Dest: "/opt/settings.xml"}},
		{v: host + ":/opt/cache:Z", err: `option "Z" is not ro or rw`},
		{v: host + ":/opt/cache:ro,U", err: `option "ro,U" is not ro or rw`},
		{v: "cache:/opt/cache", err: "is not a path: kiln mounts host directories, not named volumes"},
		{v: host + "/missing:/opt/cache", err: "does not exist"},
		{v: "/:/host", err: "the host path / is (inside) a system directory"},
		{v: "/etc:/opt/etc", err: "the host path /etc is (inside) a system directory"},
		{v: "/dev/null:/opt/null", err: "is a device, not a directory or file"},
		{v: host + ":opt/cache", err: "must be a clean absolute path"},
		{v: host + ":/opt/../usr/bin", err: "must be a clean absolute path"},
		{v: host + ":/usr/bin", err: "the destination /usr/bin is a system directory of the image"},
		{v: host + ":/opt/a b", err: "must be a clean absolute path"},
		{v: host + ":/opt/x\nRUN id", err: `holds the control character '\n'`},
		{v: host, err: "is not HOST:DEST"},
		{v: host + ":/a:/b:ro", err: "is not HOST:DEST"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			got, err := ParseVolume(tt.v)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	// A socket (an engine's API) is never mounted.
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := ParseVolume(sock + ":/run/engine.sock"); err == nil || !strings.Contains(err.Error(), "is a socket") {
		t.Errorf("a socket: err = %v", err)
	}
}

// A volume may not hide what the build puts into the image.
func TestS2IVolumeOverlaps(t *testing.T) {
	host := t.TempDir()
	for dest, bad := range map[string]bool{
		"/tmp/src": true, "/tmp": true, "/tmp/src/node_modules": true, "/tmp/scripts": true, "/tmp/.s2i": true,
		"/opt/secret": true, "/opt/secret/x": true, "/opt/cache": false, "/tmp/cache": false,
	} {
		o := S2IOptions{Source: t.TempDir(), Builder: "b", Output: "o", Volumes: []Volume{{Host: host, Dest: dest}},
			Injections: []Injection{{Source: host, Dest: "/opt/secret"}}}
		_, err := ResolveS2I(o, img("1001", nil), SourceInfo{})
		if bad != (err != nil) || (err != nil && !strings.Contains(err.Error(), "overlaps")) {
			t.Errorf("--volume at %s: err = %v, want refused: %v", dest, err, bad)
		}
	}
}

func TestParseImageMetadata(t *testing.T) {
	tests := []struct {
		data string
		want map[string]string
		err  string
	}{
		{data: `{"labels": [{"a.b": "1"}, {"c": "two words", "a.b": "3"}]}`, want: map[string]string{"a.b": "3", "c": "two words"}},
		{data: `{"labels": []}`, want: map[string]string{}},
		{data: `{}`, want: map[string]string{}},
		{data: `{"labels": [{"k": "v\nLABEL x=y"}]}`, err: `holds the control character '\n'`},
		{data: `{"labels": [{"k\"x": "v"}]}`, err: `label key "k\"x" contains '"'`},
		{data: `{"labels": [{"": "v"}]}`, err: `label key "" is empty`},
		{data: `{"labels": [{"k": 5}]}`, err: `the value is a float64, not a string`},
		{data: `{"labels": {"k": "v"}}`, err: `is not {"labels": [{"key": "value"}, ...]}`},
		{data: `not json`, err: `is not {"labels"`},
		{data: `{"labels": [{"k": "` + strings.Repeat("v", 11000) + `"}]}`, err: "larger than 10240 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.data[:min(len(tt.data), 40)], func(t *testing.T) {
			got, err := ParseImageMetadata([]byte(tt.data))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// The metadata markers are taken out of the build's output, their lines
// kept; everything else passes on.
func TestMetadataSink(t *testing.T) {
	var passed []string
	m := &metadataSink{next: SinkFunc(func(e Event) { passed = append(passed, e.Line) })}
	for _, l := range []string{"assembling", metadataBegin, `{"labels":`, `[{"a": "b"}]}`, "", metadataEnd, "done"} {
		m.Event(Event{Kind: StepLog, Line: l})
	}
	if !m.found || m.data.String() != "{\"labels\":\n[{\"a\": \"b\"}]}\n\n" {
		t.Errorf("kept %q (found %v)", m.data.String(), m.found)
	}
	if strings.Join(passed, "|") != "assembling|done" {
		t.Errorf("passed on %q", passed)
	}
}

// The progress view and the failure message name the assemble RUN by its
// script, whatever kiln's plan adds around it; other steps keep their
// names. The RUN line is the plan's own, read back as podman prints it.
func TestAssembleStepName(t *testing.T) {
	p := &S2IPlan{Builder: "b", User: "1001", Destination: "/opt/s2i", Incremental: true, ReadMetadata: true,
		Injections: []Injection{{Source: "s", Dest: "/etc/secret"}},
		Scripts:    map[string]string{"assemble": "/usr/libexec/s2i/assemble", "run": "/usr/libexec/s2i/run"}, Labels: map[string]string{}}
	var lines []string
	for l := range strings.Lines(p.Dockerfile()) {
		if !strings.HasPrefix(l, "#") && strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	var steps []string
	sink := assembleStepRenamer{script: p.Scripts["assemble"], next: SinkFunc(func(e Event) {
		if e.Kind == StepStarted {
			steps = append(steps, e.Step)
		}
	})}
	bp := newBuildParser(newReporter(sink), "s2i")
	for i, l := range lines {
		bp.Line("stdout", fmt.Sprintf("STEP %d/%d: %s", i+1, len(lines), l))
	}
	want := "RUN /usr/libexec/s2i/assemble (the assemble script)"
	if !slices.Contains(steps, want) {
		t.Fatalf("no step %q in %q", want, steps)
	}
	for _, s := range steps {
		if s != want && strings.Contains(s, "assemble") {
			t.Errorf("step %q still names the plumbing around assemble", s)
		}
	}
	if !slices.Contains(steps, "USER 1001") {
		t.Errorf("other steps renamed: %q", steps)
	}
}

func TestS2IOptionsValidate(t *testing.T) {
	src := t.TempDir()
	ok := S2IOptions{Source: src, Builder: "localhost/b:1", Output: "localhost/app"}
	tests := []struct {
		name string
		edit func(*S2IOptions)
		err  string
	}{
		{name: "ok", edit: func(*S2IOptions) {}},
		{name: "git URL source", edit: func(o *S2IOptions) { o.Source = "https://example.com/a.git" }},
		{name: "missing source", edit: func(o *S2IOptions) { o.Source = filepath.Join(src, "nope") }, err: "is not a directory or a git URL"},
		{name: "bad OUT", edit: func(o *S2IOptions) { o.Output = "Bad Name!" }, err: `OUT "Bad Name!" is not an image name`},
		{name: "bad BUILDER", edit: func(o *S2IOptions) { o.Builder = "UPPER/case" }, err: `BUILDER "UPPER/case" is not an image name`},
		{name: "named assemble user", edit: func(o *S2IOptions) { o.AssembleUser = "root" }, err: `--assemble-user "root" is not a numeric UID`},
		{name: "scripts-url without host", edit: func(o *S2IOptions) { o.ScriptsURL = "http://" }, err: "names no host"},
		{name: "scripts-url relative image", edit: func(o *S2IOptions) { o.ScriptsURL = "image://rel" }, err: "is not image:///absolute/path"},
		{name: "scripts-url ftp", edit: func(o *S2IOptions) { o.ScriptsURL = "ftp://h/x" }, err: "is not image://, file:// or http(s)://"},
		{name: "newline in --env", edit: func(o *S2IOptions) { o.Env = []string{"A=b\nc"} }, err: "--env: the value of A contains a newline"},
		{name: "missing -E", edit: func(o *S2IOptions) { o.EnvFile = filepath.Join(src, "nope") }, err: "--environment-file"},
		{name: "bad incremental pull policy", edit: func(o *S2IOptions) { o.IncrementalPullPolicy = "sometimes" }, err: `--incremental-pull-policy "sometimes" is not always, never or if-not-present`},
		{name: "volume with as-dockerfile", edit: func(o *S2IOptions) {
			o.Volumes = []Volume{{Host: src, Dest: "/opt/c"}}
			o.AsDockerfile = "/x/Dockerfile"
		}, err: "--volume cannot be written into a Dockerfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			err := o.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}
