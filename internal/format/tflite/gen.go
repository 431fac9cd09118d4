package tflite

// schema_generated.go is generated from schema.fbs (convscope's subset of
// TensorFlow Lite's schema) and committed; regenerate it after editing
// schema.fbs with flatc 2.0.8 (Debian flatbuffers-compiler) on the PATH:
//
//go:generate sh -c "flatc --go --gen-onefile --go-namespace tflite -o . schema.fbs && mv schema_generated.go schema_generated.go.tmp && gofmt schema_generated.go.tmp > schema_generated.go && rm schema_generated.go.tmp"
