"""The web app: FastAPI JSON API under /api/v1 and server-rendered Jinja2 pages."""
