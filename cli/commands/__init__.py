"""The commands of `aireg`, one module per group of them. Each module lists its commands in
`COMMANDS`; cli.main adds every module's to the group."""
