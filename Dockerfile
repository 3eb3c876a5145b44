# durabatch worker / CLI image, used by docker-compose.yml.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples
RUN npm run build && npm prune --omit=dev
# A bounded V8 heap: with the default limit (4.3 GB on a 24 GB host) V8 lets garbage pile up
# for minutes before its first full collection, and a worker's resident memory rises with it (docs/decisions/0003).
# scripts/bench reads the worker's node flags from this line.
ENTRYPOINT ["node", "--max-old-space-size=1024", "/app/bin/durabatch.js"]
CMD ["worker"]
