"""What the Go, Rust and Java mutation backends share: schema rendering (``schema``) and the
flow of a schema run with its fallback to the engine's rebuild path (``execute``)."""
