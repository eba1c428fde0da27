"""A demo programme for the results tests."""

import pytest

from spindeln.db import db
from spindeln.demo import create_demo


@pytest.fixture
def demo(app):
    """The demo programme: seven districts, six closed rounds, one open; BVC/BMM in Skärholmen has 2 people."""
    programme, _user = create_demo(seed=7)
    db.session.commit()
    return programme
