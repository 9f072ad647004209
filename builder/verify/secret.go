package verify

import "strings"

// looksSecret reports whether an ENV variable named name with this value
// looks like a shipped secret (G11): a name with PASSWORD, SECRET, TOKEN,
// KEY... that is not a path, a file or a switch, and a value that is set.
func looksSecret(name, value string) bool {
	toks := strings.Split(strings.ToUpper(name), "_")
	secret := false
	for _, tok := range toks {
		for _, w := range []string{"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIALS"} {
			if strings.HasSuffix(tok, w) {
				secret = true
			}
		}
	}
	last := toks[len(toks)-1]
	if last == "TOKEN" || last == "KEY" || strings.HasSuffix(last, "APIKEY") {
		secret = true
	}
	if !secret {
		return false
	}
	for _, tok := range toks {
		switch tok {
		case "FILE", "PATH", "DIR", "URL", "USER", "USERNAME", "NAME", "LENGTH", "TTL", "ENV":
			return false
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(value)); v {
	case "", "true", "false", "yes", "no", "0", "1":
		return false
	default:
		return !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "$")
	}
}
