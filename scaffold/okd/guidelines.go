// Package okd holds the OKD image guidelines G01-G31 and the rules that
// both sides of kiln apply: scaffold.Validate decides what kiln new
// accepts, scaffold/lint what kiln lint reports, and both call the
// predicates here, so kiln's own output always passes its own lint.
//
// The guideline texts follow the OKD guide "Creating images"
// (docs.okd.io, openshift_images/create-images), in this project's words;
// each names the guide's section it comes from. docs/guidelines.md is
// generated from this package (go generate ./scaffold/okd).
//
// The package is a leaf: it imports nothing of kiln, so scaffold,
// scaffold/lint, builder and tui can all use it.
package okd

import (
	"fmt"
	"strings"
)

// Way is one way kiln serves a guideline.
type Way uint8

// The ways, in the order docs/guidelines.md lists them.
const (
	Write  Way = 1 << iota // what kiln renders follows it by default
	Ask                    // a wizard question, with the reason in one line
	Lint                   // a kiln lint rule on the repository
	Verify                 // a kiln verify check on the built image
	Test                   // a step of kiln test on the running container
)

var wayNames = []struct {
	w    Way
	name string
}{{Write, "write"}, {Ask, "ask"}, {Lint, "lint"}, {Verify, "verify"}, {Test, "test"}}

// Has reports whether w includes every way of o.
func (w Way) Has(o Way) bool { return w&o == o }

