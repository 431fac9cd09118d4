// Package testref locates the public reference data that tests use as
// oracles: ../shared/reference beside the repository root. The data is
// never copied into the repository nor embedded in the binary.
//
// When the directory is absent a test is skipped with a message naming the
// path it looked for; when the environment has CI=true the test fails
// instead, so CI can never pass by skipping its oracles. Every Go test that
// reads reference data finds it through this package (Dir, or Optional for
// data a test can do without, such as extra fuzz seeds).
package testref
