import pytest

from tests.factories import UserFactory


@pytest.fixture
def kcc_user(kcc_group):
    """A KCC clerk, member of the KCC group."""
    user = UserFactory(role="kcc")
    kcc_group.members.add(user)
    return user


@pytest.fixture
def signed_in(client):
    """``signed_in(user)``: the test client, signed in as ``user`` (some modules sign in their own user)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
