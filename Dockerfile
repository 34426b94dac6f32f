# The fedimob image: `fedimob serve`, `fedimob worker` and the admin commands.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY activitypub ./activitypub
COPY fedimob ./fedimob
COPY web ./web
RUN pip install . && useradd --system --create-home --home-dir /data fedimob

USER fedimob
WORKDIR /data
EXPOSE 8000
CMD ["fedimob", "serve", "--host", "0.0.0.0", "--port", "8000"]
