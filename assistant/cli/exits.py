"""Exit codes of the `assistant` command: scripts and CI depend on them."""

EXIT_OK = 0  # done, nothing wrong
EXIT_PROBLEMS = 1  # done, and found problems (a failed check, lint errors, an empty index)
EXIT_USAGE = 2  # could not do it: bad arguments, input or configuration
