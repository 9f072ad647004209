package lint

import (
	"fmt"
	"strings"
)

// Severity orders findings; a higher value is more serious.
type Severity int

// Severities, from least to most serious.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// MarshalText writes the severity's name, so JSON carries "error", not 2.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(name string) (Severity, error) {
	switch strings.ToLower(name) {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return Info, fmt.Errorf("unknown severity %q: use error, warning or info", name)
}

// Rule is one check: what it finds, why OKD cares, and how to fix it.
type Rule struct {
	ID        string   `json:"id"`
	Severity  Severity `json:"severity"`
	Guideline string   `json:"guideline"`
	Title     string   `json:"title"`
	Fix       string   `json:"fix"`
	Why       string   `json:"why"`
	Before    string   `json:"before"`
	After     string   `json:"after"`
	// Confidence is "certain" when the finding is a fact of the files, else
	// "heuristic: " and what the rule cannot know. Only certain rules are
	// errors.
	Confidence string `json:"confidence"`
}

// rules is the rule table; IDs are stable and never reused.
var rules = []Rule{
	{ID: "KL000", Severity: Warning, Guideline: "", Title: "file kiln cannot parse",
		Fix:    "Fix the syntax error, or, for valid input kiln's parsers do not read (some bash extensions, a template), add `# kiln:ignore-file=KL000 reason`; the other files are linted all the same.",
		Why:    "kiln checks a file by parsing it as builds and shells do; a file it cannot parse goes unchecked, and may well break the build.",
		Before: "#!/bin/sh\nif [ -f app.py ]; then\n  exec python app.py", After: "#!/bin/sh\nif [ -f app.py ]; then\n  exec python app.py\nfi"},
	{ID: "KL001", Severity: Error, Guideline: "G02", Title: "FROM names no tag",
		Fix:    "Name the base image's tag (or digest) explicitly, e.g. FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5.",
		Why:    "An untagged FROM means latest: every rebuild may pull an incompatible base and break consumers without warning.",
		Before: "FROM registry.access.redhat.com/ubi9/ubi-minimal", After: "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5"},
	{ID: "KL002", Severity: Error, Guideline: "G02", Title: "FROM uses the latest tag",
		Fix:    "Replace latest with a version tag (or a digest) of the base image.",
		Why:    "latest moves: breaking changes in the upstream image reach your builds without your consent.",
		Before: "FROM quay.io/fedora/fedora:latest", After: "FROM quay.io/fedora/fedora:41"},
	{ID: "KL003", Severity: Warning, Guideline: "G01", Title: "base image past its end of life",
		Fix:    "Move FROM to a release that still gets fixes, e.g. ubi9 or fedora:43 instead of centos:7 or fedora:37.",
		Why:    "An end-of-life distribution gets no security fixes, so rebuilding on it brings none: the base is no longer maintained.",
		Before: "FROM centos:7", After: "FROM registry.access.redhat.com/ubi9/ubi:9.5"},
	{ID: "KL004", Severity: Error, Guideline: "", Title: "kiln:ignore names an unknown rule",
		Fix:    "Name existing rule IDs (kiln lint --list), e.g. # kiln:ignore=KL120 reason.",
		Why:    "A misspelt ID (KL12O) silences nothing, and nobody notices that the finding it was meant for is back.",
		Before: "# kiln:ignore=KL12O", After: "# kiln:ignore=KL120 the server daemonizes itself"},
	{ID: "KL005", Severity: Error, Guideline: "", Title: "unknown Dockerfile instruction",
		Fix:    "Correct the instruction (a typo such as RUNN or COPPY), or, for a template, lint the Dockerfile it generates.",
		Why:    "Builds stop at an instruction they do not know; the image cannot be built.",
		Before: "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUNN microdnf -y install nginx", After: "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf -y install nginx"},
	{ID: "KL006", Severity: Error, Guideline: "", Title: "Dockerfile without FROM",
		Fix:    "Start the Dockerfile with FROM and the base image (only ARG may come before it).",
		Why:    "Every build stage starts with FROM; without it the build fails at once, and the file is probably not the Dockerfile meant.",
		Before: "USER 1001\nCMD [\"/usr/libexec/s2i/usage\"]", After: "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nUSER 1001\nCMD [\"/usr/libexec/s2i/usage\"]"},
	{ID: "KL010", Severity: Warning, Guideline: "G06", Title: "yum/dnf/microdnf install without clean in the same RUN",
		Fix:    "End the same RUN with `&& yum clean all` (dnf clean all, microdnf clean all).",
		Why:    "The package cache written by install stays in that layer forever; a clean in a later RUN only hides it and the image stays as big.",
		Before: "RUN yum -y install mypackage\nRUN yum -y install myotherpackage && yum clean all -y",
		After:  "RUN yum -y install mypackage && yum -y install myotherpackage && yum clean all -y"},
	{ID: "KL011", Severity: Warning, Guideline: "G06", Title: "apt-get install without removing /var/lib/apt/lists in the same RUN",
		Fix:    "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`.",
		Why:    "The package lists fetched by apt-get update stay in the layer (tens of MB) unless removed in the RUN that fetched them.",
		Before: "RUN apt-get update && apt-get install -y curl", After: "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*"},
	{ID: "KL012", Severity: Warning, Guideline: "G06", Title: "apk add without --no-cache",
		Fix:    "Use `apk add --no-cache ...` so no index is left in the layer.",
		Why:    "apk keeps its index in /var/cache/apk, which then ships in the layer.",
		Before: "RUN apk update && apk add curl", After: "RUN apk add --no-cache curl"},
	{ID: "KL013", Severity: Warning, Guideline: "G06", Title: "file added by ADD/COPY is removed in a later layer",
		Fix:    "Fetch, use and remove the file in one RUN (or use a build stage or RUN --mount), so it never lands in a layer.",
		Why:    "Removing a file in a later layer hides it but does not shrink the image: the ADD layer is still downloaded.",
		Before: "ADD app.tar.gz /tmp/\nRUN install /tmp/app.tar.gz && rm -f /tmp/app.tar.gz",
		After:  "RUN --mount=type=bind,source=app.tar.gz,target=/tmp/app.tar.gz install /tmp/app.tar.gz"},
	{ID: "KL020", Severity: Warning, Guideline: "G07", Title: "consecutive RUN instructions could be one",
		Fix:    "Join the commands with && into one RUN.",
		Why:    "Each RUN is a layer; fewer layers download and extract faster, and temporary files can be removed in the RUN that made them.",
		Before: "RUN mkdir -p /opt/app\nRUN chgrp -R 0 /opt/app", After: "RUN mkdir -p /opt/app && chgrp -R 0 /opt/app"},
	{ID: "KL021", Severity: Warning, Guideline: "G08", Title: "often-changing COPY/ADD comes before a package-install RUN",
		Fix:    "Move the package-install RUN above the COPY/ADD, so edits to the copied files reuse the cached install layer.",
		Why:    "Every edit of the copied file invalidates the cache of all later layers, so the slow package install reruns on each build.",
		Before: "FROM foo\nADD myfile /test/myfile\nRUN yum -y install mypackage && yum clean all -y",
		After:  "FROM foo\nRUN yum -y install mypackage && yum clean all -y\nADD myfile /test/myfile"},
	{ID: "KL022", Severity: Warning, Guideline: "G06", Title: "ADD used where COPY does",
		Fix:    "Use COPY for local files; keep ADD only for archives you want unpacked.",
		Why:    "ADD also unpacks archives and fetches URLs; COPY says plainly what happens and leaves no surprise files behind.",
		Before: "ADD myfile /test/myfile", After: "COPY myfile /test/myfile"},
	{ID: "KL030", Severity: Error, Guideline: "G17", Title: "EXPOSE of a port below 1024",
		Fix:    "Listen on a port of 1024 or above (e.g. 8080) and EXPOSE that.",
		Why:    "OKD runs the container as an arbitrary non-root UID, which cannot bind ports below 1024.",
		Before: "EXPOSE 80", After: "EXPOSE 8080/tcp"},
	{ID: "KL031", Severity: Warning, Guideline: "G09", Title: "no EXPOSE although io.openshift.expose-services names services",
		Fix:    "EXPOSE each port listed in io.openshift.expose-services.",
		Why:    "EXPOSE puts the ports into the image metadata that podman inspect, oc new-app and other tools read.",
		Before: "LABEL io.openshift.expose-services=\"8080/tcp:http\"", After: "LABEL io.openshift.expose-services=\"8080/tcp:http\"\nEXPOSE 8080/tcp"},
	{ID: "KL032", Severity: Warning, Guideline: "G09", Title: "EXPOSE and io.openshift.expose-services disagree",
		Fix:    "List the same ports in EXPOSE and in io.openshift.expose-services.",
		Why:    "Tools read one or the other; when they disagree users get a service on the wrong port.",
		Before: "LABEL io.openshift.expose-services=\"8080/tcp:http\"\nEXPOSE 8443", After: "LABEL io.openshift.expose-services=\"8443/tcp:https\"\nEXPOSE 8443/tcp"},
	{ID: "KL033", Severity: Info, Guideline: "G09", Title: "no EXPOSE",
		Fix:    "EXPOSE the ports your software listens on (1024 or above); skip this if it serves no port.",
		Why:    "Declared ports show in podman ps and inspect and let OKD tools create services for the image.",
		Before: "CMD [\"/usr/libexec/s2i/usage\"]", After: "EXPOSE 8080/tcp\nCMD [\"/usr/libexec/s2i/usage\"]"},
	{ID: "KL040", Severity: Warning, Guideline: "G11", Title: "ENV/ARG sets a password, secret, token or key",
		Fix:    "Leave the value out of the image: read it from an environment variable given at run time (a Secret on OKD), and fail at start when it is missing.",
		Why:    "People extend images and forget to change default passwords; a value in ENV or ARG is also readable by anyone who pulls the image.",
		Before: "ENV DB_PASSWORD=changeme", After: "# DB_PASSWORD comes from a Secret at run time; run fails with a clear message without it"},
	{ID: "KL041", Severity: Info, Guideline: "G10", Title: "no version environment variable",
		Fix:    "Set an ENV with the version of the software the image ships, e.g. ENV NODEJS_VERSION=20.",
		Why:    "A version variable lets people find the version without reading the Dockerfile.",
		Before: "FROM ubi9:9.5", After: "FROM ubi9:9.5\nENV NODEJS_VERSION=20"},
	{ID: "KL050", Severity: Error, Guideline: "G12", Title: "sshd in the image",
		Fix:    "Drop openssh-server and port 22; use oc rsh, oc exec or podman exec to get into containers.",
		Why:    "sshd opens another attack vector and needs its own security patches; OKD already gives shell access.",
		Before: "RUN dnf -y install openssh-server && dnf clean all\nEXPOSE 22", After: "# no sshd: oc rsh <pod>"},
	{ID: "KL060", Severity: Warning, Guideline: "G04", Title: "several services started in one container",
		Fix:    "Start one process with exec; put other services in their own containers of the same pod.",
		Why:    "With several processes, signals and exit status no longer reach the service and one crash goes unnoticed.",
		Before: "CMD sshd & exec httpd -DFOREGROUND", After: "CMD [\"httpd\", \"-DFOREGROUND\"]"},
	{ID: "KL070", Severity: Warning, Guideline: "G18", Title: "no USER instruction",
		Fix:    "Add a numeric USER (e.g. USER 1001) after the steps that need root.",
		Why:    "s2i builds on OKD fail by default for images without a numeric USER, and the image would run as root elsewhere.",
		Before: "CMD [\"run\"]", After: "USER 1001\nCMD [\"run\"]"},
	{ID: "KL071", Severity: Error, Guideline: "G18", Title: "the image runs as root",
		Fix:    "End with a numeric non-root USER such as USER 1001.",
		Why:    "OKD refuses root images under the restricted SCC, and s2i builds of named or root users fail by default.",
		Before: "USER root", After: "USER 1001"},
	{ID: "KL072", Severity: Error, Guideline: "G18", Title: "USER is not numeric",
		Fix:    "Use the numeric UID (e.g. USER 1001) instead of a user name.",
		Why:    "OKD's allowed-UID checks and s2i builds can only compare a number; a named user makes builds fail by default.",
		Before: "USER default", After: "USER 1001"},
	{ID: "KL073", Severity: Warning, Guideline: "G15", Title: "chown without group 0",
		Fix:    "Give the files group 0: chown -R 1001:0 DIR (or COPY --chown=1001:0).",
		Why:    "OKD runs the image with an arbitrary UID that is always in group 0; only group 0 permissions reach it.",
		Before: "RUN chown -R 1001:1001 /opt/app-root", After: "RUN chown -R 1001:0 /opt/app-root && chmod -R g=u /opt/app-root"},
	{ID: "KL074", Severity: Warning, Guideline: "G15", Title: "directory written by the app lacks chgrp -R 0 and chmod -R g=u",
		Fix:    "RUN chgrp -R 0 DIR && chmod -R g=u DIR",
		Why:    "The arbitrary UID OKD assigns owns nothing; it can write only where group 0 has the owner's permissions.",
		Before: "WORKDIR /opt/app-root/src", After: "RUN chgrp -R 0 /opt/app-root && chmod -R g=u /opt/app-root\nWORKDIR /opt/app-root/src"},
	{ID: "KL075", Severity: Error, Guideline: "G16", Title: "permissions of /etc/passwd changed",
		Fix:    "Leave /etc/passwd alone: CRI-O injects the arbitrary UID itself.",
		Why:    "A group- or world-writable /etc/passwd lets any process add users, exposing the container and possibly the host.",
		Before: "RUN chmod g=u /etc/passwd", After: "# nothing: CRI-O adds the arbitrary UID to /etc/passwd"},
	{ID: "KL076", Severity: Error, Guideline: "G16", Title: "system directory made writable by group 0",
		Fix:    "Make only the application's own directories group-0 writable (chgrp -R 0 /opt/app-root && chmod -R g=u /opt/app-root); never /usr, /bin, /lib, /etc or /var/lib itself.",
		Why:    "Every UID OKD assigns is in group 0: a group-writable /usr/bin or /etc/ssl lets the app, or an attacker in it, replace system binaries, libraries or trusted certificates.",
		Before: "RUN chgrp -R 0 /usr/bin && chmod -R g=u /usr/bin", After: "RUN chgrp -R 0 /opt/app-root && chmod -R g=u /opt/app-root"},
	{ID: "KL080", Severity: Warning, Guideline: "G23", Title: "no io.k8s.description label",
		Fix:    "LABEL io.k8s.description=\"What this image provides, in a sentence\"",
		Why:    "The OKD console and oc new-app show it next to the image name.",
		Before: "LABEL io.openshift.tags=\"builder,nodejs\"", After: "LABEL io.openshift.tags=\"builder,nodejs\" \\\n      io.k8s.description=\"Node.js 20 s2i builder\""},
	{ID: "KL081", Severity: Warning, Guideline: "G23", Title: "no io.k8s.display-name label",
		Fix:    "LABEL io.k8s.display-name=\"Human readable name\"",
		Why:    "The OKD console shows the display name in its catalog.",
		Before: "LABEL io.k8s.description=\"Node.js 20 s2i builder\"", After: "LABEL io.k8s.description=\"Node.js 20 s2i builder\" io.k8s.display-name=\"Node.js 20\""},
	{ID: "KL082", Severity: Warning, Guideline: "G23", Title: "no io.openshift.tags label",
		Fix:    "LABEL io.openshift.tags=\"builder,nodejs,nodejs20\" (comma-separated).",
		Why:    "Tags sort images into areas of functionality, so the UI and oc new-app suggest the image.",
		Before: "LABEL io.k8s.description=\"Node.js 20 s2i builder\"", After: "LABEL io.openshift.tags=\"builder,nodejs\""},
	{ID: "KL083", Severity: Info, Guideline: "G14", Title: "builder image's io.openshift.tags lacks builder",
		Fix:    "Add builder to io.openshift.tags.",
		Why:    "OKD lists an image as an s2i builder only when its tags contain builder.",
		Before: "LABEL io.openshift.tags=\"nodejs\"", After: "LABEL io.openshift.tags=\"builder,nodejs\""},
	{ID: "KL084", Severity: Warning, Guideline: "G23", Title: "EXPOSE without io.openshift.expose-services",
		Fix:    "LABEL io.openshift.expose-services=\"8080/tcp:http\" matching the EXPOSEd ports.",
		Why:    "OKD names the service ports it creates for the image from this label.",
		Before: "EXPOSE 8080/tcp", After: "LABEL io.openshift.expose-services=\"8080/tcp:http\"\nEXPOSE 8080/tcp"},
	{ID: "KL085", Severity: Warning, Guideline: "G14", Title: "s2i scripts outside /usr/libexec/s2i without io.openshift.s2i.scripts-url",
		Fix:    "LABEL io.openshift.s2i.scripts-url=\"image:///DIR\" naming the directory the scripts are copied to.",
		Why:    "s2i looks for assemble and run at the scripts-url label, else at /usr/libexec/s2i; elsewhere they are never found.",
		Before: "COPY s2i/bin/ /opt/s2i/", After: "COPY s2i/bin/ /opt/s2i/\nLABEL io.openshift.s2i.scripts-url=\"image:///opt/s2i\""},
	{ID: "KL086", Severity: Error, Guideline: "G14", Title: "io.openshift.s2i.scripts-url is not an image://, file:// or http(s):// URL",
		Fix:    "Write it as image:///absolute/dir (scripts inside the image).",
		Why:    "s2i understands only image://, file:// and http(s):// here; anything else fails the build.",
		Before: "LABEL io.openshift.s2i.scripts-url=\"/usr/libexec/s2i\"", After: "LABEL io.openshift.s2i.scripts-url=\"image:///usr/libexec/s2i\""},
	{ID: "KL087", Severity: Warning, Guideline: "G23", Title: "label key that tools cannot use",
		Fix:    "Spell known keys exactly (io.openshift.tags), stay outside com.docker.*, io.docker.* and org.dockerproject.*, and keep keys to letters, digits and . _ - / :.",
		Why:    "Tools look labels up by exact key, so a misspelt key is silently ignored; Docker reserves its namespaces. Lower-case reverse-DNS is a convention, not a rule: vendor keys such as com.redhat.license_terms are fine.",
		Before: "LABEL io.openshift.Tags=builder", After: "LABEL io.openshift.tags=builder"},
	{ID: "KL088", Severity: Warning, Guideline: "G23", Title: "label with an empty value",
		Fix:    "Give the label a value or drop it.",
		Why:    "An empty label reads as set but says nothing, and hides a missing build argument.",
		Before: "LABEL io.k8s.description=\"\"", After: "LABEL io.k8s.description=\"Node.js 20 s2i builder\""},
	{ID: "KL089", Severity: Error, Guideline: "G23", Title: "io.openshift.min-memory or min-cpu is not a Kubernetes quantity",
		Fix:    "Write a Kubernetes quantity: min-memory like 512Mi or 1Gi, min-cpu like 500m or 2.",
		Why:    "OKD parses these as Kubernetes quantities to warn about quotas; an unparsable value is ignored.",
		Before: "LABEL io.openshift.min-memory=\"1 GB\"", After: "LABEL io.openshift.min-memory=\"1Gi\""},
	{ID: "KL090", Severity: Error, Guideline: "G24", Title: "io.openshift.non-scalable is not true or false",
		Fix:    "Set io.openshift.non-scalable to true or false.",
		Why:    "The console reads exactly true to keep replicas at 1.",
		Before: "LABEL io.openshift.non-scalable=yes", After: "LABEL io.openshift.non-scalable=true"},
	{ID: "KL091", Severity: Warning, Guideline: "G23", Title: "label key set twice",
		Fix:    "Set each label once in the final image; drop or merge the earlier value.",
		Why:    "The later value silently wins: whoever edits the first one changes nothing.",
		Before: "LABEL io.k8s.description=\"a\"\nLABEL io.k8s.description=\"b\"", After: "LABEL io.k8s.description=\"b\""},
	{ID: "KL092", Severity: Warning, Guideline: "G23", Title: "io.openshift.tags is not a comma-separated list of tag words",
		Fix:    "Separate the tags with commas and write each as lower-case letters, digits and . _ + -: io.openshift.tags=\"builder,python,python312\".",
		Why:    "OKD splits the value at commas; \"s2i-core rhel9\" is one tag nobody searches for.",
		Before: "LABEL io.openshift.tags=\"s2i-core rhel9\"", After: "LABEL io.openshift.tags=\"s2i-core,rhel9\""},
	{ID: "KL100", Severity: Error, Guideline: "G13", Title: "VOLUME on a system directory",
		Fix:    "Declare volumes only for your own persistent data, e.g. VOLUME /var/lib/app/data.",
		Why:    "/dev, /proc and /sys are kernel file systems mounted by the runtime, and a volume over /usr, /etc, /lib or /var/lib hides the image's own files: a volume there breaks the container.",
		Before: "VOLUME /sys", After: "VOLUME /var/lib/app/data"},
	{ID: "KL101", Severity: Info, Guideline: "G13", Title: "persistent data without a VOLUME",
		Fix:    "Declare a VOLUME for the data directory.",
		Why:    "Data written outside a volume is lost when the pod moves; a declared VOLUME tells users what to mount.",
		Before: "ENV PGDATA=/var/lib/pgsql/data", After: "ENV PGDATA=/var/lib/pgsql/data\nVOLUME /var/lib/pgsql/data"},
	{ID: "KL110", Severity: Info, Guideline: "G05", Title: "shell-form CMD or ENTRYPOINT",
		Fix:    "Use the exec form, CMD [\"/usr/libexec/s2i/run\"], so the process is PID 1 and gets signals.",
		Why:    "The shell form runs /bin/sh -c, which may stay PID 1 and swallow SIGTERM.",
		Before: "CMD /usr/libexec/s2i/usage", After: "CMD [\"/usr/libexec/s2i/usage\"]"},
	{ID: "KL111", Severity: Warning, Guideline: "G04", Title: "several CMD or ENTRYPOINT instructions in one stage",
		Fix:    "Keep one CMD (and one ENTRYPOINT) per stage: only the last takes effect.",
		Why:    "Earlier ones are dead code that suggests several processes are started.",
		Before: "CMD [\"db\"]\nCMD [\"web\"]", After: "CMD [\"web\"]"},
	{ID: "KL112", Severity: Info, Guideline: "G26", Title: "HEALTHCHECK is ignored on OKD",
		Fix:    "Document liveness and readiness probes and put them in the example template instead.",
		Why:    "OCI-format builds (podman's default) drop HEALTHCHECK and Kubernetes never runs it; only probes are used.",
		Before: "HEALTHCHECK CMD curl -f http://localhost:8080/", After: "# openshift/template.yaml: readinessProbe and livenessProbe httpGet :8080/"},
	{ID: "KL120", Severity: Warning, Guideline: "G05", Title: "wrapper script's final command is not exec-ed",
		Fix:    "Start the final process with exec (exec \"$@\", exec node server.js) so it replaces the shell.",
		Why:    "Without exec, the shell stays PID 1: SIGTERM and CTRL+C go to the shell and the server keeps running like nothing happened.",
		Before: "#!/bin/sh\n/opt/application/run.sh", After: "#!/bin/sh\nexec /opt/application/run.sh"},
	{ID: "KL121", Severity: Error, Guideline: "G29", Title: "save-artifacts prints something besides the tar stream",
		Fix:    "Send everything but `tar cf - ...` to stderr (>&2) or /dev/null; note pushd/popd print the directory stack.",
		Why:    "s2i reads save-artifacts' stdout as a tar archive; any other byte corrupts it and incremental builds fail.",
		Before: "pushd ${HOME}\necho saving\ntar cf - deps", After: "cd \"$HOME\"\necho saving >&2\ntar cf - deps"},
	{ID: "KL122", Severity: Warning, Guideline: "G29", Title: "assemble ignores /tmp/artifacts while save-artifacts exists",
		Fix:    "Restore saved artifacts at the start of assemble: if [ -d /tmp/artifacts ]; then mv /tmp/artifacts/. \"$HOME\"/; fi",
		Why:    "save-artifacts streams the artifacts for nothing when assemble never restores them: incremental builds are not faster.",
		Before: "#!/bin/sh\ncp -Rf /tmp/src/. ./", After: "#!/bin/sh\nif [ -d /tmp/artifacts ]; then cp -Rf /tmp/artifacts/. ./; fi\ncp -Rf /tmp/src/. ./"},
	{ID: "KL123", Severity: Error, Guideline: "G28", Title: "script without a shebang",
		Fix:    "Start the script with #!/bin/sh (or #!/bin/bash when it needs bash).",
		Why:    "s2i and the runtime exec the script directly; without a shebang exec fails with 'exec format error'.",
		Before: "echo usage", After: "#!/bin/sh\necho usage"},
	{ID: "KL124", Severity: Error, Guideline: "G28", Title: "script is not executable",
		Fix:    "chmod +x the script and commit the mode (git update-index --chmod=+x), or COPY --chmod=755.",
		Why:    "s2i runs the scripts directly; a missing execute bit fails the build with permission denied.",
		Before: "-rw-r--r-- s2i/bin/run", After: "-rwxr-xr-x s2i/bin/run"},
	{ID: "KL125", Severity: Warning, Guideline: "G25", Title: "logging to a file instead of stdout",
		Fix:    "Log to stdout/stderr (e.g. --log-file=/dev/stdout); prefix a second stream instead of writing a file.",
		Why:    "OKD collects stdout; a log file needs someone to exec into the pod to read it and fills the container's disk.",
		Before: "exec server >> /var/log/server.log 2>&1", After: "exec server"},
	{ID: "KL126", Severity: Error, Guideline: "G28", Title: "s2i/bin lacks assemble or run",
		Fix:    "Provide both s2i/bin/assemble and s2i/bin/run.",
		Why:    "s2i needs assemble to build and run to start the application; without either the build fails.",
		Before: "s2i/bin/assemble", After: "s2i/bin/assemble\ns2i/bin/run"},
	{ID: "KL127", Severity: Warning, Guideline: "G21", Title: "error message followed by exit 0",
		Fix:    "Exit non-zero after reporting an error (exit 1), so the container, s2i and OKD see the failure.",
		Why:    "A script that prints an error and exits 0 reports success: the build or pod goes on as if configuration were fine.",
		Before: "echo \"ERROR: DB_HOST is not set\" >&2\nexit 0", After: "echo \"ERROR: DB_HOST is not set\" >&2\nexit 1"},
	{ID: "KL130", Severity: Info, Guideline: "G30", Title: "no test/run",
		Fix:    "Add test/run that builds test/test-app with s2i, runs it and checks it answers (kiln can scaffold one).",
		Why:    "The guide calls test/run optional, but it is how the OKD builder pipeline and make test prove usage, assemble, save-artifacts and run still work.",
		Before: "s2i/bin/run", After: "s2i/bin/run\ntest/run\ntest/test-app/"},
	{ID: "KL131", Severity: Warning, Guideline: "G27", Title: "template container without readiness or liveness probe",
		Fix:    "Add readinessProbe and livenessProbe to every container of the template's Deployment.",
		Why:    "Without probes traffic reaches pods before they are ready and hung pods are never restarted.",
		Before: "containers:\n- name: app\n  image: app", After: "containers:\n- name: app\n  image: app\n  readinessProbe: {httpGet: {path: /, port: 8080}}\n  livenessProbe: {httpGet: {path: /, port: 8080}}"},
	{ID: "KL132", Severity: Info, Guideline: "G27", Title: "no example OKD template",
		Fix:    "Add openshift/template.yaml: a Template with a Deployment (with probes) and a Service.",
		Why:    "A template gives users a working deployment of the image, probes included.",
		Before: "Dockerfile", After: "Dockerfile\nopenshift/template.yaml"},
	{ID: "KL133", Severity: Warning, Guideline: "G21", Title: "environment variable used by run is not documented in README.md",
		Fix:    "Document each variable (meaning and default) in README.md.",
		Why:    "Configuration through environment variables only works when users know the variables.",
		Before: "exec server --port \"${PORT:-8080}\"", After: "README.md: | PORT | port to listen on | 8080 |"},
}

