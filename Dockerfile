# Aftermath: the app server image. Build: docker build -t aftermath .
# Runs gunicorn on port 8000; configure it with the variables of .env.example.
# The same image runs the task worker: docker run ... aftermath python manage.py worker
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN useradd --create-home --uid 10001 aftermath

# The locked runtime requirements only, with their hashes.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

COPY . .
# Static files are collected into the image (whitenoise serves them compressed and hashed).
RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && mkdir -p /app/data/uploads && chown -R aftermath /app/data

USER aftermath
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["python", "-m", "config.healthcheck"]
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c config/gunicorn.conf.py config.wsgi"]
