"""graphcl: contrastive learning on heterogeneous graphs and for sequential recommendation."""

__version__ = "0.1.0"
