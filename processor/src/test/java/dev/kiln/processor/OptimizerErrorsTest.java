package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The optimizer's options, schedules and label smoothing: contradictions and values out of range,
 * each reported on the attribute or annotation at fault; sound settings generate a model.
 */
class OptimizerErrorsTest {

  /** A one-layer model under {@code header} (the {@code @Model} line and what stands beside it). */
  private static JavaFileObject model(String name, String header, String output) {
    return Sources.model(name,
        header,
        "interface " + name + " {",
        "  @Input(shape = 4) Tensor input();",
        "  " + output + " Tensor output(Tensor input);",
        "}");
  }

  private static JavaFileObject model(String name, String header) {
    return model(name, header, "@Output(loss = MSE) @Dense(units = 2)");
  }

  private static Expect.Found expectOne(JavaFileObject source, Tag tag, String... keywords) {
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).only(1, 0);
    return Expect.that(compilation).error(tag, keywords);
  }

  @Test
  void soundOptionsGenerateAModel() {
    JavaFileObject source = model("Sound",
        "@CosineDecay(initialLearningRate = 0, warmupTarget = 1e-3, warmupSteps = 10,"
            + " decaySteps = 100)\n"
            + "@Model(optimizer = Optimizer.ADAMW, weightDecay = 0.05, decayBiasesAndNorms = false,"
            + " globalClipNorm = 1.0)",
        "@Output(loss = CATEGORICAL_CROSSENTROPY, labelSmoothing = 0.1)"
            + " @Dense(units = 3, activation = SOFTMAX)");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.SoundModel").contentsAsUtf8String()
        .contains("OptimizerSpec.of(Optimizer.ADAMW).schedule(new CosineDecay(0.0, 100L, 0.0,"
            + " 0.001, 10L)).weightDecay(0.05, false).globalClipNorm(1.0)");
  }

  @Test
  void scheduleAndFixedLearningRate() {
    JavaFileObject source = model("Both",
        "@ExponentialDecay(initialLearningRate = 0.1, decaySteps = 100, decayRate = 0.9)\n"
            + "@Model(learningRate = 0.01)");
    expectOne(source, Tag.OPTIMIZER_CONFLICT, "learningRate = 0.01 and @ExponentialDecay both",
        "remove learningRate")
        .on(source, "@Model(", "0.01");
  }

  @Test
  void twoSchedules() {
    JavaFileObject source = model("TwoSchedules",
        "@PolynomialDecay(initialLearningRate = 0.1, decaySteps = 100)\n"
            + "@PiecewiseConstantDecay(boundaries = 10, values = {0.1, 0.01})\n@Model");
    expectOne(source, Tag.OPTIMIZER_CONFLICT, "@PiecewiseConstantDecay and @PolynomialDecay",
        "keep one schedule")
        .on(source, "@PiecewiseConstantDecay(");
  }

  @Test
  void nonPositiveClipping() {
    JavaFileObject source = model("Clip", "@Model(clipNorm = 0)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "clipNorm = 0.0", "must be a positive number")
        .on(source, "@Model(", "0");
  }

  @Test
  void nonPositiveGlobalClipNormAndClipValue() {
    JavaFileObject global = model("GlobalClip", "@Model(globalClipNorm = -1)");
    expectOne(global, Tag.BAD_ATTRIBUTE, "globalClipNorm = -1.0", "must be a positive number")
        .on(global, "@Model(", "-1");
    JavaFileObject value = model("ValueClip", "@Model(clipValue = 0)");
    expectOne(value, Tag.BAD_ATTRIBUTE, "clipValue = 0.0", "must be a positive number")
        .on(value, "@Model(", "0");
  }

  @Test
  void nesterovOnAdam() {
    JavaFileObject source = model("Nesterov", "@Model(optimizer = Optimizer.ADAM, nesterov = true)");
    expectOne(source, Tag.OPTIMIZER_CONFLICT, "nesterov is SGD's option", "ADAM")
        .on(source, "@Model(", "true");
  }

  @Test
  void nonPositiveMaxNorm() {
    JavaFileObject source = model("MaxNorm", "@Model",
        "@KernelConstraint(value = Constraint.MAX_NORM, maxValue = 0) @Output(loss = MSE)"
            + " @Dense(units = 2)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "maxValue = 0.0 on output", "must be a positive number")
        .on(source, "@KernelConstraint(", "0)");
  }

  @Test
  void twoClippings() {
    JavaFileObject source = model("TwoClips", "@Model(clipNorm = 1, clipValue = 0.5)");
    expectOne(source, Tag.OPTIMIZER_CONFLICT, "clipNorm and clipValue are both set")
        .on(source, "@Model(", "0.5");
  }

  @Test
  void momentumOnAdam() {
    JavaFileObject source = model("Momentum", "@Model(optimizer = Optimizer.ADAM, momentum = 0.9)");
    expectOne(source, Tag.OPTIMIZER_CONFLICT, "momentum is SGD's option", "ADAM")
        .on(source, "@Model(", "0.9");
  }

  @Test
  void momentumOfOne() {
    JavaFileObject source = model("Momentum1", "@Model(optimizer = Optimizer.SGD, momentum = 1)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "momentum = 1.0", "[0, 1)")
        .on(source, "@Model(", "1)");
  }

  @Test
  void negativeWeightDecay() {
    JavaFileObject source = model("Decay", "@Model(optimizer = Optimizer.ADAMW, weightDecay = -1)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "weightDecay = -1.0")
        .on(source, "@Model(", "-1");
  }

  @Test
  void warmupWithoutTarget() {
    JavaFileObject source = model("Warmup",
        "@CosineDecay(initialLearningRate = 0.1, decaySteps = 100, warmupSteps = 5)\n@Model");
    expectOne(source, Tag.BAD_ATTRIBUTE, "warmupSteps = 5", "without a warmupTarget")
        .on(source, "@CosineDecay(", "5)");
  }

  @Test
  void piecewiseWithoutOneValueMoreThanBoundaries() {
    JavaFileObject source = model("Pieces",
        "@PiecewiseConstantDecay(boundaries = {10, 20}, values = {0.1, 0.01})\n@Model");
    expectOne(source, Tag.BAD_ATTRIBUTE, "2 boundaries and 2 values", "one value more")
        .on(source, "@PiecewiseConstantDecay(", "{0.1");
  }

  @Test
  void labelSmoothingOnMse() {
    JavaFileObject source = model("Smooth", "@Model",
        "@Output(loss = MSE, labelSmoothing = 0.1) @Dense(units = 2)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "labelSmoothing = 0.1 on output, whose loss MSE")
        .on(source, "@Output(", "0.1");
  }

  @Test
  void labelSmoothingAboveOne() {
    JavaFileObject source = model("Smooth2", "@Model",
        "@Output(loss = BINARY_CROSSENTROPY, labelSmoothing = 2) @Dense(units = 1,"
            + " activation = SIGMOID)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "labelSmoothing = 2.0", "[0, 1]")
        .on(source, "@Output(", "2)");
  }

  @Test
  void negativeRegularizerFactor() {
    JavaFileObject source = model("NegativeL2", "@Model",
        "@Regularizers(kernelL2 = -0.1) @Output(loss = MSE) @Dense(units = 2)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "kernelL2 = -0.1 on output", "finite number >= 0")
        .on(source, "@Regularizers(", "-0.1");
  }

  @Test
  void biasRegularizerWithoutBias() {
    JavaFileObject source = model("NoBias", "@Model",
        "@Regularizers(biasL1 = 0.1) @Output(loss = MSE) @Dense(units = 2, useBias = false)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "biasL1 = 0.1 on output, which has no bias")
        .on(source, "@Regularizers(", "0.1");
  }

  @Test
  void kernelConstraintOnALayerWithoutKernel() {
    JavaFileObject source = Sources.model("Constrained",
        "@Model interface Constrained {",
        "  @Input(shape = 4) Tensor input();",
        "  @KernelConstraint(Constraint.NON_NEG) @Dropout(rate = 0.1) Tensor dropped(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor dropped);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "@KernelConstraint on dropped, which has no kernel")
        .on(source, "@KernelConstraint(");
  }

  @Test
  void negativeActivityFactor() {
    JavaFileObject source = model("NegativeActivity", "@Model",
        "@Regularizers(activityL1 = -1e-3) @Output(loss = MSE) @Dense(units = 2)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "activityL1 = -0.001 on output", "finite number >= 0")
        .on(source, "@Regularizers(", "-1e-3");
  }

  @Test
  void activityRegularizerOnAnInput() {
    JavaFileObject source = Sources.model("InputActivity",
        "@Model interface InputActivity {",
        "  @Regularizers(activityL2 = 0.1) @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "activityL2 = 0.1 on input input, which no layer computes",
        "put it on a layer that reads input")
        .on(source, "@Regularizers(", "0.1");
  }

  @Test
  void activityRegularizersGenerateTheirPenaltyAndGradient() {
    JavaFileObject source = model("Activity", "@Model",
        "@Regularizers(activityL2 = 0.5) @Output(loss = CATEGORICAL_CROSSENTROPY)"
            + " @Dense(units = 3, activation = SOFTMAX)");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.ActivityModel").contentsAsUtf8String()
        .contains("ActivityRegularizer.addGradientThroughSoftmax(b.output, 0.0, 0.5, b.dOutput);");
    assertThat(compilation).generatedSourceFile("test.ActivityModel").contentsAsUtf8String()
        .contains("return weightedLoss() + activityPenalty(b);");
  }

  @Test
  void nonPositiveHuberDelta() {
    JavaFileObject source = model("ZeroDelta", "@Model",
        "@Output(loss = HUBER, huberDelta = 0) @Dense(units = 2)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "huberDelta = 0.0 on output", "must be a positive number")
        .on(source, "@Output(", "0)");
  }

  @Test
  void huberDeltaOnAnotherLoss() {
    JavaFileObject source = model("DeltaOnMse", "@Model",
        "@Output(loss = MSE, huberDelta = 2) @Dense(units = 2)");
    expectOne(source, Tag.BAD_ATTRIBUTE, "huberDelta = 2.0 on output, whose loss is MSE",
        "use loss = HUBER or remove huberDelta")
        .on(source, "@Output(", "2)");
  }

  @Test
  void huberDeltaReachesTheLoss() {
    JavaFileObject source = model("Delta", "@Model",
        "@Output(loss = HUBER, huberDelta = 2.5) @Dense(units = 2)");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.DeltaModel").contentsAsUtf8String()
        .contains("Huber.compute(b.output, outputTarget, lossWeight(0), b.dOutput, 2.5)");
  }
}
