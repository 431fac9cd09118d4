//go:build js && wasm

package server

// The static site's engine has no training studio: training needs a data
// folder and runs for minutes on a server (docs/architecture.md "The static
// site"). Leaving train.go and trainjob.go (and with them internal/dataset)
// out of the js/wasm build keeps the WebAssembly module smaller; /api/train*
// is then not a route, so the engine answers it 501 "not available in the
// static site", like any other server-only path, and the UI hides its Train
// link there.

type trainer struct{}

func newTrainer(*Server, string) *trainer { return nil }

func (*trainer) close() {}

func (s *Server) routesTrain(router) {}
