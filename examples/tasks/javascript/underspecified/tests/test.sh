#!/bin/bash
# Harbor verifier: run the tests against /app and write the reward.
mkdir -p /logs/verifier
cd /app
if node --test /tests/slug.test.js; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
