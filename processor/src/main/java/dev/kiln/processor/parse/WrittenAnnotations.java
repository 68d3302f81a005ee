package dev.kiln.processor.parse;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * The annotations as written in the source. javac leaves an annotation whose type does not
 * resolve (a misspelt {@code @MaxPool2D}) out of the element's annotation mirrors altogether, so
 * only the source tree shows that the method has one; without this check Kiln would add "method
 * has no layer annotation" to javac's "cannot find symbol". Eclipse's compiler keeps such an
 * annotation, with an error type, and does not offer the tree API: there this check has nothing
 * to add.
 */
public final class WrittenAnnotations {

  /** javac's tree API, or null under another compiler or a wrapped environment. */
  private final Trees trees;

  private WrittenAnnotations(Trees trees) {
    this.trees = trees;
  }

  public static WrittenAnnotations of(ProcessingEnvironment env) {
    try {
      return new WrittenAnnotations(Trees.instance(env));
    } catch (IllegalArgumentException | LinkageError notJavac) {
      return new WrittenAnnotations(null);
    }
  }

  /** Whether every annotation written on {@code element} names a type the compiler found. */
  public boolean allResolve(Element element) {
    if (trees == null) {
      return true;
    }
    TreePath path = trees.getPath(element);
    if (path == null) {
      return true; // From a class file: no source to read.
    }
    ModifiersTree modifiers = modifiers(path.getLeaf());
    if (modifiers == null) {
      return true;
    }
    TreePath modifiersPath = new TreePath(path, modifiers);
    for (AnnotationTree annotation : modifiers.getAnnotations()) {
      TreePath typePath =
          new TreePath(new TreePath(modifiersPath, annotation), annotation.getAnnotationType());
      TypeMirror type = trees.getTypeMirror(typePath);
      if (type == null || type.getKind() == TypeKind.ERROR) {
        return false;
      }
    }
    return true;
  }

  private static ModifiersTree modifiers(Tree tree) {
    if (tree instanceof MethodTree method) {
      return method.getModifiers();
    }
    if (tree instanceof VariableTree variable) {
      return variable.getModifiers();
    }
    if (tree instanceof ClassTree type) {
      return type.getModifiers();
    }
    return null;
  }
}
