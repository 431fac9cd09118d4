// Package web holds convscope's browser UI. Its sources (Svelte 5 + D3 7,
// built with Vite) live beside this file; the built files in dist/ are
// committed and embedded into the binary, so `go build` needs no Node.js.
// Rebuild them with `npm ci && npm run build` in this folder.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built UI: index.html at its root and hashed assets
// under assets/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: "dist" is a valid path embedded above
	}
	return sub
}
