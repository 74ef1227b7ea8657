import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    """Test tensors are tiny (threads cost more than they give), and the CI machine is shared."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
