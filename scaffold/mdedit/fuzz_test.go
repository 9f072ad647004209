package mdedit_test

import (
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold/mdedit"
)

// FuzzSetUnset: for any README and value, setting a new label, env var or
// port reads back (the same edit again changes nothing), and removing it
// again gives back the README byte for byte.
func FuzzSetUnset(f *testing.F) {
	f.Add(kilnStyle, "Acme | <b>`x`</b>")
	f.Add(handStyle+"\r\n", "a\\b")
	f.Add("| Label | Value |\n|---|---|\n", "")
	f.Add("> | Port | Name |\n> |---|---|\n> | 80 | http |\n", "x")
	f.Fuzz(func(t *testing.T, readme, value string) {
		if strings.Contains(readme, "fuzz") || !strings.HasSuffix(readme, "\n") || strings.ContainsAny(value, "\r\n") {
			t.Skip()
		}
		for _, e := range []struct {
			set, unset func(*mdedit.File)
		}{
			{func(f *mdedit.File) { f.SetLabel("fuzz.label", value) }, func(f *mdedit.File) { f.UnsetLabel("fuzz.label") }},
			{func(f *mdedit.File) { f.SetEnv("FUZZ_ENV", value) }, func(f *mdedit.File) { f.UnsetEnv("FUZZ_ENV") }},
			{func(f *mdedit.File) { f.AddPort(65001, "tcp", "fuzz") }, func(f *mdedit.File) { f.RemovePort(65001) }},
		} {
			a := mdedit.Parse([]byte(readme))
			e.set(a)
			b := mdedit.Parse(a.Bytes())
			e.set(b)
			if b.Changed() {
				t.Fatalf("the edit does not read back:\nonce:\n%q\ntwice:\n%q", a.Bytes(), b.Bytes())
			}
			c := mdedit.Parse(a.Bytes())
			e.unset(c)
			if string(c.Bytes()) != readme {
				t.Fatalf("set then unset changed the README:\nbefore:\n%q\nafter:\n%q", readme, c.Bytes())
			}
		}
	})
}
