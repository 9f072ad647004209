package mdedit_test

import (
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold/mdedit"
)

// kilnStyle is laid out as kiln's README template writes it.
const kilnStyle = `# My builder

Some *intro* text | with a pipe.

## Environment variables

| Name | Default | |
|---|---|---|
| ` + "`APP_ROOT`" + ` | ` + "`/opt/app-root`" + ` | configuration |
| ` + "`NODE_VERSION`" + ` | ` + "`20`" + ` | version of the software |

## Required secrets

| Name |
|---|
| ` + "`DB_PASSWORD`" + ` |

## Ports

| Port | Protocol | Name |
|---|---|---|
| 8080 | tcp | http |

## Labels

| Label | Value |
|---|---|
| ` + "`io.k8s.description`" + ` | A builder |
| ` + "`summary`" + ` | Short |

` + "```" + `
| Port | Protocol |
|---|---|
| 8080 | tcp |
` + "```" + `
`

// handStyle is a hand-written README: no outer pipes, other headers,
// CRLF line endings, the table at the end of the file without a newline.
const handStyle = "# Builder\r\n\r\nEnvironment:\r\n\r\n" +
	"Variable | Value | Description\r\n" +
	"-------- | ----- | -----------\r\n" +
	"FOO | bar | the foo\r\n" +
	"\r\n" +
	"Port | Description\r\n" +
	":--- | :---\r\n" +
	"8080/tcp | web"

func TestEdits(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		edit     func(*mdedit.File)
		// old→new replacements that make the expected output from in
		want [][2]string
	}{
		{"set existing label", kilnStyle, func(f *mdedit.File) { f.SetLabel("summary", "Long | piped") },
			[][2]string{{"| `summary` | Short |", "| `summary` | Long \\| piped |"}}},
		{"add label", kilnStyle, func(f *mdedit.File) { f.SetLabel("vendor", "Acme <b>") },
			[][2]string{{"| `summary` | Short |\n", "| `summary` | Short |\n| `vendor` | Acme \\<b\\> |\n"}}},
		{"update a listed label", kilnStyle, func(f *mdedit.File) { f.UpdateLabel("summary", "Long") },
			[][2]string{{"| `summary` | Short |", "| `summary` | Long |"}}},
		{"update an unlisted label", kilnStyle, func(f *mdedit.File) { f.UpdateLabel("vendor", "Acme"); f.UpdateEnv("NEW", "1") }, nil},
		{"unset label", kilnStyle, func(f *mdedit.File) { f.UnsetLabel("io.k8s.description") },
			[][2]string{{"| `io.k8s.description` | A builder |\n", ""}}},
		{"set env", kilnStyle, func(f *mdedit.File) { f.SetEnv("NODE_VERSION", "22") },
			[][2]string{{"`20`", "`22`"}}},
		{"add env", kilnStyle, func(f *mdedit.File) { f.SetEnv("JAVA_OPTS", "-Xms1g,-Xmx2g") },
			[][2]string{{"| version of the software |\n", "| version of the software |\n| `JAVA_OPTS` | `-Xms1g,-Xmx2g` |  |\n"}}},
		{"unset env leaves the secrets table", kilnStyle, func(f *mdedit.File) { f.UnsetEnv("APP_ROOT"); f.UnsetEnv("DB_PASSWORD") },
			[][2]string{{"| `APP_ROOT` | `/opt/app-root` | configuration |\n", ""}}},
		{"add port, not in the code block", kilnStyle, func(f *mdedit.File) { f.AddPort(8443, "tcp", "https") },
			[][2]string{{"| 8080 | tcp | http |\n", "| 8080 | tcp | http |\n| 8443 | tcp | https |\n"}}},
		{"add a port that is there", kilnStyle, func(f *mdedit.File) { f.AddPort(8080, "tcp", "web") }, nil},
		{"remove port", kilnStyle, func(f *mdedit.File) { f.RemovePort(8080) },
			[][2]string{{"| 8080 | tcp | http |\n", ""}}},
		{"hand: set env", handStyle, func(f *mdedit.File) { f.SetEnv("FOO", "baz") },
			[][2]string{{"FOO | bar |", "FOO | baz |"}}},
		{"hand: add env", handStyle, func(f *mdedit.File) { f.SetEnv("NEW", "1") },
			[][2]string{{"FOO | bar | the foo\r\n", "FOO | bar | the foo\r\nNEW | 1 | \r\n"}}},
		{"hand: add port at end of file", handStyle, func(f *mdedit.File) { f.AddPort(9000, "tcp", "metrics") },
			[][2]string{{"8080/tcp | web", "8080/tcp | web\r\n9000 | "}}},
		{"hand: remove port", handStyle, func(f *mdedit.File) { f.RemovePort(8080) },
			[][2]string{{":--- | :---\r\n8080/tcp | web", ":--- | :---\r\n"}}},
		{"no tables", "# x\n\nJust text.\n", func(f *mdedit.File) {
			f.SetLabel("a", "b")
			f.AddPort(1, "tcp", "x")
			f.SetEnv("A", "b")
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mdedit.Parse([]byte(tc.in))
			tc.edit(f)
			want := tc.in
			for _, r := range tc.want {
				if !strings.Contains(want, r[0]) {
					t.Fatalf("fixture lacks %q", r[0])
				}
				want = strings.Replace(want, r[0], r[1], 1)
			}
			if got := string(f.Bytes()); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if f.Changed() != (want != tc.in) {
				t.Errorf("Changed() = %v", f.Changed())
			}
		})
	}
}

// An edited table still reads as a table with the new row: the edit reads
// back through the parser.
func TestReadBack(t *testing.T) {
	f := mdedit.Parse([]byte(kilnStyle))
	f.SetLabel("vendor", "Acme")
	f.AddPort(8443, "tcp", "https")
	f.SetEnv("X", "1")
	g := mdedit.Parse(f.Bytes())
	g.SetLabel("vendor", "Acme")
	g.AddPort(8443, "tcp", "https")
	g.SetEnv("X", "1")
	if g.Changed() {
		t.Errorf("the second, same edit changed bytes: the first edit's rows do not read back:\n%s", g.Bytes())
	}
}
