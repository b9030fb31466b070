"""Automatic checks for the exercises at the end of each chapter.

Call a chapter's checker on your own function, for example
``check_softmax(my_softmax)``: it runs prepared and random cases and reports
either a pass or the first failing case with the expected and actual values
and a hint. A checker never raises because of your code: exceptions are
reported, not propagated.
"""

from dlbook.exercises.checker import Case, CheckResult, run_checks
