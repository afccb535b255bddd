"""Runs the integration suites (all test_*.py here, or the named tests) and ends with a
plain 'N passed, N failed, N skipped' line. Exits non-zero on any failure or when no test
ran."""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
loader = unittest.TestLoader()
if len(sys.argv) > 1:
    suite = loader.loadTestsFromNames(sys.argv[1:])
else:
    suite = loader.discover(here, pattern="test_*.py")
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
print(f"integration: {result.testsRun - failed - skipped} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
