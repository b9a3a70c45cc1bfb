"""The version of hftp, in a leaf module: nothing here imports the package face."""

__version__ = "0.3.0"
