package dev.kiln.runtime;

import dev.kiln.Loss;
import dev.kiln.runtime.init.Initializers;
import dev.kiln.runtime.io.Checkpoint;
import dev.kiln.runtime.optim.ParameterRegion;
import dev.kiln.runtime.optim.Updater;
import dev.kiln.runtime.plot.GraphPicture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every generated model shares: the flat parameter and gradient buffers, the updater, the
 * fit, evaluate and predict loops, the summary and checkpoints. The network itself, forward and
 * backward, is the generated subclass's straight-line code.
 *
 * <h2>Threads</h2>
 *
 * A model may be used from several threads. Its passes share buffers and its parameters change
 * under training, so one lock, the model's monitor ({@code synchronized (model)}), orders
 * everything that reads or writes them:
 *
 * <table>
 *   <caption>What may run at once</caption>
 *   <tr><th>call</th><th>beside another call on the same model</th></tr>
 *   <tr><td>{@code fit} (arrays, {@code ModelData}, DL4J {@code DataSet}, {@code
 *       MultiDataSet} or an iterator)</td><td>exclusive: a second {@code fit} of any kind, from
 *       any thread or from one of its own callbacks, is refused with an {@link
 *       IllegalStateException}</td></tr>
 *   <tr><td>one step of {@code fit}: forward, backward, update, the batch's loss and metrics,
 *       and the callbacks on it; an epoch's validation and end callbacks</td><td>holds the
 *       lock: other calls run between steps, never inside one</td></tr>
 *   <tr><td>{@code predict}, {@code evaluate}, {@code activations} (any input, iterators
 *       included), {@code save}, {@code load}</td><td>each call holds the lock from start to
 *       end: it sees one state of the parameters, between two steps of a running fit</td></tr>
 *   <tr><td>{@code trainStep}, {@code computeGradients}, {@code setUpdater}, {@code
 *       setLossWeight}, {@code freeze}, {@code unfreeze}, {@code lastOutputLosses}, {@code
 *       summary}</td><td>hold the lock; beside a fit they take effect between two steps</td></tr>
 *   <tr><td>{@link #parameters()}, {@link #gradients()}, {@code layers()}</td><td>live views:
 *       read them under {@code synchronized (model)} to see one state</td></tr>
 * </table>
 *
 * Calls are serialized, not parallel: for parallel inference create one model per thread. A
 * callback or a streaming {@code predict} consumer runs under the lock, so it must not wait for
 * another thread that uses the same model.
 */
public abstract class KilnModel {

  /** Keras' default batch size for {@code predict} and {@code evaluate}. */
  public static final int DEFAULT_BATCH_SIZE = 32;

  private final ModelSpec spec;
  private final DataType dataType;
  private final INDArray parameters;
  private final INDArray gradients;
  private final long[] offsets;
  private final double[] lossWeights;
  private final double[] labelSmoothings;
  private final WeightPenalties weightPenalties;
  private final Elements parameterElements;
  private final Elements gradientElements;
  private final double[] outputLosses;
  private Updater updater;
  private final long noiseSeed;
  private Random noise;
  private final Set<String> frozen = new LinkedHashSet<>();
  /** The thread running {@code fit}, or null: every kind of fit goes through {@link #train}. */
  private final AtomicReference<Thread> fitting = new AtomicReference<>();
  /** Set while {@link #computeGradients(INDArray[], INDArray[])} runs a training pass without its update. */
  private boolean gradientsOnly;

  protected KilnModel(ModelSpec spec, long seed, DataType dataType) {
    if (!dataType.isFPType()) {
      throw new IllegalArgumentException(
          "a model computes in floating point (FLOAT or DOUBLE), not " + dataType);
    }
    this.spec = spec;
    this.dataType = dataType;
    this.noiseSeed = seed;
    long count = spec.parameterCount();
    if (count > Integer.MAX_VALUE) {
      // Kiln's compiler refuses such a model; a hand-made spec gets the same answer here.
      throw new IllegalArgumentException(spec.name() + " has " + count + " parameters, but the"
          + " flat parameter buffer is indexed by an int: at most " + Integer.MAX_VALUE);
    }
    this.parameters = NdArrays.zeros(dataType, count);
    this.gradients = NdArrays.zeros(dataType, count);
    this.offsets = new long[spec.parameters().size()];
    SplittableRandom random = new SplittableRandom(seed);
    long offset = 0;
    for (int i = 0; i < offsets.length; i++) {
      ParameterSpec parameter = spec.parameters().get(i);
      offsets[i] = offset;
      Initializers.fill(
          parameter(i), parameter.initializer(), parameter.fanIn(), parameter.fanOut(), random);
      offset += parameter.length();
    }
    this.lossWeights = spec.outputs().stream().mapToDouble(OutputSpec::weight).toArray();
    this.outputLosses = new double[spec.outputs().size()];
    this.labelSmoothings = spec.outputs().stream().mapToDouble(OutputSpec::labelSmoothing).toArray();
    this.weightPenalties = new WeightPenalties(spec.parameters(), offsets);
    this.parameterElements = Elements.of(parameters);
    this.gradientElements = Elements.of(gradients);
    setUpdater(spec.optimizer().create());
    spec.frozenLayers().forEach(this::freeze);
  }

  // ---- for the generated subclass ----

  /** Parameter {@code index} of the spec, shaped: a view of the flat parameter buffer. */
  protected final INDArray parameter(int index) {
    return NdArrays.view(parameters, offsets[index], spec.parameters().get(index).shape());
  }

  /** The gradient of parameter {@code index}: a view of the flat gradient buffer. */
  protected final INDArray gradient(int index) {
    return NdArrays.view(gradients, offsets[index], spec.parameters().get(index).shape());
  }

  /** Checks the first input and converts it to the model's data type if needed. */
  protected final INDArray checkedInput(int index, INDArray array) {
    INDArray checked = DataChecks.input(spec.inputs().get(index), array, dataType);
    if (checked.size(0) == 0) {
      throw new IllegalArgumentException(
          "input '" + spec.inputs().get(index).name() + "' holds no samples");
    }
    return checked;
  }

  /** Checks a further input, which must hold as many samples as the first. */
  protected final INDArray checkedInput(int index, INDArray array, long batch) {
    INDArray checked = checkedInput(index, array);
    DataChecks.sameBatch(
        "input '" + spec.inputs().get(index).name() + "'",
        checked,
        batch,
        "input '" + spec.inputs().get(0).name() + "'");
    return checked;
  }

  /** Checks the target of output {@code index} against a batch of {@code batch} samples. */
  protected final INDArray checkedTarget(int index, INDArray array, long batch) {
    OutputSpec output = spec.outputs().get(index);
    INDArray checked = DataChecks.target(output, array, dataType);
    DataChecks.sameBatch(
        "target for output '" + output.name() + "'",
        checked,
        batch,
        "input '" + spec.inputs().get(0).name() + "'");
    return checked;
  }

  /**
   * The number of steps of a batch of a variable-length model, from {@code array}'s steps axis;
   * every variable-length input of one batch must have the same.
   */
  protected final long steps(long steps, String input, INDArray array) {
    long own = array.size(1);
    if (steps >= 0 && own != steps) {
      throw new IllegalArgumentException(
          "input '" + input + "' has " + own + " steps but another input of the same batch has "
              + steps + "; variable-length inputs of one batch must have the same length");
    }
    return own;
  }

  /** The weight of output {@code index}'s loss in the total. */
  protected final double lossWeight(int index) {
    return lossWeights[index];
  }

  /** The label smoothing of output {@code index}'s cross-entropy; 0 for none. */
  protected final double labelSmoothing(int index) {
    return labelSmoothings[index];
  }

  /** Records the unweighted loss of output {@code index} for the current batch. */
  protected final void setOutputLoss(int index, double value) {
    outputLosses[index] = value;
  }

  /** The weighted sum of the recorded output losses. */
  protected final double weightedLoss() {
    double total = 0;
    for (int i = 0; i < outputLosses.length; i++) {
      total += lossWeights[i] * outputLosses[i];
    }
    return total;
  }

  /**
   * The regularizers' penalty (Keras adds it to the loss it reports), with its gradient added to
   * the gradient buffer: for a training pass, after the backward pass.
   */
  protected final double addWeightPenalties() {
    return weightPenalties.penalty(parameterElements, gradientElements);
  }

  /** The regularizers' penalty alone: for evaluation. */
  protected final double weightPenalties() {
    return weightPenalties.penalty(parameterElements, null);
  }

  /** The generator of training noise (dropout masks), seeded from the model's seed. */
  protected final synchronized Random noise() {
    if (noise == null) {
      noise = Nd4j.getRandomFactory().getNewRandomInstance(noiseSeed);
    }
    return noise;
  }

  /**
   * Restarts the generator of training noise from {@code seed}, so that the next training passes
   * draw the same dropout masks as after any other call with this seed (gradient checks).
   */
  public final synchronized void seedNoise(long seed) {
    noise().setSeed(seed);
  }

  /**
   * One update of the parameters by the gradients just computed, whose batch had {@code loss};
   * frozen layers stay as they are. A NaN or infinite loss would carry into the parameters, so
   * it is refused before anything changes: the model stays as it was after the last good step.
   */
  protected final void applyGradients(double loss) {
    if (!frozen.isEmpty()) {
      // With a zero gradient and zero optimizer state every update rule leaves a value alone.
      forEachFrozenSlice(gradients, slice -> slice.assign(0));
    }
    if (gradientsOnly) {
      return; // the caller sums these gradients elsewhere and judges the loss there
    }
    if (!Double.isFinite(loss)) {
      throw new NonFiniteLossException(loss);
    }
    updater.step(parameters, gradients);
    // Keras enforces constraints after each update; frozen layers were not updated.
    weightPenalties.constrain(parameterElements,
        parameter -> !parameter.trainable() || frozen.contains(parameter.layer()));
  }

  /** Forward, loss, backward and update on one checked batch; returns the weighted loss. */
  protected abstract double trainOnBatch(INDArray[] inputs, INDArray[] targets);

  /** Forward in inference mode and loss on one checked batch; returns the weighted loss. */
  protected abstract double testOnBatch(INDArray[] inputs, INDArray[] targets);

  /** Forward in inference mode on one checked batch. */
  protected abstract void predictOnBatch(INDArray[] inputs);

  /** Output {@code index} of the last forward pass: a buffer the next batch overwrites. */
  protected abstract INDArray lastOutput(int index);

  /** Predicts in batches; returns new arrays, one per output. */
  protected final synchronized INDArray[] predictArrays(INDArray[] inputs, int batchSize) {
    INDArray[] checked = new INDArray[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      checked[i] = i == 0 ? checkedInput(0, inputs[0]) : checkedInput(i, inputs[i], checked[0].size(0));
    }
    return Batches.predict(this, checked, batchSize);
  }

  // ---- public API ----

  /**
   * Trains for {@code options.epochs()} epochs on {@code data}, printing a progress bar; returns
   * the loss and metrics of every epoch.
   */
  public final History fit(ModelData data, FitOptions options) {
    return train(options, loop -> loop.run(data));
  }

  /**
   * Runs one fit, refusing a second one while it runs (the lock alone would let two fits take
   * turns step by step, each corrupting the other's epoch).
   */
  private History train(FitOptions options, Function<FitLoop, History> run) {
    Thread current = Thread.currentThread();
    Thread running = fitting.compareAndExchange(null, current);
    if (running != null) {
      throw new IllegalStateException(
          "fit is already running on this model ("
              + (running == current ? "this call comes from its own callback" : "in thread '"
                  + running.getName() + "'")
              + "); wait for it to end, or train another model");
    }
    try {
      return run.apply(new FitLoop(this, options));
    } finally {
      fitting.set(null);
    }
  }

  // ---- for training loops that sum gradients computed elsewhere (kiln-spark) ----

  /**
   * Forward, loss and backward on one batch, without the update: fills {@link #gradients()} (the
   * mean over the batch's samples; frozen layers' slices zero) and leaves the parameters and the
   * optimizer alone. The arrays are the model's inputs, then its targets, in declaration order,
   * as the generated {@code computeGradients} takes them. Returns the weighted loss.
   */
  public final synchronized double computeGradients(INDArray[] inputs, INDArray[] targets) {
    ModelData batch = new ModelData() {
      @Override
      public INDArray[] inputArrays() {
        return inputs;
      }

      @Override
      public INDArray[] targetArrays() {
        return targets;
      }
    };
    CheckedData checked = CheckedData.of(this, batch, true);
    // The generated training pass ends in applyGradients, which this flag makes stop short of
    // the updater, so every network's own pass serves without a second generated method.
    gradientsOnly = true;
    try {
      return trainOnBatch(checked.inputs, checked.targets);
    } finally {
      gradientsOnly = false;
    }
  }

  /**
   * One update from gradients computed elsewhere, such as the sum over machines of their shares
   * of one batch: copies {@code gradients} (a flat vector laid out as {@link #parameters()}) into
   * the gradient buffer and steps the optimizer as {@code trainStep} would after a batch of
   * {@code loss}. A NaN or infinite loss is refused before anything changes.
   */
  public final synchronized void applyGradients(INDArray gradients, double loss) {
    if (gradients.length() != this.gradients.length()) {
      throw new IllegalArgumentException(
          "the gradient has " + gradients.length() + " values but the model has "
              + this.gradients.length() + " parameters");
    }
    this.gradients.assign(gradients.reshape(this.gradients.length()));
    applyGradients(loss);
  }

  /**
   * Output {@code index} (declaration order) of the last forward pass, such as the one {@link
   * #computeGradients(INDArray[], INDArray[])} ran: a buffer the next pass overwrites, for metrics.
   */
  public final synchronized INDArray outputOfLastPass(int index) {
    return lastOutput(index);
  }

  /** The loss and metrics on {@code data}, in inference mode, in batches of 32. */
  public final Scores evaluate(ModelData data) {
    return evaluate(data, DEFAULT_BATCH_SIZE);
  }

  /** The loss and metrics on {@code data}, in inference mode, in batches of {@code batchSize}. */
  public final synchronized Scores evaluate(ModelData data, int batchSize) {
    CheckedData checked = CheckedData.of(this, data, true);
    return Batches.evaluate(this, checked, batchSize, "");
  }

  // ---- DL4J data: DataSet, MultiDataSet and their iterators ----

  /**
   * Trains on a DL4J {@link DataSet} (features and labels in memory) exactly as on the same
   * arrays given as {@link ModelData}: for a model of one input and one output.
   */
  public final History fit(DataSet data, FitOptions options) {
    return fit(Dl4jData.of(this, data, true, "the DataSet"), options);
  }

  /**
   * Trains on a DL4J {@link MultiDataSet} exactly as on the same arrays given as {@link
   * ModelData}: its features in the order the model declares its inputs, its labels in the order
   * it declares its outputs.
   */
  public final History fit(MultiDataSet data, FitOptions options) {
    return fit(Dl4jData.of(this, data, true, "the MultiDataSet"), options);
  }

  /**
   * Trains on the batches of a DL4J iterator as it gives them, one pass per epoch, checking each
   * batch as it arrives: data larger than memory streams through. The iterator decides the batch
   * size and order (its own shuffling, if any): {@code options.batchSize} and {@code
   * validationSplit} are errors, {@code shuffle} has no effect. Each later epoch resets the
   * iterator, so more than one epoch needs {@code resetSupported()}, as in DL4J.
   */
  public final History fit(DataSetIterator data, FitOptions options) {
    return train(options, loop -> loop.run(BatchStream.of(this, data, true)));
  }

  /** As {@link #fit(DataSetIterator, FitOptions)}, for models of several inputs or outputs. */
  public final History fit(MultiDataSetIterator data, FitOptions options) {
    return train(options, loop -> loop.run(BatchStream.of(this, data, true)));
  }

  /** The loss and metrics on a DL4J {@link DataSet}, in inference mode, in batches of 32. */
  public final Scores evaluate(DataSet data) {
    return evaluate(data, DEFAULT_BATCH_SIZE);
  }

  public final Scores evaluate(DataSet data, int batchSize) {
    return evaluate(Dl4jData.of(this, data, true, "the DataSet"), batchSize);
  }

  /** The loss and metrics on a DL4J {@link MultiDataSet}, in batches of 32. */
  public final Scores evaluate(MultiDataSet data) {
    return evaluate(data, DEFAULT_BATCH_SIZE);
  }

  public final Scores evaluate(MultiDataSet data, int batchSize) {
    return evaluate(Dl4jData.of(this, data, true, "the MultiDataSet"), batchSize);
  }

  /**
   * The loss and metrics over one pass of an iterator's batches, streamed: only one batch is in
   * memory at a time. An exhausted iterator is reset first, as DL4J's evaluation does.
   */
  public final synchronized Scores evaluate(DataSetIterator data) {
    return Batches.evaluate(this, BatchStream.of(this, data, true), "");
  }

  public final synchronized Scores evaluate(MultiDataSetIterator data) {
    return Batches.evaluate(this, BatchStream.of(this, data, true), "");
  }

  /**
   * The outputs for one batch written into {@code outputs}, arrays the caller allocates once and
   * passes again, as a serving loop does: after the first call of a batch size nothing is
   * allocated. The inputs, in declaration order, are one batch of any size; {@code outputs}, one
   * per output in declaration order, must be shaped as {@code predict} returns them, in the
   * model's data type. A mismatch is refused before any output is written.
   */
  public final synchronized void predictInto(INDArray[] outputs, INDArray... inputs) {
    if (outputs == null || outputs.length != spec.outputs().size()) {
      throw new IllegalArgumentException("predictInto needs " + spec.outputs().size()
          + " output arrays, one per output in declaration order, got "
          + (outputs == null ? "null" : outputs.length));
    }
    if (inputs == null || inputs.length != spec.inputs().size()) {
      throw new IllegalArgumentException("predictInto needs " + spec.inputs().size()
          + " input arrays, one per input in declaration order, got "
          + (inputs == null ? "null" : inputs.length));
    }
    INDArray[] checked = new INDArray[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      checked[i] = i == 0 ? checkedInput(0, inputs[0]) : checkedInput(i, inputs[i], checked[0].size(0));
    }
    predictOnBatch(checked);
    for (int i = 0; i < outputs.length; i++) {
      INDArray result = lastOutput(i);
      INDArray target = outputs[i];
      if (target == null || target.dataType() != result.dataType()
          || !java.util.Arrays.equals(target.shape(), result.shape())) {
        throw new IllegalArgumentException("predictInto: output '" + spec.outputs().get(i).name()
            + "' needs a " + result.dataType() + " array of shape "
            + java.util.Arrays.toString(result.shape()) + ", got "
            + (target == null ? "null" : target.dataType() + " " + java.util.Arrays.toString(target.shape()))
            + "; allocate it once as predict returns it");
      }
    }
    for (int i = 0; i < outputs.length; i++) {
      outputs[i].assign(lastOutput(i));
    }
  }

  /**
   * The outputs for the features of a DL4J {@link DataSet} (its labels are not needed), one array
   * per output in declaration order, computed in batches of 32.
   */
  public final INDArray[] predict(DataSet data) {
    return predict(data, DEFAULT_BATCH_SIZE);
  }

  public final INDArray[] predict(DataSet data, int batchSize) {
    return predictArrays(Dl4jData.of(this, data, false, "the DataSet").inputArrays(), batchSize);
  }

  /** The outputs for the features of a DL4J {@link MultiDataSet}, in batches of 32. */
  public final INDArray[] predict(MultiDataSet data) {
    return predict(data, DEFAULT_BATCH_SIZE);
  }

  public final INDArray[] predict(MultiDataSet data, int batchSize) {
    return predictArrays(
        Dl4jData.of(this, data, false, "the MultiDataSet").inputArrays(), batchSize);
  }

  /**
   * The outputs for one pass of an iterator's batches, joined along the sample axis, one array
   * per output in declaration order, as DL4J's {@code ComputationGraph.output(iterator)} returns
   * them. The inputs stream; the outputs are all kept: for outputs larger than memory use {@link
   * #predict(DataSetIterator, BiConsumer)}.
   */
  public final synchronized INDArray[] predict(DataSetIterator data) {
    return Batches.predict(this, BatchStream.of(this, data, false));
  }

  public final synchronized INDArray[] predict(MultiDataSetIterator data) {
    return Batches.predict(this, BatchStream.of(this, data, false));
  }

  /**
   * Streams predictions: for each batch of one pass of the iterator, hands {@code each} the batch
   * as the iterator gave it (labels and metadata included) and the outputs for it, new arrays
   * that {@code each} may keep. Nothing else is kept, so inputs and outputs of any size stream
   * through: {@code model.predict(batches, (batch, outputs) -> write(batch.getLabels(),
   * outputs[0]))}.
   */
  public final synchronized void predict(DataSetIterator data, BiConsumer<DataSet, INDArray[]> each) {
    Batches.predict(this, BatchStream.of(this, data, false), requireConsumer(each));
  }

  public final synchronized void predict(
      MultiDataSetIterator data, BiConsumer<MultiDataSet, INDArray[]> each) {
    Batches.predict(this, BatchStream.of(this, data, false), requireConsumer(each));
  }

  private static <T> T requireConsumer(T each) {
    if (each == null) {
      throw new IllegalArgumentException("the consumer of the predictions is null");
    }
    return each;
  }

  /**
   * A Keras-style table of the layers, their output shapes and parameter counts; an application
   * of a block, or a model used as a layer, is one row.
   */
  public final String summary() {
    return summary(false);
  }

  /**
   * The summary; with {@code expandNested} (Keras' {@code expand_nested}) every layer inside a
   * block's application has its own row, named {@code application/layer}.
   */
  public final synchronized String summary(boolean expandNested) {
    long total = parameterCount();
    long trainable = trainableCount();
    return (expandNested ? expandedSummaryTable() : spec.summaryTable())
        + String.format(Locale.ROOT, "Total params: %,d%nTrainable params: %,d%nNon-trainable params: %,d%n",
                total, trainable, total - trainable)
            .replace("\r", "");
  }

  /**
   * The summary with what each row costs at {@code batchSize} samples, in four columns after
   * Keras' (the FLOPs of a prediction and of a training step, the memory of the activations and
   * what training keeps besides: gradients, traces, masks), and under the totals what a
   * prediction and a training step cost in all. A multiply-add is 2 FLOPs; see {@link #cost(int)}.
   * A model whose sequences vary in length needs their steps: {@link #summary(int, long)}.
   */
  public final String summary(int batchSize) {
    return summary(batchSize, 0, false);
  }

  /** The summary with costs, for sequences of {@code steps} steps. */
  public final String summary(int batchSize, long steps) {
    return summary(batchSize, steps, false);
  }

  /**
   * The summary with costs; with {@code expandNested} every layer inside a block's application
   * has its own row. {@code steps} is read only by a model whose sequences vary in length.
   */
  public final synchronized String summary(int batchSize, long steps, boolean expandNested) {
    ModelCost cost = cost(batchSize, steps);
    String table = expandNested ? expandedSummaryTable() : spec.summaryTable();
    return CostSummary.table(table, spec, expandNested, cost)
        + summary(expandNested).substring(table.length())
        + CostSummary.totals(cost);
  }

  /**
   * What a prediction and a training step cost at {@code batchSize} samples: FLOPs (a
   * multiply-add is 2; a training step counts the forward and backward passes, not the loss or
   * the optimizer's update) and bytes (parameters, gradients, the current optimizer's state,
   * activations and training buffers, at this model's data type, none shared).
   */
  public final ModelCost cost(int batchSize) {
    return cost(batchSize, 0);
  }

  /** The cost for sequences of {@code steps} steps; {@code steps} is read only by a model whose sequences vary in length. */
  public final synchronized ModelCost cost(int batchSize, long steps) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("the cost of " + spec.name() + " is asked for a batch of "
          + batchSize + " samples; give a batch size of at least 1");
    }
    boolean variable = spec.layers().stream().anyMatch(layer -> layer.cost().dependsOnSteps());
    if (variable && steps < 1) {
      throw new IllegalArgumentException(spec.name() + " reads sequences whose length varies, so"
          + " its cost depends on their steps (" + steps + " given); give them, as in summary("
          + batchSize + ", 100) or cost(" + batchSize + ", 100)");
    }
    long stateValues = 0;
    for (INDArray state : updater.stateArrays()) {
      stateValues += state.length();
    }
    return ModelCost.of(spec, batchSize, steps, dataType.width(), stateValues);
  }

  /** The summary's table with a row for every layer inside blocks; the same as the table without blocks. */
  protected String expandedSummaryTable() {
    return spec.summaryTable();
  }

  /** The architecture as a Graphviz DOT graph. */
  public final String toDot() {
    return spec.dot();
  }

  /**
   * A picture of the graph as SVG text, like Keras' {@code plot_model(show_shapes=True)}: a box
   * per layer with its name, type and output shape, an arrow per input, top to bottom; an
   * application of a block, or a model used as a layer, is one box.
   */
  public final String toSvg() {
    return toSvg(false);
  }

  /** The picture; with {@code expandNested} (Keras' {@code expand_nested}) a box for every layer inside blocks. */
  public final String toSvg(boolean expandNested) {
    return GraphPicture.svg(spec, expandNested);
  }

  /** Writes {@link #toSvg()} to {@code path} (Keras' {@code plot_model}); no Graphviz needed. */
  public final void plot(Path path) throws IOException {
    plot(path, false);
  }

  /** Writes {@link #toSvg(boolean)} to {@code path}. */
  public final void plot(Path path, boolean expandNested) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(path, toSvg(expandNested), StandardCharsets.UTF_8);
  }

  /**
   * Writes the parameters and the updater's state to {@code path}, through a temporary file
   * renamed into place, so a crash never leaves a half-written checkpoint behind (and the next
   * save in that folder deletes the temporary file of a killed one). The file is streamed, so
   * any size that fits on disk saves in a few MB of heap; it gets the usual mode (0644 under the
   * usual umask), or keeps the mode of the file it replaces; a symbolic link is followed and the
   * file it leads to replaced. Errors name {@code path}.
   */
  public final synchronized void save(Path path) throws IOException {
    Checkpoint.write(path, spec, dataType, parameters, updater);
  }

  /**
   * Reads parameters and updater state saved by {@link #save}. A file of another architecture,
   * or a truncated or corrupted one, fails with a message saying so and leaves the model as it
   * was. A checkpoint saved in the other data type loads converted, as Keras' {@code
   * load_weights} converts to the model's type: float32 into float64 exactly, float64 into
   * float32 rounded to the nearest float.
   */
  public final synchronized void load(Path path) throws IOException {
    Checkpoint.read(path, spec, parameters, updater);
  }

  /** The total number of parameter values. */
  public final long parameterCount() {
    return parameters.length();
  }

  /** The flat parameter buffer, live: every layer's parameters are views of it. */
  public final INDArray parameters() {
    return parameters;
  }

  /** The flat gradient buffer of the last backward pass, live. */
  public final INDArray gradients() {
    return gradients;
  }

  /** The data type the model computes in. */
  public final DataType dataType() {
    return dataType;
  }

  /** The unweighted loss of each output on the last batch. */
  public final synchronized double[] lastOutputLosses() {
    return outputLosses.clone();
  }

  public final synchronized Updater updater() {
    return updater;
  }

  /** Replaces the updater (Keras: compiling with another optimizer); its state starts empty. */
  public final synchronized void setUpdater(Updater updater) {
    updater.attach(parameters.length(), dataType);
    this.updater = updater;
    for (INDArray state : updater.stateArrays()) {
      forEachFrozenSlice(state, slice -> slice.assign(0));
    }
    describeParametersTo(updater);
  }

  /** Tells the updater which arrays it trains, for weight decay and per-array clipping. */
  private void describeParametersTo(Updater updater) {
    List<ParameterRegion> regions = new java.util.ArrayList<>();
    for (int i = 0; i < offsets.length; i++) {
      ParameterSpec parameter = spec.parameters().get(i);
      boolean trained = parameter.trainable() && !frozen.contains(parameter.layer());
      regions.add(new ParameterRegion(offsets[i], parameter.length(),
          trained ? ParameterRegion.trainedRole(parameter.shape().length)
              : ParameterRegion.Role.UNTRAINED));
    }
    updater.describeParameters(regions);
  }

  /** Overrides the loss weight of output {@code name} (Keras' {@code loss_weights}). */
  public final synchronized void setLossWeight(String name, double weight) {
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("loss weight must be finite and >= 0, got " + weight);
    }
    lossWeights[outputIndex(name)] = weight;
  }

  /**
   * Overrides the label smoothing of output {@code name} (Keras' {@code label_smoothing}), for
   * training and evaluation alike: its targets count as {@code y (1 - s) + s / K}. Categorical
   * and binary cross-entropy only.
   */
  public final synchronized void setLabelSmoothing(String name, double smoothing) {
    int index = outputIndex(name);
    Loss loss = spec.outputs().get(index).loss();
    if (loss != Loss.CATEGORICAL_CROSSENTROPY && loss != Loss.BINARY_CROSSENTROPY) {
      throw new IllegalArgumentException(
          "output '" + name + "' is trained with " + loss + ", which has no label smoothing;"
              + " it applies to CATEGORICAL_CROSSENTROPY and BINARY_CROSSENTROPY");
    }
    if (!(smoothing >= 0 && smoothing <= 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + smoothing);
    }
    labelSmoothings[index] = smoothing;
  }

  /**
   * Keeps {@code layer}'s weights out of training (Keras' {@code layer.trainable = False}):
   * gradients still pass through it, but the optimizer no longer moves it; the summary counts its
   * weights as non-trainable. A batch normalization layer also runs in inference mode, keeping its
   * moving statistics, as in Keras. No recompilation: the next step honours it.
   */
  public final synchronized void freeze(String layer) {
    requireLayerWithWeights(layer);
    frozen.add(layer);
    // Forget the optimizer's momentum for it, which would otherwise keep moving it.
    for (INDArray state : updater.stateArrays()) {
      forEachSlice(state, layer, slice -> slice.assign(0));
    }
    describeParametersTo(updater);
  }

  /** Lets the optimizer move {@code layer}'s weights again, from fresh optimizer state. */
  public final synchronized void unfreeze(String layer) {
    requireLayerWithWeights(layer);
    frozen.remove(layer);
    describeParametersTo(updater);
  }

  /** Whether {@code layer} is frozen. */
  public final synchronized boolean isFrozen(String layer) {
    return frozen.contains(layer);
  }

  /** The number of parameter values the optimizer moves: trainable and not frozen. */
  public final synchronized long trainableCount() {
    long count = 0;
    for (ParameterSpec parameter : spec.parameters()) {
      count += parameter.trainable() && !frozen.contains(parameter.layer()) ? parameter.length() : 0;
    }
    return count;
  }

  /** The architecture description. */
  public final ModelSpec spec() {
    return spec;
  }

  private void forEachFrozenSlice(INDArray flat, java.util.function.Consumer<INDArray> action) {
    frozen.forEach(layer -> forEachSlice(flat, layer, action));
  }

  /** Runs {@code action} on {@code layer}'s slices of a flat buffer laid out as the parameters. */
  private void forEachSlice(INDArray flat, String layer, java.util.function.Consumer<INDArray> action) {
    for (int i = 0; i < offsets.length; i++) {
      ParameterSpec parameter = spec.parameters().get(i);
      if (parameter.layer().equals(layer)) {
        action.accept(NdArrays.view(flat, offsets[i], parameter.length()));
      }
    }
  }

  private void requireLayerWithWeights(String layer) {
    boolean known = spec.parameters().stream().anyMatch(parameter -> parameter.layer().equals(layer));
    if (!known) {
      throw new IllegalArgumentException(
          "no layer named '" + layer + "' with weights; layers with weights are "
              + spec.parameters().stream().map(ParameterSpec::layer).distinct().toList());
    }
  }

  final List<OutputSpec> outputs() {
    return spec.outputs();
  }

  private int outputIndex(String name) {
    for (int i = 0; i < spec.outputs().size(); i++) {
      if (spec.outputs().get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "no output named '"
            + name
            + "'; outputs are "
            + spec.outputs().stream().map(OutputSpec::name).toList());
  }
}
