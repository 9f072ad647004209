package lint

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
