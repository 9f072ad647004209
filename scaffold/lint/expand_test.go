package lint

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// TestExpandFastPaths holds expand's shortcuts (quotedLiteral,
// lonePlainVar) to what buildkit's lexer makes of the same words, with
// both escape tokens.
func TestExpandFastPaths(t *testing.T) {
	env := vars{"HOME": "/opt/app-root/src", "BASE": "ubi9:9.5", "EMPTY": "", "_x1": "y"}
	words := []string{
		`"Benchmark builder image"`, `'single $HOME \n'`, `"it's"`, `"a\"b"`, `"a$HOME"`, `"a\\b"`, "\"a`b`\"",
		`""`, `''`, `"`, `'`, `"abc`, `abc"`, `"a"b"`, `'a'b'`, `"a" "b"`, `"x"y`, "\"tab\there\"", "\"nl\nx\"",
		"\"bad\xffutf8\"", "'bad\xff'", `"ünïcödé"`, "\"nul\x00\"", `"<<EOF"`, `'<<EOF'`,
		`$HOME`, `${HOME}`, `$BASE`, `${BASE}`, `$EMPTY`, `${EMPTY}`, `$UNSET`, `${UNSET}`, `$_x1`, `${_x1}`,
		`$1`, `${1}`, `$`, `${}`, `${HOME`, `$HOME}`, `${HOME:-x}`, `${UNSET:-x}`, `$HOME/x`, `${HOME}x`, `$HO-ME`,
		`${H OME}`, `$9a`, `${a9}`, `$a9`, `$@`, `$*`, `${#HOME}`,
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab $\"'\\`{}_-:9<\xff\t")
	for range 20000 {
		b := make([]byte, 1+r.IntN(7))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		words = append(words, string(b))
	}
	for _, esc := range []rune{'\\', '`'} {
		d := &dockerfile{lex: shell.NewLex(esc)}
		for _, w := range words {
			fast := false
			if _, ok := quotedLiteral(w); ok {
				fast = true
			} else if _, ok := lonePlainVar(w); ok {
				fast = true
			}
			if !fast {
				continue
			}
			got, gotOK := d.expand(w, env)
			want, unmatched, err := d.lex.ProcessWord(w, envGetter(env))
			wantOK := err == nil && len(unmatched) == 0
			if err != nil {
				want = w
			}
			if got != want || gotOK != wantOK {
				t.Errorf("escape %q: expand(%q) = %q, %v; buildkit: %q, %v (err %v)", esc, w, got, gotOK, want, wantOK, err)
			}
		}
	}
}

// TestMentionsCheckedCommand holds the one-pass search to "any of
// runCommandsChecked is a substring".
func TestMentionsCheckedCommand(t *testing.T) {
	naive := func(src string) bool {
		for _, c := range runCommandsChecked {
			if strings.Contains(src, c) {
				return true
			}
		}
		return false
	}
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("yumdnfaptkrchowgpixsel- \n")
	srcs := []string{"", "r", "rm", "chmo", "chmod", "fix-permission", "fix-permissions", "microdnf -y install x", "echo openss", "openssh"}
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		srcs = append(srcs, string(b))
	}
	hits := 0
	for _, s := range srcs {
		got := mentionsCheckedCommand(s)
		if got != naive(s) {
			t.Errorf("mentionsCheckedCommand(%q) = %v", s, got)
		}
		if got {
			hits++
		}
	}
	if hits < 100 {
		t.Fatalf("only %d of %d inputs name a command: the test checks too little", hits, len(srcs))
	}
}
