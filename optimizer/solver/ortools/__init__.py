"""The OR-Tools routing model of a day and the search over it (the only package that imports OR-Tools)."""

__all__: list[str] = []  # import the modules: model, search / check, portfolio, pyvrp, vroom
