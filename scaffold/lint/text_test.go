package lint

import "io/fs"

// The fuzz and ignore tests lint one file's text on its own.

// lintDockerfileText lints one Dockerfile's text on its own.
func lintDockerfileText(name string, src []byte, opts Options) ([]Finding, error) {
	var out []Finding
	_, err := lintDockerfile(name, src, &out)
	if err != nil {
		return nil, err
	}
	return finish(out, ignoreSet(opts.Ignore)), nil
}

// lintScriptText lints one shell script's text on its own; its role (run,
// save-artifacts, a wrapper started by CMD...) is guessed from its name.
// mode is the file's mode; 0 means unknown (no execute-bit check).
func lintScriptText(name string, src []byte, mode fs.FileMode, opts Options) ([]Finding, error) {
	var out []Finding
	role := roleFromName(name)
	if _, err := lintScript(name, src, mode, role, scriptContext{}, &out); err != nil {
		return nil, err
	}
	return finish(out, ignoreSet(opts.Ignore)), nil
}
