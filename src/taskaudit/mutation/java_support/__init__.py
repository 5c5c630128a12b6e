"""Java mutation: operators (tree-sitter), the schema's Java shapes, the warm JVM driver."""
