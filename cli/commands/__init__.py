"""The commands of `aireg`, one module per group of them. Each module lists its commands in
`COMMANDS`; cli.main imports only the module of the command being run, by this table
(tests/test_cli.py checks it against every module's COMMANDS)."""

MODULES = {
    "bom": "bom", "bump": "edit", "check": "check", "deprecate": "edit",
    "deprecations": "lifecycle", "deps": "query", "digest": "environments",
    "export": "export", "graph": "query", "history": "history", "impact": "impact",
    "import": "adopt", "lineage": "lineage", "ls": "query", "orphans": "lifecycle",
    "render": "query", "retirements": "retirements", "scan": "adopt", "schema": "schema",
    "show": "query", "status": "environments",
}
