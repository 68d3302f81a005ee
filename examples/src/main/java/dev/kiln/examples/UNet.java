package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Initializer.HE_NORMAL;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;
import static dev.kiln.Padding.SAME;

import dev.kiln.Concatenate;
import dev.kiln.Conv2D;
import dev.kiln.Dropout;
import dev.kiln.Input;
import dev.kiln.MaxPooling2D;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;
import dev.kiln.UpSampling2D;

/**
 * The seed's U-Net with a 256x256 input. The seed's 572x572 does not fit together: the third
 * pooling rounds 143 rows down to 71, so after four poolings and four upsamplings the skip
 * tensor of {@code merge6} has 71 rows where the upsampled one has 70; Kiln rejects that at
 * compile time. A side divisible by 16 works. (The seed reuses Python names such as {@code
 * conv1} for two layers; here each layer has its own name.)
 */
@Model(optimizer = Optimizer.ADAM, learningRate = 1e-4)
public interface UNet {

  @Input(shape = {256, 256, 1})
  Tensor inputs();

  // Contracting path: two 3x3 convolutions and a pooling per level.
  @Conv2D(filters = 64, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv1a(Tensor inputs);

  @Conv2D(filters = 64, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv1b(Tensor conv1a);

  @MaxPooling2D(poolSize = 2)
  Tensor pool1(Tensor conv1b);

  @Conv2D(filters = 128, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv2a(Tensor pool1);

  @Conv2D(filters = 128, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv2b(Tensor conv2a);

  @MaxPooling2D(poolSize = 2)
  Tensor pool2(Tensor conv2b);

  @Conv2D(filters = 256, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv3a(Tensor pool2);

  @Conv2D(filters = 256, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv3b(Tensor conv3a);

  @MaxPooling2D(poolSize = 2)
  Tensor pool3(Tensor conv3b);

  @Conv2D(filters = 512, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv4a(Tensor pool3);

  @Conv2D(filters = 512, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv4b(Tensor conv4a);

  @Dropout(rate = 0.5)
  Tensor drop4(Tensor conv4b);

  @MaxPooling2D(poolSize = 2)
  Tensor pool4(Tensor drop4);

  @Conv2D(filters = 1024, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv5a(Tensor pool4);

  @Conv2D(filters = 1024, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv5b(Tensor conv5a);

  @Dropout(rate = 0.5)
  Tensor drop5(Tensor conv5b);

  // Expanding path: upsample, a 2x2 convolution, join the skip tensor, two 3x3 convolutions.
  @UpSampling2D(size = 2)
  Tensor up6Sampled(Tensor drop5);

  @Conv2D(filters = 512, kernelSize = 2, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor up6(Tensor up6Sampled);

  @Concatenate(axis = 3)
  Tensor merge6(Tensor drop4, Tensor up6);

  @Conv2D(filters = 512, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv6a(Tensor merge6);

  @Conv2D(filters = 512, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv6b(Tensor conv6a);

  @UpSampling2D(size = 2)
  Tensor up7Sampled(Tensor conv6b);

  @Conv2D(filters = 256, kernelSize = 2, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor up7(Tensor up7Sampled);

  @Concatenate(axis = 3)
  Tensor merge7(Tensor conv3b, Tensor up7);

  @Conv2D(filters = 256, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv7a(Tensor merge7);

  @Conv2D(filters = 256, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv7b(Tensor conv7a);

  @UpSampling2D(size = 2)
  Tensor up8Sampled(Tensor conv7b);

  @Conv2D(filters = 128, kernelSize = 2, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor up8(Tensor up8Sampled);

  @Concatenate(axis = 3)
  Tensor merge8(Tensor conv2b, Tensor up8);

  @Conv2D(filters = 128, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv8a(Tensor merge8);

  @Conv2D(filters = 128, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv8b(Tensor conv8a);

  @UpSampling2D(size = 2)
  Tensor up9Sampled(Tensor conv8b);

  @Conv2D(filters = 64, kernelSize = 2, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor up9(Tensor up9Sampled);

  @Concatenate(axis = 3)
  Tensor merge9(Tensor conv1b, Tensor up9);

  @Conv2D(filters = 64, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv9a(Tensor merge9);

  @Conv2D(filters = 64, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv9b(Tensor conv9a);

  @Conv2D(filters = 2, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv9c(Tensor conv9b);

  // A 1x1 convolution gives one probability per pixel: the mask.
  @Output(loss = BINARY_CROSSENTROPY, metrics = ACCURACY)
  @Conv2D(filters = 1, kernelSize = 1, activation = SIGMOID)
  Tensor conv10(Tensor conv9c);
}
