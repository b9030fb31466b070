"""The test suite of dlbook (a package, so tests can share helpers such as ``tests.notebook_solutions``)."""
