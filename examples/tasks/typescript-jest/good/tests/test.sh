#!/bin/bash
# Harbor verifier: compile the TypeScript tests and solution, run them with jest, write the reward.
mkdir -p /logs/verifier
cd /app
if npm ci --ignore-scripts >/dev/null && npx tsc --outDir /tmp/build --rootDir / /tests/rle.test.ts \
    && npx jest --rootDir /tmp/build /tmp/build/tests/rle.test.js; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
