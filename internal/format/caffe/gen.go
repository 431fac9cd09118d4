package caffe

// The generated caffe.pb.go is committed; regenerate it after editing
// caffe.proto with protoc and protoc-gen-go v1.36.12 on the PATH:
//
//go:generate protoc --proto_path=../../.. --go_out=../../.. --go_opt=module=github.com/convscope/convscope internal/format/caffe/caffe.proto
