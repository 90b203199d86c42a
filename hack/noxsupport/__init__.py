"""Small helpers for noxfile.py, one job per module, each tested in hack/tests/ (the `tooling` nox session).

Standard library only: the noxfile imports them in nox's own environment.
"""
