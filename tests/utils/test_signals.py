"""DeferredInterrupt: signals raise inside allowed blocks only, and a deferred one is not lost."""

import os
import signal

import pytest

from graphcl.utils.signals import DeferredInterrupt


@pytest.fixture
def handler():
    interrupts = DeferredInterrupt()
    before = signal.signal(signal.SIGTERM, interrupts)
    yield interrupts
    signal.signal(signal.SIGTERM, before)


def test_a_signal_outside_an_allowed_block_is_recorded_not_raised(handler):
    os.kill(os.getpid(), signal.SIGTERM)  # e.g. during a storage write
    assert handler.requested
    with pytest.raises(KeyboardInterrupt, match="stop was requested"):
        with handler.allow():  # the next training refuses to start
            pass


def test_a_signal_inside_an_allowed_block_raises_at_once(handler):
    with pytest.raises(KeyboardInterrupt, match="signal"):
        with handler.allow():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10**6):  # the handler runs between bytecodes
                pass
    assert not handler.armed


def test_a_signal_in_a_nested_disallowed_block_raises_when_it_ends(handler):
    reached = []
    with pytest.raises(KeyboardInterrupt, match="stop was requested"):
        with handler.allow():
            with handler.allow(False):  # a storage write inside training
                os.kill(os.getpid(), signal.SIGTERM)
                reached.append("write finished")
            reached.append("after the write")
    assert reached == ["write finished"] and handler.armed is False
