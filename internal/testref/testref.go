package testref

import (
	"os"
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
	p := filepath.Join(append([]string{Root(t), "..", "shared", "reference"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference data %s is missing (CI=true): %v", p, err)
		}
		t.Skipf("reference data %s is absent; skipping", p)
	}
	return p
}
