package okd

import "strings"

// secretWords make a variable name look like a secret wherever they stand
// in it (DB_PASSWORD, MYSECRET); lastWords only as its last word (API_KEY,
// GITHUB_TOKEN, DB_PASS), since KEY_ALIAS or TOKEN_TTL hold no secret.
var (
	secretWords = []string{"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIALS", "CREDENTIAL"}
	lastWords   = []string{"TOKEN", "APIKEY", "KEY", "PASS", "PWD", "AUTH", "DSN"}
)

// notSecretWords mark names that hold where a secret lives or something
// about it, not the secret: GPG_KEY is a public fingerprint, *_KEY_FILE a
// path, PUBLIC_KEY public by definition.
var notSecretWords = map[string]bool{
	"FILE": true, "PATH": true, "DIR": true, "URL": true, "URI": true, "ID": true, "FINGERPRINT": true,
	"GPG": true, "PGP": true, "KEYS": true, "KEYRING": true, "SERVER": true, "SERVERS": true, "LENGTH": true,
	"SIZE": true, "HOME": true, "NAME": true, "USER": true, "USERNAME": true, "TYPE": true, "ALGORITHM": true,
	"REF": true, "LOCATION": true, "FORMAT": true, "ENABLED": true, "REQUIRED": true, "HEADER": true,
	"PREFIX": true, "SOURCE": true, "ENV": true, "VAR": true, "MOUNT": true, "PUBLIC": true, "PUB": true,
	"HASH": true, "POLICY": true, "EXPIRY": true, "TTL": true, "TIMEOUT": true, "LIFETIME": true, "MIN": true,
	"MAX": true, "STRENGTH": true, "ROTATION": true, "NAMESPACE": true, "PROVIDER": true, "OLDPWD": true,
}

// SecretWord returns the word that makes an environment variable's name or
// a label key (com.example.password) say it holds a password, secret, token
// or key (G11), in lower case, or "".
func SecretWord(name string) string {
	upper := strings.ToUpper(name)
	isSep := func(r rune) bool { return r == '_' || r == '.' || r == '-' || r == '/' }
	// the words are iterated, not collected: this runs for every ENV and ARG
	n, last := 0, ""
	for tok := range strings.FieldsFuncSeq(upper, isSep) {
		if notSecretWords[tok] {
			return ""
		}
		n, last = n+1, tok
	}
	if n == 0 {
		return ""
	}
	if n == 1 && last == "PWD" {
		return "" // the shell's working directory
	}
	for tok := range strings.FieldsFuncSeq(upper, isSep) {
		for _, w := range secretWords {
			if tok == w || strings.HasSuffix(tok, w) {
				return strings.ToLower(w)
			}
		}
	}
	for _, w := range lastWords {
		if last == w || (w == "APIKEY" || w == "TOKEN") && strings.HasSuffix(last, w) {
			return strings.ToLower(w)
		}
	}
	return ""
}

// LooksSecret reports whether a variable name says it holds a secret (G11).
func LooksSecret(name string) bool { return SecretWord(name) != "" }

// SecretDefault reports whether setting name to value in the image bakes in
// a default secret (G11): the name says secret and the value could be one,
// or the value is a URL with credentials (DATABASE_URL=postgres://u:pw@db).
// Empty values, booleans and numbers 0/1 (switches), paths (where the
// secret is mounted) and references to other variables are not secrets.
func SecretDefault(name, value string) bool {
	if HasCredentials(value) {
		return true
	}
	if !LooksSecret(name) {
		return false
	}
	v := strings.ToLower(strings.TrimSpace(value))
	switch v {
	case "", "true", "false", "yes", "no", "0", "1":
		return false
	}
	return !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "$")
}
