#!/bin/bash
# Harbor verifier: put the tests in the crate, run them against /app and write the reward.
mkdir -p /logs/verifier /app/tests
cp /tests/*.rs /app/tests/
cd /app
if cargo test --offline --test sizes_test; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
