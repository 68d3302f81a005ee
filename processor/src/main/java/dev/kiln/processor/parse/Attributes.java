package dev.kiln.processor.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.element.AnnotationMirror;
import dev.kiln.processor.check.Site;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/**
 * The attribute values of one annotation, defaults included, typed as the annotation declares
 * them. Keeps the element it is on and the explicit {@link AnnotationValue}s so diagnostics can
 * point at them.
 */
public final class Attributes {

  private final Element element;
  private final AnnotationMirror mirror;
  private final Map<String, AnnotationValue> withDefaults = new TreeMap<>();
  private final Map<String, AnnotationValue> explicit = new TreeMap<>();
  /** Inside an applied block: where diagnostics point instead, or null. */
  private final Applied applied;

  /**
   * Where the diagnostics about a block's layer point in one application of the block.
   *
   * @param site the application, where diagnostics about the layer point
   * @param bound the sites of the attributes a parameter gave, at the parameter's value
   * @param path {@code stage3 -> conv2}: the layer's path from the model
   */
  private record Applied(Site site, Map<String, Site> bound, String path) {}

  public Attributes(Element element, AnnotationMirror mirror, Elements elements) {
    this.element = element;
    this.mirror = mirror;
    this.applied = null;
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        elements.getElementValuesWithDefaults(mirror).entrySet()) {
      withDefaults.put(entry.getKey().getSimpleName().toString(), entry.getValue());
    }
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        mirror.getElementValues().entrySet()) {
      explicit.put(entry.getKey().getSimpleName().toString(), entry.getValue());
    }
  }

  private Attributes(Attributes declared, Map<String, AnnotationValue> values,
      Map<String, AnnotationValue> written, Applied applied) {
    this.element = declared.element;
    this.mirror = declared.mirror;
    this.withDefaults.putAll(values);
    this.explicit.putAll(written);
    this.applied = applied;
  }

  /**
   * These attributes as one application of a block uses them: each value in {@code bound}
   * replaces the attribute of its name, and diagnostics point at {@code application} (or, for a
   * bound attribute, at the site in {@code boundSites}) with a note where the block declares the
   * layer.
   */
  public Attributes applied(Map<String, AnnotationValue> bound, Map<String, AnnotationValue> boundWritten,
      Site application, Map<String, Site> boundSites, String path) {
    Map<String, AnnotationValue> values = new TreeMap<>(withDefaults);
    values.putAll(bound);
    Map<String, AnnotationValue> written = new TreeMap<>(explicit);
    bound.keySet().forEach(written::remove);
    written.putAll(boundWritten);
    return new Attributes(this, values, written, new Applied(application, Map.copyOf(boundSites), path));
  }

  public AnnotationMirror mirror() {
    return mirror;
  }

  /** The annotation on its element, where a diagnostic about the annotation as a whole points. */
  public Site site() {
    Site declared = Site.of(element, mirror);
    return applied == null ? declared : applied.site().withNote(declared, declaredHere());
  }

  /** The attribute's value as written, or the annotation when the attribute has its default. */
  public Site site(String name) {
    if (applied == null) {
      return Site.of(element, mirror, explicit.get(name));
    }
    Site declared = Site.of(element, mirror);
    return applied.bound().getOrDefault(name, applied.site()).withNote(declared, declaredHere());
  }

  private String declaredHere() {
    return applied.path() + " is declared here";
  }

  /** The value as written, for diagnostics; null when the attribute was left at its default. */
  public AnnotationValue written(String name) {
    return explicit.get(name);
  }

  /** The names of the annotation's attributes. */
  public Set<String> names() {
    return withDefaults.keySet();
  }

  /** The value of attribute {@code name}, defaults included, or null if there is none. */
  public AnnotationValue value(String name) {
    return withDefaults.get(name);
  }

  /** Whether the annotation declares an attribute of this name. */
  public boolean has(String name) {
    return withDefaults.containsKey(name);
  }

  public int intValue(String name) {
    return (Integer) raw(name);
  }

  public double doubleValue(String name) {
    return ((Number) raw(name)).doubleValue();
  }

  public long longValue(String name) {
    return ((Number) raw(name)).longValue();
  }

  /** A long array attribute; a single value written without braces is a one-element array. */
  public long[] longArray(String name) {
    return list(name).stream().mapToLong(value -> ((Number) value).longValue()).toArray();
  }

  /** A double array attribute; a single value written without braces is a one-element array. */
  public double[] doubleArray(String name) {
    return list(name).stream().mapToDouble(value -> ((Number) value).doubleValue()).toArray();
  }

  public boolean booleanValue(String name) {
    return (Boolean) raw(name);
  }

  public String stringValue(String name) {
    return (String) raw(name);
  }

  /** An array attribute; a single value written without braces counts as a one-element array. */
  public int[] intArray(String name) {
    List<Object> values = list(name);
    int[] ints = new int[values.size()];
    for (int i = 0; i < ints.length; i++) {
      ints[i] = (Integer) values.get(i);
    }
    return ints;
  }

  public <E extends Enum<E>> E enumValue(String name, Class<E> type) {
    return Enum.valueOf(type, ((VariableElement) raw(name)).getSimpleName().toString());
  }

  public <E extends Enum<E>> List<E> enumList(String name, Class<E> type) {
    List<E> values = new ArrayList<>();
    for (Object value : list(name)) {
      values.add(Enum.valueOf(type, ((VariableElement) value).getSimpleName().toString()));
    }
    return values;
  }

  /**
   * Every attribute as text, sorted by name: for fingerprints. Kiln renders the values itself
   * ({@link AttributeText}): {@code AnnotationValue.toString()} is each compiler's own format
   * (javac writes an enum constant as {@code RELU}, Eclipse's compiler as
   * {@code dev.kiln.Activation.RELU}), and a model must have one fingerprint whichever compiled it.
   */
  public String canonical() {
    StringBuilder text = new StringBuilder();
    withDefaults.forEach(
        (name, value) -> text.append(name).append('=').append(AttributeText.of(value)).append(';'));
    return text.toString();
  }

  private Object raw(String name) {
    AnnotationValue value = withDefaults.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "no attribute " + name + " on " + mirror.getAnnotationType());
    }
    return value.getValue();
  }

  private List<Object> list(String name) {
    Object value = raw(name);
    List<Object> values = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object item : list) {
        values.add(((AnnotationValue) item).getValue());
      }
    } else {
      values.add(value);
    }
    return values;
  }
}
