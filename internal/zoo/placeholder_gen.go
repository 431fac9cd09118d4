//go:build ignore

// Writes an untrained Tiny VGG as the embedded default model. Only used
// until `convscope train` produces the real one.
package main

import (
	"log"

	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/zoo"
)

func main() {
	g, err := zoo.TinyVGG(64, 10, 1)
	if err != nil {
		log.Fatal(err)
	}
	g.Labels = zoo.FashionMNISTLabels
	if err := tfjs.Write("defaultmodel", g); err != nil {
		log.Fatal(err)
	}
}
