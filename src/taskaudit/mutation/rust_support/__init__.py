"""Rust mutation: operators (tree-sitter), the schema's Rust shapes and its drivers."""
