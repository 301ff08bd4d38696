from tests.databases import empty_database_url, postgres_session_url  # noqa: F401  (fixtures)
