# Mercato server image: built on Debian 12 with the same packages scripts/run installs, with the
# storefront (web/, built by Vite) served from /usr/share/mercato/web.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      meson ninja-build pkg-config gcc libc6-dev \
      libulfius-dev liborcania-dev libyder-dev libjansson-dev libjwt-dev libargon2-dev \
      libhiredis-dev libmongoc-dev libbson-dev libsqlite3-dev libcurl4-gnutls-dev \
      libmicrohttpd-dev libgnutls28-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY meson.build meson_options.txt ./
COPY api api
COPY include include
COPY tests/bench tests/bench
RUN meson setup build --buildtype=release -Dtests=false && ninja -C build mercato

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libulfius2.7 libjansson4 libjwt0 libargon2-1 libhiredis0.14 libmongoc-1.0-0 \
      libsqlite3-0 libcurl3-gnutls libmicrohttpd12 libgnutls30 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/mercato --create-home mercato
COPY --from=build /src/build/mercato /usr/local/bin/mercato
COPY --from=web /web/dist /usr/share/mercato/web
USER mercato
WORKDIR /var/lib/mercato
ENV MERCATO_BIND=0.0.0.0 MERCATO_DATA_DIR=/var/lib/mercato/data MERCATO_WEB_DIR=/usr/share/mercato/web
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/mercato"]
CMD ["serve"]
