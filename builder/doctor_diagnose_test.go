package builder

import (
	"strings"
	"testing"
)

// The errors below are what podman 4.3 printed on VMs of this kind.
func TestDiagnoseKnownFailures(t *testing.T) {
	tests := []struct {
		name, output, cause, remedy string
	}{
		{"crun on hybrid cgroups",
			"Error: OCI runtime error: crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2",
			"hybrid cgroup", "runtime = \"runc\""},
		{"ulimits above the sandbox's",
			"Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting rlimit type 7: operation not permitted",
			"ulimits", "default_ulimits"},
		{"setrlimit from crun",
			"Error: OCI runtime error: crun: setrlimit `RLIMIT_NPROC`: Operation not permitted",
			"ulimits", "CONTAINERS_CONF"},
		{"netavark without iptables",
			`Error: building at STEP "RUN true": netavark: No such file or directory (os error 2)`,
			"netavark", "apt-get install iptables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := Diagnose(tt.output)
			if !ok {
				t.Fatalf("Diagnose(%q) found no known failure", tt.output)
			}
			if !strings.Contains(f.Cause, tt.cause) || !strings.Contains(f.Remedy, tt.remedy) {
				t.Errorf("Diagnose(%q) = cause %q, remedy %q; want them to mention %q and %q", tt.output, f.Cause, f.Remedy, tt.cause, tt.remedy)
			}
		})
	}
	if f, ok := Diagnose("Error: image not known"); ok {
		t.Errorf("an unrelated error was diagnosed as %q", f.Cause)
	}
}
