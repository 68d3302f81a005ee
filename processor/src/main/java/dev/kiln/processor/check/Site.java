package dev.kiln.processor.check;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * Where a diagnostic points: an element, and optionally one of its annotations and one value of
 * that annotation, so that javac and IDEs mark {@code units = 0} rather than the whole method.
 *
 * @param element the method, parameter or interface at fault
 * @param annotation an annotation on it, or null
 * @param value a value of that annotation as written, or null (a default value has no position)
 * @param note a second location printed after the diagnostic, or null: inside a block, where
 *     the layer at fault is declared
 */
public record Site(Element element, AnnotationMirror annotation, AnnotationValue value, Note note) {

  /** A second location and what it shows, printed as a note. */
  public record Note(Site site, String text) {}

  public Site(Element element, AnnotationMirror annotation, AnnotationValue value) {
    this(element, annotation, value, null);
  }

  /** This site with a note at {@code where}. */
  public Site withNote(Site where, String text) {
    return new Site(element, annotation, value, new Note(where, text));
  }

  public Site {
    if (element == null) {
      throw new IllegalArgumentException("a diagnostic needs an element");
    }
    if (value != null && annotation == null) {
      throw new IllegalArgumentException("an annotation value needs its annotation");
    }
  }

  public static Site of(Element element) {
    return new Site(element, null, null);
  }

  public static Site of(Element element, AnnotationMirror annotation) {
    return new Site(element, annotation, null);
  }

  public static Site of(Element element, AnnotationMirror annotation, AnnotationValue value) {
    return new Site(element, annotation, value);
  }

  /** Whether the site is {@code element} or lies inside it (a parameter inside its method). */
  public boolean isWithin(Element container) {
    for (Element e = element; e != null; e = e.getEnclosingElement()) {
      if (e.equals(container)) {
        return true;
      }
    }
    return false;
  }
}
