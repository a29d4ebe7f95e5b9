package deploy

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// unit parses a systemd unit file into section → key → values (a key may
// be given more than once).
func unit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: not a unit line: %q", path, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// TestServiceUnitHardening: the unit runs `holdspace serve` as an
// unprivileged dynamic user with no capabilities, a read-only system but
// for its own data directory, private /tmp and devices, and a system-call
// filter.
func TestServiceUnitHardening(t *testing.T) {
	u := unit(t, "holdspace.service")
	svc := u["Service"]
	if svc == nil {
		t.Fatal("no [Service] section")
	}
	want := map[string]string{
		"DynamicUser":             "yes",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"RestrictSUIDSGID":        "yes",
		"RestrictNamespaces":      "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectControlGroups":    "yes",
		"LockPersonality":         "yes",
		"MemoryDenyWriteExecute":  "yes",
		"SystemCallArchitectures": "native",
		"StateDirectory":          "holdspace",
		"StateDirectoryMode":      "0700",
		"UMask":                   "0077",
		"KillSignal":              "SIGTERM",
	}
	for k, v := range want {
		got, ok := svc[k]
		if !ok || got[len(got)-1] != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	if !slices.Contains(svc["SystemCallFilter"], "@system-service") || !slices.Contains(svc["SystemCallFilter"], "~@privileged") {
		t.Errorf("SystemCallFilter %q", svc["SystemCallFilter"])
	}
	if u, ok := svc["User"]; ok {
		t.Errorf("User=%q: the unit uses DynamicUser", u)
	}
	if exec := svc["ExecStart"]; len(exec) != 1 || !strings.HasSuffix(exec[0], "/holdspace serve") {
		t.Errorf("ExecStart %q", exec)
	}
	// The data directory holdspace is told to use is the state directory,
	// the one writable path under ProtectSystem=strict.
	if !slices.Contains(svc["Environment"], "HOLDSPACE_DATA=/var/lib/holdspace") {
		t.Errorf("Environment %q lacks HOLDSPACE_DATA=/var/lib/holdspace", svc["Environment"])
	}
	if u["Install"]["WantedBy"] == nil {
		t.Error("no WantedBy: the unit cannot be enabled")
	}
}

// TestServiceUnitVerifies runs `systemd-analyze verify` on the unit; an
// unknown directive or bad value fails. scripts/test installs systemd when
// systemd-analyze is missing, so a missing tool fails here rather than
// skipping a check that did not run. The
// binary is not installed here, so ExecStart names this test's own
// executable.
func TestServiceUnitVerifies(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze is not installed (scripts/test installs Debian's systemd package)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("holdspace.service")
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte("/usr/local/bin/holdspace"), []byte(self))
	dir := t.TempDir()
	p := filepath.Join(dir, "holdspace.service")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sa, "verify", p)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=notice")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// verify exits 0 on unknown keys and bad values but reports them.
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, p) {
			t.Errorf("systemd-analyze verify: %s", strings.TrimSpace(line))
		}
	}
}

// dockerfile returns the instructions of the root Dockerfile, continuation
// lines joined, comments dropped, each split into instruction and rest.
func dockerfile(t *testing.T) [][2]string {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	var cur strings.Builder
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		ins, rest, _ := strings.Cut(cur.String(), " ")
		out = append(out, [2]string{strings.ToUpper(ins), strings.TrimSpace(rest)})
		cur.Reset()
	}
	return out
}

// TestDockerfile: a static (CGO_ENABLED=0) build with the go.mod's Go
// version, and a final stage on a distroless static base that runs
// `holdspace serve` as a non-root user with /data as a volume and the
// data directory, listening on all interfaces.
func TestDockerfile(t *testing.T) {
	ins := dockerfile(t)
	var froms []int
	for i, in := range ins {
		if in[0] == "FROM" {
			froms = append(froms, i)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got %d stages", len(froms))
	}
	build, final := ins[:froms[len(froms)-1]], ins[froms[len(froms)-1]:]

	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goVer == nil || !strings.HasPrefix(build[froms[0]][1], "golang:"+string(goVer[1])) {
		t.Errorf("build stage %q does not use Go %s of go.mod", build[froms[0]][1], goVer)
	}
	static := false
	for _, in := range build {
		if in[0] == "RUN" && strings.Contains(in[1], "CGO_ENABLED=0") && strings.Contains(in[1], "./cmd/holdspace") {
			static = true
		}
	}
	if !static {
		t.Error("the binary is not built with CGO_ENABLED=0")
	}

	base := strings.Fields(final[0][1])[0]
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("final base %q is not distroless static or scratch", base)
	}
	last := map[string]string{}
	var env []string
	for _, in := range final {
		last[in[0]] = in[1]
		if in[0] == "ENV" {
			env = append(env, strings.Fields(in[1])...)
		}
	}
	user := strings.Split(last["USER"], ":")[0]
	if user == "" || user == "root" || user == "0" {
		t.Errorf("USER %q: the container must not run as root", last["USER"])
	}
	if !strings.Contains(last["VOLUME"], "/data") {
		t.Errorf("VOLUME %q lacks /data", last["VOLUME"])
	}
	for _, e := range []string{"HOLDSPACE_DATA=/data", "HOLDSPACE_ADDR=0.0.0.0:8080"} {
		if !slices.Contains(env, e) {
			t.Errorf("ENV lacks %s: %q", e, env)
		}
	}
	if !strings.Contains(last["ENTRYPOINT"], "holdspace") || !strings.Contains(last["CMD"], "serve") {
		t.Errorf("ENTRYPOINT %q CMD %q", last["ENTRYPOINT"], last["CMD"])
	}
	if _, ok := last["HEALTHCHECK"]; ok {
		t.Error("HEALTHCHECK needs a shell or a client the distroless base does not have")
	}
}

// TestLicense: the repository is under the Apache License 2.0.
func TestLicense(t *testing.T) {
	b, err := os.ReadFile("../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
		"END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(s, want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
}
