"""Other engines that propose routes (PyVRP, VROOM), run as a portfolio; every proposal is checked first."""

__all__: list[str] = []  # import the modules: model, search / check, portfolio, pyvrp, vroom
