# xrayops: the single executable in a small image.
#   npm run build                      # dist/xrayops
#   docker build -t xrayops:0.1.0 .    # the image k8s/ names (tag and push it to your registry)
#   docker run --gpus all -p 8000:8000 xrayops:0.1.0
# Kubernetes runs the same image with a read-only root: the native-library cache and the state
# folder are volumes there (k8s/20-model-server.yaml).
FROM debian:12-slim

# Dawn reaches NVIDIA GPUs through Vulkan: the loader and the glvnd libraries the driver's ICD needs.
# The driver itself comes from the host (NVIDIA container toolkit, graphics capability).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 xrayops \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/xrayops --no-create-home --shell /usr/sbin/nologin xrayops \
 && mkdir -p /var/lib/xrayops /var/cache/xrayops \
 && chown 10001:10001 /var/lib/xrayops /var/cache/xrayops

COPY dist/xrayops /usr/local/bin/xrayops
# The shipped model is inside the executable; the config names no model path, so it serves that one.
COPY deployment/config.yaml /opt/xrayops/deployment/config.yaml
COPY models/MODEL_CARD.md /opt/xrayops/MODEL_CARD.md

ENV XRAYOPS_CACHE_DIR=/var/cache/xrayops \
    XRAYOPS_STATE_DIR=/var/lib/xrayops \
    LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics

LABEL org.opencontainers.image.title="xrayops" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.description="Chest X-ray pneumonia detection server and its operations CLI"

USER 10001:10001
WORKDIR /opt/xrayops
EXPOSE 8000 8080 9000

# Healthy while the server serves (ok or degraded); `xrayops health` exits 2 when it is down. Asked
# on the health listener (health.port: the server port + 1000), which a flood cannot delay.
HEALTHCHECK --interval=30s --timeout=10s --start-period=300s --retries=3 \
  CMD xrayops health --url "http://127.0.0.1:${XRAYOPS_HEALTH_PORT:-$((${PORT:-8000} + 1000))}" >/dev/null; [ $? -lt 2 ]

ENTRYPOINT ["/usr/local/bin/xrayops"]
CMD ["serve", "--config", "/opt/xrayops/deployment/config.yaml"]