// heuristics are the rules that guess, with what they cannot know; the
// others report facts of the files.
var heuristics = map[string]string{
	"KL000": "the file may be valid input kiln's parsers do not read (some bash extensions)",
	"KL003": "the table knows only the releases listed in package okd",
	"KL013": "the removed path may have been added empty",
	"KL020": "the two RUNs may be split on purpose (a cache boundary)",
	"KL021": "whether the copied files change often is a guess from their names",
	"KL031": "the base image may EXPOSE the ports (then reported as info)",
	"KL033": "an image may serve no port at all; the base may EXPOSE one (info then)",
	"KL040": "a name that says secret may hold something public",
	"KL041": "the version may be set by the base image (info then) or under another name",
	"KL060": "a started daemon may be a helper that belongs to the service",
	"KL070": "the base image may set a numeric USER (info then, unless its config is known: .kiln/base-image.json or --inspect-base)",
	"KL073": "the group may not matter for files the app never writes",
	"KL074": "which directories the app writes is a guess from paths and ownership",
	"KL080": "the base image may set it (info then, unless its config is known)",
	"KL081": "the base image may set it (info then, unless its config is known)",
	"KL082": "the base image may set it (info then, unless its config is known)",
	"KL083": "whether an image is meant to be a builder is the author's intent",
	"KL084": "the base image may set it (info then)",
	"KL085": "the scripts may be found another way (build configuration, .s2i/bin), or through a scripts-url the base image sets (known only from its config)",
	"KL101": "whether a path holds persistent data is a guess from its name",
	"KL110": "the shell form may be intended (variable expansion)",
	"KL120": "which command is the server is read from the script's last statements",
	"KL122": "assemble may restore artifacts through a helper it calls",
	"KL125": "a log path may be a link to stdout made elsewhere",
	"KL127": "the message may be a warning the script reports as text containing error",
	"KL130": "tests may live elsewhere (the guide calls test/run optional)",
	"KL131": "the probes may be added by an overlay",
	"KL132": "the template may live in another repository",
	"KL133": "the variable may be set by the base image, a sourced file or documented elsewhere",
}

var ruleIndex = func() map[string]*Rule {
	m := make(map[string]*Rule, len(rules))
	for i := range rules {
		rules[i].Confidence = "certain"
		if rules[i].ID == "KL126" {
			rules[i].Confidence = "certain on a plain OS base image; on any other base, info (the base may provide the script)"
		}
		if h, ok := heuristics[rules[i].ID]; ok {
			rules[i].Confidence = "heuristic: " + h
		}
		m[rules[i].ID] = &rules[i]
	}
	return m
}()

// toolRule reports whether a rule is about kiln's own reading of the files
// (KL000 unparsable, KL004 unknown rule in an ignore) or a Dockerfile no
// build can read (KL005, KL006), which serves no guideline.
func toolRule(id string) bool {
	return id == "KL000" || id == "KL004" || id == "KL005" || id == "KL006"
}

// Rules returns every rule, ordered by ID.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// LookupRule finds a rule by ID (case-insensitive).
func LookupRule(id string) (Rule, bool) {
	r, ok := ruleIndex[strings.ToUpper(id)]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}
