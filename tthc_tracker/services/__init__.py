"""Use cases: each opens its own transaction and takes ``now``/``as_of`` as parameters."""
