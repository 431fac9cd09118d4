// The editor's starting text: a small Caffe network to edit.
export const SAMPLE = `name: "SmallNet"
input: "data"
input_shape { dim: 1 dim: 3 dim: 64 dim: 64 }

layer {
  name: "conv1"  type: "Convolution"  bottom: "data"  top: "conv1"
  convolution_param { num_output: 16 kernel_size: 3 pad: 1 }
}
layer { name: "relu1"  type: "ReLU"  bottom: "conv1"  top: "conv1" }
layer {
  name: "pool1"  type: "Pooling"  bottom: "conv1"  top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 }
}
layer {
  name: "conv2"  type: "Convolution"  bottom: "pool1"  top: "conv2"
  convolution_param { num_output: 32 kernel_size: 3 pad: 1 }
}
layer { name: "relu2"  type: "ReLU"  bottom: "conv2"  top: "conv2" }
layer {
  name: "pool2"  type: "Pooling"  bottom: "conv2"  top: "pool2"
  pooling_param { pool: AVE global_pooling: true }
}
layer {
  name: "fc"  type: "InnerProduct"  bottom: "pool2"  top: "fc"
  inner_product_param { num_output: 10 }
}
layer { name: "prob"  type: "Softmax"  bottom: "fc"  top: "prob" }
`;
