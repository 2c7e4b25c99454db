"""aireg's registry: loading, the graph, the rules and every output."""

# The one place the version is written (pyproject.toml reads it from here). `aireg
# --version` prints it without asking the package metadata, which costs more to import
# than the rest of the command.
__version__ = "0.1.0"
