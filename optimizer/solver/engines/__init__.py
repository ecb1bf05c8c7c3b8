"""Other engines that propose routes (PyVRP, VROOM), run as a portfolio; every proposal is checked first."""
