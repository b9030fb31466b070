"""Interactive explorers for the book's pages, live in JupyterLab, Colab, VS Code and on the website.

Each explorer is an anywidget (:class:`dlbook.widgets.explorer.Explorer`): an ES
module built from ``js/explorers/`` draws it and recomputes it in the browser,
porting :mod:`dlbook.numpy`; the Python object holds the state as traits.
"""
