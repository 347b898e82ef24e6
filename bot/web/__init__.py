"""The bot's web server (Starlette on uvicorn): upload and download links, chart URLs, webhooks, health checks."""
