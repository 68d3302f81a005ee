package dev.kiln.processor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.annotation.processing.Completion;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;

/**
 * Stands between Kiln and javac's {@link Filer}: records every file Kiln creates with its
 * originating elements, and can make creating a file fail, to see what Kiln does then.
 */
final class WatchedFiler implements Filer {

  /** One file created: its name and the elements it was declared to come from. */
  record Created(String name, List<Element> originatingElements) {}

  private final Filer filer;
  private final Function<String, IOException> failure;
  private final List<Created> created = new ArrayList<>();

  /** {@code failure} gives the exception for a file of that name, or null to create it. */
  private WatchedFiler(Filer filer, Function<String, IOException> failure) {
    this.filer = filer;
    this.failure = failure;
  }

  List<Created> created() {
    return created;
  }

  @Override
  public JavaFileObject createSourceFile(CharSequence name, Element... originatingElements)
      throws IOException {
    record(name.toString(), originatingElements);
    return filer.createSourceFile(name, originatingElements);
  }

  @Override
  public JavaFileObject createClassFile(CharSequence name, Element... originatingElements)
      throws IOException {
    record(name.toString(), originatingElements);
    return filer.createClassFile(name, originatingElements);
  }

  @Override
  public FileObject createResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
      CharSequence relativeName, Element... originatingElements) throws IOException {
    record(moduleAndPkg + "/" + relativeName, originatingElements);
    return filer.createResource(location, moduleAndPkg, relativeName, originatingElements);
  }

  @Override
  public FileObject getResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
      CharSequence relativeName) throws IOException {
    return filer.getResource(location, moduleAndPkg, relativeName);
  }

  private void record(String name, Element[] originatingElements) throws IOException {
    IOException exception = failure.apply(name);
    if (exception != null) {
      throw exception;
    }
    created.add(new Created(name, List.of(originatingElements)));
  }

  /** Kiln's processor, given a watched filer and timed; {@link #filer()} after compiling. */
  static final class Kiln implements Processor {

    private final KilnProcessor kiln = new KilnProcessor();
    private final Function<String, IOException> failure;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private WatchedFiler filer;
    private long nanos;
    private long cpuNanos;

    Kiln() {
      this(name -> null);
    }

    Kiln(Function<String, IOException> failure) {
      this.failure = failure;
    }

    WatchedFiler filer() {
      return filer;
    }

    /** The time spent in Kiln's {@code process}, over all rounds so far. */
    double seconds() {
      return nanos / 1e9;
    }

    @Override
    public void init(ProcessingEnvironment env) {
      filer = new WatchedFiler(env.getFiler(), failure);
      kiln.init(new ProcessingEnvironment() {
        @Override
        public Map<String, String> getOptions() {
          return env.getOptions();
        }

        @Override
        public Messager getMessager() {
          return env.getMessager();
        }

        @Override
        public Filer getFiler() {
          return filer;
        }

        @Override
        public Elements getElementUtils() {
          return env.getElementUtils();
        }

        @Override
        public Types getTypeUtils() {
          return env.getTypeUtils();
        }

        @Override
        public SourceVersion getSourceVersion() {
          return env.getSourceVersion();
        }

        @Override
        public Locale getLocale() {
          return env.getLocale();
        }
      });
    }

    @Override
    public Set<String> getSupportedOptions() {
      return kiln.getSupportedOptions();
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return kiln.getSupportedAnnotationTypes();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return kiln.getSupportedSourceVersion();
    }

    /** The CPU time of the compiling thread spent in Kiln's {@code process}, over all rounds so far. */
    double cpuSeconds() {
      return cpuNanos / 1e9;
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      long start = System.nanoTime();
      long cpuStart = THREADS.getCurrentThreadCpuTime();
      try {
        return kiln.process(annotations, round);
      } finally {
        nanos += System.nanoTime() - start;
        cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuStart;
      }
    }

    @Override
    public Iterable<? extends Completion> getCompletions(Element element,
        AnnotationMirror annotation, ExecutableElement member, String userText) {
      return kiln.getCompletions(element, annotation, member, userText);
    }
  }
}
