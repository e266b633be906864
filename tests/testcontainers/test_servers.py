"""The session's PostgreSQL and MariaDB are containers the test kit started (testcontainers),
from the images the settings name, and they hold the session's test databases."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from datafeeds_core.testing import (
    MARIADB_IMAGE_VAR,
    MYSQL_VAR,
    POSTGRES_IMAGE_VAR,
    POSTGRES_VAR,
    DatabaseFactory,
    ServerBackend,
)


@pytest.mark.parametrize(
    ("backend", "image_var", "version_query"),
    [
        ("postgresql", POSTGRES_IMAGE_VAR, "SELECT version()"),
        ("mariadb", MARIADB_IMAGE_VAR, "SELECT version()"),
    ],
)
def test_the_database_servers_of_this_session_are_containers_of_the_named_images(
    database_factory: DatabaseFactory, backend: ServerBackend, image_var: str, version_query: str
) -> None:
    assert not os.environ.get(POSTGRES_VAR) and not os.environ.get(MYSQL_VAR)

    server = database_factory.server(backend)
    url = database_factory.create(backend)

    assert server._container is not None, f"{backend}: not a container ({server.admin_url})"
    tags = server._container.get_wrapped_container().image.tags
    assert os.environ[image_var] in tags
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text(version_query)).scalar_one())
    finally:
        engine.dispose()
    assert ("PostgreSQL" in version) if backend == "postgresql" else ("MariaDB" in version)
