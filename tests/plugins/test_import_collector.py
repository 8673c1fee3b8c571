"""An import holds the cyclic collector back for a chunk and gives it back as it found it."""

import gc

from rapport.plugins.contacts.collector import collector_held


def test_the_collector_is_held_for_the_block_and_running_again_after() -> None:
    assert gc.isenabled()
    with collector_held():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_after_a_failed_block() -> None:
    try:
        with collector_held():
            raise ValueError("a chunk that failed")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_collector_already_off_is_left_off() -> None:
    gc.disable()
    try:
        with collector_held():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
