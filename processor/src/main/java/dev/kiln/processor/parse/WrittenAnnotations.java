package dev.kiln.processor.parse;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;
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

  /**
   * Whether every annotation written in {@code type}'s declaration (on it, its methods and their
   * parameters, and the types nested in it) names a type the compiler found. One walk over the
   * type's tree: looking each element up on its own walks the whole file each time, which is
   * quadratic in the layers.
   */
  public boolean allResolveWithin(TypeElement type) {
    if (trees == null) {
      return true;
    }
    TreePath path = trees.getPath(type);
    if (path == null) {
      return true; // From a class file: no source to read.
    }
    boolean[] resolved = {true};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAnnotation(AnnotationTree annotation, Void unused) {
        TypeMirror annotationType =
            trees.getTypeMirror(new TreePath(getCurrentPath(), annotation.getAnnotationType()));
        if (annotationType == null || annotationType.getKind() == TypeKind.ERROR) {
          resolved[0] = false;
        }
        return null;
      }
    }.scan(path, null);
    return resolved[0];
  }

}
