import os

import pytest

from aegis_addons.mock_upstream import MockUpstreamThread
from tests.support import Gateway


@pytest.fixture(scope="session")
def mock_llm():
    with MockUpstreamThread() as mock:
        yield mock


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, mock_llm):
    """One gateway per test module, with the options the e2e tests rely on."""
    gw = Gateway(tmp_path_factory.mktemp("aegis-home"), options={
        "aegis_upstream_base_url": mock_llm.url + "/v1",
        "aegis_v2_target_allowlist": "127.0.0.1",
        "aegis_enable_local_port_routing": True,
        "aegis_max_request_body_bytes": 200_000,
    })
    with gw:
        yield gw


@pytest.fixture
def pg_url():
    url = os.environ.get("AEGIS_TEST_DATABASE_URL")
    if not url:
        pytest.skip("AEGIS_TEST_DATABASE_URL is not set (PostgreSQL tests run in CI via .ci/run)")
    return url
