"""graphcl.hetero: contrastive learning on heterogeneous graphs (MEOW, AdaMEOW, HeCo).

Build the inputs once from any PyG ``HeteroData`` with a transform, then train::

    params = MEOWParams(model=MEOWModel(metapaths=["PAP", "PSP"]))
    inputs = ToMEOWInputs(params, target="paper")(data)
    result = fit(MEOW(params, inputs), inputs, params)   # result.embeddings, result.history

See docs/hetero.md.
"""

from graphcl.hetero.adameow import AdaMEOW
from graphcl.hetero.featureless import AddFeaturelessFeatures
from graphcl.hetero.heco import HeCo
from graphcl.hetero.inputs import AddMetapathPositives, HeCoInputs, MEOWInputs, ToHeCoInputs, ToMEOWInputs
from graphcl.hetero.meow import MEOW
from graphcl.hetero.params import (
    AdaMEOWModel,
    AdaMEOWParams,
    AdaMEOWTrain,
    HeCoEval,
    HeCoModel,
    HeCoParams,
    HeCoTrain,
    HeteroEval,
    HeteroTrain,
    MEOWModel,
    MEOWParams,
    MEOWTrain,
    Metapath2Vec,
)
from graphcl.hetero.trainer import FitResult, fit

__all__ = [
    "MEOW",
    "AdaMEOW",
    "HeCo",
    "MEOWParams",
    "AdaMEOWParams",
    "HeCoParams",
    "MEOWModel",
    "AdaMEOWModel",
    "HeCoModel",
    "HeteroTrain",
    "MEOWTrain",
    "AdaMEOWTrain",
    "HeCoTrain",
    "HeteroEval",
    "HeCoEval",
    "ToMEOWInputs",
    "ToHeCoInputs",
    "MEOWInputs",
    "HeCoInputs",
    "AddFeaturelessFeatures",
    "AddMetapathPositives",
    "Metapath2Vec",
    "fit",
    "FitResult",
]
