"""Go mutation: operators (tree-sitter), the schema's Go shapes and its drivers."""
