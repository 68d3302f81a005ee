package dev.kiln.processor.check;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * The diagnostics about one subject, immutable once built (after Dagger's {@code
 * ValidationReport}). Each validator builds its own with {@link #about(Element)} and the
 * pipeline joins them with {@link #and}, so one compile shows every independent mistake.
 */
public final class Report {

  /** One diagnostic: its kind, its stable tag, its text and where it points. */
  public record Item(Diagnostic.Kind kind, Tag tag, String message, Site site) {

    /** {@code [Kiln/Cycle] layers form a cycle: ...}, as javac prints it. */
    public String text() {
      return tag + " " + message;
    }
  }

  private static final Report EMPTY = new Report(List.of());

  private final List<Item> items;

  private Report(List<Item> items) {
    this.items = List.copyOf(items);
  }

  public static Report empty() {
    return EMPTY;
  }

  /** A builder for diagnostics about {@code subject}; items without a site point at it. */
  public static Builder about(Element subject) {
    return new Builder(subject);
  }

  /** The items of every report, in order. */
  public static Report of(Report... reports) {
    Report all = EMPTY;
    for (Report report : reports) {
      all = all.and(report);
    }
    return all;
  }

  /** This report's items followed by {@code other}'s. */
  public Report and(Report other) {
    if (other.items.isEmpty()) {
      return this;
    }
    List<Item> joined = new ArrayList<>(items);
    joined.addAll(other.items);
    return new Report(joined);
  }

  public List<Item> items() {
    return items;
  }

  public boolean hasErrors() {
    return items.stream().anyMatch(item -> item.kind() == Diagnostic.Kind.ERROR);
  }

  /** Whether an error points at {@code element} or inside it. */
  public boolean hasErrorsWithin(Element element) {
    return items.stream()
        .anyMatch(item -> item.kind() == Diagnostic.Kind.ERROR && item.site().isWithin(element));
  }

  /** Prints every item, in order. */
  public void printTo(Messager messager) {
    for (Item item : items) {
      Site site = item.site();
      messager.printMessage(
          item.kind(), item.text(), site.element(), site.annotation(), site.value());
      if (site.note() != null) {
        Site note = site.note().site();
        messager.printMessage(Diagnostic.Kind.NOTE, site.note().text(), note.element(),
            note.annotation(), note.value());
      }
    }
  }

  /** Collects the items of one report. */
  public static final class Builder {

    private final Element subject;
    private final List<Item> items = new ArrayList<>();

    private Builder(Element subject) {
      this.subject = subject;
    }

    /** An error on the subject itself. */
    public Builder error(Tag tag, String message) {
      return error(tag, message, Site.of(subject));
    }

    public Builder error(Tag tag, String message, Site site) {
      items.add(new Item(Diagnostic.Kind.ERROR, tag, message, site));
      return this;
    }

    public Builder warning(Tag tag, String message, Site site) {
      items.add(new Item(Diagnostic.Kind.WARNING, tag, message, site));
      return this;
    }

    /** Every item of {@code report}, after the ones added so far. */
    public Builder add(Report report) {
      items.addAll(report.items());
      return this;
    }

    public Report build() {
      return new Report(items);
    }
  }
}
