#!/bin/bash
# Harbor verifier: run the tests against /app and write the reward.
mkdir -p /logs/verifier
cd /app
if python -m pytest -q /tests; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
