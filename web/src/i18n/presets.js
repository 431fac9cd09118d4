// The built-in presets' descriptions in other languages, by preset name.
// English comes from the API (GET /api/presets, internal/zoo's text); a
// preset missing here shows it (scope/presetText.js). Data, like a model's
// labels.<lang>.txt, rather than UI messages: the names are the API's.
export default {
  'zh-CN': {
    alexnet: '五个卷积层（其中三个分成两组，当年在两块 GPU 上训练）、局部响应归一化和三个全连接层。',
    caffenet: 'BVLC 复现的 AlexNet，池化在归一化之前。',
    vgg16: '五个阶段共十三个 3×3 卷积层和三个全连接层（配置 D）。',
    vgg19: '五个阶段共十六个 3×3 卷积层和三个全连接层（配置 E）。',
    googlenet: '九个 Inception 模块，每个由并行的 1×1、3×3、5×5 卷积和池化分支组成。',
    resnet18: '八个残差块，每块两个 3×3 卷积。',
    resnet50: '十六个瓶颈残差块；步长在 3×3 卷积上。',
    resnet101: '三十三个瓶颈残差块；步长在 3×3 卷积上。',
    resnet152: '五十个瓶颈残差块；步长在 3×3 卷积上。',
    'squeezenet1.0': '八个 fire 模块（1×1 压缩，1×1 与 3×3 扩展）和一个卷积分类器。',
    'squeezenet1.1': '第一层改为 3×3 卷积、更早池化的 SqueezeNet：计算量少 2.4 倍。',
    mobilenetv1: '十三个深度可分离卷积块（3×3 逐通道卷积、1×1 逐点卷积）。',
    mobilenetv2: '十七个带线性瓶颈和 ReLU6 的倒残差块。',
    densenet121: '四个稠密块，块内每一层都接收之前所有层的特征图。',
    inceptionv3: '分解卷积（n×1 和 1×n）的 Inception 模块，带批归一化。',
    inceptionv4: '统一的 Inception 主干，4 个 A、7 个 B、3 个 C 模块和两个缩减模块。',
    inceptionresnetv2: '带缩放残差连接的 Inception 模块：在三种网格上分别有 10、20、10 个块。',
    nin: '四个 mlpconv 阶段（一个卷积加两个 1×1 卷积），以全局平均池化代替全连接层。',
    yolov1: '二十四个卷积层和两个全连接层，预测 7×7×30 的检测网格。',
    tinyvgg: '四个各有 10 个滤波器的 3×3 卷积层、两个最大池化层和一个 10 类的全连接分类器。',
  },
};
