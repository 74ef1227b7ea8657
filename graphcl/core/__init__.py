"""graphcl.core: pure-torch contrastive losses, clustering helpers and diagnostics.

Never imports torch_geometric or recbole (tests/core/test_imports.py checks it), so both the
graph and the recommendation models can depend on it. See docs/core.md.
"""

from graphcl.core.cluster_weights import ClusterNegativeWeights, cluster_concentration, cluster_negative_weights
from graphcl.core.debiased import DebiasedInfoNCE
from graphcl.core.decoupled import DecoupledInfoNCE
from graphcl.core.diagnostics import alignment, uniformity
from graphcl.core.hard_negative_mixing import HardNegativeMixing
from graphcl.core.infonce import InfoNCE
from graphcl.core.kmeans import kmeans
from graphcl.core.ntxent import NTXent
from graphcl.core.protonce import ProtoNCE

__all__ = [
    "InfoNCE",
    "NTXent",
    "DecoupledInfoNCE",
    "DebiasedInfoNCE",
    "HardNegativeMixing",
    "ProtoNCE",
    "kmeans",
    "cluster_concentration",
    "cluster_negative_weights",
    "ClusterNegativeWeights",
    "alignment",
    "uniformity",
]
