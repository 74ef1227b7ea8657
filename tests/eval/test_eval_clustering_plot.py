import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

from graphcl.eval import kmeans_nmi_ari, plot_embeddings, project_2d


def test_kmeans_nmi_matches_sklearn_single_run():
    g = torch.Generator().manual_seed(0)
    y = torch.arange(90) % 3
    x = torch.eye(3)[y] * 4 + torch.randn(90, 3, generator=g)
    ours = kmeans_nmi_ari(x, y, runs=1, seed=5)
    pred = KMeans(n_clusters=3, n_init=10, random_state=5).fit_predict(x.numpy())
    assert ours["nmi"] == pytest.approx(normalized_mutual_info_score(y.numpy(), pred))
    assert ours["ari"] > 0.8


def test_random_labels_give_low_scores():
    x = torch.randn(120, 4, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 3, (120,), generator=torch.Generator().manual_seed(2))
    out = kmeans_nmi_ari(x, y, runs=2)
    assert out["nmi"] < 0.1 and abs(out["ari"]) < 0.1


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_plot_writes_a_png(tmp_path, method):
    x = torch.randn(40, 5)
    y = torch.arange(40) % 2
    path = plot_embeddings(x, y, tmp_path / f"{method}.png", method=method)
    assert path.stat().st_size > 1000
    assert project_2d(x, method).shape == (40, 2)


def test_bad_projection_method():
    with pytest.raises(ValueError, match="pca"):
        project_2d(torch.randn(5, 3), "umap")
