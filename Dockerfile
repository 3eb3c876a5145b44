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
ENTRYPOINT ["node", "/app/bin/durabatch.js"]
CMD ["worker"]
