"""graphcl.data: dataset registry, data-root resolution, download + checksum, loaders.

See ``docs/data.md`` for the registry format and what each loader returns.
"""

from graphcl.data.ensure import dataset_dir, ensure_dataset, missing_files
from graphcl.data.errors import ChecksumError, CorruptDataError, DataError, MissingDataError, UnknownDatasetError
from graphcl.data.interactions import sequences_from_interactions, sequences_from_lists
from graphcl.data.recbole_atomic import to_recbole_atomic
from graphcl.data.registry import dataset_info, dataset_names, load_registry
from graphcl.data.root import resolve_data_root, user_cache_dir
from graphcl.data.sequence_data import SequenceData
from graphcl.data.sequences import load_ml100k, load_sequences

__all__ = [
    "ChecksumError",
    "CorruptDataError",
    "DataError",
    "MissingDataError",
    "SequenceData",
    "UnknownDatasetError",
    "dataset_dir",
    "dataset_info",
    "dataset_names",
    "ensure_dataset",
    "load_hetero",
    "load_ml100k",
    "load_registry",
    "load_sequences",
    "missing_files",
    "resolve_data_root",
    "sequences_from_interactions",
    "sequences_from_lists",
    "to_recbole_atomic",
    "user_cache_dir",
]


def __getattr__(name):
    # load_hetero pulls in torch_geometric; import it only when asked for (rec runs never are)
    if name == "load_hetero":
        from graphcl.data.hetero import load_hetero

        return load_hetero
    raise AttributeError(f"module 'graphcl.data' has no attribute {name!r}")
