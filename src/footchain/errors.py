"""Errors a person can act on. The CLI prints their message without a traceback and exits 2."""


class FootchainError(Exception):
    """Bad input or a problem the user can fix; ``str(error)`` says what and how."""


class IntakeError(FootchainError):
    """The intake is not valid JSON or does not follow the intake schema (v1)."""


class FootprintError(FootchainError):
    """A footprint image or pressure frame cannot be measured; the message says why and what to do."""


class CatalogueError(FootchainError):
    """An insole catalogue CSV cannot be read; the message names every bad row and column."""
