# oomguard's container image: node:20-slim, production dependencies only, the compiled dist/.
#
# It runs as root (uid 0) on purpose. An OOM killer's job is to signal other users' processes and to read
# the host's /proc and cgroup tree, which belong to root: as a non-root user it could kill nothing but its
# own children. Root is cut down where it runs instead, to the capabilities it needs (KILL, and SYS_PTRACE
# for `exe` rules), with everything else dropped; see deploy/kubernetes/daemonset.yaml and docs/install.md:
#
#   docker run -d --name oomguard --pid=host --cap-drop=ALL --cap-add=KILL --cap-add=SYS_PTRACE \
#     --security-opt no-new-privileges --read-only \
#     -v /proc:/host/proc:ro -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro \
#     -v /var/lib/oomguard:/var/lib/oomguard oomguard --root /host run --config /etc/oomguard/oomguard.toml

FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# The documented defaults; mount your own file over it (the Kubernetes ConfigMap does).
COPY examples/oomguard.toml /etc/oomguard/oomguard.toml
# Root, deliberately: see above.
USER 0
EXPOSE 9577
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["run", "--config", "/etc/oomguard/oomguard.toml"]
