//go:build js && wasm

package server

import "io/fs"

// defaultUI is Config.UI's default in the static site's engine: no files.
// The static host serves the UI; embedding web/dist would only make the
// WebAssembly module larger.
func defaultUI() fs.FS { return noFiles{} }

type noFiles struct{}

func (noFiles) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
