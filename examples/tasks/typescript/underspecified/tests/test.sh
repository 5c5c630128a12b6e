#!/bin/bash
# Harbor verifier: compile the tests and /app with tsc, run them, write the reward.
mkdir -p /logs/verifier
cd /app
types="$(npm root --global)/@types"
if tsc --rootDir / --outDir /tmp/build --module commonjs --target es2022 --lib es2023 \
     --esModuleInterop --skipLibCheck --types node --typeRoots "$types" /tests/money.test.ts \
   && node --test /tmp/build/tests/rle.test.js; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
