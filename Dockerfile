# mailbot run, as a non-root user, with its state (register, Maildir, outbox) on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MAILBOT_CONFIG=/data/config/mailbot.toml
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mailbot ./mailbot
COPY templates ./templates
COPY config ./config
RUN pip install --no-cache-dir -e . \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin mailbot \
 && mkdir -p /data/config && cp config/mailbot.example.toml /data/config/mailbot.toml && chown -R mailbot /data

USER mailbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8025
CMD ["mailbot", "run"]