func (w Way) String() string {
	var names []string
	for _, n := range wayNames {
		if w.Has(n.w) {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// Guideline is one numbered guideline.
type Guideline struct {
	ID      string // G01..G31, stable
	Section string // the section of the OKD guide it comes from
	Summary string // one line, as rules and wizard questions cite it
	Text    string // the full guideline: what to do and why
	Ways    Way    // how kiln serves it
}

var guidelines = []Guideline{
	{ID: "G01", Section: "Reuse images", Ways: Write | Ask | Lint,
		Summary: "Base the image on a maintained upstream image (FROM), so security fixes flow down",
		Text: "Start FROM an upstream image that somebody keeps patched, rather than installing the platform yourself. " +
			"When that image is rebuilt with a security fix, rebuilding yours picks the fix up; you do not track the dependencies one by one. " +
			"A base whose distribution has reached its end of life gets no fixes any more, so it no longer counts as maintained."},
	{ID: "G02", Section: "Reuse images", Ways: Write | Ask | Lint,
		Summary: "Name the base image's tag explicitly; never `latest`",
		Text: "Write the tag in FROM (for example ubi9/ubi-minimal:9.5), so readers see which version the image builds on. " +
			"Without a tag, or with `latest`, the next pull can bring an incompatible base and break the image without any change on your side. " +
			"A digest pins the base even more strictly."},
	{ID: "G03", Section: "Maintain compatibility within tags", Ways: Write | Ask | Verify,
		Summary: "Keep compatibility within a tag; ship a breaking change under a new tag",
		Text: "Tag your own image by compatibility line (image:v1). Publish compatible updates under the same tag, so consumers get them without breaking; " +
			"publish an incompatible update under a new tag (image:v2), so consumers move when they choose. `latest` promises nothing."},
	{ID: "G04", Section: "Avoid multiple processes", Ways: Write | Lint,
		Summary: "One service per container: no database plus sshd, no supervisor of several services",
		Text: "Run one service per container. Containers are cheap, and a pod groups related containers with a shared network and storage. " +
			"Separate containers update independently, and signals and exit codes reach the one process that matters."},
	{ID: "G05", Section: "Use exec in wrapper scripts", Ways: Write | Lint | Verify | Test,
		Summary: "Wrapper scripts start the real process with `exec`, so signals reach it; it runs as PID 1",
		Text: "A script that prepares the environment and then starts the server must start it with exec, so the server replaces the shell. " +
			"Otherwise SIGTERM from the runtime, or CTRL+C under podman run -i, reaches the shell and the server keeps running. " +
			"The process runs as PID 1: when it ends, the container stops with it."},
	{ID: "G06", Section: "Clean temporary files", Ways: Write | Lint | Verify,
		Summary: "Remove temporary files and package caches in the same RUN that made them",
		Text: "Delete what the build only needed (package caches, downloaded archives, files added for one step) in the same RUN that created it, " +
			"for example `yum install ... && yum clean all`. A later RUN only hides the files: the earlier layer still ships them and the image does not shrink."},
	{ID: "G07", Section: "Clean temporary files", Ways: Write | Lint | Verify,
		Summary: "Fewer layers: chain related commands in one RUN",
		Text: "Join related commands with && in one RUN. Each instruction adds a layer; fewer layers download and unpack faster, " +
			"and cleaning in the same RUN keeps the junk out of every layer."},
	{ID: "G08", Section: "Place instructions in the proper order", Ways: Write | Lint,
		Summary: "Order instructions from rarely to often changing, so the layer cache is reused",
		Text: "Builders reuse a cached layer until the first instruction whose input changed. Put the slow, stable steps (package installs) first " +
			"and the files you edit often last, so an edit rebuilds only the last layers instead of rerunning the install."},
	{ID: "G09", Section: "Mark important ports", Ways: Write | Ask | Lint | Verify,
		Summary: "Declare the ports the software uses with EXPOSE",
		Text: "Declare every port the software listens on with EXPOSE. The ports then show in podman ps and podman inspect, " +
			"and people and tools know what to connect to without reading the code."},
	{ID: "G10", Section: "Set environment variables", Ways: Write | Ask | Lint,
		Summary: "Set environment variables for the version and for well-known paths",
		Text: "Set ENV for the version of the software the image ships (for example NODEJS_VERSION) and for paths other processes need (such as JAVA_HOME), " +
			"so they can be read without the Dockerfile."},
	{ID: "G11", Section: "Avoid default passwords", Ways: Write | Ask | Lint | Verify,
		Summary: "No default passwords; passwords and secrets come from environment variables; any unavoidable default is announced at start with how to change it",
		Text: "Never bake a password, token or key into the image: people extend images and forget to change it, and production ends up with a well-known secret. " +
			"Take secrets from environment variables at run time. If a default really cannot be avoided, print a warning at start that names the value and the variable that changes it."},
	{ID: "G12", Section: "Avoid sshd", Ways: Write | Lint | Verify,
		Summary: "No sshd in the image",
		Text:    "Do not install or run sshd. podman exec, oc exec and oc rsh already give a shell in a container; sshd only adds an attack surface that needs its own patches."},
	{ID: "G13", Section: "Use volumes for persistent data", Ways: Write | Ask | Lint | Verify,
		Summary: "Persistent data goes to declared VOLUMEs; nothing to preserve is written elsewhere",
		Text: "Write everything that must survive the container to a volume, and declare those directories with VOLUME so users know what to mount. " +
			"OKD attaches the storage wherever the pod runs; data written anywhere else is lost when the container restarts or moves. " +
			"Each instance gets its own volume: volumes do not share state between replicas."},
	{ID: "G14", Section: "Enable images for source-to-image (s2i)", Ways: Write | Lint | Verify | Test,
		Summary: "Images that run third-party code are s2i builders (scripts and the scripts-url label)",
		Text: "An image meant to run code that somebody else writes (a language runtime, a framework) should be an s2i builder: " +
			"it ships the s2i scripts and says where they are with io.openshift.s2i.scripts-url, so s2i can turn application source into a runnable image."},
	{ID: "G15", Section: "Support arbitrary user ids", Ways: Write | Ask | Lint | Verify | Test,
		Summary: "Arbitrary user IDs work: written directories and files belong to group 0 and are group-writable as their owner (g=u); executables are group-executable",
		Text: "OKD runs containers under an arbitrary UID that owns nothing in the image but is always in group 0. " +
			"Every directory and file the processes write must belong to group 0 with the owner's permissions for the group " +
			"(`chgrp -R 0 DIR && chmod -R g=u DIR`), and programs must be executable by the group."},
	{ID: "G16", Section: "Support arbitrary user ids", Ways: Write | Lint | Verify,
		Summary: "Never loosen /etc/passwd (no group or world write)",
		Text: "Leave the permissions of sensitive files such as /etc/passwd alone: a writable /etc/passwd lets any process add users and can expose the container or the host. " +
			"CRI-O adds the arbitrary UID to /etc/passwd itself, so loosening it is never needed."},
	{ID: "G17", Section: "Support arbitrary user ids", Ways: Write | Ask | Lint | Verify | Test,
		Summary: "Listen only on ports 1024 and above",
		Text:    "The processes do not run as a privileged user, so they cannot bind ports below 1024. Listen on 1024 or above (8080 rather than 80)."},
	{ID: "G18", Section: "Support arbitrary user ids", Ways: Write | Ask | Lint | Verify,
		Summary: "The USER is numeric, so OKD's UID checks and s2i builds accept it",
		Text: "End the Dockerfile with a numeric, non-root USER such as 1001. OKD can only compare numbers with the allowed UID range, " +
			"and s2i builds from an image whose USER is a name or root fail by default unless an administrator loosens the security context constraints."},
	{ID: "G19", Section: "Use services for inter-image communication", Ways: Write,
		Summary: "Talk to other images through services (a Service in the template), not addresses",
		Text:    "Reach other images (a database, a back end) through an OKD Service: its address stays the same while pods start, stop and move, and it balances the load."},
	{ID: "G20", Section: "Provide common libraries", Ways: Write | Ask,
		Summary: "Builder images carry the common libraries of their platform (database drivers)",
		Text: "A builder image should already contain the libraries most applications of its platform need, database drivers first, " +
			"so assemble does not download them on every build and developers need not hunt for them."},
	{ID: "G21", Section: "Use environment variables for configuration", Ways: Write | Ask | Lint | Test,
		Summary: "Configuration through environment variables (templated config files processed at start where needed); missing configuration fails at start with a clear message",
		Text: "Users configure the image with environment variables on the pod, without building a derived image. Simple software reads them directly; " +
			"otherwise a start script fills a template configuration file from them. Secrets such as certificates and keys come the same way, so they never land in a registry. " +
			"When configuration comes from a mounted volume instead, missing configuration must stop the start with a clear message."},
	{ID: "G22", Section: "Use environment variables for configuration", Ways: Write,
		Summary: "The runtime tunes itself to the container's cgroup limits (memory, CPU)",
		Text: "Read the container's cgroup limits at start and size the runtime to them (a JVM heap to the memory limit, worker counts to the CPUs), " +
			"so the process neither wastes the limit nor gets killed for exceeding it."},
	{ID: "G23", Section: "Set image metadata", Ways: Write | Ask | Lint | Verify,
		Summary: "Metadata labels: io.openshift.tags, io.openshift.wants, io.k8s.description, io.openshift.non-scalable, io.openshift.min-memory, io.openshift.min-cpu (and io.k8s.display-name, io.openshift.expose-services)",
		Text: "Describe the image with LABELs that OKD reads: io.k8s.description (what it provides), io.openshift.tags (comma-separated words that sort it into areas of functionality), " +
			"io.openshift.wants (tags of images it needs), io.openshift.non-scalable (true when replicas must stay at 1), and io.openshift.min-memory and io.openshift.min-cpu " +
			"(Kubernetes quantities the console compares with the quota). Keys are namespaced by the project that reads them: io.openshift for OKD, io.k8s for Kubernetes."},
	{ID: "G24", Section: "Clustering", Ways: Write | Ask,
		Summary: "Clustering is dynamic (peers found by service, not by address); an image that cannot scale says so with non-scalable",
		Text: "Know what running several instances means. When instances must share state (leader election, session replication), they find each other dynamically, " +
			"because pod addresses change on every start. An image that cannot run more than one replica says so with io.openshift.non-scalable."},
	{ID: "G25", Section: "Logging", Ways: Write | Lint | Test,
		Summary: "Log to standard output; a second stream is told apart by a prefix",
		Text: "Log to standard output, which OKD collects and ships to its central logging. To keep two kinds of messages apart, prefix one of them with a keyword. " +
			"A log file can only be read by someone who enters the container."},
	{ID: "G26", Section: "Liveness and readiness probes", Ways: Write | Ask | Lint | Test,
		Summary: "Document liveness and readiness probes for the image",
		Text:    "Document a readiness probe (no traffic until the container can serve) and a liveness probe (restart when it hangs) that work with the image."},
	{ID: "G27", Section: "Templates", Ways: Write | Lint,
		Summary: "Ship an example template that deploys the image with its probes",
		Text:    "Provide an example OKD template that deploys the image with a working configuration, including the documented liveness and readiness probes."},
	{ID: "G28", Section: "How to write source-to-image scripts", Ways: Write | Lint | Verify | Test,
		Summary: "s2i scripts: assemble and run are required; save-artifacts and usage optional; test/run proves them",
		Text: "An s2i builder ships assemble (builds the application from source) and run (starts it); both are required and must be executable in the image. " +
			"save-artifacts and usage are optional. s2i finds them through the build configuration, the application's .s2i/bin, or the image's io.openshift.s2i.scripts-url " +
			"(image://, file:// or http(s)://). test/run, also optional, proves the scripts work."},
	{ID: "G29", Section: "How to write source-to-image scripts", Ways: Write | Ask | Lint | Test,
		Summary: "Incremental builds: save-artifacts streams only a tar on stdout; assemble restores it first",
		Text: "For incremental builds, save-artifacts gathers what speeds up the next build (installed gems, the .m2 repository) and streams it as a tar archive on standard output, " +
			"with nothing else on that stream; assemble restores those artifacts before it builds."},
	{ID: "G30", Section: "About testing source-to-image images", Ways: Write | Lint | Test,
		Summary: "Test the image: usage, s2i build of a test app, incremental rebuild, run, and a response from the app",
		Text: "Test the builder the way users use it: run the image to see usage, s2i build a small application kept in test/test-app, build it again to exercise " +
			"save-artifacts, run the result and check that the application answers. The conventional entry point is test/run."},
	{ID: "G31", Section: "Testing locally", Ways: Write,
		Summary: "A Makefile builds and tests with podman or docker",
		Text:    "Ship a Makefile whose build and test targets work with podman or docker, so anyone can build the image and run test/run the same way locally and in CI."},
}

// Guidelines returns every guideline, ordered by ID.
func Guidelines() []Guideline { return append([]Guideline(nil), guidelines...) }

// Lookup finds a guideline by ID (G01..G31).
func Lookup(id string) (Guideline, bool) {
	for _, g := range guidelines {
		if g.ID == id {
			return g, true
		}
	}
	return Guideline{}, false
}

// Summary returns the one-line text of a guideline, or "" for an unknown ID.
func Summary(id string) string {
	g, _ := Lookup(id)
	return g.Summary
}

// Markdown renders docs/guidelines.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# The OKD image guidelines\n\n")
	b.WriteString("<!-- Generated from scaffold/okd/guidelines.go by `go generate ./scaffold/okd`; do not edit. -->\n\n")
	b.WriteString("Every guideline of the OKD guide \"Creating images\" (docs.okd.io, *Images › Creating images*), numbered so that kiln can cite it, ")
	b.WriteString("in this project's words. kiln serves each one in up to five ways: **write** (what kiln renders follows it), ")
	b.WriteString("**ask** (a wizard question, with the reason in one line), **lint** (a `kiln lint` rule on the repository), ")
	b.WriteString("**verify** (a `kiln verify` check on the built image) and **test** (a step of `kiln test` on the running container). ")
	b.WriteString("Every lint rule names the guideline it serves (the `guideline` field of its JSON); `kiln lint --list` lists them.\n\n")
	b.WriteString("| ID | guideline | write | ask | lint | verify | test |\n|---|---|---|---|---|---|---|\n")
	for _, g := range guidelines {
		fmt.Fprintf(&b, "| [%s](#%s) | %s |", g.ID, strings.ToLower(g.ID), strings.ReplaceAll(g.Summary, "|", `\|`))
		for _, w := range wayNames {
			if g.Ways.Has(w.w) {
				b.WriteString(" x |")
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteString("\n")
	}
	for _, g := range guidelines {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** · guide section: *%s* · served by: %s\n\n%s\n", g.ID, g.Summary, g.Section, g.Ways, g.Text)
	}
	return b.String()
}
