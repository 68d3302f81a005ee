package dev.kiln.processor.check;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * The diagnostics of one model interface. Each item carries the element, annotation and
 * annotation value it concerns, so javac and IDEs mark the exact token. Items are collected
 * and printed together, so one compile shows every mistake.
 */
public final class Report {

  /** One diagnostic; {@code annotation} and {@code value} may be null. */
  public record Item(
      Diagnostic.Kind kind,
      String message,
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value) {}

  private final List<Item> items = new ArrayList<>();

  /** An error tagged {@code [Kiln/tag]}. */
  public void error(String tag, String message, Element element) {
    add(Diagnostic.Kind.ERROR, tag, message, element, null, null);
  }

  public void error(String tag, String message, Element element, AnnotationMirror annotation) {
    add(Diagnostic.Kind.ERROR, tag, message, element, annotation, null);
  }

  public void error(
      String tag,
      String message,
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value) {
    add(Diagnostic.Kind.ERROR, tag, message, element, annotation, value);
  }

  /** A warning tagged {@code [Kiln/tag]}. */
  public void warning(String tag, String message, Element element, AnnotationMirror annotation) {
    add(Diagnostic.Kind.WARNING, tag, message, element, annotation, null);
  }

  public boolean hasErrors() {
    return items.stream().anyMatch(item -> item.kind() == Diagnostic.Kind.ERROR);
  }

  public List<Item> items() {
    return List.copyOf(items);
  }

  /** Prints every item, in the order reported. */
  public void printTo(Messager messager) {
    for (Item item : items) {
      messager.printMessage(
          item.kind(), item.message(), item.element(), item.annotation(), item.value());
    }
  }

  private void add(
      Diagnostic.Kind kind,
      String tag,
      String message,
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value) {
    items.add(new Item(kind, "[Kiln/" + tag + "] " + message, element, annotation, value));
  }
}
