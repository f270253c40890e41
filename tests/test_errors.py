from derive.errors import DeriveError


def test_is_a_value_error() -> None:
    assert issubclass(DeriveError, ValueError)
