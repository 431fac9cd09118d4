package testref

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Root returns the repository root (the directory holding go.mod), found by
// walking up from the working directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testref: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Dir returns the path of ../shared/reference/<elem...> relative to the
// repository root, skipping the test (failing it under CI=true) when it
// does not exist.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	p := path(t, elem)
	Need(t, p, "reference data")
	return p
}

// Need skips the test when the file or directory p does not exist, naming
// what is missing (what: e.g. "reference data", or how to install it), and
// fails it instead when the environment has CI=true.
func Need(t testing.TB, p, what string) {
	t.Helper()
	if missing(t, p, what) {
		t.Skipf("%s is absent (%s); skipping", what, p)
	}
}

// missing reports whether p does not exist, failing the test under CI=true.
func missing(t testing.TB, p, what string) bool {
	t.Helper()
	_, err := os.Stat(p)
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (CI=true): %v", what, err)
	}
	return err != nil
}

// Optional returns the path of ../shared/reference/<elem...>, or "" when it
// does not exist (failing the test under CI=true): for data a test can do
// without, such as a fuzz target's extra seeds.
func Optional(t testing.TB, elem ...string) string {
	t.Helper()
	p := path(t, elem)
	if missing(t, p, "reference data") {
		return ""
	}
	return p
}

// path is ../shared/reference/<elem...> beside the repository root.
func path(t testing.TB, elem []string) string {
	t.Helper()
	return filepath.Join(append([]string{Root(t), "..", "shared", "reference"}, elem...)...)
}

// Python is Debian's python3 with h5py and numpy (python3-h5py), which
// writes the HDF5 and Keras files the format tests read.
const Python = "/usr/bin/python3"

// Script runs a script of the repository (a path from its root) with
// Python and h5py, skipping the test when h5py is not installed (failing
// it under CI=true, where .ci/run installs python3-h5py).
func Script(t testing.TB, script string, args ...string) {
	t.Helper()
	if err := exec.Command(Python, "-c", "import h5py, numpy").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-h5py is missing (CI=true): %v", err)
		}
		t.Skipf("python3-h5py is not installed (apt-get install python3-h5py): %v; skipping", err)
	}
	cmd := exec.Command(Python, append([]string{filepath.Join(Root(t), script)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}
