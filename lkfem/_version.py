"""The version of lkfem."""

__version__ = "0.1.0"
