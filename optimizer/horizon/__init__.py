"""Planning a horizon of several dates: which dates each case may take (:mod:`~optimizer.horizon.dates`), what a
late visit costs (:mod:`~optimizer.horizon.lateness`), and the rolling horizon that feeds what really happened
into the next plan (:mod:`~optimizer.horizon.outcomes`).

The submodules are imported where used (``optimizer.solver`` imports :mod:`~optimizer.horizon.dates`, and
:mod:`~optimizer.horizon.lateness` imports the solver's search input), so this package imports nothing itself.
"""
