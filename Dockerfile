# One image for every role (gunicorn, daphne, Celery worker and beat); compose picks the command.
FROM node:20-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends default-libmysqlclient-dev pkg-config build-essential ffmpeg \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements-mysql.txt ./
RUN pip install --no-cache-dir -r requirements-mysql.txt
COPY . .
COPY --from=frontend /src/node_modules/bootstrap/dist/css/bootstrap.min.css /src/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
COPY --from=frontend /src/node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
COPY --from=frontend /src/node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/fonts
COPY --from=frontend /src/node_modules/hls.js/dist/hls.min.js static/vendor/hls.js/
RUN DEBUG=False SECRET_KEY=collectstatic-only MEDIA_SIGNING_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home shortmedia && mkdir -p /app/media && chown shortmedia /app/media
USER shortmedia
EXPOSE 8000 8001
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4"]
