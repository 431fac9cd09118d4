// Messages of the article part of the UI: {en: {...}, 'zh-CN': {...}, 'zh-TW': {...}}. Keys
// are prefixed 'article.'; every language must have the same keys.
//
// Messages may hold the article's inline markup (article/markup.js):
// **bold**, *italic*, `code` and [text](href). Never HTML.
export default {
  en: {
    'article.toc': 'Contents',
    'article.top': 'Back to the overview',

    'article.intro.title': 'What is a convolutional neural network?',
    'article.intro.p1':
      'A **convolutional neural network** (CNN) is a neural network made for data laid out on a grid, such as the pixels of an image. Instead of connecting every input to every neuron, its convolutional layers slide small learned filters over the image, so the same detector is applied at every position: an edge is an edge wherever it appears.',
    'article.intro.p2':
      'A CNN is a stack of **layers**. Each layer takes a three-dimensional tensor (height × width × channels) and computes another one. The first layers respond to simple features such as edges and patches of colour; deeper layers combine them into textures, parts and whole objects. The last layers turn these features into one score per class.',
    'article.intro.p3':
      'The numbers inside the filters — the **weights** and **biases** — are not written by hand. They are learned in **training**: the network sees many labelled images, and gradient descent nudges every weight so that the correct class becomes more likely (backpropagation supplies the gradients). The overview above shows the trained network at work: one forward pass of the image you chose.',
    'article.intro.model':
      'The model above is **{name}**: a {input} input, {layers} layers, {params} trained parameters and {classes} classes.',
    'article.intro.any':
      'convscope is not tied to this network. Start it with `convscope serve --model FILE` to explore your own TensorFlow.js, ONNX or Caffe model the same way, and open the [Scope page](#/scope) to see any network’s shapes, parameters and arithmetic cost layer by layer.',

    'article.model.title': 'This model, layer by layer',
    'article.model.caption': 'Every layer of {name}: its operation, the shape of its output (height × width × channels) and its number of trained parameters.',
    'article.model.layer': 'Layer',
    'article.model.op': 'Operation',
    'article.model.shape': 'Output',
    'article.model.params': 'Parameters',
    'article.model.total': 'Total',
    'article.model.input': 'Input',

    'article.layers.title': 'What each layer does',
    'article.layers.p': 'Click a layer’s name above the overview to jump to its section here.',

    'article.input.title': 'Input layer',
    'article.input.p1':
      'To a network, a colour image is three grids of numbers: the **red**, **green** and **blue** channels. Each pixel’s brightness in a channel is scaled to the range 0 to 1. The overview draws every channel as a greyscale map, black for 0 and white for 1.',
    'article.input.facts':
      'This model’s input `{name}` is {shape}: {h} × {w} pixels in {c} channels, {count} numbers in all.',
    'article.input.facts1': 'This model’s input `{name}` is {shape}: {h} × {w} pixels in a single (grey) channel, {count} numbers in all.',
    'article.input.p2':
      'Your own pictures are fitted to the input: scaled until they cover {h} × {w} pixels and cropped at the centre, so a picture of any size and shape works.',

    'article.conv.title': 'Convolutional layer',
    'article.conv.p1':
      'A convolutional layer holds a set of small **kernels** (also called filters), for example 3 × 3 grids of weights. To compute one output value, the kernel is laid over a window of the input, each weight is multiplied by the value under it, and the products are added up. Sliding the window over the whole input gives a new map, the **feature map** (or activation map): large where the input looks like the kernel’s pattern.',
    'article.conv.p2':
      'The input usually has several channels, so every output channel has one kernel per input channel. The layer convolves each input channel with its own kernel, adds the results of all channels together and adds one **bias**. Each neuron of a convolutional layer in the overview is one such output channel.',
    'article.conv.facts':
      'In this model, **{name}** reads a {in} tensor and writes {out}: {cout} output channels × {cin} input channels = {kernels} kernels of {k}, with stride {s} and padding {p}. With its {cout} biases that makes {params} parameters.',
    'article.conv.factsNoBias':
      'In this model, **{name}** reads a {in} tensor and writes {out}: {cout} output channels × {cin} input channels = {kernels} kernels of {k}, with stride {s} and padding {p}, and no biases (usually because a normalization layer follows): {params} parameters.',
    'article.conv.hover':
      'Hover a neuron of a convolutional layer in the overview: the lines to all maps of the previous layer light up, because every input channel contributes to every output channel.',

    'article.widget.title': 'Hyperparameters: input size, padding, kernel size and stride',
    'article.widget.intro':
      'Four numbers decide the size of a convolution’s output. Change them below and watch the window (red outline) slide over the input; padding cells are hatched. The output cell it computes is highlighted on the right.',
    'article.widget.input': 'Input size',
    'article.widget.padding': 'Padding',
    'article.widget.kernel': 'Kernel size',
    'article.widget.stride': 'Stride',
    'article.widget.controls': 'Hyperparameters',
    'article.widget.examples': 'Try:',
    'article.widget.exTitle': '(input size, padding, kernel size, stride)',
    'article.widget.ex.same': '“same” padding (5, 1, 3, 1)',
    'article.widget.ex.stride': 'stride 2 (7, 0, 3, 2)',
    'article.widget.ex.bad': 'does not tile (6, 0, 3, 2)',
    'article.widget.inputGrid': 'Input {n} × {n}',
    'article.widget.paddedGrid': 'padded: {m} × {m}',
    'article.widget.outputGrid': 'Output {o} × {o}',
    'article.widget.noOutput': 'No output',
    'article.widget.play': 'Play',
    'article.widget.pause': 'Pause',
    'article.widget.prev': 'Previous position',
    'article.widget.next': 'Next position',
    'article.widget.position': 'Position {i} of {count}',
    'article.widget.hover': 'Hover over a grid cell to move the window there.',
    'article.widget.valid': 'Valid',
    'article.widget.invalid': 'Invalid',
    'article.widget.legend.pad': 'padding (zeros)',
    'article.widget.legend.left': 'never covered',
    'article.widget.legend.window': 'window',
    'article.widget.ok':
      'The {k} × {k} window tiles the {m} × {m} padded input exactly: ⌊({n} + 2 × {p} − {k}) / {s}⌋ + 1 = {o}, so the output is {o} × {o}.',
    'article.widget.ok.padonly':
      'The output is {o} × {o}. With padding {p} and a {k} × {k} kernel, some windows along the border hold nothing but padding zeros: allowed, but they add cost and no information. Padding is usually at most kernel size − 1.',
    'article.widget.bad.kernel':
      'The {k} × {k} kernel is larger than the {m} × {m} padded input, so it fits nowhere and there is no output. Use a smaller kernel or a padding of at least {need}.',
    'article.widget.bad.stride1':
      'The window does not tile the input: {n} + 2 × {p} − {k} = {span} is not a multiple of the stride {s}. The last step ends at column {end}, so column {range} (and row {range} at the bottom) is never covered. Frameworks simply drop it and output {o} × {o}; choose a stride, padding or input size that leaves nothing over.',
    'article.widget.bad.stride':
      'The window does not tile the input: {n} + 2 × {p} − {k} = {span} is not a multiple of the stride {s}. The last step ends at column {end}, so the {r} columns {range} (and rows {range} at the bottom) are never covered. Frameworks simply drop them and output {o} × {o}; choose a stride, padding or input size that leaves nothing over.',
    'article.widget.padding.p':
      '**Padding** adds a border of zeros around the input. Without it, every convolution shrinks the map, and pixels at the border are visited less often than those in the middle. With padding (k − 1) / 2 and stride 1 — padding 1 for a 3 × 3 kernel — the output keeps the size of the input (“same” padding), so a deep network can stack many layers. Zero padding is the most common kind; other kinds repeat or mirror the border pixels.',
    'article.widget.kernel.p':
      '**Kernel size** is the size of the window. A small kernel (3 × 3 is the usual choice) looks at a small neighbourhood and has few weights; two stacked 3 × 3 layers see a 5 × 5 area with fewer weights than one 5 × 5 kernel. A larger kernel sees more at once, costs more and shrinks the output more.',
    'article.widget.stride.p':
      '**Stride** is how many cells the window moves at each step. Stride 1 visits every position; stride 2 skips every other one and about halves the output’s width and height, which saves computation much like pooling. If the stride does not divide the distance the window travels, the last cells are never covered: the widget calls such combinations invalid and says which cells are left over.',
    'article.widget.formula.p':
      'Together: output size = ⌊(n + 2p − k) / s⌋ + 1 for input size n, padding p, kernel size k and stride s.',
    'article.widget.formula.model': 'For **{name}** in this model: ⌊({n} + 2 × {p} − {k}) / {s}⌋ + 1 = {o}.',

    'article.relu.title': 'ReLU activation',
    'article.relu.p1':
      'After a convolution comes an **activation function**. The most common one is the rectified linear unit, **ReLU**: relu(x) = max(0, x). Negative values become 0; positive values pass unchanged.',
    'article.relu.p2':
      'Why is it needed? Without a non-linear function in between, stacked convolutions would collapse into a single linear operation, and the network could only separate classes with straight boundaries. ReLU is the simplest non-linearity that works well: it is cheap to compute, and its gradient does not fade away for positive inputs, so deep networks train faster than with older choices such as sigmoid or tanh.',
    'article.relu.facts':
      'In the overview, compare **{conv}** with **{relu}**: every red (negative) value has turned white (zero) and the blue ones are unchanged. A ReLU has no parameters and keeps the shape ({shape}).',
    'article.relu.fig': 'The ReLU function: zero for negative inputs, the input itself for positive ones.',

    'article.pool.title': 'Pooling layer',
    'article.pool.p1':
      'A **max pooling** layer slides a window over each channel on its own and keeps only the largest value in the window. With a 2 × 2 window and stride 2 — the usual choice — it halves the width and height and keeps the number of channels.',
    'article.pool.p2':
      'Pooling makes the maps smaller, so later layers need less computation and each of their neurons sees a larger part of the image. It also makes the network a little less sensitive to small shifts: a feature that moves by one pixel usually still wins its window. Pooling has no weights to learn.',
    'article.pool.facts': 'In this model, **{name}** uses a {k} window with stride {s}: {in} → {out}.',
    'article.pool.fig': '2 × 2 max pooling with stride 2: each coloured block keeps its largest value.',

    'article.flatten.title': 'Flatten and the fully connected layer',
    'article.flatten.p1':
      'To decide on a class, the network needs a single list of numbers. The **flatten** layer lays the three-dimensional tensor out as one long vector, without changing any value.',
    'article.flatten.facts': 'Here **{name}** turns the {in} tensor into {n} numbers.',
    'article.flatten.p2':
      'A **fully connected** (dense) layer then computes one score per class: each score is a weighted sum of all the inputs plus a bias. These scores are called **logits**; they can be any real number.',
    'article.flatten.dense':
      'The dense layer **{name}** has {n} × {classes} weights and {classes} biases: {params} parameters, {share} of the whole model.',

    'article.softmax.title': 'Softmax',
    'article.softmax.p1':
      '**Softmax** turns the logits z₁ … zₙ into probabilities: softmax(zᵢ) = exp(zᵢ) / Σⱼ exp(zⱼ). The exponential makes every value positive, and dividing by the sum makes them add up to 1. The largest logit gets the largest probability, and differences are magnified: a logit larger by 1 is e ≈ 2.7 times as likely.',
    'article.softmax.example': 'For example, the logits {a}, {b} and {c} give the probabilities {pa}, {pb} and {pc}.',
    'article.softmax.p2':
      'The bars at the right of the overview are these probabilities for the {classes} classes of this model, and the prediction is the class with the largest one. A probability says how sure the model is, not whether it is right: a network can be confidently wrong, especially on images unlike the ones it was trained on.',

    'article.interactive.title': 'Using the explainer',
    'article.interactive.images':
      '**Choose an image**: click an example above the overview, or add your own with **+**, by dropping a file on the page or by pasting it. The image runs through the network in the convscope server on your own computer.',
    'article.interactive.hover':
      '**Hover a neuron** to highlight the maps it reads from and to see the range of its values. Hover an output class to see its probability.',
    'article.interactive.keyboard':
      '**Keyboard**: press Tab to reach the overview, move between neurons with the arrow keys and press Escape to clear the highlight.',
    'article.interactive.scale':
      '**Colour scale**: *Unit* gives each layer its own range, *Module* shares one range up to each pooling layer and *Global* uses one range for all hidden layers, to compare how strong the activations are across layers. Red is negative, white zero, blue positive; a layer without negative values gets a white-to-blue legend from 0, a layer that only copies the input image (padding) is drawn like the image, and a map of one single value says so under its legend.',
    'article.interactive.detail': '**Show detail** switches the layer shapes and colour legends on and off.',
    'article.interactive.headers': '**Click a layer’s name** to jump to its section in this article.',
    'article.interactive.views':
      '**Click a neuron** to see how it is computed with this image’s numbers: a convolution opens into its input maps, kernels, intermediate results and the sum with the bias (click an intermediate map to watch the kernel slide, step by step); ReLU and pooling show each cell’s calculation; a class opens the flatten and dense step, and from there the softmax. Press Esc, the ✕ or click empty space to go back.',
    'article.interactive.expand': '**+M more** under a layer with many channels shows its further maps.',
    'article.interactive.scope': '**Scope page**: analyse any network’s structure — presets of classic networks or your own Caffe, ONNX or TF.js file — and, for a file with weights, press **Run on an image** to open it here.',
    'article.interactive.url': '**Share a view**: the address bar keeps the model, the example image and the colour scale, so a link opens exactly this view.',
    'article.interactive.models': '**Other models**: when convscope serves several models, pick one at the top right.',
    'article.interactive.language': '**Language**: switch between English, Simplified Chinese and Traditional Chinese at the top right; your choice is remembered.',

    'article.about.title': 'How convscope is built',
    'article.about.p1':
      'convscope is a single Go program. It reads TensorFlow.js, ONNX and Caffe models into one graph representation, runs them with its own inference engine — no Python, no GPU, no network access — and serves this page together with a small HTTP API. For each image it computes the whole forward pass and sends the layers’ values to the browser in one binary response.',
    'article.about.p2':
      'The page is built with Svelte 5 and D3: the maps are painted on canvas and the links between neurons are SVG. The default model, a Tiny VGG trained on Fashion-MNIST, was trained by convscope itself.',
    'article.credits.title': 'Credits',
    'article.credits.p':
      'The Explainer follows [CNN Explainer](https://poloclub.github.io/cnn-explainer/) by Zijie J. Wang, Robert Turko, Omar Shaikh, Haekyu Park, Nilaksh Das, Fred Hohman, Minsuk Kahng and Duen Horng (Polo) Chau (IEEE VIS 2020), whose Tiny VGG architecture and layout it borrows; this article is written anew. [Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist) is by Han Xiao, Kashif Rasul and Roland Vollgraf (Zalando Research).',
  },
  'zh-CN': {
    'article.toc': '目录',
    'article.top': '回到概览',

    'article.intro.title': '什么是卷积神经网络？',
    'article.intro.p1':
      '**卷积神经网络**（CNN）是一类专为网格状数据设计的神经网络，图像的像素就是典型的例子。它的卷积层并不把每个输入都连到每个神经元，而是让一些经过学习的小滤波器在图像上滑动，于是同一个检测器被用在每一个位置上：无论边缘出现在哪里，它都是边缘。',
    'article.intro.p2':
      'CNN 由一层层的**网络层**堆叠而成。每一层接收一个三维张量（高 × 宽 × 通道），并计算出另一个张量。前面的层对边缘、色块等简单特征产生响应；更深的层把这些特征组合成纹理、部件，直至完整的物体。最后几层把这些特征变成每个类别的一个分数。',
    'article.intro.p3':
      '滤波器中的数值——**权重**和**偏置**——并不是人工写出来的，而是在**训练**中学到的：网络看过大量带标签的图像，梯度下降一点点地调整每个权重，让正确类别的可能性变大（梯度由反向传播算出）。上方的概览展示的就是训练好的网络在工作：对你所选图像的一次前向传播。',
    'article.intro.model': '上方的模型是 **{name}**：输入为 {input}，共 {layers} 层、{params} 个训练得到的参数、{classes} 个类别。',
    'article.intro.any':
      'convscope 并不局限于这个网络。用 `convscope serve --model FILE` 启动，就能以同样的方式探索你自己的 TensorFlow.js、ONNX 或 Caffe 模型；打开[结构分析页面](#/scope)，可以逐层查看任意网络的形状、参数量和计算量。',

    'article.model.title': '逐层看这个模型',
    'article.model.caption': '{name} 的每一层：运算类型、输出形状（高 × 宽 × 通道）以及训练得到的参数数量。',
    'article.model.layer': '层',
    'article.model.op': '运算',
    'article.model.shape': '输出',
    'article.model.params': '参数',
    'article.model.total': '合计',
    'article.model.input': '输入',

    'article.layers.title': '每一层在做什么',
    'article.layers.p': '点击概览上方的层名，即可跳到本文对应的小节。',

    'article.input.title': '输入层',
    'article.input.p1':
      '对网络来说，一张彩色图像就是三个数字网格：**红**、**绿**、**蓝**三个通道。每个像素在各通道中的亮度被缩放到 0 到 1 之间。概览把每个通道画成一张灰度图，黑色表示 0，白色表示 1。',
    'article.input.facts': '这个模型的输入 `{name}` 为 {shape}：{h} × {w} 个像素、{c} 个通道，共 {count} 个数。',
    'article.input.facts1': '这个模型的输入 `{name}` 为 {shape}：{h} × {w} 个像素、只有一个（灰度）通道，共 {count} 个数。',
    'article.input.p2': '你自己的图片会被调整到输入大小：先缩放到恰好覆盖 {h} × {w} 像素，再从中心裁剪，所以任何尺寸和长宽比的图片都可以用。',

    'article.conv.title': '卷积层',
    'article.conv.p1':
      '卷积层包含一组小的**卷积核**（也叫滤波器），例如 3 × 3 的权重网格。计算一个输出值时，把卷积核覆盖在输入的一个窗口上，每个权重与其下方的值相乘，再把乘积相加。让窗口滑过整个输入，就得到一张新的图，即**特征图**（或激活图）：输入越像卷积核的模式，对应位置的值就越大。',
    'article.conv.p2':
      '输入通常有多个通道，所以每个输出通道对每个输入通道都有一个卷积核。卷积层用各自的卷积核分别对每个输入通道做卷积，把所有通道的结果相加，再加上一个**偏置**。概览中卷积层的每个神经元就是这样一个输出通道。',
    'article.conv.facts':
      '在这个模型中，**{name}** 读入 {in} 的张量，输出 {out}：{cout} 个输出通道 × {cin} 个输入通道 = {kernels} 个 {k} 的卷积核，步幅为 {s}，填充为 {p}。加上 {cout} 个偏置，共 {params} 个参数。',
    'article.conv.factsNoBias':
      '在这个模型中，**{name}** 读入 {in} 的张量，输出 {out}：{cout} 个输出通道 × {cin} 个输入通道 = {kernels} 个 {k} 的卷积核，步幅为 {s}，填充为 {p}；它没有偏置（通常是因为后面有归一化层），共 {params} 个参数。',
    'article.conv.hover': '在概览中把鼠标悬停在卷积层的某个神经元上：它与上一层所有特征图之间的连线都会高亮，因为每个输入通道都参与每个输出通道的计算。',

    'article.widget.title': '超参数：输入大小、填充、卷积核大小与步幅',
    'article.widget.intro': '卷积输出的大小由四个数决定。在下面修改它们，观察窗口（红色边框）在输入上滑动；带斜线的格子是填充。右侧高亮的是窗口正在计算的输出格。',
    'article.widget.input': '输入大小',
    'article.widget.padding': '填充',
    'article.widget.kernel': '卷积核大小',
    'article.widget.stride': '步幅',
    'article.widget.controls': '超参数',
    'article.widget.examples': '试试：',
    'article.widget.exTitle': '（输入大小、填充、卷积核大小、步幅）',
    'article.widget.ex.same': '“same”填充 (5, 1, 3, 1)',
    'article.widget.ex.stride': '步幅 2 (7, 0, 3, 2)',
    'article.widget.ex.bad': '无法铺满 (6, 0, 3, 2)',
    'article.widget.inputGrid': '输入 {n} × {n}',
    'article.widget.paddedGrid': '填充后：{m} × {m}',
    'article.widget.outputGrid': '输出 {o} × {o}',
    'article.widget.noOutput': '没有输出',
    'article.widget.play': '播放',
    'article.widget.pause': '暂停',
    'article.widget.prev': '上一个位置',
    'article.widget.next': '下一个位置',
    'article.widget.position': '第 {i} 个位置，共 {count} 个',
    'article.widget.hover': '把鼠标悬停在网格的格子上，窗口就会移到那里。',
    'article.widget.valid': '有效',
    'article.widget.invalid': '无效',
    'article.widget.legend.pad': '填充（零）',
    'article.widget.legend.left': '未被覆盖',
    'article.widget.legend.window': '窗口',
    'article.widget.ok': '{k} × {k} 的窗口恰好铺满 {m} × {m} 的填充后输入：⌊({n} + 2 × {p} − {k}) / {s}⌋ + 1 = {o}，所以输出为 {o} × {o}。',
    'article.widget.ok.padonly':
      '输出为 {o} × {o}。填充为 {p}、卷积核为 {k} × {k} 时，边缘上有些窗口里只有填充的零：这是允许的，但只增加计算量、不带来任何信息。填充通常不超过卷积核大小减 1。',
    'article.widget.bad.kernel': '{k} × {k} 的卷积核比 {m} × {m} 的填充后输入还大，放不下，因此没有输出。请用更小的卷积核，或把填充设为至少 {need}。',
    'article.widget.bad.stride1':
      '窗口无法恰好铺满输入：{n} + 2 × {p} − {k} = {span} 不是步幅 {s} 的整数倍。最后一步停在第 {end} 列，于是第 {range} 列（以及底部的第 {range} 行）始终不会被覆盖。深度学习框架会直接丢弃它，输出 {o} × {o}；请选择不留余数的步幅、填充或输入大小。',
    'article.widget.bad.stride':
      '窗口无法恰好铺满输入：{n} + 2 × {p} − {k} = {span} 不是步幅 {s} 的整数倍。最后一步停在第 {end} 列，于是第 {range} 列这 {r} 列（以及底部的第 {range} 行）始终不会被覆盖。深度学习框架会直接丢弃它们，输出 {o} × {o}；请选择不留余数的步幅、填充或输入大小。',
    'article.widget.padding.p':
      '**填充**在输入周围加一圈零。没有填充时，每次卷积都会让特征图变小，而且边缘的像素被访问的次数比中间的少。步幅为 1、填充为 (k − 1) / 2 时（3 × 3 卷积核对应填充 1），输出与输入大小相同（“same”填充），深层网络因此可以堆叠很多层。零填充最常用；其他方式会重复或镜像边缘的像素。',
    'article.widget.kernel.p':
      '**卷积核大小**就是窗口的大小。小卷积核（最常用的是 3 × 3）只看一小片邻域，权重也少；两层 3 × 3 卷积叠在一起能看到 5 × 5 的区域，权重却比一个 5 × 5 卷积核少。大卷积核一次看得更多，但计算量更大，输出也缩小得更多。',
    'article.widget.stride.p':
      '**步幅**是窗口每一步移动的格数。步幅为 1 时访问每个位置；步幅为 2 时每隔一个位置取一次，输出的宽和高大约减半，和池化一样能节省计算。如果步幅不能整除窗口要移动的距离，最后几格就不会被覆盖：小工具把这种组合标为无效，并指出剩下的是哪些格子。',
    'article.widget.formula.p': '综合起来：输入大小为 n、填充为 p、卷积核大小为 k、步幅为 s 时，输出大小 = ⌊(n + 2p − k) / s⌋ + 1。',
    'article.widget.formula.model': '以这个模型的 **{name}** 为例：⌊({n} + 2 × {p} − {k}) / {s}⌋ + 1 = {o}。',

    'article.relu.title': 'ReLU 激活函数',
    'article.relu.p1': '卷积之后是**激活函数**。最常用的是修正线性单元 **ReLU**：relu(x) = max(0, x)。负值变成 0，正值原样通过。',
    'article.relu.p2':
      '为什么需要它？如果中间没有非线性函数，堆叠的卷积会合并成一个线性运算，网络就只能用直线（超平面）来区分类别。ReLU 是效果好的非线性函数中最简单的一个：计算便宜，而且对正输入的梯度不会逐渐消失，所以深层网络比用 sigmoid、tanh 等老式函数训练得更快。',
    'article.relu.facts': '在概览中比较 **{conv}** 和 **{relu}**：所有红色（负）的值都变成了白色（零），蓝色的值保持不变。ReLU 没有参数，也不改变形状（{shape}）。',
    'article.relu.fig': 'ReLU 函数：输入为负时输出零，输入为正时输出输入本身。',

    'article.pool.title': '池化层',
    'article.pool.p1': '**最大池化**层在每个通道上单独滑动窗口，只保留窗口中最大的值。最常用的是 2 × 2 窗口、步幅 2：宽和高减半，通道数不变。',
    'article.pool.p2':
      '池化让特征图变小，后面的层计算量更少，其中每个神经元看到的图像范围也更大。它还让网络对小的平移不那么敏感：一个特征移动一个像素后，通常仍是它所在窗口里的最大值。池化层没有需要学习的权重。',
    'article.pool.facts': '在这个模型中，**{name}** 使用 {k} 的窗口、步幅 {s}：{in} → {out}。',
    'article.pool.fig': '步幅为 2 的 2 × 2 最大池化：每个色块只保留其中最大的值。',

    'article.flatten.title': '展平与全连接层',
    'article.flatten.p1': '要判断类别，网络需要一列数。**展平**层把三维张量排成一个长向量，不改变任何一个值。',
    'article.flatten.facts': '这里 **{name}** 把 {in} 的张量变成 {n} 个数。',
    'article.flatten.p2': '接着，**全连接**层（稠密层）为每个类别计算一个分数：每个分数都是所有输入的加权和再加上一个偏置。这些分数叫作 **logits**，可以是任意实数。',
    'article.flatten.dense': '全连接层 **{name}** 有 {n} × {classes} 个权重和 {classes} 个偏置，共 {params} 个参数，占整个模型的 {share}。',

    'article.softmax.title': 'Softmax',
    'article.softmax.p1':
      '**Softmax** 把 logits z₁ … zₙ 变成概率：softmax(zᵢ) = exp(zᵢ) / Σⱼ exp(zⱼ)。指数函数让每个值都变成正数，除以总和则让它们加起来等于 1。最大的 logit 得到最大的概率，而且差距会被放大：logit 大 1，可能性就是 e ≈ 2.7 倍。',
    'article.softmax.example': '例如，logits {a}、{b}、{c} 对应的概率是 {pa}、{pb}、{pc}。',
    'article.softmax.p2':
      '概览右侧的条形就是这个模型 {classes} 个类别的概率，预测结果是概率最大的类别。概率表示模型有多确定，而不表示它是否正确：网络也可能非常自信地出错，尤其是面对与训练数据差别很大的图像时。',

    'article.interactive.title': '如何使用解释器',
    'article.interactive.images': '**选择图像**：点击概览上方的示例，或者用 **+** 按钮、把文件拖到页面上、直接粘贴来添加你自己的图片。图像由你本机上的 convscope 服务器送入网络计算。',
    'article.interactive.hover': '**悬停在神经元上**：高亮它所读取的特征图，并显示它的取值范围。悬停在输出类别上可以看到它的概率。',
    'article.interactive.keyboard': '**键盘**：按 Tab 键进入概览，用方向键在神经元之间移动，按 Esc 键取消高亮。',
    'article.interactive.scale':
      '**色标**：“按层”让每一层使用自己的范围，“按模块”让每个池化层之前的各层共用一个范围，“全局”让所有隐藏层共用一个范围，便于比较各层激活的强弱。红色为负，白色为零，蓝色为正；没有负值的层的图例只显示从 0 开始的白到蓝部分，只复制输入图像的层（如填充）按图像本身的样子显示，只有一个数值的图会在图例下注明。',
    'article.interactive.detail': '**显示细节**用于显示或隐藏各层的形状和色标图例。',
    'article.interactive.headers': '**点击层名**即可跳到本文中对应的小节。',
    'article.interactive.views':
      '**点击神经元**，用这张图像的真实数值查看它是如何计算出来的：卷积层会展开为输入特征图、卷积核、中间结果以及加上偏置后的求和（点击某张中间结果图，可以逐步观看卷积核的滑动）；ReLU 和池化会展示每个格子的计算；点击类别会打开展平和全连接这一步，再从那里进入 softmax。按 Esc、点击 ✕ 或点击空白处即可返回。',
    'article.interactive.expand': '通道很多的层下方有 **另有 M 个** 按钮，点击即可显示其余的特征图。',
    'article.interactive.scope': '**结构分析页面**：分析任何网络的结构——经典网络的预设，或你自己的 Caffe、ONNX、TF.js 文件；对于带权重的文件，点击 **用图片运行** 就能在这里打开它。',
    'article.interactive.url': '**分享视图**：地址栏会记下模型、示例图像和色标，打开链接就能看到完全相同的视图。',
    'article.interactive.models': '**其他模型**：convscope 同时提供多个模型时，可在右上角选择。',
    'article.interactive.language': '**语言**：在右上角切换英文、简体中文和繁体中文，你的选择会被记住。',

    'article.about.title': 'convscope 是如何实现的',
    'article.about.p1':
      'convscope 是一个 Go 程序。它把 TensorFlow.js、ONNX 和 Caffe 模型读入同一种计算图表示，用自己的推理引擎运行——不需要 Python、GPU 或网络连接——并通过一个小型 HTTP API 提供本页面。对每张图像，它计算完整的前向传播，并把各层的值放在一个二进制响应中发给浏览器。',
    'article.about.p2': '页面用 Svelte 5 和 D3 编写：特征图画在 canvas 上，神经元之间的连线是 SVG。默认模型是在 Fashion-MNIST 上训练的 Tiny VGG，由 convscope 自己训练。',
    'article.credits.title': '致谢',
    'article.credits.p':
      '解释器参照了 [CNN Explainer](https://poloclub.github.io/cnn-explainer/)（作者 Zijie J. Wang、Robert Turko、Omar Shaikh、Haekyu Park、Nilaksh Das、Fred Hohman、Minsuk Kahng 和 Duen Horng (Polo) Chau，IEEE VIS 2020），借用了它的 Tiny VGG 结构和页面布局；本文为重新撰写。[Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist) 的作者是 Han Xiao、Kashif Rasul 和 Roland Vollgraf（Zalando Research）。',
  },
  'zh-TW': {
    'article.toc': '目錄',
    'article.top': '回到概覽',

    'article.intro.title': '什麼是卷積神經網路？',
    'article.intro.p1':
      '**卷積神經網路**（CNN）是一類專為網格狀資料設計的神經網路，影像的像素就是典型的例子。它的卷積層並不把每個輸入都連到每個神經元，而是讓一些經過學習的小濾波器在影像上滑動，於是同一個檢測器被用在每一個位置上：無論邊緣出現在哪裡，它都是邊緣。',
    'article.intro.p2':
      'CNN 由一層層的**網路層**堆疊而成。每一層接收一個三維張量（高 × 寬 × 通道），並計算出另一個張量。前面的層對邊緣、色塊等簡單特徵產生反應；更深的層把這些特徵組合成紋理、部件，直至完整的物體。最後幾層把這些特徵變成每個類別的一個分數。',
    'article.intro.p3':
      '濾波器中的數值——**權重**和**偏置**——並不是人工寫出來的，而是在**訓練**中學到的：網路看過大量帶標籤的影像，梯度下降一點點地調整每個權重，讓正確類別的可能性變大（梯度由反向傳播算出）。上方的概覽展示的就是訓練好的網路在工作：對你所選影像的一次前向傳播。',
    'article.intro.model': '上方的模型是 **{name}**：輸入為 {input}，共 {layers} 層、{params} 個訓練得到的參數、{classes} 個類別。',
    'article.intro.any':
      'convscope 並不侷限於這個網路。用 `convscope serve --model FILE` 啟動，就能以同樣的方式探索你自己的 TensorFlow.js、ONNX 或 Caffe 模型；開啟[結構分析頁面](#/scope)，可以逐層檢視任意網路的形狀、參數量和計算量。',

    'article.model.title': '逐層看這個模型',
    'article.model.caption': '{name} 的每一層：運算型別、輸出形狀（高 × 寬 × 通道）以及訓練得到的參數數量。',
    'article.model.layer': '層',
    'article.model.op': '運算',
    'article.model.shape': '輸出',
    'article.model.params': '參數',
    'article.model.total': '合計',
    'article.model.input': '輸入',

    'article.layers.title': '每一層在做什麼',
    'article.layers.p': '點選概覽上方的層名，即可跳到本文對應的小節。',

    'article.input.title': '輸入層',
    'article.input.p1':
      '對網路來說，一張彩色影像就是三個數字網格：**紅**、**綠**、**藍**三個通道。每個像素在各通道中的亮度被縮放到 0 到 1 之間。概覽把每個通道畫成一張灰階圖，黑色表示 0，白色表示 1。',
    'article.input.facts': '這個模型的輸入 `{name}` 為 {shape}：{h} × {w} 個像素、{c} 個通道，共 {count} 個數。',
    'article.input.facts1': '這個模型的輸入 `{name}` 為 {shape}：{h} × {w} 個像素、只有一個（灰階）通道，共 {count} 個數。',
    'article.input.p2': '你自己的圖片會被調整到輸入大小：先縮放到恰好覆蓋 {h} × {w} 像素，再從中心裁剪，所以任何尺寸和長寬比的圖片都可以用。',

    'article.conv.title': '卷積層',
    'article.conv.p1':
      '卷積層包含一組小的**卷積核**（也叫濾波器），例如 3 × 3 的權重網格。計算一個輸出值時，把卷積核覆蓋在輸入的一個視窗上，每個權重與其下方的值相乘，再把乘積相加。讓視窗滑過整個輸入，就得到一張新的圖，即**特徵圖**（或激活圖）：輸入越像卷積核的模式，對應位置的值就越大。',
    'article.conv.p2':
      '輸入通常有多個通道，所以每個輸出通道對每個輸入通道都有一個卷積核。卷積層用各自的卷積核分別對每個輸入通道做卷積，把所有通道的結果相加，再加上一個**偏置**。概覽中卷積層的每個神經元就是這樣一個輸出通道。',
    'article.conv.facts':
      '在這個模型中，**{name}** 讀入 {in} 的張量，輸出 {out}：{cout} 個輸出通道 × {cin} 個輸入通道 = {kernels} 個 {k} 的卷積核，步幅為 {s}，填充為 {p}。加上 {cout} 個偏置，共 {params} 個參數。',
    'article.conv.factsNoBias':
      '在這個模型中，**{name}** 讀入 {in} 的張量，輸出 {out}：{cout} 個輸出通道 × {cin} 個輸入通道 = {kernels} 個 {k} 的卷積核，步幅為 {s}，填充為 {p}；它沒有偏置（通常是因為後面有正規化層），共 {params} 個參數。',
    'article.conv.hover': '在概覽中把滑鼠懸停在卷積層的某個神經元上：它與上一層所有特徵圖之間的連線都會突顯，因為每個輸入通道都參與每個輸出通道的計算。',

    'article.widget.title': '超參數：輸入大小、填充、卷積核大小與步幅',
    'article.widget.intro': '卷積輸出的大小由四個數決定。在下面修改它們，觀察視窗（紅色邊框）在輸入上滑動；帶斜線的格子是填充。右側突顯的是視窗正在計算的輸出格。',
    'article.widget.input': '輸入大小',
    'article.widget.padding': '填充',
    'article.widget.kernel': '卷積核大小',
    'article.widget.stride': '步幅',
    'article.widget.controls': '超參數',
    'article.widget.examples': '試試：',
    'article.widget.exTitle': '（輸入大小、填充、卷積核大小、步幅）',
    'article.widget.ex.same': '「same」填充 (5, 1, 3, 1)',
    'article.widget.ex.stride': '步幅 2 (7, 0, 3, 2)',
    'article.widget.ex.bad': '無法鋪滿 (6, 0, 3, 2)',
    'article.widget.inputGrid': '輸入 {n} × {n}',
    'article.widget.paddedGrid': '填充後：{m} × {m}',
    'article.widget.outputGrid': '輸出 {o} × {o}',
    'article.widget.noOutput': '沒有輸出',
    'article.widget.play': '播放',
    'article.widget.pause': '暫停',
    'article.widget.prev': '上一個位置',
    'article.widget.next': '下一個位置',
    'article.widget.position': '第 {i} 個位置，共 {count} 個',
    'article.widget.hover': '把滑鼠懸停在網格的格子上，視窗就會移到那裡。',
    'article.widget.valid': '有效',
    'article.widget.invalid': '無效',
    'article.widget.legend.pad': '填充（零）',
    'article.widget.legend.left': '未被覆蓋',
    'article.widget.legend.window': '視窗',
    'article.widget.ok': '{k} × {k} 的視窗恰好鋪滿 {m} × {m} 的填充後輸入：⌊({n} + 2 × {p} − {k}) / {s}⌋ + 1 = {o}，所以輸出為 {o} × {o}。',
    'article.widget.ok.padonly':
      '輸出為 {o} × {o}。填充為 {p}、卷積核為 {k} × {k} 時，邊緣上有些視窗裡只有填充的零：這是允許的，但只增加計算量、不帶來任何資訊。填充通常不超過卷積核大小減 1。',
    'article.widget.bad.kernel': '{k} × {k} 的卷積核比 {m} × {m} 的填充後輸入還大，放不下，因此沒有輸出。請用更小的卷積核，或把填充設為至少 {need}。',
    'article.widget.bad.stride1':
      '視窗無法恰好鋪滿輸入：{n} + 2 × {p} − {k} = {span} 不是步幅 {s} 的整數倍。最後一步停在第 {end} 欄，於是第 {range} 欄（以及底部的第 {range} 列）始終不會被覆蓋。深度學習框架會直接丟棄它，輸出 {o} × {o}；請選擇不留餘數的步幅、填充或輸入大小。',
    'article.widget.bad.stride':
      '視窗無法恰好鋪滿輸入：{n} + 2 × {p} − {k} = {span} 不是步幅 {s} 的整數倍。最後一步停在第 {end} 欄，於是第 {range} 欄這 {r} 欄（以及底部的第 {range} 列）始終不會被覆蓋。深度學習框架會直接丟棄它們，輸出 {o} × {o}；請選擇不留餘數的步幅、填充或輸入大小。',
    'article.widget.padding.p':
      '**填充**在輸入周圍加一圈零。沒有填充時，每次卷積都會讓特徵圖變小，而且邊緣的像素被掃過的次數比中間的少。步幅為 1、填充為 (k − 1) / 2 時（3 × 3 卷積核對應填充 1），輸出與輸入大小相同（「same」填充），深層網路因此可以堆疊很多層。零填充最常用；其他方式會重複或鏡像邊緣的像素。',
    'article.widget.kernel.p':
      '**卷積核大小**就是視窗的大小。小卷積核（最常用的是 3 × 3）只看一小片鄰域，權重也少；兩層 3 × 3 卷積疊在一起能看到 5 × 5 的區域，權重卻比一個 5 × 5 卷積核少。大卷積核一次看得更多，但計算量更大，輸出也縮小得更多。',
    'article.widget.stride.p':
      '**步幅**是視窗每一步移動的格數。步幅為 1 時掃過每個位置；步幅為 2 時每隔一個位置取一次，輸出的寬和高大約減半，和池化一樣能節省計算。如果步幅不能整除視窗要移動的距離，最後幾格就不會被覆蓋：小工具把這種組合標為無效，並指出剩下的是哪些格子。',
    'article.widget.formula.p': '綜合起來：輸入大小為 n、填充為 p、卷積核大小為 k、步幅為 s 時，輸出大小 = ⌊(n + 2p − k) / s⌋ + 1。',
    'article.widget.formula.model': '以這個模型的 **{name}** 為例：⌊({n} + 2 × {p} − {k}) / {s}⌋ + 1 = {o}。',

    'article.relu.title': 'ReLU 激活函數',
    'article.relu.p1': '卷積之後是**激活函數**。最常用的是修正線性單元 **ReLU**：relu(x) = max(0, x)。負值變成 0，正值原樣透過。',
    'article.relu.p2':
      '為什麼需要它？如果中間沒有非線性函數，堆疊的卷積會合併成一個線性運算，網路就只能用直線（超平面）來區分類別。ReLU 是效果好的非線性函數中最簡單的一個：計算便宜，而且對正輸入的梯度不會逐漸消失，所以深層網路比用 sigmoid、tanh 等老式函數訓練得更快。',
    'article.relu.facts': '在概覽中比較 **{conv}** 和 **{relu}**：所有紅色（負）的值都變成了白色（零），藍色的值保持不變。ReLU 沒有參數，也不改變形狀（{shape}）。',
    'article.relu.fig': 'ReLU 函數：輸入為負時輸出零，輸入為正時輸出輸入本身。',

    'article.pool.title': '池化層',
    'article.pool.p1': '**最大池化**層（池化層也稱匯聚層）在每個通道上單獨滑動視窗，只保留視窗中最大的值。最常用的是 2 × 2 視窗、步幅 2：寬和高減半，通道數不變。',
    'article.pool.p2':
      '池化讓特徵圖變小，後面的層計算量更少，其中每個神經元看到的影像範圍也更大。它還讓網路對小的平移不那麼敏感：一個特徵移動一個像素後，通常仍是它所在視窗裡的最大值。池化層沒有需要學習的權重。',
    'article.pool.facts': '在這個模型中，**{name}** 使用 {k} 的視窗、步幅 {s}：{in} → {out}。',
    'article.pool.fig': '步幅為 2 的 2 × 2 最大池化：每個色塊只保留其中最大的值。',

    'article.flatten.title': '展平與全連接層',
    'article.flatten.p1': '要判斷類別，網路需要一串數。**展平**層把三維張量排成一個長向量，不改變任何一個值。',
    'article.flatten.facts': '這裡 **{name}** 把 {in} 的張量變成 {n} 個數。',
    'article.flatten.p2': '接著，**全連接**層（密集層）為每個類別計算一個分數：每個分數都是所有輸入的加權和再加上一個偏置。這些分數叫作 **logits**，可以是任意實數。',
    'article.flatten.dense': '全連接層 **{name}** 有 {n} × {classes} 個權重和 {classes} 個偏置，共 {params} 個參數，佔整個模型的 {share}。',

    'article.softmax.title': 'Softmax',
    'article.softmax.p1':
      '**Softmax** 把 logits z₁ … zₙ 變成機率：softmax(zᵢ) = exp(zᵢ) / Σⱼ exp(zⱼ)。指數函數讓每個值都變成正數，除以總和則讓它們加起來等於 1。最大的 logit 得到最大的機率，而且差距會被放大：logit 大 1，可能性就是 e ≈ 2.7 倍。',
    'article.softmax.example': '例如，logits {a}、{b}、{c} 對應的機率是 {pa}、{pb}、{pc}。',
    'article.softmax.p2':
      '概覽右側的條形就是這個模型 {classes} 個類別的機率，預測結果是機率最大的類別。機率表示模型有多確定，而不表示它是否正確：網路也可能非常自信地出錯，尤其是面對與訓練資料差別很大的影像時。',

    'article.interactive.title': '如何使用解說器',
    'article.interactive.images': '**選擇影像**：點選概覽上方的範例，或者用 **+** 按鈕、把檔案拖到頁面上、直接貼上來新增你自己的圖片。影像由你本機上的 convscope 伺服器送入網路計算。',
    'article.interactive.hover': '**懸停在神經元上**：突顯它所讀取的特徵圖，並顯示它的取值範圍。懸停在輸出類別上可以看到它的機率。',
    'article.interactive.keyboard': '**鍵盤**：按 Tab 鍵進入概覽，用方向鍵在神經元之間移動，按 Esc 鍵取消突顯。',
    'article.interactive.scale':
      '**色標**：「依層」讓每一層使用自己的範圍，「依模組」讓每個池化層之前的各層共用一個範圍，「全域」讓所有隱藏層共用一個範圍，便於比較各層激活的強弱。紅色為負，白色為零，藍色為正；沒有負值的層的圖例只顯示從 0 開始的白到藍部分，只複製輸入影像的層（如填充）依影像本身的樣子顯示，只有一個數值的圖會在圖例下注明。',
    'article.interactive.detail': '**顯示細節**用於顯示或隱藏各層的形狀和色標圖例。',
    'article.interactive.headers': '**點選層名**即可跳到本文中對應的小節。',
    'article.interactive.views':
      '**點選神經元**，用這張影像的真實數值檢視它是如何計算出來的：卷積層會展開為輸入特徵圖、卷積核、中間結果以及加上偏置後的求和（點選某張中間結果圖，可以逐步觀看卷積核的滑動）；ReLU 和池化會展示每個格子的計算；點選類別會開啟展平和全連接這一步，再從那裡進入 softmax。按 Esc、點選 ✕ 或點選空白處即可返回。',
    'article.interactive.expand': '通道很多的層下方有 **另有 M 個** 按鈕，點選即可顯示其餘的特徵圖。',
    'article.interactive.scope': '**結構分析頁面**：分析任何網路的結構——經典網路的內建範例，或你自己的 Caffe、ONNX、TF.js 檔案；對於帶權重的檔案，點選 **用圖片執行** 就能在這裡開啟它。',
    'article.interactive.url': '**分享檢視**：網址列會記下模型、範例影像和色標，開啟連結就能看到完全相同的檢視。',
    'article.interactive.models': '**其他模型**：convscope 同時提供多個模型時，可在右上角選擇。',
    'article.interactive.language': '**語言**：在右上角切換英文、簡體中文和繁體中文，你的選擇會被記住。',

    'article.about.title': 'convscope 是如何實現的',
    'article.about.p1':
      'convscope 是一個 Go 程式。它把 TensorFlow.js、ONNX 和 Caffe 模型讀入同一種計算圖表示，用自己的推論引擎執行——不需要 Python、GPU 或網路連線——並透過一個小型 HTTP API 提供本頁面。對每張影像，它計算完整的前向傳播，並把各層的值放在一個二進位回應中發給瀏覽器。',
    'article.about.p2': '頁面用 Svelte 5 和 D3 撰寫：特徵圖畫在 canvas 上，神經元之間的連線是 SVG。預設模型是在 Fashion-MNIST 上訓練的 Tiny VGG，由 convscope 自己訓練。',
    'article.credits.title': '致謝',
    'article.credits.p':
      '解說器參照了 [CNN Explainer](https://poloclub.github.io/cnn-explainer/)（作者 Zijie J. Wang、Robert Turko、Omar Shaikh、Haekyu Park、Nilaksh Das、Fred Hohman、Minsuk Kahng 和 Duen Horng (Polo) Chau，IEEE VIS 2020），借用了它的 Tiny VGG 結構和頁面佈局；本文為重新撰寫。[Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist) 的作者是 Han Xiao、Kashif Rasul 和 Roland Vollgraf（Zalando Research）。',
  },
};
