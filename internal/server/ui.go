//go:build !(js && wasm)

package server

import (
	"io/fs"

	"github.com/convscope/convscope/web"
)

// defaultUI is Config.UI's default: the embedded web/dist.
func defaultUI() fs.FS { return web.Dist() }
