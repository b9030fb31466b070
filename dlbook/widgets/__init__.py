"""Interactive explorers for the book's pages.

Each explorer is a thin view: the numbers come from plain :mod:`dlbook`
functions that the tests call without a browser, and the explorer only wires
controls to them and redraws a figure. See :class:`dlbook.widgets.view.Explorer`.
"""
