// Package verify checks a built image, read through containers/image, against
// the OKD image guidelines: the final filesystem (layers applied with their
// whiteouts), the config (USER, ports, labels, env) and each layer's bytes.
// Each check has an ID (KV + number) and names the guideline it serves.
package verify

import "github.com/kiln-s2i/kiln/scaffold/okd"

// Check describes one verify check.
type Check struct {
	ID        string `json:"id"`
	Guideline string `json:"guideline"`
	Title     string `json:"title"`
	Why       string `json:"why"`
	Fix       string `json:"fix"`
	// Certification checks run only with --certification.
	Certification bool `json:"certification,omitempty"`
}

var checks = []Check{
	{ID: "KV001", Guideline: "G18", Title: "USER is numeric and not root",
		Why: "OKD runs images as an arbitrary UID and s2i refuses to build with a builder whose user is a name or root: a numeric, non-zero USER is what both accept.",
		Fix: "End the Dockerfile with a numeric USER, e.g. USER 1001."},
	{ID: "KV002", Guideline: "G15", Title: "Writable directories belong to group 0 and are group-writable",
		Why: "The arbitrary UID OKD picks is in group 0 only; a directory the app writes must be group 0 and group-writable in the final filesystem, whatever the Dockerfile meant.",
		Fix: "In the RUN that creates them: chgrp -R 0 DIR && chmod -R g=u DIR."},
	{ID: "KV003", Guideline: "G16", Title: "/etc/passwd is neither group- nor world-writable",
		Why: "A writable /etc/passwd lets any process of the container add users, including root ones.",
		Fix: "Leave /etc/passwd 0644; for a name for the arbitrary UID use nss_wrapper or write the entry at start to a copy."},
	{ID: "KV004", Guideline: "G12", Title: "No sshd in the image",
		Why: "Containers are reached with oc exec/oc rsh; an sshd is an extra service and an attack surface.",
		Fix: "Do not install openssh-server; remove it in the RUN that installs packages if the base image has it."},
	{ID: "KV005", Guideline: "G17", Title: "Exposed ports are 1024 or above",
		Why: "A non-root arbitrary UID cannot bind ports below 1024.",
		Fix: "Listen on and EXPOSE a port of 1024 or above, e.g. 8080."},
	{ID: "KV006", Guideline: "G09", Title: "EXPOSE agrees with io.openshift.expose-services",
		Why: "OKD's tools read the exposed ports and the label to create services; they must name the same ports.",
		Fix: "EXPOSE every port the software uses and list the same ports in io.openshift.expose-services (PORT/PROTO:NAME,...)."},
	{ID: "KV007", Guideline: "G23", Title: "The OKD labels are set",
		Why: "OKD's console and oc new-app read io.k8s.description, io.k8s.display-name, io.openshift.tags (with builder for a builder) and io.openshift.s2i.scripts-url.",
		Fix: "Set the missing labels in the Dockerfile's LABEL."},
	{ID: "KV008", Guideline: "G28", Title: "The scripts-url directory holds executable assemble and run",
		Why: "s2i needs assemble and run; OKD runs them as an arbitrary UID of group 0, so they must be executable by that group.",
		Fix: "COPY the s2i scripts to the scripts-url directory and chmod 0755 them (or g+x with group 0)."},
	{ID: "KV009", Guideline: "G05", Title: "The run script passes kiln lint's script rules",
		Why: "run starts the application: it must exec it so it gets SIGTERM as PID 1, and start no daemon; the image holds the script that will really run.",
		Fix: "Fix the lint findings in s2i/bin/run (kiln lint --explain ID) and rebuild."},
	{ID: "KV010", Guideline: "G06", Title: "No package-manager caches in any layer",
		Why: "Caches removed in a later layer still ship in the earlier one; only removing them in the RUN that made them saves the bytes.",
		Fix: "Clean in the same RUN: dnf/yum clean all, rm -rf /var/lib/apt/lists/*, apk --no-cache, pip --no-cache-dir, npm cache clean --force."},
	{ID: "KV011", Guideline: "G07", Title: "Few bytes added in one layer and removed or overwritten in a later one",
		Why: "A file deleted or replaced by a later layer is still pulled with the layer that added it.",
		Fix: "Create and remove temporary files in the same RUN; merge RUNs that rewrite the same files."},
	{ID: "KV012", Guideline: "G07", Title: "A moderate number of layers",
		Why: "Every layer costs a download and a mount; related commands belong in one RUN.",
		Fix: "Chain related commands in one RUN with &&."},
	{ID: "KV013", Guideline: "G03", Title: "The image's tag is not latest",
		Why: "Users pin a tag and expect it to stay compatible; latest says nothing about compatibility.",
		Fix: "Tag the image with its compatibility line, e.g. 1.0."},
	{ID: "KV014", Guideline: "G11", Title: "Variables named like secrets carry no value",
		Why: "An ENV value is readable by anyone who can pull the image; passwords and tokens come from the environment at run time.",
		Fix: "Remove the default value from the ENV (or the variable) and document it as required."},
	{ID: "KV015", Guideline: "G23", Title: "Certification labels are set", Certification: true,
		Why: "Certification programs read name, vendor, version, release, summary, description and maintainer.",
		Fix: "Set the missing labels (kiln.yaml's certification section renders them)."},
	{ID: "KV016", Guideline: "G23", Title: "/licenses holds the license texts", Certification: true,
		Why: "Certified images carry their license terms in /licenses.",
		Fix: "COPY the license files to /licenses."},
}

// Checks returns every check, in ID order.
func Checks() []Check { return append([]Check(nil), checks...) }

// LookupCheck finds a check by ID.
func LookupCheck(id string) (Check, bool) {
	for _, c := range checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// GuidelineText is the text of guideline id ("" when unknown).
func GuidelineText(id string) string { return okd.Summary(id) }
