package zoo

// FashionMNISTLabels are the Fashion-MNIST classes in label order.
var FashionMNISTLabels = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
